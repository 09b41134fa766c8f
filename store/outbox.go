package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/wabook/wabook/model"
)

// SettingLabelSync is the settings key of the label sync switch ("on" sends
// local label changes to WhatsApp). The store reads it inside each label
// transaction, so whether a change is queued for WhatsApp is decided with
// the change itself, whichever process made it.
const SettingLabelSync = "label_sync"

// The kinds of outbox change (migration 7).
const (
	OutboxLabelEdit   = "label_edit"   // create or update a Business label (name, colour)
	OutboxLabelDelete = "label_delete" // delete a Business label
	OutboxLabelChat   = "label_chat"   // put a label on a chat, or take it off
	OutboxBlock       = "block"        // block or unblock a contact
)

// The states of an outbox change.
const (
	OutboxPending = "pending"
	OutboxDone    = "done"
	OutboxFailed  = "failed"
	// OutboxSuperseded: a newer change of the same thing (the same
	// contact's block, the same label on the same chat, the same label)
	// was queued after this one failed, or the label was deleted before
	// this change of it went out: sending it would undo the newer one.
	OutboxSuperseded = "superseded"
)

// OutboxItem is one change WhatsApp must learn, queued in the transaction
// that made it in the mirror.
type OutboxItem struct {
	ID        int64
	Kind      string
	LabelID   int64  // label_edit, label_chat: the local label
	WALabelID string // WhatsApp's label id, once chosen (label rows)
	Name      string // the label's name when queued (for people reading the list)
	Color     int
	JID       string // label_chat, block: the contact
	Chat      string // label_chat: the chat form to send ("" = JID)
	Flag      bool   // label_chat: assigned; block: blocked
	State     string
	Attempts  int
	Error     string
	QueuedBy  int
	QueuedAt  int64
	TriedAt   int64
	DoneAt    int64
}

// IsLabel reports whether the change is about Business labels (those wait
// until WhatsApp has sent the account's own labels once).
func (it OutboxItem) IsLabel() bool { return it.Kind != OutboxBlock }

// OutboxCounts is how many changes wait and how many failed.
type OutboxCounts struct{ Pending, Failed int }

const outboxColumns = `id, kind, label_id, wa_label_id, name, color, jid, chat, flag, state, attempts, error,
	queued_by, queued_at, tried_at, done_at`

func scanOutbox(r scanner, it *OutboxItem) error {
	var flag int
	err := r.Scan(&it.ID, &it.Kind, &it.LabelID, &it.WALabelID, &it.Name, &it.Color, &it.JID, &it.Chat, &flag,
		&it.State, &it.Attempts, &it.Error, &it.QueuedBy, &it.QueuedAt, &it.TriedAt, &it.DoneAt)
	it.Flag = flag != 0
	return err
}

// enqueue writes changes to the outbox inside tx and counts them for other
// processes (change_seq.outbox).
func enqueue(ctx context.Context, tx *sql.Tx, items ...OutboxItem) error {
	if len(items) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO outbox (kind, label_id, wa_label_id, name, color, jid, chat, flag, queued_by, queued_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("store: outbox: %w", err)
	}
	defer stmt.Close()
	pid, t := os.Getpid(), now()
	for _, it := range items {
		res, err := stmt.ExecContext(ctx, it.Kind, it.LabelID, it.WALabelID, it.Name, it.Color, it.JID, it.Chat,
			b2i(it.Flag), pid, t)
		if err != nil {
			return fmt.Errorf("store: outbox: %w", err)
		}
		if it.ID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("store: outbox: %w", err)
		}
		if err := supersede(ctx, tx, it); err != nil {
			return err
		}
	}
	return bumpOutbox(ctx, tx)
}

// sameTarget is the condition on outbox rows that change what it changes:
// the same contact's block, the same label on the same chat, the same
// label's name and colour; a deletion concerns every change of its label.
func sameTarget(it OutboxItem) (string, []any) {
	switch it.Kind {
	case OutboxBlock:
		return `kind = 'block' AND jid = ?`, []any{it.JID}
	case OutboxLabelChat:
		return `kind = 'label_chat' AND label_id = ? AND jid = ?`, []any{it.LabelID, it.JID}
	case OutboxLabelEdit:
		return `kind = 'label_edit' AND label_id = ?`, []any{it.LabelID}
	}
	return `kind <> 'block' AND label_id = ?`, []any{it.LabelID}
}

