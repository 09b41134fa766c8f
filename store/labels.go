package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/wabook/wabook/model"
)

const labelCols = `l.id, l.name, l.color, coalesce(l.wa_label_id, ''), l."order",
	(SELECT count(*) FROM contact_labels cl WHERE cl.label_id = l.id), l.unsynced <> 0, l.wa_pending <> 0,
	l.changed_by, l.changed_by_ms, l.changed_how`

// queryRower is what *sql.DB and *sql.Tx share for reading one row.
type queryRower interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

func scanLabel(r scanner, l *model.Label) error {
	var changedMS int64
	if err := r.Scan(&l.ID, &l.Name, &l.Color, &l.WALabelID, &l.Order, &l.Count, &l.Unsynced, &l.WAPending,
		&l.ChangedBy, &changedMS, &l.Change); err != nil {
		return err
	}
	l.ChangedAt = fromUnixMilli(changedMS)
	return nil
}

// labelWhere returns the label matching where; ErrNotFound when none.
func labelWhere(ctx context.Context, q queryRower, where string, args ...any) (model.Label, error) {
	var l model.Label
	err := scanLabel(q.QueryRowContext(ctx, `SELECT `+labelCols+` FROM labels l WHERE `+where, args...), &l)
	if errors.Is(err, sql.ErrNoRows) {
		return l, ErrNotFound
	}
	if err != nil {
		return l, fmt.Errorf("store: label: %w", err)
	}
	return l, nil
}

func validColor(c int) error {
	if c < 0 || c > 19 {
		return fmt.Errorf("store: %w (got %d)", ErrInvalidColor, c)
	}
	return nil
}

// Labels returns all labels ordered by "order", then name, with Count (kept
// by triggers in label_counts, migration 13: reading it does not grow with
// the book).
func (s *Store) Labels(ctx context.Context) ([]model.Label, error) {
	return labelsIn(ctx, s.db)
}

func labelsIn(ctx context.Context, q querier) ([]model.Label, error) {
	out, err := queryList(ctx, q, scanLabel, `SELECT l.id, l.name, l.color, coalesce(l.wa_label_id, ''), l."order", coalesce(lc.n, 0),
	l.unsynced <> 0, l.wa_pending <> 0, l.changed_by, l.changed_by_ms, l.changed_how
FROM labels l LEFT JOIN label_counts lc ON lc.label_id = l.id
ORDER BY l."order", l.name`)
	if err != nil {
		return nil, fmt.Errorf("store: labels: %w", err)
	}
	return out, nil
}

// LabelByName finds a label by name, ignoring case and extra spaces.
func (s *Store) LabelByName(ctx context.Context, name string) (model.Label, error) {
	l, err := labelWhere(ctx, s.db, `l.fold = ?`, model.LabelFold(name))
	if errors.Is(err, ErrNotFound) {
		return l, fmt.Errorf("store: label %q: %w", name, ErrNotFound)
	}
	return l, err
}

// createLabel inserts a label at the end of the order. waID "" is none.
func createLabel(ctx context.Context, tx *sql.Tx, name string, color int, waID string) (model.Label, error) {
	n := model.NormalizeLabelName(name)
	if n == "" {
		return model.Label{}, fmt.Errorf("store: %w", ErrInvalidName)
	}
	if err := validColor(color); err != nil {
		return model.Label{}, err
	}
	if l, err := labelWhere(ctx, tx, `l.fold = ?`, model.LabelFold(n)); err == nil {
		return model.Label{}, fmt.Errorf("store: label %q: %w (as %q)", n, ErrLabelExists, l.Name)
	} else if !errors.Is(err, ErrNotFound) {
		return model.Label{}, err
	}
	var order int
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max("order") + 1, 0) FROM labels`).Scan(&order); err != nil {
		return model.Label{}, fmt.Errorf("store: create label: %w", err)
	}
	var wa any
	if waID != "" {
		wa = waID
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO labels (name, fold, color, wa_label_id, "order") VALUES (?, ?, ?, ?, ?)`,
		n, model.LabelFold(n), color, wa, order)
	if err != nil {
		return model.Label{}, fmt.Errorf("store: create label %q: %w", n, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return model.Label{}, fmt.Errorf("store: create label %q: %w", n, err)
	}
	return model.Label{ID: id, Name: n, Color: color, WALabelID: waID, Order: order}, nil
}

// CreateLabel adds a local label. The name is trimmed and must be unique
// ignoring case (ErrLabelExists); color is 0..19.
func (s *Store) CreateLabel(ctx context.Context, name string, color int) (model.Label, error) {
	var l model.Label
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		var err error
		if l, err = createLabel(ctx, tx, name, color, ""); err != nil {
			return err
		}
		return s.queueLabels(ctx, tx, []int64{l.ID}, nil, nil)
	})
	return l, err
}

