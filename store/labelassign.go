package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/wabook/wabook/model"
)

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
// already there is not listed), and the ids of the outbox changes its
// transaction queued for WhatsApp (none with label sync off): a caller
// holding the connection can wait for WhatsApp's answer to exactly those
// (serve's Periskope writes, through app's receipt: app/receipt.go).
type LabelChanges struct {
	Created []model.Label
	Changes []LabelChange
	Queued  []int64
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
	id, ok := r.byFold[model.LabelFold(name)]
	return id, ok
}

// ensure returns the id of the label named name, creating it (with the next
// palette colour) when missing.
func (r *labelResolver) ensure(ctx context.Context, name string) (int64, error) {
	f := model.LabelFold(name)
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

// ensureAll is ensure for each of names, in order.
func (r *labelResolver) ensureAll(ctx context.Context, names []string) ([]int64, error) {
	ids := make([]int64, 0, len(names))
	for _, name := range names {
		id, err := r.ensure(ctx, name)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// assigner puts labels on and takes them off contacts inside one
// transaction, recording what really changed. Its statements are prepared
// on first use, so making one cannot fail.
type assigner struct {
	tx       *sql.Tx
	ins, del *sql.Stmt
	lc       *LabelChanges
}

func newAssigner(tx *sql.Tx, lc *LabelChanges) *assigner { return &assigner{tx: tx, lc: lc} }

func (a *assigner) prepare(ctx context.Context) error {
	if a.ins != nil {
		return nil
	}
	ins, err := a.tx.PrepareContext(ctx, `INSERT OR IGNORE INTO contact_labels (contact_jid, label_id, wa_chat) VALUES (?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("store: labels: %w", err)
	}
	del, err := a.tx.PrepareContext(ctx, `DELETE FROM contact_labels WHERE contact_jid = ? AND label_id = ? RETURNING wa_chat`)
	if err != nil {
		ins.Close()
		return fmt.Errorf("store: labels: %w", err)
	}
	a.ins, a.del = ins, del
	return nil
}

func (a *assigner) Close() {
	if a.ins != nil {
		a.ins.Close()
		a.del.Close()
	}
}

func (a *assigner) set(ctx context.Context, jid string, id int64, on bool) error {
	return a.apply(ctx, LabelChange{JID: jid, LabelID: id, Assigned: on})
}

// setAll puts the labels ids on jid (assigned) or takes them off, in order.
func (a *assigner) setAll(ctx context.Context, jid string, ids []int64, assigned bool) error {
	for _, id := range ids {
		if err := a.set(ctx, jid, id, assigned); err != nil {
			return err
		}
	}
	return nil
}

// apply makes one change, recording it when it really changed something: a
// removal with the chat form the assignment had, an assignment with the
// form it was given.
func (a *assigner) apply(ctx context.Context, c LabelChange) error {
	if err := a.prepare(ctx); err != nil {
		return err
	}
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
	out, err := queryList(ctx, tx, scanValue[int64], `SELECT label_id FROM contact_labels WHERE contact_jid = ?`, jid)
	if err != nil {
		return nil, fmt.Errorf("store: labels of %s: %w", jid, err)
	}
	return out, nil
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
	addIDs, err := r.ensureAll(ctx, add)
	if err != nil {
		return err
	}
	a := newAssigner(tx, lc)
	defer a.Close()
	for _, j := range jids {
		if err := a.setAll(ctx, j, removeIDs, false); err != nil {
			return err
		}
		if err := a.setAll(ctx, j, addIDs, true); err != nil {
			return err
		}
	}
	return nil
}

// ChangeLabels takes labels (names) off and puts labels on many contacts in
// one transaction: removals first, missing labels to add are created
// (matching ignores case), removing a label that does not exist does
// nothing. ErrNotFound, and nothing changed, when a contact is unknown.
func (s *Store) ChangeLabels(ctx context.Context, jids []string, add, remove []string) (LabelChanges, error) {
	return s.labelContacts(ctx, jids, func(tx *sql.Tx, lc *LabelChanges, norm []string) error {
		return assignNames(ctx, tx, lc, norm, add, remove)
	})
}

// ReplaceLabels gives each contact exactly the labels named (missing ones
// created, matching ignores case), in one transaction; an empty list takes
// every label off. ErrNotFound, and nothing changed, when a contact is
// unknown. With label sync on, what changed is queued for WhatsApp in the
// same transaction, as ChangeLabels does.
func (s *Store) ReplaceLabels(ctx context.Context, jids []string, names []string) (LabelChanges, error) {
	return s.labelContacts(ctx, jids, func(tx *sql.Tx, lc *LabelChanges, norm []string) error {
		return replaceLabels(ctx, tx, lc, norm, names)
	})
}

// labelContacts runs a label operation on many contacts in one
// transaction: op gets their JIDs normalised, repeats dropped, each one
// known (else ErrNotFound and nothing changes), and what it changed is
// queued for WhatsApp in the same transaction.
func (s *Store) labelContacts(ctx context.Context, jids []string, op func(tx *sql.Tx, lc *LabelChanges, norm []string) error) (LabelChanges, error) {
	norm := make([]string, 0, len(jids))
	seen := make(map[string]bool, len(jids))
	for _, j := range jids {
		n, err := normUserJID(j)
		if err != nil {
			return LabelChanges{}, fmt.Errorf("store: labels: %w", err)
		}
		if !seen[n] {
			seen[n] = true
			norm = append(norm, n)
		}
	}
	return s.editContacts(ctx, func(tx *sql.Tx, lc *LabelChanges) ([]string, error) {
		// One prepared statement: an operation may name thousands.
		exists, err := tx.PrepareContext(ctx, `SELECT 1 FROM contacts WHERE jid = ?`)
		if err != nil {
			return nil, fmt.Errorf("store: labels: %w", err)
		}
		defer exists.Close()
		for _, j := range norm {
			var one int
			if err := exists.QueryRowContext(ctx, j).Scan(&one); errors.Is(err, sql.ErrNoRows) {
				return nil, fmt.Errorf("store: contact %s: %w", j, ErrNotFound)
			} else if err != nil {
				return nil, fmt.Errorf("store: labels: %w", err)
			}
		}
		if err := op(tx, lc, norm); err != nil {
			return nil, err
		}
		return changedJIDs(lc), nil
	})
}

// editContacts runs edit in one write transaction and, in it, marks the
// contacts edit names as changed and queues the label changes it made for
// WhatsApp: what every edit of contacts and their labels ends with. No
// changes come back when it fails.
func (s *Store) editContacts(ctx context.Context, edit func(tx *sql.Tx, lc *LabelChanges) ([]string, error)) (LabelChanges, error) {
	var lc LabelChanges
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		jids, err := edit(tx, &lc)
		if err != nil {
			return err
		}
		if err := s.markChanged(ctx, tx, jids...); err != nil {
			return err
		}
		return s.queueLabels(ctx, tx, nil, &lc, nil)
	})
	if err != nil {
		return LabelChanges{}, err
	}
	return lc, nil
}

// resolveLabels returns the ids of the labels named, in order, creating
// missing ones (matching ignores case) and recording them in lc.
func resolveLabels(ctx context.Context, tx *sql.Tx, lc *LabelChanges, names []string) ([]int64, error) {
	r, err := newLabelResolver(ctx, tx, lc)
	if err != nil {
		return nil, err
	}
	return r.ensureAll(ctx, names)
}

// replaceLabels gives each of jids (contacts that exist) exactly the labels
// named, creating missing ones; an empty list takes every label off.
func replaceLabels(ctx context.Context, tx *sql.Tx, lc *LabelChanges, jids []string, names []string) error {
	ids, err := resolveLabels(ctx, tx, lc, names)
	if err != nil {
		return err
	}
	want := make(map[int64]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	a := newAssigner(tx, lc)
	defer a.Close()
	for _, j := range jids {
		have, err := labelIDsOf(ctx, tx, j)
		if err != nil {
			return err
		}
		drop := slices.DeleteFunc(have, func(id int64) bool { return want[id] })
		if err := a.setAll(ctx, j, drop, false); err != nil {
			return err
		}
		if err := a.setAll(ctx, j, ids, true); err != nil {
			return err
		}
	}
	return nil
}
