// The address book as the HTTP lists answer it, kept between requests:
// GET /v1/contacts and GET /api/contacts/all read a page of it instead of
// the whole mirror each.
package serve

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/ui"
)

// book is the contacts not hidden in the lists' order, and the labels'
// colours and ids: derived from one index of the shared ui.Indexes (the
// one every SSH session shows), whose contacts it points at rather than
// copies.
type book struct {
	from     ui.Book
	contacts []*model.Contact
	labels   labelIndex
}

// books keeps the book of the latest index. Every request asks; the index
// comes from ui.Indexes, which reads the mirror again only when its
// DataVersion moved, so a write that has returned is in the next list.
// One book is derived at a time (single flight): requests that ask
// meanwhile wait for it instead of each deriving their own.
type books struct {
	indexes *ui.Indexes
	mu      sync.Mutex
	cur     atomic.Pointer[book]
	// derive makes a book: newBook; tests count and hold its calls.
	derive func(ui.Book) *book
}

func newBooks(ix *ui.Indexes) *books { return &books{indexes: ix, derive: newBook} }

// latest is the book of the mirror as it is now.
func (bs *books) latest(ctx context.Context) (*book, error) {
	from, err := bs.indexes.Book(ctx)
	if err != nil {
		return nil, err
	}
	if b := bs.cur.Load(); b != nil && b.from == from {
		return b, nil
	}
	bs.mu.Lock()
	defer bs.mu.Unlock()
	if b := bs.cur.Load(); b != nil && b.from == from {
		return b, nil // derived while this request waited
	}
	b := bs.derive(from)
	bs.cur.Store(b)
	return b, nil
}

// newBook puts the index's contacts in the lists' order: by display name,
// lower-cased, as app.FilterContacts sorts for the CLI's JSON (not the
// TUI's order, which puts contacts known by number only last); the same
// names by WhatsApp ID, so the order does not depend on when a contact
// last changed.
func newBook(from ui.Book) *book {
	type keyed struct {
		name string
		c    *model.Contact
	}
	ks := make([]keyed, from.Len())
	for i := range ks {
		c := from.Contact(i)
		ks[i] = keyed{strings.ToLower(c.DisplayName()), c}
	}
	slices.SortFunc(ks, func(a, b keyed) int {
		return cmp.Or(strings.Compare(a.name, b.name), strings.Compare(a.c.JID, b.c.JID))
	})
	b := &book{from: from, contacts: make([]*model.Contact, len(ks)), labels: newLabelIndex(from.Labels())}
	for i := range ks {
		b.contacts[i] = ks[i].c
	}
	return b
}
