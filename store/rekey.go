package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/wabook/wabook/model"
)

// SaveCheckedContacts saves numbers found on WhatsApp as contacts, with
// labels, in one transaction. A contact not yet in the mirror is created
// from c (source "local" unless set); an existing one is kept as it is,
// marked on WhatsApp, and gains a verified name it lacked. c.JID is the ID
// WhatsApp answered with, c.Phone the number checked: a contact stored
// under the number's own JID when WhatsApp's differs is the same person and
// is moved (or merged) to WhatsApp's JID first. Every contact
// gets the labels (names; missing ones are created, matching ignores case;
// existing assignments stay). It returns how many contacts were saved.
func (s *Store) SaveCheckedContacts(ctx context.Context, cs []model.Contact, labels []string) (int, error) {
	n := 0
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		// What it assigns is queued for WhatsApp like any label change.
		var lc LabelChanges
		ids, err := resolveLabels(ctx, tx, &lc, labels)
		if err != nil {
			return err
		}
		a := newAssigner(tx, &lc)
		defer a.Close()
		t := s.now()
		seen := map[string]bool{}
		for i := range cs {
			c := &cs[i]
			jid, err := contactKey(c)
			if err != nil {
				return fmt.Errorf("store: save checked contact: %w", err)
			}
			if seen[jid] {
				continue
			}
			seen[jid] = true
			phone, source := phoneAndSource(c, jid, model.SourceLocal)
			// WhatsApp may know the checked number by another form (its
			// answer gave jid): a contact stored under the checked form is
			// that person, and moves to WhatsApp's.
			if from, ok := phoneJID(phone); ok {
				if _, err := s.rekeyContact(ctx, tx, from, jid); err != nil {
					return err
				}
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO contacts (jid, phone, full_name, verified_name, is_wa_contact, source, created_at, updated_at)
VALUES (?, ?, ?, ?, 1, ?, ?, ?)
ON CONFLICT (jid) DO UPDATE SET is_wa_contact = 1,
	verified_name = CASE WHEN contacts.verified_name = '' THEN excluded.verified_name ELSE contacts.verified_name END,
	updated_at = CASE WHEN contacts.is_wa_contact = 0 OR (contacts.verified_name = '' AND excluded.verified_name <> '')
		THEN excluded.updated_at ELSE contacts.updated_at END`,
				jid, phone, c.FullName, c.VerifiedName, source, t, t)
			if err != nil {
				return fmt.Errorf("store: save checked contact %s: %w", jid, err)
			}
			if err := a.setAll(ctx, jid, ids, true); err != nil {
				return fmt.Errorf("store: save checked contact %s: %w", jid, err)
			}
			n++
		}
		return s.queueLabels(ctx, tx, nil, &lc, nil)
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// rekeyContact moves the contact stored under from to the JID to, inside tx:
// the same person, known to WhatsApp by to (a check answered with another
// form of the number the mirror holds, such as a Brazilian mobile without
// its ninth digit). When no contact is stored under to, the row is renamed
// and its labels follow (contact_labels cascades on update). When both
// exist, to keeps its own fields and takes from's where it has none, the
// notes are joined, from's labels are added to to's, and from is deleted.
// Either way the change log (migration 8) records both JIDs, and waiting or
// failed outbox changes naming from (label chats, blocks) name to instead,
// so they reach WhatsApp's chat of that person. It reports whether from
// existed.
func (s *Store) rekeyContact(ctx context.Context, tx *sql.Tx, from, to string) (bool, error) {
	if from == to {
		return false, nil
	}
	if err := requireContact(ctx, tx, from); errors.Is(err, ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	moved, err := labelIDsOf(ctx, tx, from)
	if err != nil {
		return false, err
	}
	err = requireContact(ctx, tx, to)
	switch {
	case errors.Is(err, ErrNotFound):
		if _, err := tx.ExecContext(ctx, `UPDATE contacts SET jid = ?, updated_at = ? WHERE jid = ?`, to, s.now(), from); err != nil {
			return false, fmt.Errorf("store: move contact %s to %s: %w", from, to, err)
		}
	case err != nil:
		return false, err
	default:
		if err := s.mergeContactInto(ctx, tx, from, to); err != nil {
			return false, err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET jid = ?, chat = CASE WHEN chat = ? THEN ? ELSE chat END
WHERE jid = ? AND state IN (?, ?)`, to, from, to, from, OutboxPending, OutboxFailed); err != nil {
		return false, fmt.Errorf("store: move contact %s to %s: outbox: %w", from, to, err)
	}
	// Labels sent under from went to a chat WhatsApp does not know by that
	// form: with label sync on they are queued for WhatsApp's chat (twice
	// for one already there changes nothing).
	lc := LabelChanges{Changes: make([]LabelChange, len(moved))}
	for i, id := range moved {
		lc.Changes[i] = LabelChange{JID: to, LabelID: id, Assigned: true}
	}
	if err := s.queueLabels(ctx, tx, nil, &lc, nil); err != nil {
		return false, err
	}
	return true, nil
}

// mergeContactInto merges the contact from into the existing contact to and
// deletes from (see rekeyContact).
func (s *Store) mergeContactInto(ctx context.Context, tx *sql.Tx, from, to string) error {
	var sets []string
	for _, col := range []string{"phone", "lid", "full_name", "first_name", "push_name", "business_name",
		"verified_name", "about", "avatar_id", "avatar_url"} {
		sets = append(sets, fmt.Sprintf("%[1]s = CASE WHEN contacts.%[1]s = '' THEN f.%[1]s ELSE contacts.%[1]s END", col))
	}
	sets = append(sets,
		`note = CASE WHEN f.note = '' OR instr(contacts.note, f.note) > 0 THEN contacts.note
	WHEN contacts.note = '' THEN f.note ELSE contacts.note || char(10) || f.note END`,
		`is_my_contact = max(contacts.is_my_contact, f.is_my_contact)`,
		`is_internal = max(contacts.is_internal, f.is_internal)`,
		`updated_at = ?`)
	if _, err := tx.ExecContext(ctx, `UPDATE contacts SET `+strings.Join(sets, ", ")+`
FROM (SELECT * FROM contacts WHERE jid = ?) AS f WHERE contacts.jid = ?`, s.now(), from, to); err != nil {
		return fmt.Errorf("store: merge contact %s into %s: %w", from, to, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO contact_labels (contact_jid, label_id, wa_chat)
SELECT ?, label_id, wa_chat FROM contact_labels WHERE contact_jid = ?`, to, from); err != nil {
		return fmt.Errorf("store: merge contact %s into %s: labels: %w", from, to, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM contacts WHERE jid = ?`, from); err != nil {
		return fmt.Errorf("store: merge contact %s into %s: %w", from, to, err)
	}
	return nil
}
