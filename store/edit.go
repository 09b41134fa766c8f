package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/wabook/wabook/model"
)

// ErrContactExists is returned by InsertContact when the number is already
// in the mirror.
var ErrContactExists = errors.New("contact already exists")

// LabelChange is one label put on (Assigned) or taken off a contact.
// WAChat is the form (phone JID or LID) WhatsApp named the chat in when it
// reported the assignment, "" when it never did: a removal read from the
// mirror carries it, so it can be sent to WhatsApp in that form, and an
// assignment carrying it (an undo) keeps it.
type LabelChange struct {
	JID      string
	LabelID  int64
	Assigned bool
	WAChat   string
}

// LabelChanges is what a label operation did, in order: the labels it
// created and the assignments that really changed (an assignment that was
// already there is not listed).
type LabelChanges struct {
	Created []model.Label
	Changes []LabelChange
}

// Empty reports whether nothing changed.
func (lc *LabelChanges) Empty() bool { return len(lc.Created) == 0 && len(lc.Changes) == 0 }

// labelResolver finds labels by name inside one transaction, creating
// missing ones and recording them.
type labelResolver struct {
	tx     *sql.Tx
	byFold map[string]int64
	lc     *LabelChanges
}

func newLabelResolver(ctx context.Context, tx *sql.Tx, lc *LabelChanges) (*labelResolver, error) {
	r := &labelResolver{tx: tx, byFold: map[string]int64{}, lc: lc}
	rows, err := tx.QueryContext(ctx, `SELECT fold, id FROM labels`)
	if err != nil {
		return nil, fmt.Errorf("store: labels: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var f string
		var id int64
		if err := rows.Scan(&f, &id); err != nil {
			return nil, fmt.Errorf("store: labels: %w", err)
		}
		r.byFold[f] = id
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: labels: %w", err)
	}
	return r, nil
}

// find returns the id of the label named name (ignoring case).
func (r *labelResolver) find(name string) (int64, bool) {
	id, ok := r.byFold[labelFold(name)]
	return id, ok
}

// ensure returns the id of the label named name, creating it (with the next
// palette colour) when missing.
func (r *labelResolver) ensure(ctx context.Context, name string) (int64, error) {
	f := labelFold(name)
	if f == "" {
		return 0, fmt.Errorf("store: %w", ErrInvalidName)
	}
	if id, ok := r.byFold[f]; ok {
		return id, nil
	}
	color, err := nextColor(ctx, r.tx)
	if err != nil {
		return 0, err
	}
	l, err := createLabel(ctx, r.tx, name, color, "")
	if err != nil {
		return 0, err
	}
	r.byFold[f] = l.ID
	r.lc.Created = append(r.lc.Created, l)
	return l.ID, nil
}

// assigner puts labels on and takes them off contacts inside one
// transaction, recording what really changed.
type assigner struct {
	ins, del *sql.Stmt
	lc       *LabelChanges
}

func newAssigner(ctx context.Context, tx *sql.Tx, lc *LabelChanges) (*assigner, error) {
	ins, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO contact_labels (contact_jid, label_id, wa_chat) VALUES (?, ?, ?)`)
	if err != nil {
		return nil, fmt.Errorf("store: labels: %w", err)
	}
	del, err := tx.PrepareContext(ctx, `DELETE FROM contact_labels WHERE contact_jid = ? AND label_id = ? RETURNING wa_chat`)
	if err != nil {
		ins.Close()
		return nil, fmt.Errorf("store: labels: %w", err)
	}
	return &assigner{ins: ins, del: del, lc: lc}, nil
}

func (a *assigner) Close() { a.ins.Close(); a.del.Close() }

func (a *assigner) set(ctx context.Context, jid string, id int64, on bool) error {
	return a.apply(ctx, LabelChange{JID: jid, LabelID: id, Assigned: on})
}

// apply makes one change, recording it when it really changed something: a
// removal with the chat form the assignment had, an assignment with the
// form it was given.
func (a *assigner) apply(ctx context.Context, c LabelChange) error {
	if c.Assigned {
		res, err := a.ins.ExecContext(ctx, c.JID, c.LabelID, c.WAChat)
		if err != nil {
			return fmt.Errorf("store: labels of %s: %w", c.JID, err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			a.lc.Changes = append(a.lc.Changes, c)
		}
		return nil
	}
	var form string
	err := a.del.QueryRowContext(ctx, c.JID, c.LabelID).Scan(&form)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: labels of %s: %w", c.JID, err)
	}
	a.lc.Changes = append(a.lc.Changes, LabelChange{JID: c.JID, LabelID: c.LabelID, WAChat: form})
	return nil
}

// labelIDsOf returns the ids of the labels a contact carries.
func labelIDsOf(ctx context.Context, tx *sql.Tx, jid string) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT label_id FROM contact_labels WHERE contact_jid = ?`, jid)
	if err != nil {
		return nil, fmt.Errorf("store: labels of %s: %w", jid, err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: labels of %s: %w", jid, err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// InsertContact adds a new contact with labels (names; missing labels are
// created, matching ignores case) in one transaction. ErrContactExists, and
// nothing written, when the number is already in the mirror (hidden or not).
// Source defaults to "local".
func (s *Store) InsertContact(ctx context.Context, c model.Contact, labels []string) (LabelChanges, error) {
	var lc LabelChanges
	jid, err := contactKey(&c)
	if err != nil {
		return lc, fmt.Errorf("store: add contact: %w", err)
	}
	phone := strings.TrimSpace(c.Phone)
	if phone == "" {
		phone = phoneFromJID(jid)
	}
	source := c.Source
	if source == "" {
		source = model.SourceLocal
	}
	err = s.withTx(ctx, func(tx *sql.Tx) error {
		if err := requireContact(ctx, tx, jid); err == nil {
			return fmt.Errorf("store: contact %s: %w", jid, ErrContactExists)
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		t := now()
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
			return fmt.Errorf("store: add contact %s: %w", jid, err)
		}
		if err := assignNames(ctx, tx, &lc, []string{jid}, labels, nil); err != nil {
			return err
		}
		return queueLabels(ctx, tx, nil, &lc, nil)
	})
	if err != nil {
		return LabelChanges{}, err
	}
	return lc, nil
}

// assignNames adds and removes labels by name on contacts that exist,
// creating missing labels to add; removing a label that does not exist does
// nothing. Removals come first.
func assignNames(ctx context.Context, tx *sql.Tx, lc *LabelChanges, jids []string, add, remove []string) error {
	if len(add) == 0 && len(remove) == 0 {
		return nil
	}
	r, err := newLabelResolver(ctx, tx, lc)
	if err != nil {
		return err
	}
	var removeIDs []int64
	for _, name := range remove {
		if id, ok := r.find(name); ok {
			removeIDs = append(removeIDs, id)
		}
	}
	addIDs := make([]int64, 0, len(add))
	for _, name := range add {
		id, err := r.ensure(ctx, name)
		if err != nil {
			return err
		}
		addIDs = append(addIDs, id)
	}
	a, err := newAssigner(ctx, tx, lc)
	if err != nil {
		return err
	}
	defer a.Close()
	for _, j := range jids {
		for _, id := range removeIDs {
			if err := a.set(ctx, j, id, false); err != nil {
				return err
			}
		}
		for _, id := range addIDs {
			if err := a.set(ctx, j, id, true); err != nil {
				return err
			}
		}
	}
	return nil
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
	var lc LabelChanges
	j, err := normUserJID(jid)
	if err != nil {
		return lc, fmt.Errorf("store: edit contact: %w", err)
	}
	err = s.withTx(ctx, func(tx *sql.Tx) error {
		if err := requireContact(ctx, tx, j); err != nil {
			return err
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
			args = append(args, now(), j)
			if _, err := tx.ExecContext(ctx, `UPDATE contacts SET `+strings.Join(sets, ", ")+`, updated_at = ? WHERE jid = ?`, args...); err != nil {
				return fmt.Errorf("store: edit contact %s: %w", j, err)
			}
		}
		if u.Labels != nil {
			r, err := newLabelResolver(ctx, tx, &lc)
			if err != nil {
				return err
			}
			want := map[int64]bool{}
			var order []int64
			for _, name := range *u.Labels {
				id, err := r.ensure(ctx, name)
				if err != nil {
					return err
				}
				if !want[id] {
					want[id] = true
					order = append(order, id)
				}
			}
			have, err := labelIDsOf(ctx, tx, j)
			if err != nil {
				return err
			}
			a, err := newAssigner(ctx, tx, &lc)
			if err != nil {
				return err
			}
			defer a.Close()
			for _, id := range have {
				if !want[id] {
					if err := a.set(ctx, j, id, false); err != nil {
						return err
					}
				}
			}
			for _, id := range order {
				if err := a.set(ctx, j, id, true); err != nil {
					return err
				}
			}
		}
		if err := assignNames(ctx, tx, &lc, []string{j}, u.AddLabels, u.RemoveLabels); err != nil {
			return err
		}
		return queueLabels(ctx, tx, nil, &lc, nil)
	})
	if err != nil {
		return LabelChanges{}, err
	}
	return lc, nil
}

// ChangeLabels takes labels (names) off and puts labels on many contacts in
// one transaction: removals first, missing labels to add are created
// (matching ignores case), removing a label that does not exist does
// nothing. ErrNotFound, and nothing changed, when a contact is unknown.
func (s *Store) ChangeLabels(ctx context.Context, jids []string, add, remove []string) (LabelChanges, error) {
	var lc LabelChanges
	norm := make([]string, 0, len(jids))
	seen := make(map[string]bool, len(jids))
	for _, j := range jids {
		n, err := normUserJID(j)
		if err != nil {
			return lc, fmt.Errorf("store: labels: %w", err)
		}
		if !seen[n] {
			seen[n] = true
			norm = append(norm, n)
		}
	}
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		exists, err := tx.PrepareContext(ctx, `SELECT 1 FROM contacts WHERE jid = ?`)
		if err != nil {
			return fmt.Errorf("store: labels: %w", err)
		}
		defer exists.Close()
		for _, j := range norm {
			var one int
			if err := exists.QueryRowContext(ctx, j).Scan(&one); errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("store: contact %s: %w", j, ErrNotFound)
			} else if err != nil {
				return fmt.Errorf("store: labels: %w", err)
			}
		}
		if err := assignNames(ctx, tx, &lc, norm, add, remove); err != nil {
			return err
		}
		return queueLabels(ctx, tx, nil, &lc, nil)
	})
	if err != nil {
		return LabelChanges{}, err
	}
	return lc, nil
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
		a, err := newAssigner(ctx, tx, &lc)
		if err != nil {
			return err
		}
		defer a.Close()
		for _, r := range b.Restore {
			l := r.Label
			n := NormLabelName(l.Name)
			if other, err := labelWhere(ctx, tx, `l.fold = ? OR l.id = ?`, labelFold(n), l.ID); err == nil {
				return fmt.Errorf("store: label %q: %w (as %q)", n, ErrLabelExists, other.Name)
			} else if !errors.Is(err, ErrNotFound) {
				return err
			}
			var wa any
			if l.WALabelID != "" {
				wa = l.WALabelID
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO labels (id, name, fold, color, wa_label_id, "order", unsynced) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				l.ID, n, labelFold(n), l.Color, wa, l.Order, b2i(l.Unsynced)); err != nil {
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
			if _, err := tx.ExecContext(ctx, `DELETE FROM labels WHERE id = ?`, id); err != nil {
				return fmt.Errorf("store: delete label %d: %w", id, err)
			}
			deleted = append(deleted, l)
		}
		restored := make([]int64, len(b.Restore))
		for i, r := range b.Restore {
			restored[i] = r.Label.ID
		}
		return queueLabels(ctx, tx, restored, &lc, deleted)
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
		if _, err := tx.ExecContext(ctx, `DELETE FROM labels WHERE id = ?`, id); err != nil {
			return fmt.Errorf("store: delete label %d: %w", id, err)
		}
		return queueLabels(ctx, tx, nil, nil, []model.Label{out.Label})
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
		a, err := newAssigner(ctx, tx, &lc)
		if err != nil {
			return err
		}
		defer a.Close()
		for _, j := range lw.Members {
			if err := a.set(ctx, j, into, true); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM labels WHERE id = ?`, from); err != nil {
			return fmt.Errorf("store: merge label %d: %w", from, err)
		}
		out = lw
		return queueLabels(ctx, tx, nil, &lc, []model.Label{lw.Label})
	})
	if err != nil {
		return LabelWithMembers{}, nil, err
	}
	return out, lc.Changes, nil
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
		if _, err := tx.ExecContext(ctx, `UPDATE contacts SET hidden = ?, updated_at = ? WHERE jid = ? AND hidden IS NOT ?`,
			b2i(hidden), now(), j, b2i(hidden)); err != nil {
			return fmt.Errorf("store: hide contact %s: %w", j, err)
		}
		return nil
	})
}

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
	rows, err := s.db.QueryContext(ctx, `SELECT jid FROM contacts`)
	if err != nil {
		return nil, fmt.Errorf("store: contacts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var j string
		if err := rows.Scan(&j); err != nil {
			return nil, fmt.Errorf("store: contacts: %w", err)
		}
		if want[j] {
			out[j] = true
		}
	}
	if err := rows.Err(); err != nil {
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
		common := make([]int64, 0, len(b.Labels))
		for _, name := range b.Labels {
			id, err := r.ensure(ctx, name)
			if err != nil {
				return err
			}
			common = append(common, id)
		}
		exists, err := tx.PrepareContext(ctx, `SELECT 1 FROM contacts WHERE jid = ?`)
		if err != nil {
			return fmt.Errorf("store: import: %w", err)
		}
		defer exists.Close()
		upsert, err := tx.PrepareContext(ctx, `INSERT INTO contacts (jid, phone, full_name, note, source, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (jid) DO UPDATE SET
	full_name = CASE WHEN contacts.full_name = '' THEN excluded.full_name ELSE contacts.full_name END,
	note = CASE
		WHEN excluded.note = '' OR instr(contacts.note, excluded.note) > 0 THEN contacts.note
		WHEN contacts.note = '' THEN excluded.note
		ELSE contacts.note || char(10) || excluded.note END,
	updated_at = excluded.updated_at`)
		if err != nil {
			return fmt.Errorf("store: import: %w", err)
		}
		defer upsert.Close()
		a, err := newAssigner(ctx, tx, &lc)
		if err != nil {
			return err
		}
		defer a.Close()
		t := now()
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
			if _, err := upsert.ExecContext(ctx, jid, phone, row.Name, row.Note, model.SourceImport, t, t); err != nil {
				return fmt.Errorf("store: import %s: %w", jid, err)
			}
			for _, name := range row.Labels {
				id, err := r.ensure(ctx, name)
				if err != nil {
					return err
				}
				if err := a.set(ctx, jid, id, true); err != nil {
					return err
				}
			}
			for _, id := range common {
				if err := a.set(ctx, jid, id, true); err != nil {
					return err
				}
			}
		}
		if err := queueLabels(ctx, tx, nil, &lc, nil); err != nil {
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
func rekeyContact(ctx context.Context, tx *sql.Tx, from, to string) (bool, error) {
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
		if _, err := tx.ExecContext(ctx, `UPDATE contacts SET jid = ?, updated_at = ? WHERE jid = ?`, to, now(), from); err != nil {
			return false, fmt.Errorf("store: move contact %s to %s: %w", from, to, err)
		}
	case err != nil:
		return false, err
	default:
		if err := mergeContactInto(ctx, tx, from, to); err != nil {
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
	if err := queueLabels(ctx, tx, nil, &lc, nil); err != nil {
		return false, err
	}
	return true, nil
}

// mergeContactInto merges the contact from into the existing contact to and
// deletes from (see rekeyContact).
func mergeContactInto(ctx context.Context, tx *sql.Tx, from, to string) error {
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
FROM (SELECT * FROM contacts WHERE jid = ?) AS f WHERE contacts.jid = ?`, now(), from, to); err != nil {
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
