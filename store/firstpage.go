package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/wabook/wabook/model"
)

// FirstPage returns the first n contacts that are not hidden, in name order,
// each with its labels, groups and check status, and how many such contacts
// there are. It lets the contact list draw its first frame before Contacts
// has read everything. Its time does not grow with the book: the page is
// read along the contacts_name_order index (hidden, sort_name, jid:
// migration 15), the number from contact_counts, which triggers keep
// (migration 13); BenchmarkFirstPage in app measures it at 10 000 to
// 1 000 000 contacts.
func (s *Store) FirstPage(ctx context.Context, n int) ([]model.Contact, int, error) {
	return s.ContactPage(ctx, OrderName, false, n)
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
