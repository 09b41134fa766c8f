package ui

import (
	"context"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

// Indexes is a process's contact index: one at a time, immutable once
// built, shared by every Model that passes it in Options (`wabook serve`
// runs many UIs in one process; each builds nothing the others have
// built). A refresh reads only what changed since the index it holds
// (app.Service.ChangesSince) and builds the next index from that one plus
// the changes; only a change set larger than rebuildLimit reads the whole
// mirror again. Builds run one at a time, in the commands of the Models
// that asked, never on their Update path.
type Indexes struct {
	svc Service

	mu  sync.Mutex // held for a whole build: a second asker gets its result
	cur *index     // the latest full index; nil before the first

	// fresh is cur with the service's DataVersion read before the read
	// that made it current: while the version stays, cur is the mirror as
	// it is, and Latest returns it without a lock or a read.
	fresh atomic.Pointer[freshIndex]
	// wholeReads counts the whole reads of the mirror (WholeReads),
	// forcedReads those a change too large to apply forced (ForcedReads).
	wholeReads, forcedReads atomic.Int64

	// changes reads what changed (svc.ChangesSince); tests replace it to
	// make the read hang.
	changes func(ctx context.Context, since app.Mark, limit int) (*app.Changes, error)
}

// NewIndexes returns the index cache of a service, empty until a Model
// asks for it.
func NewIndexes(svc Service) *Indexes {
	return &Indexes{svc: svc, changes: svc.ChangesSince}
}

// rebuildLimit is how many changed contacts an index of n entries takes in
// one refresh before a whole read is cheaper: merging costs a pass over
// the old entries plus a sort of the changes, a whole read several times
// that pass per contact.
func rebuildLimit(n int) int { return max(2_000, n/4) }

// Latest returns an index of the mirror as it is now, and whether it was
// read whole. It waits for a build another Model started, and then most
// often returns that one's index as it is.
//
// While the service's DataVersion has not moved since the index was made
// current, that index is returned as it is, without a read: every SSH
// session and HTTP request of `wabook serve` asks, and nearly always
// nothing changed.
func (x *Indexes) Latest(ctx context.Context) (ix *index, whole bool, err error) {
	if f := x.fresh.Load(); f != nil && f.version == x.svc.DataVersion() {
		return f.ix, false, nil
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	// Read before the mirror: a change committed during the read moves
	// the version past this one, and the next asker reads again.
	version := x.svc.DataVersion()
	if f := x.fresh.Load(); f != nil && f.version == version {
		return f.ix, false, nil // another asker's build, while this one waited
	}
	ix, whole, err = x.refresh(ctx)
	if err != nil {
		return nil, false, err
	}
	x.fresh.Store(&freshIndex{ix: ix, version: version})
	return ix, whole, nil
}

// freshIndex is an index and the DataVersion it is current for.
type freshIndex struct {
	ix      *index
	version uint64
}

// refresh makes cur the mirror as it is now: from the changes since cur,
// or read whole. Called with mu held.
func (x *Indexes) refresh(ctx context.Context) (ix *index, whole bool, err error) {
	labelSync := x.svc.LabelSyncEnabled()
	if x.cur != nil {
		ch, err := x.changes(ctx, x.cur.mark, rebuildLimit(len(x.cur.entries)))
		if err != nil {
			return nil, false, err
		}
		if !ch.Rebuild {
			if !ch.Empty() || labelSync != x.cur.labelSync {
				x.cur = applyChanges(x.cur, ch, labelSync)
			}
			return x.cur, false, nil
		}
		x.forcedReads.Add(1)
	}
	full, err := fullIndex(ctx, x.svc)
	if err != nil {
		return nil, false, err
	}
	x.wholeReads.Add(1)
	x.cur = full
	return full, true, nil
}

// WholeReads is how many times the mirror was read whole for an index:
// once for every UI and HTTP request sharing this Indexes, unless a change
// too large to apply (rebuildLimit) forced another.
func (x *Indexes) WholeReads() int64 { return x.wholeReads.Load() }

// ForcedReads is how many of WholeReads a change too large to apply
// forced; the others had no index yet to start from.
func (x *Indexes) ForcedReads() int64 { return x.forcedReads.Load() }

// Book is an index as a front end other than a Model reads it (serve's
// HTTP lists): read-only, and the same value for as long as the index is
// current, so a reader may key what it derives from it on the Book.
type Book struct{ ix *index }

// Book returns the index of the mirror as it is now (Latest).
func (x *Indexes) Book(ctx context.Context) (Book, error) {
	ix, _, err := x.Latest(ctx)
	return Book{ix}, err
}

// Len is the number of contacts not hidden.
func (b Book) Len() int { return b.ix.visible() }

// Contact is the i-th contact not hidden, in the list's name order; it
// is shared and must not be changed.
func (b Book) Contact(i int) *model.Contact { return b.ix.entries[i].c }

// Labels are the labels, with their counts; shared, not to be changed.
func (b Book) Labels() []model.Label { return b.ix.labels }

// applyChanges builds the index that follows old once ch is applied:
// old's entries without the removed and changed contacts, merged in name
// order with the changed ones. old is left as it is (Models may still
// show it); the two share the contacts and haystacks that did not change.
func applyChanges(old *index, ch *app.Changes, labelSync bool) *index {
	labels, groups := old.labels, old.groups
	if ch.LabelsChanged {
		labels = ch.Labels
	}
	if ch.GroupsChanged {
		groups = ch.Groups
	}
	ix := &index{
		labels: labels, groups: groups,
		labelColor: old.labelColor, groupNames: old.groupNames,
		labelSync: labelSync,
		mark:      ch.Mark,
	}
	if ch.LabelsChanged {
		ix.labelColor = make(map[string]int, len(labels))
		for _, l := range labels {
			ix.labelColor[strings.ToLower(l.Name)] = l.Color
		}
	}
	if ch.GroupsChanged {
		ix.groupNames = make(map[string]string, len(groups))
		for _, g := range groups {
			ix.groupNames[g.JID] = model.Sanitize(g.Name)
		}
	}

	gone := make(map[string]bool, len(ch.Removed)+len(ch.Contacts))
	for _, j := range ch.Removed {
		gone[j] = true
	}
	for i := range ch.Contacts {
		gone[ch.Contacts[i].JID] = true
	}
	n := len(old.entries) + len(ch.Contacts) + len(ch.Hidden)
	ix.entries = make([]entry, 0, n)
	ix.hays = make([]string, 0, n)
	// old is an index Indexes keeps: read whole or built here, it has
	// its haystacks.
	oldHays := old.hays
	// The contacts not hidden, then the hidden ones (index.hidden): each
	// part merged in name order on its own. The changes are the new
	// index's own: nothing else holds them.
	vis := old.visible()
	ix.merge(old.entries[:vis], oldHays[:vis], gone, ch.Contacts)
	ix.total = len(ix.entries)
	ix.merge(old.entries[vis:], oldHays[vis:], gone, ch.Hidden)
	ix.hidden = len(ix.entries) - ix.total
	return ix
}

// merge appends to ix the entries of old (in name order, with their
// haystacks) but those gone, merged in name order with contacts.
func (ix *index) merge(old []entry, oldHays []string, gone map[string]bool, contacts []model.Contact) {
	fresh := make([]entry, len(contacts))
	for i := range contacts {
		fresh[i] = newEntry(&contacts[i])
	}
	slices.SortFunc(fresh, func(a, b entry) int { return compareNames(&a, &b) })
	freshHays := make([]string, len(fresh))
	for i := range fresh {
		freshHays[i] = model.Haystack(fresh[i].c)
	}
	j := 0
	for i := range old {
		e := &old[i]
		if len(gone) > 0 && gone[e.c.JID] {
			continue
		}
		for j < len(fresh) && compareNames(&fresh[j], e) < 0 {
			ix.entries = append(ix.entries, fresh[j])
			ix.hays = append(ix.hays, freshHays[j])
			j++
		}
		ix.entries = append(ix.entries, *e)
		ix.hays = append(ix.hays, oldHays[i])
	}
	ix.entries = append(ix.entries, fresh[j:]...)
	ix.hays = append(ix.hays, freshHays[j:]...)
}
