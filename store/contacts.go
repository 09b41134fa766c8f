package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/wabook/wabook/model"
)

// contactKey returns the canonical JID for c: c.JID, or derived from c.Phone.
func contactKey(c *model.Contact) (string, error) {
	if strings.TrimSpace(c.JID) == "" && c.Phone != "" {
		return normUserJID(c.Phone)
	}
	return normUserJID(c.JID)
}

// upsertSQL inserts a contact or merges it into the stored row:
// non-empty strings win, empty ones never erase; is_my_contact, is_wa_contact
// and is_business follow the incoming row; is_blocked, is_internal, source and
// created_at are kept. The row is only written (and updated_at bumped) when
// something changes.
var upsertSQL = func() string {
	strCols := []string{"phone", "lid", "full_name", "first_name", "push_name", "business_name",
		"verified_name", "about", "avatar_id", "avatar_url", "note"}
	boolCols := []string{"is_my_contact", "is_wa_contact", "is_business"}
	var set, changed []string
	for _, c := range strCols {
		set = append(set, fmt.Sprintf("%[1]s = CASE WHEN excluded.%[1]s <> '' THEN excluded.%[1]s ELSE contacts.%[1]s END", c))
		changed = append(changed, fmt.Sprintf("(excluded.%[1]s <> '' AND excluded.%[1]s IS NOT contacts.%[1]s)", c))
	}
	for _, c := range boolCols {
		set = append(set, fmt.Sprintf("%[1]s = excluded.%[1]s", c))
		changed = append(changed, fmt.Sprintf("excluded.%[1]s IS NOT contacts.%[1]s", c))
	}
	set = append(set, "updated_at = excluded.updated_at")
	return `INSERT INTO contacts (jid, phone, lid, full_name, first_name, push_name,
	business_name, verified_name, about, avatar_id, avatar_url,
	is_my_contact, is_wa_contact, is_blocked, is_internal, is_business,
	note, source, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (jid) DO UPDATE SET ` + strings.Join(set, ",\n\t") + `
WHERE ` + strings.Join(changed, "\n\tOR ")
}()

// UpsertContacts merges contacts from WhatsApp (or an import) into the
// mirror in one transaction. Merge rules: empty incoming strings never
// overwrite stored ones; is_my_contact, is_wa_contact and is_business follow
// the incoming value; is_blocked, is_internal, source and created_at are only
// set when the row is new. Labels, Groups and CheckStatus are ignored (see
// AddLabelsByName). A JID that is not a phone-number JID fails the whole call.
func (s *Store) UpsertContacts(ctx context.Context, cs []model.Contact) error {
	if len(cs) == 0 {
		return nil
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, upsertSQL)
		if err != nil {
			return fmt.Errorf("store: upsert contacts: %w", err)
		}
		defer stmt.Close()
		t := s.now()
		// Insert in key order: B-tree pages are then filled one after the
		// other instead of being revisited at random.
		order := make([]int, len(cs))
		keys := make([]string, len(cs))
		for i := range cs {
			order[i] = i
			if keys[i], err = contactKey(&cs[i]); err != nil {
				return fmt.Errorf("store: upsert contact %d: %w", i, err)
			}
		}
		slices.SortFunc(order, func(a, b int) int {
			if c := strings.Compare(keys[a], keys[b]); c != 0 {
				return c
			}
			return a - b // a JID given twice: later entries merge last
		})
		var stored map[string]string // upsertskip.go
		if len(cs) >= skipCheckFrom {
			sorted := make([]string, len(order))
			for n, i := range order {
				sorted[n] = keys[i]
			}
			if stored, err = storedForUpsert(ctx, tx, sorted); err != nil {
				return fmt.Errorf("store: upsert contacts: %w", err)
			}
		}
		for n, i := range order {
			c := &cs[i]
			jid := keys[i]
			handOver(n)
			if n&1023 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			phone, source := phoneAndSource(c, jid, model.SourceWhatsApp)
			if row, ok := stored[jid]; ok {
				if upsertChangesNothing(row, phone, normLID(c.LID), c) {
					continue
				}
				// Written now: a later entry of the same JID compares
				// with what this one writes, so upsertSQL decides.
				delete(stored, jid)
			}
			created := toUnix(c.CreatedAt)
			if created == 0 {
				created = t
			}
			_, err := stmt.ExecContext(ctx, jid, phone, normLID(c.LID), c.FullName, c.FirstName, c.PushName,
				c.BusinessName, c.VerifiedName, c.About, c.AvatarID, c.AvatarURL,
				b2i(c.IsMyContact), b2i(c.IsWAContact), b2i(c.IsBlocked), b2i(c.IsInternal), b2i(c.IsBusiness),
				c.Note, source, created, t)
			if err != nil {
				return fmt.Errorf("store: upsert contact %s: %w", jid, err)
			}
		}
		return nil
	})
}

