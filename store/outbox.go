package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"

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

// enqueue writes changes to the outbox inside tx, giving each its ID, and
// counts them for other processes (change_seq.outbox).
func (s *Store) enqueue(ctx context.Context, tx *sql.Tx, items ...OutboxItem) error {
	if len(items) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO outbox (kind, label_id, wa_label_id, name, color, jid, chat, flag, queued_by, queued_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("store: outbox: %w", err)
	}
	defer stmt.Close()
	pid, t := os.Getpid(), s.now()
	for i := range items {
		it := &items[i]
		res, err := stmt.ExecContext(ctx, it.Kind, it.LabelID, it.WALabelID, it.Name, it.Color, it.JID, it.Chat,
			b2i(it.Flag), pid, t)
		if err != nil {
			return fmt.Errorf("store: outbox: %w", err)
		}
		if it.ID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("store: outbox: %w", err)
		}
		if err := supersede(ctx, tx, *it); err != nil {
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
// assignments in lc, and deleted labels, in that order; lc.Queued gets the
// ids of the outbox changes it wrote.
func (s *Store) queueLabels(ctx context.Context, tx *sql.Tx, edited []int64, lc *LabelChanges, deleted []model.Label) error {
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
	if err := s.enqueue(ctx, tx, items...); err != nil { // gives each item its ID
		return err
	}
	if lc != nil {
		for _, it := range items {
			lc.Queued = append(lc.Queued, it.ID)
		}
	}
	return nil
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
		return s.queueLabels(ctx, tx, ids, &lc, nil)
	})
	return queued, err
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
	it := []OutboxItem{{Kind: OutboxBlock, JID: j, Flag: blocked}}
	err = s.withTx(ctx, func(tx *sql.Tx) error {
		if err := s.enqueue(ctx, tx, it...); err != nil { // gives it[0] its ID
			return err
		}
		if err := setBlockPending(ctx, tx, j); err != nil {
			return err
		}
		// A number not in the mirror has no row to record it on.
		return s.markChanged(ctx, tx, j)
	})
	return it[0], err
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