// supersede marks the older changes of it's target that it replaces: failed
// ones (retrying one would undo it), and for a label's deletion the changes
// of that label still waiting too (the local id may be given to another
// label later: they must not go out under it).
func supersede(ctx context.Context, tx *sql.Tx, it OutboxItem) error {
	cond, args := sameTarget(it)
	states := `state = 'failed'`
	if it.Kind == OutboxLabelDelete {
		states = `state IN ('pending', 'failed')`
	}
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'superseded' WHERE `+cond+` AND id < ? AND `+states,
		append(args, it.ID)...); err != nil {
		return fmt.Errorf("store: outbox: %w", err)
	}
	if it.IsLabel() {
		return markLabelUnsynced(ctx, tx, it.LabelID)
	}
	return nil
}

func bumpOutbox(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `UPDATE change_seq SET outbox = outbox + 1`); err != nil {
		return fmt.Errorf("store: change counter: %w", err)
	}
	return nil
}

// labelSyncOn reads the label sync switch inside tx.
func labelSyncOn(ctx context.Context, tx *sql.Tx) (bool, error) {
	var v string
	err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, SettingLabelSync).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: setting %s: %w", SettingLabelSync, err)
	}
	return v == "on", nil
}

func labelEditItem(l model.Label) OutboxItem {
	return OutboxItem{Kind: OutboxLabelEdit, LabelID: l.ID, WALabelID: l.WALabelID, Name: l.Name, Color: l.Color}
}

// queueLabels queues, when label sync is on, what a label transaction did:
// the labels it created or edited (ids; read as they are now, in tx), the
// assignments in lc, and deleted labels, in that order.
func queueLabels(ctx context.Context, tx *sql.Tx, edited []int64, lc *LabelChanges, deleted []model.Label) error {
	on, err := labelSyncOn(ctx, tx)
	if err != nil || !on {
		return err
	}
	var items []OutboxItem
	labels := map[int64]model.Label{}
	label := func(id int64) (model.Label, bool, error) {
		if l, ok := labels[id]; ok {
			return l, true, nil
		}
		l, err := labelWhere(ctx, tx, `l.id = ?`, id)
		if errors.Is(err, ErrNotFound) {
			return l, false, nil
		}
		labels[id] = l
		return l, err == nil, err
	}
	if lc != nil {
		for _, l := range lc.Created {
			edited = append(edited, l.ID)
		}
	}
	for _, id := range edited {
		l, ok, err := label(id)
		if err != nil {
			return err
		}
		if ok {
			items = append(items, labelEditItem(l))
		}
	}
	if lc != nil {
		for _, c := range lc.Changes {
			l, ok, err := label(c.LabelID)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			items = append(items, OutboxItem{Kind: OutboxLabelChat, LabelID: l.ID, WALabelID: l.WALabelID, Name: l.Name,
				JID: c.JID, Chat: c.WAChat, Flag: c.Assigned})
		}
	}
	for _, l := range deleted {
		items = append(items, OutboxItem{Kind: OutboxLabelDelete, LabelID: l.ID, WALabelID: l.WALabelID, Name: l.Name, Color: l.Color})
	}
	return enqueue(ctx, tx, items...)
}

// SetLabelSync turns label sync on or off. Turning it on queues every label
// and each assignment WhatsApp has not reported for WhatsApp, in the same
// transaction, so what was labelled before reaches WhatsApp too. It reports
// how many changes were queued.
func (s *Store) SetLabelSync(ctx context.Context, on bool) (int, error) {
	queued := 0
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		was, err := labelSyncOn(ctx, tx)
		if err != nil {
			return err
		}
		v := "off"
		if on {
			v = "on"
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
ON CONFLICT (key) DO UPDATE SET value = excluded.value`, SettingLabelSync, v); err != nil {
			return fmt.Errorf("store: set setting %s: %w", SettingLabelSync, err)
		}
		if !on || was {
			return nil
		}
		var lc LabelChanges
		// Assignments WhatsApp itself reported (it named their chat) are
		// there already.
		rows, err := tx.QueryContext(ctx, `SELECT contact_jid, label_id, wa_chat FROM contact_labels
WHERE wa_chat = '' ORDER BY label_id, contact_jid`)
		if err != nil {
			return fmt.Errorf("store: label assignments: %w", err)
		}
		for rows.Next() {
			c := LabelChange{Assigned: true}
			if err := rows.Scan(&c.JID, &c.LabelID, &c.WAChat); err != nil {
				rows.Close()
				return fmt.Errorf("store: label assignments: %w", err)
			}
			lc.Changes = append(lc.Changes, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: label assignments: %w", err)
		}
		ids, err := queryInt64s(ctx, tx, `SELECT id FROM labels ORDER BY "order", id`)
		if err != nil {
			return err
		}
		queued = len(ids) + len(lc.Changes)
		return queueLabels(ctx, tx, ids, &lc, nil)
	})
	return queued, err
}