// DeleteContact removes a contact; its label assignments go with it.
// ErrNotFound when there is no such contact.
func (s *Store) DeleteContact(ctx context.Context, jid string) error {
	j, err := normUserJID(jid)
	if err != nil {
		return fmt.Errorf("store: delete contact: %w", err)
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM contacts WHERE jid = ?`, j)
		if err != nil {
			return fmt.Errorf("store: delete contact %s: %w", j, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("store: contact %s: %w", j, ErrNotFound)
		}
		return nil
	})
}

// ensureContact inserts a minimal row for jid (already canonical) if missing.
func ensureContact(ctx context.Context, tx *sql.Tx, jid string, t int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO contacts (jid, phone, source, created_at, updated_at)
VALUES (?, ?, ?, ?, ?) ON CONFLICT (jid) DO NOTHING`, jid, phoneFromJID(jid), model.SourceWhatsApp, t, t)
	if err != nil {
		return fmt.Errorf("store: create contact %s: %w", jid, err)
	}
	return nil
}

// setColumn creates the contact if missing and sets one column.
func (s *Store) setColumn(ctx context.Context, jid, col string, v any) error {
	j, err := normUserJID(jid)
	if err != nil {
		return fmt.Errorf("store: set %s: %w", col, err)
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		t := s.now()
		if err := ensureContact(ctx, tx, j, t); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE contacts SET `+col+` = ?, updated_at = ? WHERE jid = ? AND `+col+` IS NOT ?`, v, t, j, v)
		if err != nil {
			return fmt.Errorf("store: set %s of %s: %w", col, j, err)
		}
		return nil
	})
}

// SetPushName sets the name the contact gave itself, creating a minimal row
// when the contact is unknown.
func (s *Store) SetPushName(ctx context.Context, jid, name string) error {
	return s.setColumn(ctx, jid, "push_name", name)
}

// SetBlocked marks a contact blocked or not, creating a minimal row when the
// contact is unknown.
func (s *Store) SetBlocked(ctx context.Context, jid string, blocked bool) error {
	return s.setColumn(ctx, jid, "is_blocked", b2i(blocked))
}

// ReplaceBlocklist makes exactly jids blocked, in one transaction: missing
// contacts are created, everyone else is unblocked. LIDs are mapped through
// contacts.lid; a LID no contact carries is skipped.
func (s *Store) ReplaceBlocklist(ctx context.Context, jids []string) error {
	return s.withTx(ctx, func(tx *sql.Tx) error {
		want := make(map[string]bool, len(jids))
		for _, raw := range jids {
			if lid := normLID(raw); lid != "" {
				j, err := jidByLID(ctx, tx, lid)
				if errors.Is(err, ErrNotFound) {
					continue
				}
				if err != nil {
					return err
				}
				want[j] = true
				continue
			}
			j, err := normUserJID(raw)
			if err != nil {
				return fmt.Errorf("store: blocklist: %w", err)
			}
			want[j] = true
		}
		rows, err := tx.QueryContext(ctx, `SELECT jid FROM contacts WHERE is_blocked <> 0`)
		if err != nil {
			return fmt.Errorf("store: blocklist: %w", err)
		}
		var unblock []string
		have := map[string]bool{}
		for rows.Next() {
			var j string
			if err := rows.Scan(&j); err != nil {
				rows.Close()
				return fmt.Errorf("store: blocklist: %w", err)
			}
			have[j] = true
			if !want[j] {
				unblock = append(unblock, j)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: blocklist: %w", err)
		}
		t := s.now()
		for _, j := range unblock {
			if _, err := tx.ExecContext(ctx, `UPDATE contacts SET is_blocked = 0, updated_at = ? WHERE jid = ?`, t, j); err != nil {
				return fmt.Errorf("store: blocklist: %w", err)
			}
		}
		for j := range want {
			if have[j] {
				continue
			}
			if err := ensureContact(ctx, tx, j, t); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE contacts SET is_blocked = 1, updated_at = ? WHERE jid = ?`, t, j); err != nil {
				return fmt.Errorf("store: blocklist: %w", err)
			}
		}
		return nil
	})
}

