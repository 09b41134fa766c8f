package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/wabook/wabook/model"
)

// Write functions only the tests use: an older generation of the API the app
// no longer calls (it goes through ChangeLabels, InsertContact, UpdateContact,
// DeleteLabelWithMembers and the check queue), kept here so the tests that
// seed a store or pin these rules keep working without them being part of the
// package the program is built from.

// SaveContact writes a locally added or edited contact. A new row takes all
// of c's fields (source defaults to "local"). An existing row gets its
// editable fields overwritten — FullName, FirstName, Note, IsInternal, even
// when empty — and keeps what WhatsApp told us. The contact's labels are set
// to exactly c.Labels (names; missing labels are created, matching ignores
// case), in the same transaction.
func (s *Store) SaveContact(ctx context.Context, c model.Contact) error {
	jid, err := contactKey(&c)
	if err != nil {
		return fmt.Errorf("store: save contact: %w", err)
	}
	phone := strings.TrimSpace(c.Phone)
	if phone == "" {
		phone = phoneFromJID(jid)
	}
	source := c.Source
	if source == "" {
		source = model.SourceLocal
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		t := s.now()
		created := toUnix(c.CreatedAt)
		if created == 0 {
			created = t
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO contacts (jid, phone, lid, full_name, first_name, push_name,
	business_name, verified_name, about, avatar_id, avatar_url,
	is_my_contact, is_wa_contact, is_blocked, is_internal, is_business,
	note, source, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (jid) DO UPDATE SET
	full_name = excluded.full_name,
	first_name = excluded.first_name,
	note = excluded.note,
	is_internal = excluded.is_internal,
	lid = CASE WHEN excluded.lid <> '' THEN excluded.lid ELSE contacts.lid END,
	updated_at = excluded.updated_at`,
			jid, phone, normLID(c.LID), c.FullName, c.FirstName, c.PushName,
			c.BusinessName, c.VerifiedName, c.About, c.AvatarID, c.AvatarURL,
			b2i(c.IsMyContact), b2i(c.IsWAContact), b2i(c.IsBlocked), b2i(c.IsInternal), b2i(c.IsBusiness),
			c.Note, source, created, t)
		if err != nil {
			return fmt.Errorf("store: save contact %s: %w", jid, err)
		}
		ids, err := ensureLabels(ctx, tx, c.Labels)
		if err != nil {
			return err
		}
		return setContactLabels(ctx, tx, jid, ids)
	})
}

// SetContactLabels replaces a contact's labels with labelIDs. ErrNotFound
// when the contact or one of the labels is unknown.
func (s *Store) SetContactLabels(ctx context.Context, jid string, labelIDs []int64) error {
	j, err := normUserJID(jid)
	if err != nil {
		return fmt.Errorf("store: set labels: %w", err)
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		if err := requireContact(ctx, tx, j); err != nil {
			return err
		}
		if err := requireLabels(ctx, tx, labelIDs); err != nil {
			return err
		}
		return setContactLabels(ctx, tx, j, labelIDs)
	})
}

// AssignLabels adds and removes labels on many contacts in one transaction
// (removals first, so a label in both lists ends up assigned). ErrNotFound,
// and nothing changed, when a contact or label is unknown.
func (s *Store) AssignLabels(ctx context.Context, jids []string, add []int64, remove []int64) error {
	norm := make([]string, len(jids))
	for i, j := range jids {
		n, err := normUserJID(j)
		if err != nil {
			return fmt.Errorf("store: assign labels: %w", err)
		}
		norm[i] = n
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		if err := requireLabels(ctx, tx, add); err != nil {
			return err
		}
		if err := requireLabels(ctx, tx, remove); err != nil {
			return err
		}
		exists, err := tx.PrepareContext(ctx, `SELECT 1 FROM contacts WHERE jid = ?`)
		if err != nil {
			return fmt.Errorf("store: assign labels: %w", err)
		}
		defer exists.Close()
		del, err := tx.PrepareContext(ctx, `DELETE FROM contact_labels WHERE contact_jid = ? AND label_id = ?`)
		if err != nil {
			return fmt.Errorf("store: assign labels: %w", err)
		}
		defer del.Close()
		ins, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO contact_labels (contact_jid, label_id) VALUES (?, ?)`)
		if err != nil {
			return fmt.Errorf("store: assign labels: %w", err)
		}
		defer ins.Close()
		for _, j := range norm {
			var one int
			if err := exists.QueryRowContext(ctx, j).Scan(&one); errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("store: contact %s: %w", j, ErrNotFound)
			} else if err != nil {
				return fmt.Errorf("store: assign labels: %w", err)
			}
			for _, id := range remove {
				if _, err := del.ExecContext(ctx, j, id); err != nil {
					return fmt.Errorf("store: assign labels: %w", err)
				}
			}
			for _, id := range add {
				if _, err := ins.ExecContext(ctx, j, id); err != nil {
					return fmt.Errorf("store: assign labels: %w", err)
				}
			}
		}
		return nil
	})
}