func queryInt64s(ctx context.Context, tx *sql.Tx, q string, args ...any) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// QueueBlock records that jid (a phone-number JID) is to be blocked or
// unblocked on WhatsApp: an outbox change and, on a contact of the mirror,
// block_pending, in one transaction. is_blocked changes only when WhatsApp
// confirms (FinishOutbox).
func (s *Store) QueueBlock(ctx context.Context, jid string, blocked bool) (OutboxItem, error) {
	j, err := normUserJID(jid)
	if err != nil {
		return OutboxItem{}, fmt.Errorf("store: block: %w", err)
	}
	it := OutboxItem{Kind: OutboxBlock, JID: j, Flag: blocked}
	err = s.withTx(ctx, func(tx *sql.Tx) error {
		if err := enqueue(ctx, tx, it); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT max(id) FROM outbox`).Scan(&it.ID); err != nil {
			return fmt.Errorf("store: outbox: %w", err)
		}
		return setBlockPending(ctx, tx, j)
	})
	return it, err
}

// setBlockPending sets a contact's block_pending from the last block or
// unblock of it still in the outbox (pending or failed): 1 block, -1
// unblock, 0 none.
func setBlockPending(ctx context.Context, tx *sql.Tx, jid string) error {
	_, err := tx.ExecContext(ctx, `UPDATE contacts SET block_pending = coalesce((
	SELECT CASE flag WHEN 0 THEN -1 ELSE 1 END FROM outbox
	WHERE kind = 'block' AND jid = ?1 AND state IN ('pending', 'failed') ORDER BY id DESC LIMIT 1), 0)
WHERE jid = ?1`, jid)
	if err != nil {
		return fmt.Errorf("store: block of %s: %w", jid, err)
	}
	return nil
}

// NextOutbox returns the first pending change after id after (0: the
// first of all), in the order they were queued; ok is false when none is.
func (s *Store) NextOutbox(ctx context.Context, after int64) (it OutboxItem, ok bool, err error) {
	row := s.db.QueryRowContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE state = 'pending' AND id > ? ORDER BY id LIMIT 1`, after)
	err = scanOutbox(row, &it)
	if errors.Is(err, sql.ErrNoRows) {
		return it, false, nil
	}
	if err != nil {
		return it, false, fmt.Errorf("store: outbox: %w", err)
	}
	return it, true, nil
}

// OutboxItemByID returns one change. ErrNotFound when unknown.
func (s *Store) OutboxItemByID(ctx context.Context, id int64) (OutboxItem, error) {
	var it OutboxItem
	err := scanOutbox(s.db.QueryRowContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE id = ?`, id), &it)
	if errors.Is(err, sql.ErrNoRows) {
		return it, fmt.Errorf("store: outbox change %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return it, fmt.Errorf("store: outbox: %w", err)
	}
	return it, nil
}

// Outbox lists the changes in the order they were queued: those pending
// and failed, and done and superseded ones too when withDone.
func (s *Store) Outbox(ctx context.Context, withDone bool) ([]OutboxItem, error) {
	where := ` WHERE state IN ('pending', 'failed')`
	if withDone {
		where = ``
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+outboxColumns+` FROM outbox`+where+` ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: outbox: %w", err)
	}
	defer rows.Close()
	var out []OutboxItem
	for rows.Next() {
		var it OutboxItem
		if err := scanOutbox(rows, &it); err != nil {
			return nil, fmt.Errorf("store: outbox: %w", err)
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// CountOutbox counts the pending and failed changes.
func (s *Store) CountOutbox(ctx context.Context) (OutboxCounts, error) {
	var c OutboxCounts
	err := s.db.QueryRowContext(ctx, `SELECT
	coalesce(sum(state = 'pending'), 0), coalesce(sum(state = 'failed'), 0) FROM outbox WHERE state IN ('pending', 'failed')`).Scan(&c.Pending, &c.Failed)
	if err != nil {
		return c, fmt.Errorf("store: outbox: %w", err)
	}
	return c, nil
}

// OutboxWALabelID returns the WhatsApp label id a label change is to be
// sent with, "" when there is nothing to send, and records it in the
// change before anything is sent, so a send repeated after a crash reuses
// it:
//   - a label's creation or edit: the label's id, or, for a label WhatsApp
//     has none of yet, a new one, given to the label as unconfirmed
//     (wa_pending) until WhatsApp takes the creation (FinishOutbox); ""
//     when the label was deleted since (its deletion is queued after);
//   - a deletion: the id recorded when it was queued, or by an earlier
//     change of that label; never the labels table's (the local id may
//     belong to another label by now); "" when none of it went out;
//   - a chat: the label's id ("" when it has none).
func (s *Store) OutboxWALabelID(ctx context.Context, itemID int64) (string, error) {
	var wa string
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		var it OutboxItem
		if err := scanOutbox(tx.QueryRowContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE id = ?`, itemID), &it); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("store: outbox change %d: %w", itemID, ErrNotFound)
			}
			return fmt.Errorf("store: outbox: %w", err)
		}
		if it.WALabelID != "" {
			wa = it.WALabelID
			return nil
		}
		if it.Kind == OutboxLabelDelete {
			err := tx.QueryRowContext(ctx, `SELECT wa_label_id FROM outbox
WHERE label_id = ? AND id < ? AND kind <> 'block' AND wa_label_id <> '' ORDER BY id DESC LIMIT 1`, it.LabelID, it.ID).Scan(&wa)
			if errors.Is(err, sql.ErrNoRows) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("store: outbox: %w", err)
			}
		} else {
			l, err := labelWhere(ctx, tx, `l.id = ?`, it.LabelID)
			switch {
			case errors.Is(err, ErrNotFound):
				return nil
			case err != nil:
				return err
			case l.WALabelID != "":
				wa = l.WALabelID
			case it.Kind == OutboxLabelChat:
				return nil
			default:
				if wa, err = freeWALabelID(ctx, tx); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `UPDATE labels SET wa_label_id = ?, wa_pending = 1 WHERE id = ?`, wa, l.ID); err != nil {
					return fmt.Errorf("store: label %d: %w", l.ID, err)
				}
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET wa_label_id = ? WHERE id = ?`, wa, it.ID); err != nil {
			return fmt.Errorf("store: outbox: %w", err)
		}
		return bumpOutbox(ctx, tx)
	})
	return wa, err
}

// settingWALabelTop is the largest WhatsApp label id wabook ever handed
// out: a deleted label's id stays taken on WhatsApp's side even once the
// outbox rows naming it are pruned or dropped.
const settingWALabelTop = "wa_label_id_top"

// freeWALabelID is the next WhatsApp label id after every numeric one the
// mirror knows (its labels, its outbox) or ever handed out, and records it
// as handed out.
func freeWALabelID(ctx context.Context, tx *sql.Tx) (string, error) {
	ids, err := queryStrings(ctx, tx, `SELECT wa_label_id FROM labels WHERE wa_label_id IS NOT NULL
UNION SELECT wa_label_id FROM outbox WHERE wa_label_id <> ''
UNION SELECT value FROM settings WHERE key = '`+settingWALabelTop+`'`)
	if err != nil {
		return "", fmt.Errorf("store: label ids: %w", err)
	}
	var top int64
	for _, s := range ids {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > top {
			top = n
		}
	}
	next := strconv.FormatInt(top+1, 10)
	if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
ON CONFLICT (key) DO UPDATE SET value = excluded.value`, settingWALabelTop, next); err != nil {
		return "", fmt.Errorf("store: label ids: %w", err)
	}
	return next, nil
}

// TriedOutbox records a failed attempt of a change: it stays pending (to be
// tried again) or, when failed is set, is given up on with reason until
// someone retries or drops it.
func (s *Store) TriedOutbox(ctx context.Context, id int64, reason string, failed bool) error {
	state := OutboxPending
	if failed {
		state = OutboxFailed
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		var it OutboxItem
		err := scanOutbox(tx.QueryRowContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE id = ? AND state = 'pending'`, id), &it)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // dropped or superseded meanwhile
		}
		if err != nil {
			return fmt.Errorf("store: outbox: %w", err)
		}
		if failed {
			// Given up on while a newer change of the same thing waits or
			// went through: that one stands.
			cond, args := sameTarget(it)
			var newer bool
			if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM outbox WHERE `+cond+` AND id > ? AND state <> 'superseded')`,
				append(args, id)...).Scan(&newer); err != nil {
				return fmt.Errorf("store: outbox: %w", err)
			}
			if newer {
				state = OutboxSuperseded
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, error = ?, tried_at = ?, state = ? WHERE id = ?`,
			reason, now(), state, id); err != nil {
			return fmt.Errorf("store: outbox: %w", err)
		}
		if it.Kind == OutboxBlock {
			if err := setBlockPending(ctx, tx, it.JID); err != nil {
				return err
			}
		}
		if err := markUnsynced(ctx, tx, id); err != nil {
			return err
		}
		return bumpOutbox(ctx, tx)
	})
}

