package ui

import (
	"context"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"

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

	// memory is lifted while a big book is built (Memory.build); nil for
	// an Indexes shared by several UIs (serve sets no limit).
	memory *Memory
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
	if x.memory != nil {
		n := 0
		if x.cur != nil {
			n = len(x.cur.rows)
		} else if size, err := x.svc.BookSize(ctx); err == nil {
			n = size
		}
		defer x.memory.build(n)()
	}
	if x.cur != nil {
		ch, err := x.changes(ctx, x.cur.mark, rebuildLimit(len(x.cur.rows)))
		if err != nil {
			return nil, false, err
		}
		if !ch.Rebuild {
			next := x.cur
			if !ch.Empty() || labelSync != x.cur.labelSync {
				next = applyChanges(x.cur, ch, labelSync)
			}
			if next != nil {
				x.cur = next
				return next, false, nil
			}
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
// current, so a reader may key what it derives from it on the Book. It
// gives what ordering and paging need; the contacts of a page are read
// whole from the service (app.Service.ContactsByJID).
type Book struct{ ix *index }

// Book returns the index of the mirror as it is now (Latest).
func (x *Indexes) Book(ctx context.Context) (Book, error) {
	ix, _, err := x.Latest(ctx)
	return Book{ix}, err
}

// Len is the number of contacts not hidden.
func (b Book) Len() int { return b.ix.visible() }

// JID is the WhatsApp ID of the i-th contact not hidden, in the list's
// name order.
func (b Book) JID(i int) string { return b.ix.jid(int32(i)) }

// Name is the i-th contact's display name, sanitised (model.Sanitize of
// model.Contact.DisplayName).
func (b Book) Name(i int) string { return b.ix.name(int32(i)) }

// NameIsExact reports whether Name(i) is the display name as stored:
// false for the few that sanitising changed, whose order by the stored
// name needs the contact read whole.
func (b Book) NameIsExact(i int) bool { return b.ix.rows[i].flags&fSanitised == 0 }

// Labels are the labels, with their counts; shared, not to be changed.
func (b Book) Labels() []model.Label { return b.ix.labels }

// applyChanges builds the index that follows old once ch is applied:
// old's rows without the removed and changed contacts, merged in name
// order with the changed ones, whose strings go to one new arena. old is
// left as it is (Models may still show it); the two share the arenas and
// the tables. nil when the changes do not fit (a 65 536th label name):
// read the mirror whole.
func applyChanges(old *index, ch *app.Changes, labelSync bool) *index {
	ix := &index{
		labels: old.labels, groups: old.groups,
		labelColor: old.labelColor, groupNames: old.groupNames,
		sortNames: old.sortNames,
		labelSync: labelSync,
		mark:      ch.Mark,
		// Appending copies: old keeps its own.
		labelNames: slices.Clip(old.labelNames), labelRefs: slices.Clip(old.labelRefs),
		groupJIDs: slices.Clip(old.groupJIDs), groupRefs: slices.Clip(old.groupRefs),
		chunks: slices.Clip(old.chunks),
	}
	if ch.LabelsChanged {
		ix.setLabels(ch.Labels)
	}
	if ch.GroupsChanged {
		ix.setGroups(ch.Groups)
	}
	b := &builder{ix: ix, chunk: uint8(len(ix.chunks)), labelPos: old.labelPos, groupPos: old.groupPos}
	// The contacts not hidden, then the hidden ones (index.hidden).
	for i := range ch.Contacts {
		b.add(&ch.Contacts[i])
		handOver(i)
	}
	fresh := len(b.rows)
	for i := range ch.Hidden {
		b.add(&ch.Hidden[i])
		handOver(i)
	}
	if b.err != nil {
		return nil
	}
	ix.chunks = append(ix.chunks, b.arena())
	ix.labelPos, ix.groupPos = b.labelPos, b.groupPos
	// The fresh rows are compared as rows of ix: put them there first,
	// after old's, then merge by position.
	ix.rows = appendInSteps(old.rows, b.rows)
	ix.hays = appendInSteps(old.hays, b.hays)
	n0 := int32(len(old.rows))
	freshVis := make([]int32, fresh)
	freshHid := make([]int32, len(b.rows)-fresh)
	for i := range freshVis {
		freshVis[i] = n0 + int32(i)
	}
	for i := range freshHid {
		freshHid[i] = n0 + int32(fresh+i)
	}
	slices.SortFunc(freshVis, ix.compareRows)
	slices.SortFunc(freshHid, ix.compareRows)

	gone := make(map[string]bool, len(ch.Removed)+len(ch.Contacts))
	for _, j := range ch.Removed {
		gone[j] = true
	}
	for i := range ch.Contacts {
		gone[ch.Contacts[i].JID] = true
	}
	vis := int32(old.visible())
	order := make([]int32, 0, len(ix.rows))
	order = ix.merge(order, 0, vis, gone, freshVis)
	total := len(order)
	order = ix.merge(order, vis, n0, gone, freshHid)
	rows, hays := make([]row, len(order)), make([]span, len(order))
	for pos, i := range order {
		rows[pos], hays[pos] = ix.rows[i], ix.hays[i]
		handOver(pos)
	}
	ix.rows, ix.hays = rows, hays
	ix.total, ix.hidden = total, len(order)-total
	if len(ix.chunks) > maxChunks {
		ix.relayout()
	}
	return ix
}

// merge appends to order the rows of ix from..to (in name order) but
// those gone, merged in name order with fresh (rows of ix, sorted).
func (ix *index) merge(order []int32, from, to int32, gone map[string]bool, fresh []int32) []int32 {
	j := 0
	for i := from; i < to; i++ {
		handOver(int(i))
		if len(gone) > 0 && gone[ix.jid(i)] {
			continue
		}
		for j < len(fresh) && ix.compareRows(fresh[j], i) < 0 {
			order = append(order, fresh[j])
			j++
		}
		order = append(order, i)
	}
	return append(order, fresh[j:]...)
}

// appendInSteps is append(slices.Clip(old), more...) for the big slices of
// an index, copied a copyStep at a time with a chance to stop in between.
// A goroutine is not stopped inside one copy: appending a million rows
// (40 MB, in pages the system had yet to hand over) held the runtime's
// stop of every goroutine for a collection 150 ms, and every key with it
// (BenchmarkKeysDuringSync).
func appendInSteps[T any](old, more []T) []T {
	out := make([]T, len(old)+len(more))
	copyInSteps(out, old)
	copyInSteps(out[len(old):], more)
	return out
}

// copyInSteps is copy(dst, src) in steps of copyStep bytes, yielding the
// processor between them (runtime.Gosched): a waiting goroutine, or the
// collector asking every goroutine to stop, gets its turn.
func copyInSteps[T any](dst, src []T) {
	var zero T
	step := max(1, copyStep/max(1, int(unsafe.Sizeof(zero))))
	for len(src) > 0 {
		k := min(step, len(src))
		copy(dst[:k], src[:k])
		dst, src = dst[k:], src[k:]
		runtime.Gosched()
	}
}

// copyStep is how many bytes copyInSteps copies at a time: a fraction of
// a millisecond, even in fresh pages.
const copyStep = 256 << 10