// SetAbout sets the contact's about text and profile picture, creating a
// minimal row when the contact is unknown. Empty values clear.
func (s *Store) SetAbout(ctx context.Context, jid, about, avatarID, avatarURL string) error {
	j, err := normUserJID(jid)
	if err != nil {
		return fmt.Errorf("store: set about: %w", err)
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		t := s.now()
		if err := ensureContact(ctx, tx, j, t); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE contacts SET about = ?, avatar_id = ?, avatar_url = ?, updated_at = ?
WHERE jid = ? AND (about IS NOT ? OR avatar_id IS NOT ? OR avatar_url IS NOT ?)`,
			about, avatarID, avatarURL, t, j, about, avatarID, avatarURL)
		if err != nil {
			return fmt.Errorf("store: set about of %s: %w", j, err)
		}
		return nil
	})
}

// ErrContactExists is returned by InsertContact when the number is already
// in the mirror.
var ErrContactExists = errors.New("contact already exists")

// InsertContact adds a new contact with labels (names; missing labels are
// created, matching ignores case) in one transaction. ErrContactExists, and
// nothing written, when the number is already in the mirror (hidden or not).
// Source defaults to "local".
func (s *Store) InsertContact(ctx context.Context, c model.Contact, labels []string) (LabelChanges, error) {
	jid, err := contactKey(&c)
	if err != nil {
		return LabelChanges{}, fmt.Errorf("store: add contact: %w", err)
	}
	phone, source := phoneAndSource(&c, jid, model.SourceLocal)
	return s.editContacts(ctx, func(tx *sql.Tx, lc *LabelChanges) ([]string, error) {
		if err := requireContact(ctx, tx, jid); err == nil {
			return nil, fmt.Errorf("store: contact %s: %w", jid, ErrContactExists)
		} else if !errors.Is(err, ErrNotFound) {
			return nil, err
		}
		t := s.now()
		_, err := tx.ExecContext(ctx, `INSERT INTO contacts (jid, phone, lid, full_name, first_name, push_name,
	business_name, verified_name, about, avatar_id, avatar_url,
	is_my_contact, is_wa_contact, is_blocked, is_internal, is_business,
	note, source, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			jid, phone, normLID(c.LID), c.FullName, c.FirstName, c.PushName,
			c.BusinessName, c.VerifiedName, c.About, c.AvatarID, c.AvatarURL,
			b2i(c.IsMyContact), b2i(c.IsWAContact), b2i(c.IsBlocked), b2i(c.IsInternal), b2i(c.IsBusiness),
			c.Note, source, t, t)
		if err != nil {
			return nil, fmt.Errorf("store: add contact %s: %w", jid, err)
		}
		if err := assignNames(ctx, tx, lc, []string{jid}, labels, nil); err != nil {
			return nil, err
		}
		return []string{jid}, nil
	})
}

// ContactUpdate is an edit of a contact's own fields; nil means unchanged.
type ContactUpdate struct {
	FullName *string
	Note     *string
	Internal *bool
	// Labels, when set, replaces the contact's labels; AddLabels and
	// RemoveLabels apply after it. Names; missing labels are created.
	Labels       *[]string
	AddLabels    []string
	RemoveLabels []string
}

// UpdateContact edits an existing contact in one transaction. ErrNotFound
// when the contact is unknown.
func (s *Store) UpdateContact(ctx context.Context, jid string, u ContactUpdate) (LabelChanges, error) {
	j, err := normUserJID(jid)
	if err != nil {
		return LabelChanges{}, fmt.Errorf("store: edit contact: %w", err)
	}
	return s.editContacts(ctx, func(tx *sql.Tx, lc *LabelChanges) ([]string, error) {
		if err := requireContact(ctx, tx, j); err != nil {
			return nil, err
		}
		var sets []string
		var args []any
		if u.FullName != nil {
			sets, args = append(sets, "full_name = ?"), append(args, *u.FullName)
		}
		if u.Note != nil {
			sets, args = append(sets, "note = ?"), append(args, *u.Note)
		}
		if u.Internal != nil {
			sets, args = append(sets, "is_internal = ?"), append(args, b2i(*u.Internal))
		}
		if len(sets) > 0 {
			args = append(args, s.now(), j)
			if _, err := tx.ExecContext(ctx, `UPDATE contacts SET `+strings.Join(sets, ", ")+`, updated_at = ? WHERE jid = ?`, args...); err != nil {
				return nil, fmt.Errorf("store: edit contact %s: %w", j, err)
			}
		}
		if u.Labels != nil {
			if err := replaceLabels(ctx, tx, lc, []string{j}, *u.Labels); err != nil {
				return nil, err
			}
		}
		if err := assignNames(ctx, tx, lc, []string{j}, u.AddLabels, u.RemoveLabels); err != nil {
			return nil, err
		}
		return []string{j}, nil
	})
}