// markUnsynced sets the unsynced mark of the label of a label change from
// its outbox (markLabelUnsynced).
func markUnsynced(ctx context.Context, tx *sql.Tx, itemID int64) error {
	var labelID int64
	err := tx.QueryRowContext(ctx, `SELECT label_id FROM outbox WHERE id = ? AND kind <> 'block'`, itemID).Scan(&labelID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: outbox: %w", err)
	}
	return markLabelUnsynced(ctx, tx, labelID)
}

// markLabelUnsynced marks a label unsynced while one of its changes has
// failed, and clears the mark otherwise.
func markLabelUnsynced(ctx context.Context, tx *sql.Tx, labelID int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE labels SET unsynced = EXISTS (
	SELECT 1 FROM outbox WHERE label_id = ?1 AND state = 'failed' AND kind <> 'block')
WHERE id = ?1`, labelID)
	if err != nil {
		return fmt.Errorf("store: outbox: %w", err)
	}
	return nil
}

// FinishOutbox records WhatsApp's confirmation of a change and what it
// means for the mirror, in one transaction: a block or unblock becomes the
// contact's is_blocked.
func (s *Store) FinishOutbox(ctx context.Context, id int64) error {
	return s.withTx(ctx, func(tx *sql.Tx) error {
		var it OutboxItem
		if err := scanOutbox(tx.QueryRowContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE id = ?`, id), &it); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return nil // dropped meanwhile
			}
			return fmt.Errorf("store: outbox: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'done', error = '', done_at = ?, tried_at = ? WHERE id = ?`,
			now(), now(), id); err != nil {
			return fmt.Errorf("store: outbox: %w", err)
		}
		if it.Kind == OutboxBlock {
			if _, err := tx.ExecContext(ctx, `UPDATE contacts SET is_blocked = ?, updated_at = ? WHERE jid = ?`,
				b2i(it.Flag), now(), it.JID); err != nil {
				return fmt.Errorf("store: block of %s: %w", it.JID, err)
			}
			if err := setBlockPending(ctx, tx, it.JID); err != nil {
				return err
			}
		} else if err := markUnsynced(ctx, tx, id); err != nil {
			return err
		}
		if it.Kind == OutboxLabelEdit && it.WALabelID != "" {
			// WhatsApp took the creation: the id is the label's for good.
			if _, err := tx.ExecContext(ctx, `UPDATE labels SET wa_pending = 0 WHERE id = ? AND wa_label_id = ?`,
				it.LabelID, it.WALabelID); err != nil {
				return fmt.Errorf("store: label %d: %w", it.LabelID, err)
			}
		}
		return bumpOutbox(ctx, tx)
	})
}

