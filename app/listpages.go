// Pages of the contact list read from the database in any of its orders,
// and a search through the database: what the list shows while its own
// index of the whole book is still being built (ui/window.go).
package app

import (
	"context"
	"fmt"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
)

// Order is an order of the contact list (store.Order): by name, most
// recently updated first, most chats first, by phone; each then by name
// and JID, as the list's index orders them.
type Order = store.Order

const (
	OrderName   = store.OrderName
	OrderRecent = store.OrderRecent
	OrderChats  = store.OrderChats
	OrderPhone  = store.OrderPhone
)

// ContactPage reads the first n contacts not hidden in order o (with
// last, the last n, in order o), every label and the groups those
// contacts are in, and how many contacts are not hidden.
func (s *Service) ContactPage(ctx context.Context, o Order, last bool, n int) (*Snapshot, int, error) {
	contacts, total, err := s.store.ContactPage(ctx, o, last, n)
	if err != nil {
		return nil, 0, fmt.Errorf("reading contacts: %w", err)
	}
	snap := &Snapshot{Contacts: contacts}
	if err := s.readLabelsAndGroups(ctx, snap, true); err != nil {
		return nil, 0, err
	}
	return snap, total, nil
}

// Found is a search's first page read from the database (SearchContacts).
type Found struct {
	// Page holds the first matches in the order asked for (hidden
	// contacts for a query that asks for them, model.Query.WantsHidden),
	// every label and the groups they are in.
	Page *Snapshot
	// Matched is how many contacts match when Complete; otherwise at
	// least that many do: the read stopped at the first match past the
	// page, or after searchScanLimit contacts (Scanned says how many it
	// read).
	Matched  int
	Complete bool
	Scanned  int
}

// searchScanLimit is how many contacts a search through the database
// reads at most: past it, the list's own index of the whole book (being
// built meanwhile) answers sooner, and a longer read would only compete
// with that build for the processor.
const searchScanLimit = 100_000

// SearchContacts reads the first n contacts query matches in order o, by
// model.Matcher over whole contacts (the rule the list's index searches
// by), walking the book in that order and stopping at the first match
// past the page: a common word costs a few batches, a rare one the whole
// book, up to searchScanLimit contacts. A query that matches everything (empty, or only ignored terms)
// reads the first page.
func (s *Service) SearchContacts(ctx context.Context, o Order, query string, n int) (*Found, error) {
	q, _ := model.ParseQuery(query) // a term it cannot read is ignored, as the list ignores it
	labels, err := s.store.Labels(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading labels: %w", err)
	}
	groups, err := s.store.GroupNames(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading groups: %w", err)
	}
	m := q.Compile(labels, groups)
	if m.Empty() {
		page, total, err := s.ContactPage(ctx, o, false, n)
		if err != nil {
			return nil, err
		}
		return &Found{Page: page, Matched: total, Complete: len(page.Contacts) >= total}, nil
	}
	found := &Found{Page: &Snapshot{}, Complete: true}
	err = s.store.EachInOrder(ctx, o, q.WantsHidden(), func(c *model.Contact) (bool, error) {
		if found.Scanned == s.searchLimit {
			found.Complete = false
			return false, nil
		}
		found.Scanned++
		if !m.Match(c, "") {
			return true, nil
		}
		if found.Matched == n {
			found.Matched++
			found.Complete = false
			return false, nil
		}
		found.Matched++
		found.Page.Contacts = append(found.Page.Contacts, *c)
		return true, nil
	})
	if err != nil {
		return nil, fmt.Errorf("searching contacts: %w", err)
	}
	found.Page.Labels = labels
	// The page's own groups: a group: term named them among all of them.
	if err := s.readLabelsAndGroups(ctx, found.Page, true); err != nil {
		return nil, err
	}
	return found, nil
}
