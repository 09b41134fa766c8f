// Reading the whole book one contact at a time (EachContact), and a batch
// of contacts by JID (ContactsByJID): the reads of a front end that keeps
// its own compact copy of the list and loads whole contacts only for what
// it shows (ui/index.go, serve/book.go).
package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/wabook/wabook/model"
)

// EachContact hands fn every contact, hidden ones included, with Labels,
// Groups and CheckStatus as AllContacts fills them, one at a time in table
// order, in one read transaction. The value fn gets is reused for the next
// contact: fn copies what it keeps. The book is never held whole: besides
// the contact being read, only the label and group assignments are (a
// pair of numbers each), sorted by contact so that each contact finds its
// own by binary search. An error from fn stops the read and is returned.
func (s *Store) EachContact(ctx context.Context, fn func(c *model.Contact) error) error {
	return s.readTx(ctx, func(tx *sql.Tx) error { return eachContactIn(ctx, tx, fn) })
}

// eachContactIn is EachContact in tx.
func eachContactIn(ctx context.Context, tx *sql.Tx, fn func(c *model.Contact) error) error {
	labels, names, err := readLabelJoin(ctx, tx)
	if err != nil {
		return fmt.Errorf("store: contacts: labels: %w", err)
	}
	groups, gjids, err := readGroupJoin(ctx, tx)
	if err != nil {
		return fmt.Errorf("store: contacts: groups: %w", err)
	}
	var c model.Contact
	emit := func() error {
		c.Labels = labels.fill(c.Labels[:0], c.JID, "", func(v int32) string { return names[v] })
		c.Groups = groups.fill(c.Groups[:0], c.JID, c.LID, func(v int32) string { return gjids[v] })
		return fn(&c)
	}
	err = eachRow(ctx, tx, func(rows *sql.Rows) error {
		var row string
		if err := rows.Scan(&row); err != nil {
			return err
		}
		ls, gs := c.Labels, c.Groups
		if err := unpackOrRead(ctx, tx, row, &c); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		c.Labels, c.Groups = ls, gs
		return emit()
	}, `SELECT `+packedContact+contactFrom)
	if err != nil {
		return fmt.Errorf("store: contacts: %w", err)
	}
	return nil
}

// joinPair is one assignment of a label or group (v, a position in the
// join's table) to a contact ID (key: numKey of a phone JID or LID).
type joinPair struct {
	key uint64
	v   int32
}

// join holds a table's assignments to contacts, sorted by contact, then
// by v (the order the contact's list is kept in); str those of IDs
// numKey cannot pack, few.
type join struct {
	pairs []joinPair
	str   map[string][]int32
}

func (j *join) add(id string, v int32) {
	if k, ok := numKey(id); ok {
		j.pairs = append(j.pairs, joinPair{k, v})
		return
	}
	if j.str == nil {
		j.str = map[string][]int32{}
	}
	j.str[id] = append(j.str[id], v)
}

func (j *join) sort() {
	slices.SortFunc(j.pairs, func(a, b joinPair) int { return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.v, b.v)) })
	for _, vs := range j.str {
		slices.Sort(vs)
	}
}

// of appends to dst the values assigned to id, in order.
func (j *join) of(dst []int32, id string) []int32 {
	if id == "" {
		return dst
	}
	k, ok := numKey(id)
	if !ok {
		return append(dst, j.str[id]...)
	}
	i, _ := slices.BinarySearchFunc(j.pairs, k, func(p joinPair, k uint64) int { return cmp.Compare(p.key, k) })
	for ; i < len(j.pairs) && j.pairs[i].key == k; i++ {
		dst = append(dst, j.pairs[i].v)
	}
	return dst
}

// fill appends to dst the names of what is assigned to jid or lid, in
// order, each once.
func (j *join) fill(dst []string, jid, lid string, name func(int32) string) []string {
	var buf [16]int32
	vs := j.of(j.of(buf[:0], jid), lid)
	if lid != "" && len(vs) > 1 {
		slices.Sort(vs)
		vs = slices.Compact(vs)
	}
	for _, v := range vs {
		dst = append(dst, name(v))
	}
	return dst
}

// readLabelJoin reads every label assignment, its value the label's place
// in the label order, and the labels' names by that place.
func readLabelJoin(ctx context.Context, tx *sql.Tx) (*join, []string, error) {
	ranks, err := labelRanks(ctx, tx)
	if err != nil {
		return nil, nil, err
	}
	names := make([]string, len(ranks))
	for _, l := range ranks {
		names[l.rank] = l.name
	}
	j := &join{}
	err = eachPacked(ctx, tx, func(row string) {
		jid, id, ok := splitLabelRow(row)
		if l, known := ranks[id]; ok && known {
			j.add(jid, int32(l.rank))
		}
	}, `SELECT contact_jid || x'1f' || label_id FROM contact_labels`)
	j.sort()
	return j, names, err
}