// RetryOutbox puts failed changes back in the queue: the one with id, or
// every failed one when id is 0. It returns how many; ErrNotFound when id
// names no failed change.
func (s *Store) RetryOutbox(ctx context.Context, id int64) ([]int64, error) {
	var ids []int64
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		q, args := `SELECT id FROM outbox WHERE state = 'failed'`, []any{}
		if id != 0 {
			q, args = q+` AND id = ?`, append(args, id)
		}
		var err error
		if ids, err = queryInt64s(ctx, tx, q+` ORDER BY id`, args...); err != nil {
			return err
		}
		if len(ids) == 0 && id != 0 {
			return notFailed(ctx, tx, id)
		}
		for _, i := range ids {
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'pending', attempts = 0 WHERE id = ?`, i); err != nil {
				return fmt.Errorf("store: outbox: %w", err)
			}
			if err := markUnsynced(ctx, tx, i); err != nil {
				return err
			}
		}
		return bumpOutbox(ctx, tx)
	})
	return ids, err
}

// OutboxQueuedBy lists the ids of the changes process pid queued after id
// after, in order.
func (s *Store) OutboxQueuedBy(ctx context.Context, after int64, pid int) ([]int64, error) {
	var ids []int64
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		ids, err = queryInt64s(ctx, tx, `SELECT id FROM outbox WHERE id > ? AND queued_by = ? ORDER BY id`, after, pid)
		return err
	})
	return ids, err
}

// OutboxItems reads the changes with the given ids (those that still
// exist), in order.
func (s *Store) OutboxItems(ctx context.Context, ids []int64) ([]OutboxItem, error) {
	var out []OutboxItem
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 500)]
		ids = ids[len(chunk):]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := s.db.QueryContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE id IN (?`+strings.Repeat(", ?", len(chunk)-1)+`) ORDER BY id`, args...)
		if err != nil {
			return nil, fmt.Errorf("store: outbox: %w", err)
		}
		for rows.Next() {
			var it OutboxItem
			if err := scanOutbox(rows, &it); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: outbox: %w", err)
			}
			out = append(out, it)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("store: outbox: %w", err)
		}
	}
	return out, nil
}

