package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/wabook/wabook/model"
)

// ChangeMark says how much of the mirror's change log (migration 8) a
// reader has seen: the last contact change's sequence number and the
// labels' and groups' change counters. The zero mark is "nothing seen".
type ChangeMark struct {
	Contacts int64 // contact_changes.seq
	Labels   int64 // change_seq.labels
	Groups   int64 // change_seq.groups
}

// ContactChanges is what changed between two marks (app.Changes).
type ContactChanges struct {
	// Mark is the mark to ask from next time.
	Mark ChangeMark
	// Contacts are the contacts added or changed, as Contacts returns them
	// (labels, groups, check status); hidden ones are in Removed instead.
	Contacts []model.Contact
	// Removed are the JIDs of contacts deleted or hidden.
	Removed []string
	// Hidden are the contacts among Removed that are hidden, not deleted,
	// read as AllContacts has them: a list that shows hidden contacts on
	// request (is:hidden) keeps them up to date.
	Hidden []model.Contact
	// Labels is every label, with its count, when labels or assignments
	// changed (LabelsChanged); Groups every group by name (GroupNames)
	// when groups changed.
	Labels        []model.Label
	LabelsChanged bool
	Groups        []model.Group
	GroupsChanged bool
	// Rebuild: more contacts changed than the limit asked (a whole-book
	// sync, a big import), or the log went back (a database restored from
	// a copy); nothing else is filled but Mark: read the whole mirror
	// instead.
	Rebuild bool
	// RowsRead counts the rows the read took from contact_changes,
	// contacts, contact_labels and group_members: what the read cost.
	RowsRead int
}

// Empty reports whether nothing changed.
func (c *ContactChanges) Empty() bool {
	return !c.Rebuild && len(c.Contacts) == 0 && len(c.Removed) == 0 && len(c.Hidden) == 0 && !c.LabelsChanged && !c.GroupsChanged
}

// markSQL reads a ChangeMark. max(seq) is one step down the primary key.
const markSQL = `SELECT (SELECT coalesce(max(seq), 0) FROM contact_changes), labels, "groups" FROM change_seq`

func readMark(ctx context.Context, q queryRower) (ChangeMark, error) {
	var m ChangeMark
	if err := q.QueryRowContext(ctx, markSQL).Scan(&m.Contacts, &m.Labels, &m.Groups); err != nil {
		return ChangeMark{}, fmt.Errorf("store: change mark: %w", err)
	}
	return m, nil
}

// ChangeMark reads the current mark. Read it before reading the mirror
// whole (Contacts, Labels, GroupNames): a change committed in between is
// then read again by the next ContactsChangedSince, which is harmless,
// instead of never.
func (s *Store) ChangeMark(ctx context.Context) (ChangeMark, error) {
	return readMark(ctx, s.db)
}

