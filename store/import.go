package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/wabook/wabook/model"
)

// ExistingJIDs returns which of jids (canonical phone JIDs) are in the
// mirror, hidden ones included.
func (s *Store) ExistingJIDs(ctx context.Context, jids []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(jids) == 0 {
		return out, nil
	}
	want := make(map[string]bool, len(jids))
	for _, j := range jids {
		want[j] = true
	}
	err := eachRow(ctx, s.db, func(rows *sql.Rows) error {
		var j string
		if err := rows.Scan(&j); err != nil {
			return err
		}
		if want[j] {
			out[j] = true
		}
		return nil
	}, `SELECT jid FROM contacts`)
	if err != nil {
		return nil, fmt.Errorf("store: contacts: %w", err)
	}
	return out, nil
}

// ImportRow is one contact of an import.
type ImportRow struct {
	JID    string // phone-number JID
	Phone  string // E.164
	Name   string
	Note   string
	Labels []string
}

// ImportBatch is an import: its rows and the labels every row gets.
type ImportBatch struct {
	Rows   []ImportRow
	Labels []string
	// BeforeCommit, when set, runs inside the transaction just before it
	// commits; an error rolls the import back. Tests use it to kill the
	// process mid-import.
	BeforeCommit func() error
}

// ImportStats counts what an import did.
type ImportStats struct{ New, Updated int }

// ImportContacts writes an import in one transaction: all rows or none.
// A new contact gets the row's fields, source "import". An existing one
// keeps everything WhatsApp told us: it gets the row's name only when it has
// no full name, and the row's note added to its own. Both get the row's
// labels and the batch's (missing labels are created, matching ignores case).
func (s *Store) ImportContacts(ctx context.Context, b ImportBatch) (ImportStats, LabelChanges, error) {
	var st ImportStats
	var lc LabelChanges
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		r, err := newLabelResolver(ctx, tx, &lc)
		if err != nil {
			return err
		}
		common, err := r.ensureAll(ctx, b.Labels)
		if err != nil {
			return err
		}
		exists, err := tx.PrepareContext(ctx, `SELECT 1 FROM contacts WHERE jid = ?`)
		if err != nil {
			return fmt.Errorf("store: import: %w", err)
		}
		defer exists.Close()
		// The change's author goes in the upsert itself (markChanged's
		// columns): an import may write a hundred thousand rows. A context
		// without one (changed_by_ms 0) leaves an existing row's as it was.
		var whoMS int64
		who, ok := ChangedBy(ctx)
		if ok {
			whoMS = s.clock().UnixMilli()
		}
		upsert, err := tx.PrepareContext(ctx, `INSERT INTO contacts (jid, phone, full_name, note, source, created_at, updated_at,
	changed_by, changed_by_ms)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (jid) DO UPDATE SET
	full_name = CASE WHEN contacts.full_name = '' THEN excluded.full_name ELSE contacts.full_name END,
	note = CASE
		WHEN excluded.note = '' OR instr(contacts.note, excluded.note) > 0 THEN contacts.note
		WHEN contacts.note = '' THEN excluded.note
		ELSE contacts.note || char(10) || excluded.note END,
	updated_at = excluded.updated_at,
	changed_by = CASE WHEN excluded.changed_by_ms = 0 THEN contacts.changed_by ELSE excluded.changed_by END,
	changed_by_ms = CASE WHEN excluded.changed_by_ms = 0 THEN contacts.changed_by_ms ELSE excluded.changed_by_ms END`)
		if err != nil {
			return fmt.Errorf("store: import: %w", err)
		}
		defer upsert.Close()
		a := newAssigner(tx, &lc)
		defer a.Close()
		t := s.now()
		for i := range b.Rows {
			row := &b.Rows[i]
			if i&1023 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			jid, err := normUserJID(row.JID)
			if err != nil {
				return fmt.Errorf("store: import: %w", err)
			}
			phone := row.Phone
			if phone == "" {
				phone = phoneFromJID(jid)
			}
			var one int
			switch err := exists.QueryRowContext(ctx, jid).Scan(&one); {
			case errors.Is(err, sql.ErrNoRows):
				st.New++
			case err != nil:
				return fmt.Errorf("store: import %s: %w", jid, err)
			default:
				st.Updated++
			}
			if _, err := upsert.ExecContext(ctx, jid, phone, row.Name, row.Note, model.SourceImport, t, t, who, whoMS); err != nil {
				return fmt.Errorf("store: import %s: %w", jid, err)
			}
			own, err := r.ensureAll(ctx, row.Labels)
			if err != nil {
				return err
			}
			if err := a.setAll(ctx, jid, append(own, common...), true); err != nil {
				return err
			}
		}
		if err := s.queueLabels(ctx, tx, nil, &lc, nil); err != nil {
			return err
		}
		if b.BeforeCommit != nil {
			return b.BeforeCommit()
		}
		return nil
	})
	if err != nil {
		return ImportStats{}, LabelChanges{}, err
	}
	return st, lc, nil
}