// nextColor picks colours for labels created implicitly, in palette order.
func nextColor(ctx context.Context, tx *sql.Tx) (int, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM labels`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: labels: %w", err)
	}
	return n % 20, nil
}

// requireLabels fails with ErrNotFound unless every id names a label.
func requireLabels(ctx context.Context, tx *sql.Tx, ids []int64) error {
	for _, id := range ids {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM labels WHERE id = ?`, id).Scan(&one)
		if err = rowErr(err, fmt.Sprintf("label %d", id)); err != nil {
			return err
		}
	}
	return nil
}

func requireContact(ctx context.Context, q queryRower, jid string) error {
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM contacts WHERE jid = ?`, jid).Scan(&one)
	if err = rowErr(err, fmt.Sprintf("contact %s", jid)); err != nil {
		return err
	}
	return nil
}

// RenameLabel renames a label; the new name must not be taken by another
// label, ignoring case (ErrLabelExists).
func (s *Store) RenameLabel(ctx context.Context, id int64, name string) error {
	n := model.NormalizeLabelName(name)
	if n == "" {
		return fmt.Errorf("store: %w", ErrInvalidName)
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		if err := requireLabels(ctx, tx, []int64{id}); err != nil {
			return err
		}
		other, err := labelWhere(ctx, tx, `l.fold = ? AND l.id <> ?`, model.LabelFold(n), id)
		if err == nil {
			return fmt.Errorf("store: label %q: %w (as %q)", n, ErrLabelExists, other.Name)
		}
		if !errors.Is(err, ErrNotFound) {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE labels SET name = ?, fold = ? WHERE id = ?`, n, model.LabelFold(n), id); err != nil {
			return fmt.Errorf("store: rename label %d: %w", id, err)
		}
		if err := s.markLabel(ctx, tx, id, model.LabelRenamed); err != nil {
			return err
		}
		return s.queueLabels(ctx, tx, []int64{id}, nil, nil)
	})
}

// SetLabelColor sets a label's colour, 0..19 (ErrInvalidColor).
func (s *Store) SetLabelColor(ctx context.Context, id int64, color int) error {
	if err := validColor(color); err != nil {
		return err
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE labels SET color = ? WHERE id = ?`, color, id)
		if err != nil {
			return fmt.Errorf("store: label %d colour: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("store: label %d: %w", id, ErrNotFound)
		}
		if err := s.markLabel(ctx, tx, id, model.LabelRecoloured); err != nil {
			return err
		}
		return s.queueLabels(ctx, tx, []int64{id}, nil, nil)
	})
}

// LabelWithMembers is a label with the contacts carrying it.
type LabelWithMembers struct {
	Label   model.Label
	Members []string // contact JIDs
	// WAChats maps a member to the form WhatsApp named its chat in
	// (contact_labels.wa_chat), for members WhatsApp reported; a restore
	// puts it back, so a later removal still names WhatsApp's entry.
	WAChats map[string]string
}

// LabelBatch is a set of label edits applied in one transaction, in this
// order: Restore, Changes, Delete. Undo is built from it.
type LabelBatch struct {
	// Restore re-creates labels with their id, name, colour, WhatsApp id,
	// order and sync flag, and puts them on their members with the chat
	// forms WhatsApp had named (members no longer in the mirror are
	// skipped). ErrLabelExists when the name has
	// been taken meanwhile.
	Restore []LabelWithMembers
	// Changes puts labels on or takes them off contacts; changes naming a
	// contact or label that no longer exists are skipped.
	Changes []LabelChange
	// Delete removes labels (missing ones are skipped).
	Delete []int64
}

// ApplyLabelBatch applies b in one transaction. It returns the assignments
// that really changed (restored members included) and the labels deleted.
func (s *Store) ApplyLabelBatch(ctx context.Context, b LabelBatch) ([]LabelChange, []model.Label, error) {
	var lc LabelChanges
	var deleted []model.Label
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		a := newAssigner(tx, &lc)
		defer a.Close()
		for _, r := range b.Restore {
			l := r.Label
			n := model.NormalizeLabelName(l.Name)
			if other, err := labelWhere(ctx, tx, `l.fold = ? OR l.id = ?`, model.LabelFold(n), l.ID); err == nil {
				return fmt.Errorf("store: label %q: %w (as %q)", n, ErrLabelExists, other.Name)
			} else if !errors.Is(err, ErrNotFound) {
				return err
			}
			var wa any
			if l.WALabelID != "" {
				wa = l.WALabelID
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO labels (id, name, fold, color, wa_label_id, "order", unsynced) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				l.ID, n, model.LabelFold(n), l.Color, wa, l.Order, b2i(l.Unsynced)); err != nil {
				return fmt.Errorf("store: restore label %q: %w", n, err)
			}
			for _, j := range r.Members {
				if requireContact(ctx, tx, j) != nil {
					continue
				}
				if err := a.apply(ctx, LabelChange{JID: j, LabelID: l.ID, Assigned: true, WAChat: r.WAChats[j]}); err != nil {
					return err
				}
			}
		}
		for _, c := range b.Changes {
			if requireContact(ctx, tx, c.JID) != nil || requireLabels(ctx, tx, []int64{c.LabelID}) != nil {
				continue
			}
			if err := a.apply(ctx, c); err != nil {
				return err
			}
		}
		for _, id := range b.Delete {
			l, err := labelWhere(ctx, tx, `l.id = ?`, id)
			if errors.Is(err, ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if err := s.markLabelMembers(ctx, tx, id); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM labels WHERE id = ?`, id); err != nil {
				return fmt.Errorf("store: delete label %d: %w", id, err)
			}
			deleted = append(deleted, l)
		}
		if err := s.markChanged(ctx, tx, changedJIDs(&lc)...); err != nil {
			return err
		}
		restored := make([]int64, len(b.Restore))
		for i, r := range b.Restore {
			restored[i] = r.Label.ID
		}
		return s.queueLabels(ctx, tx, restored, &lc, deleted)
	})
	if err != nil {
		return nil, nil, err
	}
	return lc.Changes, deleted, nil
}