// AddLabelsByName adds labels, by name, to many contacts in one transaction,
// creating missing labels (ignoring case). Existing assignments are kept.
// ErrNotFound, and nothing changed, when a contact is unknown. A new label
// takes the spelling of the first JID (in order) that names it.
func (s *Store) AddLabelsByName(ctx context.Context, byJID map[string][]string) error {
	if len(byJID) == 0 {
		return nil
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		ids := map[string]int64{} // fold -> id
		ls, err := tx.QueryContext(ctx, `SELECT fold, id FROM labels`)
		if err != nil {
			return fmt.Errorf("store: add labels: %w", err)
		}
		for ls.Next() {
			var f string
			var id int64
			if err := ls.Scan(&f, &id); err != nil {
				ls.Close()
				return fmt.Errorf("store: add labels: %w", err)
			}
			ids[f] = id
		}
		ls.Close()
		if err := ls.Err(); err != nil {
			return fmt.Errorf("store: add labels: %w", err)
		}
		exists, err := tx.PrepareContext(ctx, `SELECT 1 FROM contacts WHERE jid = ?`)
		if err != nil {
			return fmt.Errorf("store: add labels: %w", err)
		}
		defer exists.Close()
		ins, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO contact_labels (contact_jid, label_id) VALUES (?, ?)`)
		if err != nil {
			return fmt.Errorf("store: add labels: %w", err)
		}
		defer ins.Close()
		// In JID order, so which spelling creates a new label ("Lead" or
		// "LEAD") does not depend on map iteration.
		jids := slices.Sorted(maps.Keys(byJID))
		for _, jid := range jids {
			names := byJID[jid]
			j, err := normUserJID(jid)
			if err != nil {
				return fmt.Errorf("store: add labels: %w", err)
			}
			var one int
			if err := exists.QueryRowContext(ctx, j).Scan(&one); errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("store: contact %s: %w", j, ErrNotFound)
			} else if err != nil {
				return fmt.Errorf("store: add labels: %w", err)
			}
			for _, name := range names {
				f := model.LabelFold(name)
				if f == "" {
					continue
				}
				id, ok := ids[f]
				if !ok {
					color, err := nextColor(ctx, tx)
					if err != nil {
						return err
					}
					l, err := createLabel(ctx, tx, name, color, "")
					if err != nil {
						return err
					}
					id = l.ID
					ids[f] = id
				}
				if _, err := ins.ExecContext(ctx, j, id); err != nil {
					return fmt.Errorf("store: add labels: %w", err)
				}
			}
		}
		return nil
	})
}

// DeleteLabel deletes a label and its assignments. ErrNotFound when unknown.
func (s *Store) DeleteLabel(ctx context.Context, id int64) error {
	return s.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM labels WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("store: delete label %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("store: label %d: %w", id, ErrNotFound)
		}
		return nil
	})
}

// SetLabelUnsynced marks a label as having (or no longer having) a local
// change that did not reach WhatsApp. Unknown labels are ignored.
func (s *Store) SetLabelUnsynced(ctx context.Context, id int64, unsynced bool) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE labels SET unsynced = ? WHERE id = ?`, b2i(unsynced), id); err != nil {
		return fmt.Errorf("store: label %d: %w", id, err)
	}
	return nil
}

// EnsureWALabelID returns the label's WhatsApp Business label id, giving it
// one first when it has none: the next free number after the largest
// numeric WhatsApp id known.
func (s *Store) EnsureWALabelID(ctx context.Context, id int64) (string, error) {
	var wa string
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		l, err := labelWhere(ctx, tx, `l.id = ?`, id)
		if errors.Is(err, ErrNotFound) {
			return fmt.Errorf("store: label %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if l.WALabelID != "" {
			wa = l.WALabelID
			return nil
		}
		ids, err := queryStrings(ctx, tx, `SELECT wa_label_id FROM labels WHERE wa_label_id IS NOT NULL`)
		if err != nil {
			return fmt.Errorf("store: label ids: %w", err)
		}
		var top int64
		for _, s := range ids {
			if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > top {
				top = n
			}
		}
		wa = strconv.FormatInt(top+1, 10)
		if _, err := tx.ExecContext(ctx, `UPDATE labels SET wa_label_id = ? WHERE id = ?`, wa, id); err != nil {
			return fmt.Errorf("store: label %d: %w", id, err)
		}
		return nil
	})
	return wa, err
}

// setContactLabels replaces the label set of an existing contact.
func setContactLabels(ctx context.Context, tx *sql.Tx, jid string, ids []int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM contact_labels WHERE contact_jid = ?`, jid); err != nil {
		return fmt.Errorf("store: set labels of %s: %w", jid, err)
	}
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO contact_labels (contact_jid, label_id) VALUES (?, ?)`, jid, id); err != nil {
			return fmt.Errorf("store: set labels of %s: %w", jid, err)
		}
	}
	return nil
}

// ensureLabels returns the ids of the labels named, creating missing ones.
// Empty names are skipped; duplicates (ignoring case) collapse.
func ensureLabels(ctx context.Context, tx *sql.Tx, names []string) ([]int64, error) {
	seen := map[string]bool{}
	var ids []int64
	for _, name := range names {
		f := model.LabelFold(name)
		if f == "" || seen[f] {
			continue
		}
		seen[f] = true
		l, err := labelWhere(ctx, tx, `l.fold = ?`, f)
		if errors.Is(err, ErrNotFound) {
			var color int
			if color, err = nextColor(ctx, tx); err != nil {
				return nil, err
			}
			l, err = createLabel(ctx, tx, name, color, "")
		}
		if err != nil {
			return nil, err
		}
		ids = append(ids, l.ID)
	}
	return ids, nil
}

// SetExportRun sets how many bytes of records an export sorts in memory
// before it writes them out as a run (Store.exportRun).
func (s *Store) SetExportRun(n int) { s.exportRun = n }