// readGroupJoin reads every group membership (by phone JID or LID), its
// value the group's place in group JID order, and the group JIDs by that
// place: one string per group, not per member.
func readGroupJoin(ctx context.Context, tx *sql.Tx) (*join, []string, error) {
	j := &join{}
	var jids []string
	err := eachPacked(ctx, tx, func(row string) {
		g, m, ok := strings.Cut(row, "\x1f") // group JIDs never contain \x1f
		if !ok {
			return
		}
		if len(jids) == 0 || jids[len(jids)-1] != g {
			jids = append(jids, strings.Clone(g))
		}
		j.add(m, int32(len(jids)-1))
	}, `SELECT group_jid || x'1f' || member FROM group_members ORDER BY group_jid`)
	j.sort()
	return j, jids, err
}

// contactsByJIDBatch is how many JIDs one query of ContactsByJID names.
const contactsByJIDBatch = 400

// ContactsByJID reads the contacts whose JIDs jids holds, with Labels,
// Groups and CheckStatus as Contact fills them, in the order of jids; a
// JID that names no contact is left out. Its cost follows len(jids), not
// the size of the book.
func (s *Store) ContactsByJID(ctx context.Context, jids []string) ([]model.Contact, error) {
	out := make([]model.Contact, 0, len(jids))
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		var ranks map[int64]rankedLabel
		for start := 0; start < len(jids); start += contactsByJIDBatch {
			part := jids[start:min(len(jids), start+contactsByJIDBatch)]
			var err error
			if ranks == nil {
				if ranks, err = labelRanks(ctx, tx); err != nil {
					return err
				}
			}
			if out, err = readContactBatch(ctx, tx, part, ranks, out); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: contacts by JID: %w", err)
	}
	return out, nil
}

// readContactBatch appends to out the contacts of jids (a batch), in the
// order of jids.
func readContactBatch(ctx context.Context, tx *sql.Tx, jids []string, ranks map[int64]rankedLabel, out []model.Contact) ([]model.Contact, error) {
	if len(jids) == 0 {
		return out, nil
	}
	in, args := inList(jids)
	found, err := queryList(ctx, tx, scanContact, `SELECT `+contactCols+contactFrom+`WHERE c.jid IN `+in, args...)
	if err != nil {
		return out, err
	}
	idx, err := fillJoins(ctx, tx, found, ranks)
	if err != nil {
		return out, err
	}
	for _, jid := range jids {
		if i, ok := idx.get(jid); ok && found[i].JID == jid {
			out = append(out, found[i])
		}
	}
	return out, nil
}

// fillJoins sets the Labels and Groups of a batch of contacts read
// without them, with two queries for the batch, and returns the batch's
// positions by JID and LID.
func fillJoins(ctx context.Context, tx *sql.Tx, found []model.Contact, ranks map[int64]rankedLabel) (*jidIndex, error) {
	idx := newJIDIndex(len(found))
	if len(found) == 0 {
		return idx, nil
	}
	jids := make([]string, 0, len(found))
	var members []string
	for i := range found {
		idx.put(found[i].JID, i)
		jids = append(jids, found[i].JID)
		members = append(members, found[i].JID)
		if found[i].LID != "" {
			idx.put(found[i].LID, i)
			members = append(members, found[i].LID)
		}
	}
	in, args := inList(jids)
	labels := &join{}
	err := eachPacked(ctx, tx, func(row string) {
		jid, id, ok := splitLabelRow(row)
		if l, known := ranks[id]; ok && known {
			labels.add(jid, int32(l.rank))
		}
	}, `SELECT contact_jid || x'1f' || label_id FROM contact_labels WHERE contact_jid IN `+in, args...)
	if err != nil {
		return nil, err
	}
	labels.sort()
	names := make([]string, len(ranks))
	for _, l := range ranks {
		names[l.rank] = l.name
	}
	membersIn, margs := inList(members)
	err = eachPacked(ctx, tx, func(row string) {
		g, m, ok := strings.Cut(row, "\x1f")
		if i, known := idx.get(m); ok && known {
			found[i].Groups = append(found[i].Groups, g)
		}
	}, `SELECT group_jid || x'1f' || member FROM group_members WHERE member IN `+membersIn, margs...)
	if err != nil {
		return nil, err
	}
	for i := range found {
		found[i].Labels = labels.fill(nil, found[i].JID, "", func(v int32) string { return names[v] })
		if gs := found[i].Groups; len(gs) > 1 {
			slices.Sort(gs)
			found[i].Groups = slices.Compact(gs)
		}
	}
	return idx, nil
}