// Label returns one label with its Count. ErrNotFound when unknown.
func (s *Store) Label(ctx context.Context, id int64) (model.Label, error) {
	l, err := labelWhere(ctx, s.db, `l.id = ?`, id)
	if errors.Is(err, ErrNotFound) {
		return l, fmt.Errorf("store: label %d: %w", id, ErrNotFound)
	}
	return l, err
}

// LabelMembers returns the JIDs of the contacts carrying a label.
func (s *Store) LabelMembers(ctx context.Context, id int64) ([]string, error) {
	var out []string
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = queryStrings(ctx, tx, `SELECT contact_jid FROM contact_labels WHERE label_id = ? ORDER BY contact_jid`, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: label %d members: %w", id, err)
	}
	return out, nil
}

// labelWithMembers reads a label and the contacts carrying it.
func labelWithMembers(ctx context.Context, tx *sql.Tx, id int64) (LabelWithMembers, error) {
	l, err := labelWhere(ctx, tx, `l.id = ?`, id)
	if errors.Is(err, ErrNotFound) {
		return LabelWithMembers{}, fmt.Errorf("store: label %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return LabelWithMembers{}, err
	}
	out := LabelWithMembers{Label: l}
	rows, err := tx.QueryContext(ctx, `SELECT contact_jid, wa_chat FROM contact_labels WHERE label_id = ? ORDER BY contact_jid`, id)
	if err != nil {
		return LabelWithMembers{}, fmt.Errorf("store: label %d members: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var jid, form string
		if err := rows.Scan(&jid, &form); err != nil {
			return LabelWithMembers{}, fmt.Errorf("store: label %d members: %w", id, err)
		}
		out.Members = append(out.Members, jid)
		if form != "" {
			if out.WAChats == nil {
				out.WAChats = map[string]string{}
			}
			out.WAChats[jid] = form
		}
	}
	if err := rows.Err(); err != nil {
		return LabelWithMembers{}, fmt.Errorf("store: label %d members: %w", id, err)
	}
	return out, nil
}

// DeleteLabelWithMembers deletes a label and returns it with the contacts
// that carried it, read in the same transaction. ErrNotFound when unknown.
func (s *Store) DeleteLabelWithMembers(ctx context.Context, id int64) (LabelWithMembers, error) {
	var out LabelWithMembers
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		var err error
		if out, err = labelWithMembers(ctx, tx, id); err != nil {
			return err
		}
		if err := s.markChanged(ctx, tx, out.Members...); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM labels WHERE id = ?`, id); err != nil {
			return fmt.Errorf("store: delete label %d: %w", id, err)
		}
		return s.queueLabels(ctx, tx, nil, nil, []model.Label{out.Label})
	})
	return out, err
}

// MergeLabel moves every contact of label from to label into and deletes
// from, in one transaction. It returns from (as it was, with its members)
// and the assignments of into that it added.
func (s *Store) MergeLabel(ctx context.Context, from, into int64) (LabelWithMembers, []LabelChange, error) {
	var out LabelWithMembers
	var lc LabelChanges
	if from == into {
		return out, nil, errors.New("store: cannot merge a label into itself")
	}
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		if err := requireLabels(ctx, tx, []int64{into}); err != nil {
			return err
		}
		lw, err := labelWithMembers(ctx, tx, from)
		if err != nil {
			return err
		}
		a := newAssigner(tx, &lc)
		defer a.Close()
		for _, j := range lw.Members {
			if err := a.set(ctx, j, into, true); err != nil {
				return err
			}
		}
		if err := s.markChanged(ctx, tx, lw.Members...); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM labels WHERE id = ?`, from); err != nil {
			return fmt.Errorf("store: merge label %d: %w", from, err)
		}
		out = lw
		return s.queueLabels(ctx, tx, nil, &lc, []model.Label{lw.Label})
	})
	if err != nil {
		return LabelWithMembers{}, nil, err
	}
	return out, lc.Changes, nil
}