// ContactsChangedSince reads what changed after since, in one read
// transaction: the changed contacts, the removed JIDs, and the labels and
// groups when they changed. When more than limit contacts changed (limit
// <= 0: no limit) it reads nothing but the count and says Rebuild. Its
// cost follows the number of changes, not the size of the book: every
// query starts from contact_changes' primary key and looks the rest up
// by index.
func (s *Store) ContactsChangedSince(ctx context.Context, since ChangeMark, limit int) (*ContactChanges, error) {
	out := &ContactChanges{}
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		mark, err := readMark(ctx, tx)
		if err != nil {
			return err
		}
		out.Mark = mark
		if mark.Contacts < since.Contacts {
			out.Rebuild = true
			return nil
		}
		if mark.Contacts > since.Contacts {
			var n int
			if err := tx.QueryRowContext(ctx, changedCountSQL, since.Contacts).Scan(&n); err != nil {
				return fmt.Errorf("store: changes: %w", err)
			}
			if limit > 0 && n > limit {
				out.Rebuild = true
				return nil
			}
			if err := readChangedContacts(ctx, tx, since.Contacts, out); err != nil {
				return fmt.Errorf("store: changes: %w", err)
			}
		}
		if mark.Labels != since.Labels {
			out.LabelsChanged = true
			if out.Labels, err = labelsIn(ctx, tx); err != nil {
				return err
			}
		}
		if mark.Groups != since.Groups {
			out.GroupsChanged = true
			if out.Groups, err = groupNamesIn(ctx, tx); err != nil {
				return fmt.Errorf("store: group names: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// The queries of a change read. Each starts from contact_changes' primary
// key (seq > ?) and looks everything else up by index; changes_test.go
// checks their plans scan nothing else.
const (
	changedCountSQL    = `SELECT count(*) FROM contact_changes WHERE seq > ?`
	changedContactsSQL = `SELECT ch.jid, ` + packedContact + `
FROM contact_changes ch LEFT JOIN contacts c ON c.jid = ch.jid LEFT JOIN checks k ON k.phone = c.phone
WHERE ch.seq > ? ORDER BY ch.seq`
	changedLabelsSQL = `SELECT cl.contact_jid || x'1f' || cl.label_id
FROM contact_changes ch JOIN contact_labels cl ON cl.contact_jid = ch.jid WHERE ch.seq > ?`
)

// changedGroupsSQL: two queries rather than one with OR, so that each is a
// lookup in group_members_member.
var changedGroupsSQL = [...]string{
	`SELECT gm.group_jid || x'1f' || gm.member FROM contact_changes ch
JOIN group_members gm ON gm.member = ch.jid WHERE ch.seq > ?`,
	`SELECT gm.group_jid || x'1f' || gm.member FROM contact_changes ch
JOIN contacts c ON c.jid = ch.jid JOIN group_members gm ON gm.member = c.lid
WHERE ch.seq > ? AND c.lid <> ''`,
}

// readChangedContacts fills out.Contacts and out.Removed with the contacts
// logged after seq, with their labels and groups.
func readChangedContacts(ctx context.Context, tx *sql.Tx, seq int64, out *ContactChanges) error {
	rows, err := tx.QueryContext(ctx, changedContactsSQL, seq)
	if err != nil {
		return err
	}
	var odd []string
	for rows.Next() {
		var jid string
		var row sql.NullString
		if err := rows.Scan(&jid, &row); err != nil {
			rows.Close()
			return err
		}
		out.RowsRead++
		if !row.Valid {
			out.Removed = append(out.Removed, jid)
			continue
		}
		var c model.Contact
		if !unpackContact(row.String, &c) {
			odd = append(odd, jid)
			continue
		}
		out.Contacts = append(out.Contacts, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, jid := range odd {
		var c model.Contact
		if err := scanContact(tx.QueryRowContext(ctx, `SELECT `+contactCols+contactFrom+`WHERE c.jid = ?`, jid), &c); err != nil {
			return fmt.Errorf("contact %s: %w", jid, err)
		}
		out.Contacts = append(out.Contacts, c)
	}
	// Hidden contacts are read with the others, labels and groups too,
	// and set apart at the end.
	defer splitHidden(out)
	if len(out.Contacts) == 0 {
		return nil
	}
	idx := newJIDIndex(len(out.Contacts))
	for i := range out.Contacts {
		idx.put(out.Contacts[i].JID, i)
		if out.Contacts[i].LID != "" {
			idx.put(out.Contacts[i].LID, i)
		}
	}
	if err := changedLabels(ctx, tx, seq, out, idx); err != nil {
		return fmt.Errorf("labels: %w", err)
	}
	if err := changedGroups(ctx, tx, seq, out, idx); err != nil {
		return fmt.Errorf("groups: %w", err)
	}
	return nil
}

// splitHidden moves the hidden contacts of out.Contacts to out.Hidden and
// their JIDs to out.Removed.
func splitHidden(out *ContactChanges) {
	if !slices.ContainsFunc(out.Contacts, func(c model.Contact) bool { return c.Hidden }) {
		return
	}
	visible := out.Contacts[:0:0]
	for _, c := range out.Contacts {
		if c.Hidden {
			out.Hidden = append(out.Hidden, c)
			out.Removed = append(out.Removed, c.JID)
		} else {
			visible = append(visible, c)
		}
	}
	out.Contacts = visible
}

// changedLabels sets the Labels of the changed contacts, in label order,
// reading the labels table only when one of them carries a label.
func changedLabels(ctx context.Context, tx *sql.Tx, seq int64, out *ContactChanges, idx *jidIndex) error {
	type assignment struct {
		contact int
		label   int64
	}
	var as []assignment
	err := eachPacked(ctx, tx, func(row string) {
		out.RowsRead++
		jid, id, ok := splitLabelRow(row)
		if !ok {
			return
		}
		if i, ok := idx.get(jid); ok {
			as = append(as, assignment{i, id})
		}
	}, changedLabelsSQL, seq)
	if err != nil || len(as) == 0 {
		return err
	}
	labels, err := labelRanks(ctx, tx)
	if err != nil {
		return err
	}
	slices.SortFunc(as, func(a, b assignment) int {
		if a.contact != b.contact {
			return a.contact - b.contact
		}
		return labels[a.label].rank - labels[b.label].rank
	})
	for _, a := range as {
		if l, ok := labels[a.label]; ok {
			out.Contacts[a.contact].Labels = append(out.Contacts[a.contact].Labels, l.name)
		}
	}
	return nil
}

// changedGroups sets the Groups of the changed contacts (by JID or LID),
// sorted by group JID as fillGroups leaves them.
func changedGroups(ctx context.Context, tx *sql.Tx, seq int64, out *ContactChanges, idx *jidIndex) error {
	for _, q := range changedGroupsSQL {
		err := eachPacked(ctx, tx, func(row string) {
			out.RowsRead++
			g, m, ok := strings.Cut(row, "\x1f") // group JIDs never contain \x1f
			if !ok {
				return
			}
			if i, ok := idx.get(m); ok {
				out.Contacts[i].Groups = append(out.Contacts[i].Groups, g)
			}
		}, q, seq)
		if err != nil {
			return err
		}
	}
	for i := range out.Contacts {
		if gs := out.Contacts[i].Groups; len(gs) > 1 {
			slices.Sort(gs)
			out.Contacts[i].Groups = slices.Compact(gs)
		}
	}
	return nil
}