// SetHidden hides a contact from Contacts (or shows it again). Contact and
// AllContacts still return it. ErrNotFound when unknown.
func (s *Store) SetHidden(ctx context.Context, jid string, hidden bool) error {
	j, err := normUserJID(jid)
	if err != nil {
		return fmt.Errorf("store: hide contact: %w", err)
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		if err := requireContact(ctx, tx, j); err != nil {
			return err
		}
		changed, err := setHiddenRow(ctx, tx, j, hidden, s.now())
		if err != nil || !changed {
			return err
		}
		return s.markChanged(ctx, tx, j)
	})
}

// setHiddenRow hides the contact j (or shows it again) inside tx; changed
// is false when it already was so, or is not in the mirror.
func setHiddenRow(ctx context.Context, tx *sql.Tx, j string, hidden bool, now int64) (changed bool, err error) {
	res, err := tx.ExecContext(ctx, `UPDATE contacts SET hidden = ?, updated_at = ? WHERE jid = ? AND hidden IS NOT ?`,
		b2i(hidden), now, j, b2i(hidden))
	if err != nil {
		return false, fmt.Errorf("store: hide contact %s: %w", j, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// SetHiddenMany hides contacts (or shows them again) in one transaction
// and returns the JIDs it changed: those not already so. A JID not in the
// mirror (deleted meanwhile) is passed over.
func (s *Store) SetHiddenMany(ctx context.Context, jids []string, hidden bool) ([]string, error) {
	var changed []string
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		changed = changed[:0]
		now := s.now()
		for _, jid := range jids {
			j, err := normUserJID(jid)
			if err != nil {
				return fmt.Errorf("store: hide contacts: %w", err)
			}
			ok, err := setHiddenRow(ctx, tx, j, hidden, now)
			if err != nil {
				return err
			}
			if ok {
				changed = append(changed, j)
			}
		}
		return s.markChanged(ctx, tx, changed...)
	})
	if err != nil {
		return nil, err
	}
	return changed, nil
}

// RemoveContacts deletes, in one transaction, the contacts whose source is
// one of deletable and hides the others (a contact from WhatsApp would come
// back with the next sync), and returns the JIDs it deleted and those it
// hid. A contact hidden already, or not in the mirror, is passed over.
func (s *Store) RemoveContacts(ctx context.Context, jids []string, deletable ...string) (deleted, hidden []string, err error) {
	err = s.withTx(ctx, func(tx *sql.Tx) error {
		deleted, hidden = deleted[:0], hidden[:0]
		now := s.now()
		for _, jid := range jids {
			j, err := normUserJID(jid)
			if err != nil {
				return fmt.Errorf("store: remove contacts: %w", err)
			}
			var source string
			var wasHidden bool
			err = tx.QueryRowContext(ctx, `SELECT source, hidden FROM contacts WHERE jid = ?`, j).Scan(&source, &wasHidden)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				continue
			case err != nil:
				return fmt.Errorf("store: remove contact %s: %w", j, err)
			case slices.Contains(deletable, source):
				if _, err := tx.ExecContext(ctx, `DELETE FROM contacts WHERE jid = ?`, j); err != nil {
					return fmt.Errorf("store: delete contact %s: %w", j, err)
				}
				deleted = append(deleted, j)
			case !wasHidden:
				if _, err := tx.ExecContext(ctx, `UPDATE contacts SET hidden = 1, updated_at = ? WHERE jid = ?`, now, j); err != nil {
					return fmt.Errorf("store: hide contact %s: %w", j, err)
				}
				hidden = append(hidden, j)
			}
		}
		return s.markChanged(ctx, tx, hidden...)
	})
	if err != nil {
		return nil, nil, err
	}
	return deleted, hidden, nil
}

// phoneAndSource is the phone and source a contact row is written with: c's,
// else the number of its JID and source.
func phoneAndSource(c *model.Contact, jid, source string) (string, string) {
	phone := strings.TrimSpace(c.Phone)
	if phone == "" {
		phone = phoneFromJID(jid)
	}
	if c.Source != "" {
		source = c.Source
	}
	return phone, source
}
