package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
)

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

// Outbox lists the changes in the order they were queued: those pending
// and failed, and done and superseded ones too when withDone.
func (s *Store) Outbox(ctx context.Context, withDone bool) ([]OutboxItem, error) {
	where := ` WHERE state IN ('pending', 'failed')`
	if withDone {
		where = ``
	}
	out, err := queryList(ctx, s.db, scanOutbox, `SELECT `+outboxColumns+` FROM outbox`+where+` ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: outbox: %w", err)
	}
	return out, nil
}

// CountOutbox counts the pending and failed changes.
func (s *Store) CountOutbox(ctx context.Context) (OutboxCounts, error) {
	var c OutboxCounts
	err := scanRow(ctx, s.db, "outbox", []any{&c.Pending, &c.Failed}, `SELECT
	coalesce(sum(state = 'pending'), 0), coalesce(sum(state = 'failed'), 0) FROM outbox WHERE state IN ('pending', 'failed')`)
	return c, err
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
			if err := scanRow(ctx, tx, "outbox", []any{&newer}, `SELECT EXISTS (SELECT 1 FROM outbox WHERE `+cond+` AND id > ? AND state <> 'superseded')`,
				append(args, id)...); err != nil {
				return err
			}
			if newer {
				state = OutboxSuperseded
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, error = ?, tried_at = ?, state = ? WHERE id = ?`,
			reason, s.now(), state, id); err != nil {
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
			s.now(), s.now(), id); err != nil {
			return fmt.Errorf("store: outbox: %w", err)
		}
		if it.Kind == OutboxBlock {
			if _, err := tx.ExecContext(ctx, `UPDATE contacts SET is_blocked = ?, updated_at = ? WHERE jid = ?`,
				b2i(it.Flag), s.now(), it.JID); err != nil {
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
		in, args := inList(chunk)
		items, err := queryList(ctx, s.db, scanOutbox, `SELECT `+outboxColumns+` FROM outbox WHERE id IN `+in+` ORDER BY id`, args...)
		if err != nil {
			return nil, fmt.Errorf("store: outbox: %w", err)
		}
		out = append(out, items...)
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
		return s.queueLabels(ctx, tx, ids, &lc, nil)
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
