package store

import (
	"context"
	"database/sql"
	"slices"

	"github.com/wabook/wabook/model"
)

// listMerge gives the contacts of ContactsSorted's first pass, which come
// in JID order, their labels and groups by walking two more reads in the
// same order beside them: contact_labels in its key order and group_members
// along its member index. No contact costs a query of its own: a query per
// contact (or per contact and list) took most of an export's time. Members
// that are LIDs are held in a map by LID (8% of the memberships of the
// generated books; a book whose groups list most members by LID holds an
// entry per such member).
type listMerge struct {
	labels, members *sql.Rows
	labelOK         bool // labels stands on a row: labelJID, labelID
	labelJID        sql.RawBytes
	labelID         int64
	memberOK        bool // members stands on a row: member, group
	member, group   sql.RawBytes

	rank      map[int64]rankedLabel // label id → name and place in the label order
	byRank    []string              // label names in the label order
	groupIdx  map[string]int32      // group JID → its place in groups
	groups    []string              // the group JIDs, sorted
	lidGroups map[string][]int32    // a LID member → its groups

	ranks, groupBuf []int32 // lists' buffers
}

func newListMerge(ctx context.Context, tx *sql.Tx) (*listMerge, error) {
	m := &listMerge{groupIdx: map[string]int32{}, lidGroups: map[string][]int32{}}
	var err error
	if m.rank, err = labelRanks(ctx, tx); err != nil {
		return nil, err
	}
	m.byRank = make([]string, len(m.rank))
	for _, l := range m.rank {
		m.byRank[l.rank] = l.name
	}
	err = eachRow(ctx, tx, func(rows *sql.Rows) error {
		var g string
		if err := rows.Scan(&g); err != nil {
			return err
		}
		m.groupIdx[g] = int32(len(m.groups))
		m.groups = append(m.groups, g)
		return nil
	}, `SELECT DISTINCT group_jid FROM group_members ORDER BY group_jid`)
	if err != nil {
		return nil, err
	}
	err = eachRow(ctx, tx, func(rows *sql.Rows) error {
		var member, g string
		if err := rows.Scan(&member, &g); err != nil {
			return err
		}
		m.lidGroups[member] = append(m.lidGroups[member], m.groupIdx[g])
		return nil
	}, `SELECT member, group_jid FROM group_members WHERE member GLOB '*@`+model.LIDServer+`'`)
	if err != nil {
		return nil, err
	}
	if m.labels, err = tx.QueryContext(ctx, `SELECT contact_jid, label_id FROM contact_labels ORDER BY contact_jid`); err != nil {
		return nil, err
	}
	if m.members, err = tx.QueryContext(ctx, `SELECT member, group_jid FROM group_members ORDER BY member`); err != nil {
		m.close()
		return nil, err
	}
	if err := m.nextLabel(); err != nil {
		m.close()
		return nil, err
	}
	if err := m.nextMember(); err != nil {
		m.close()
		return nil, err
	}
	return m, nil
}

func (m *listMerge) close() {
	m.labels.Close()
	if m.members != nil {
		m.members.Close()
	}
}

func (m *listMerge) nextLabel() error {
	if m.labelOK = m.labels.Next(); !m.labelOK {
		return m.labels.Err()
	}
	return m.labels.Scan(&m.labelJID, &m.labelID)
}

func (m *listMerge) nextMember() error {
	if m.memberOK = m.members.Next(); !m.memberOK {
		return m.members.Err()
	}
	return m.members.Scan(&m.member, &m.group)
}

// lists gives the label ranks of the contact jid (ascending: the label
// order) and its groups' places in m.groups (ascending, each once), whose
// LID is lid. Calls must come in increasing JID order; what they give is
// good until the next call.
func (m *listMerge) lists(jid, lid string) (ranks, groups []int32, err error) {
	ranks, groups = m.ranks[:0], m.groupBuf[:0]
	defer func() { m.ranks, m.groupBuf = ranks, groups }()
	for m.labelOK && string(m.labelJID) < jid {
		if err := m.nextLabel(); err != nil {
			return nil, nil, err
		}
	}
	for m.labelOK && string(m.labelJID) == jid {
		if l, ok := m.rank[m.labelID]; ok {
			ranks = append(ranks, int32(l.rank))
		}
		if err := m.nextLabel(); err != nil {
			return nil, nil, err
		}
	}
	slices.Sort(ranks)

	for m.memberOK && string(m.member) < jid {
		if err := m.nextMember(); err != nil {
			return nil, nil, err
		}
	}
	for m.memberOK && string(m.member) == jid {
		groups = append(groups, m.groupIdx[string(m.group)])
		if err := m.nextMember(); err != nil {
			return nil, nil, err
		}
	}
	if lid != "" { // always "digits@lid" (normLID), so in lidGroups if a member
		groups = append(groups, m.lidGroups[lid]...)
	}
	slices.Sort(groups)
	groups = slices.Compact(groups)
	return ranks, groups, nil
}

// names appends the names of ranks (labels) or places (groups) to to, or
// gives nil for none, as Contacts does.
func names(to []string, of []int32, all []string) []string {
	if len(of) == 0 {
		return nil
	}
	for _, i := range of {
		to = append(to, all[i])
	}
	return to
}
