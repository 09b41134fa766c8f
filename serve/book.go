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

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/ui"
)

// book is the JIDs of the contacts not hidden in the lists' order, and the
// labels' colours and ids: derived from one index of the shared
// ui.Indexes (the one every SSH session shows), which keeps compact rows,
// not contacts; a page's contacts are read whole (page).
type book struct {
	from   ui.Book
	jids   []string
	labels labelIndex
}

// books keeps the book of the latest index. Every request asks; the index
// comes from ui.Indexes, which reads the mirror again only when its
// DataVersion moved, so a write that has returned is in the next list.
// One book is derived at a time (single flight): requests that ask
// meanwhile wait for it instead of each deriving their own.
type books struct {
	indexes *ui.Indexes
	svc     *app.Service
	mu      sync.Mutex
	cur     atomic.Pointer[book]
	// derive makes a book: newBook; tests count and hold its calls.
	derive func(context.Context, *app.Service, ui.Book) (*book, error)
}

func newBooks(ix *ui.Indexes, svc *app.Service) *books {
	return &books{indexes: ix, svc: svc, derive: newBook}
}

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
	b, err := bs.derive(ctx, bs.svc, from)
	if err != nil {
		return nil, err
	}
	bs.cur.Store(b)
	return b, nil
}

// newBook puts the index's contacts in the lists' order: by display name,
// lower-cased, as app.FilterContacts sorts for the CLI's JSON (not the
// TUI's order, which puts contacts known by number only last); the same
// names by WhatsApp ID, so the order does not depend on when a contact
// last changed. The index keeps names sanitised; the few that sanitising
// changed are read whole for their stored names.
func newBook(ctx context.Context, svc *app.Service, from ui.Book) (*book, error) {
	type keyed struct {
		name, jid string
	}
	ks := make([]keyed, from.Len())
	var odd []string
	for i := range ks {
		ks[i] = keyed{from.Name(i), from.JID(i)}
		if !from.NameIsExact(i) {
			odd = append(odd, ks[i].jid)
		}
	}
	if len(odd) > 0 {
		cs, err := svc.ContactsByJID(ctx, odd)
		if err != nil {
			return nil, err
		}
		names := make(map[string]string, len(cs))
		for i := range cs {
			names[cs[i].JID] = cs[i].DisplayName()
		}
		for i := range ks {
			if n, ok := names[ks[i].jid]; ok {
				ks[i].name = n
			}
		}
	}
	for i := range ks {
		ks[i].name = strings.ToLower(ks[i].name)
	}
	slices.SortFunc(ks, func(a, b keyed) int {
		return cmp.Or(strings.Compare(a.name, b.name), strings.Compare(a.jid, b.jid))
	})
	b := &book{from: from, jids: make([]string, len(ks)), labels: newLabelIndex(from.Labels())}
	for i := range ks {
		b.jids[i] = ks[i].jid
	}
	return b, nil
}

// page reads the contacts of jids (a part of the book's) whole, in order;
// one removed since the book was derived is left out.
func (b *book) page(ctx context.Context, svc *app.Service, jids []string) ([]*model.Contact, error) {
	cs, err := svc.ContactsByJID(ctx, jids)
	if err != nil {
		return nil, err
	}
	out := make([]*model.Contact, len(cs))
	for i := range cs {
		out[i] = &cs[i]
	}
	return out, nil
}
