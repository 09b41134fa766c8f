package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/wabook/wabook/model"
)

// FirstPage returns the first n contacts that are not hidden, in name order,
// each with its labels, groups and check status, and how many such contacts
// there are. It lets the contact list draw its first frame before Contacts
// has read everything. Its time does not grow with the book: the page is
// read along the contacts_sort index (hidden, sort_name), the number from
// contact_counts, which triggers keep (migration 13); BenchmarkFirstPage in
// app measures it at 10 000 to 1 000 000 contacts.
func (s *Store) FirstPage(ctx context.Context, n int) ([]model.Contact, int, error) {
	var out []model.Contact
	var total int
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT n FROM contact_counts WHERE hidden = 0`).Scan(&total); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+contactCols+contactFrom+
			`WHERE c.hidden = 0 ORDER BY c.sort_name, c.rowid LIMIT ?`, n)
		if err != nil {
			return err
		}
		for rows.Next() {
			var c model.Contact
			if err := scanContact(rows, &c); err != nil {
				rows.Close()
				return err
			}
			out = append(out, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i := range out {
			c := &out[i]
			if c.Labels, err = queryStrings(ctx, tx, `SELECT l.name FROM contact_labels cl JOIN labels l ON l.id = cl.label_id
WHERE cl.contact_jid = ? ORDER BY l."order", l.name`, c.JID); err != nil {
				return err
			}
			if c.Groups, err = queryStrings(ctx, tx, `SELECT DISTINCT group_jid FROM group_members
WHERE member IN (?, ?) ORDER BY group_jid`, c.JID, nonEmpty(c.LID, c.JID)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("store: first page: %w", err)
	}
	return out, total, nil
}

func nonEmpty(s, otherwise string) string {
	if s == "" {
		return otherwise
	}
	return s
}

// GroupNames returns every group without its members: enough to name the
// chats of a contact.
func (s *Store) GroupNames(ctx context.Context) ([]model.Group, error) {
	out, err := groupNamesIn(ctx, s.db)
	if err != nil {
		return nil, fmt.Errorf("store: group names: %w", err)
	}
	return out, nil
}

// GroupNamesOf returns the groups among jids, without their members, in
// GroupNames' order: the names a page of contacts needs, read in time that
// depends on the page and not on how many groups there are.
func (s *Store) GroupNamesOf(ctx context.Context, jids []string) ([]model.Group, error) {
	if len(jids) == 0 {
		return nil, nil
	}
	list, err := json.Marshal(jids)
	if err != nil {
		return nil, fmt.Errorf("store: group names: %w", err)
	}
	out, err := queryList(ctx, s.db, scanGroup, `SELECT jid, name, participant_count FROM "groups"
WHERE jid IN (SELECT value FROM json_each(?)) ORDER BY name, jid`, string(list))
	if err != nil {
		return nil, fmt.Errorf("store: group names: %w", err)
	}
	return out, nil
}

func groupNamesIn(ctx context.Context, q querier) ([]model.Group, error) {
	return queryList(ctx, q, scanGroup, `SELECT jid, name, participant_count FROM "groups" ORDER BY name, jid`)
}

func scanGroup(r scanner, g *model.Group) error {
	return r.Scan(&g.JID, &g.Name, &g.ParticipantCount)
}