// DropOutbox forgets a failed change: it will not be sent. A dropped block
// leaves the contact as WhatsApp last confirmed it.
func (s *Store) DropOutbox(ctx context.Context, id int64) (OutboxItem, error) {
	var it OutboxItem
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		err := scanOutbox(tx.QueryRowContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE id = ? AND state = 'failed'`, id), &it)
		if errors.Is(err, sql.ErrNoRows) {
			return notFailed(ctx, tx, id)
		}
		if err != nil {
			return fmt.Errorf("store: outbox: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'done', done_at = 0 WHERE id = ?`, id); err != nil {
			return fmt.Errorf("store: outbox: %w", err)
		}
		if err := markUnsynced(ctx, tx, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE id = ?`, id); err != nil {
			return fmt.Errorf("store: outbox: %w", err)
		}
		if it.Kind == OutboxBlock {
			if err := setBlockPending(ctx, tx, it.JID); err != nil {
				return err
			}
		}
		return bumpOutbox(ctx, tx)
	})
	return it, err
}

// ErrNotFailed is returned when retrying or dropping a change that has not
// failed (it is pending or done).
var ErrNotFailed = errors.New("has not failed")

func notFailed(ctx context.Context, tx *sql.Tx, id int64) error {
	var state string
	err := tx.QueryRowContext(ctx, `SELECT state FROM outbox WHERE id = ?`, id).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("no outbox change %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: outbox: %w", err)
	}
	if state == OutboxSuperseded {
		return fmt.Errorf("outbox change %d %w: a newer change of the same thing replaced it", id, ErrNotFailed)
	}
	return fmt.Errorf("outbox change %d %w (it is %s)", id, ErrNotFailed, state)
}

// PruneOutbox deletes changes done before the unix time before: the list
// keeps recent confirmations only.
func (s *Store) PruneOutbox(ctx context.Context, before int64) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM outbox WHERE state = 'done' AND done_at < ?`, before)
	if err != nil {
		return fmt.Errorf("store: outbox: %w", err)
	}
	return nil
}

// RequeueUnsyncedLabels queues every label marked unsynced again, whole:
// its name and colour, then each of its chats; their failed changes are
// replaced by that, and the marks cleared, in one transaction. It returns
// how many labels it queued.
func (s *Store) RequeueUnsyncedLabels(ctx context.Context) (int, error) {
	var n int
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		ids, err := queryInt64s(ctx, tx, `SELECT id FROM labels WHERE unsynced <> 0
UNION SELECT label_id FROM outbox WHERE state = 'failed' AND kind IN ('label_edit', 'label_chat')
	AND label_id IN (SELECT id FROM labels)`)
		if err != nil {
			return err
		}
		n = len(ids)
		var lc LabelChanges
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE state = 'failed' AND label_id = ? AND kind IN ('label_edit', 'label_chat')`, id); err != nil {
				return fmt.Errorf("store: outbox: %w", err)
			}
			lw, err := labelWithMembers(ctx, tx, id)
			if err != nil {
				return err
			}
			for _, j := range lw.Members {
				lc.Changes = append(lc.Changes, LabelChange{JID: j, LabelID: id, Assigned: true, WAChat: lw.WAChats[j]})
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE labels SET unsynced = 0 WHERE unsynced <> 0`); err != nil {
			return fmt.Errorf("store: labels: %w", err)
		}
		return queueLabels(ctx, tx, ids, &lc, nil)
	})
	return n, err
}

// LastOutboxID is the id of the last change queued (0 when none).
func (s *Store) LastOutboxID(ctx context.Context) (int64, error) {
	var id int64
	if err := s.db.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM outbox`).Scan(&id); err != nil {
		return 0, fmt.Errorf("store: outbox: %w", err)
	}
	return id, nil
}
