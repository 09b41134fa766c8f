// Building the contact index: rows from contacts, one at a time, into
// arenas (builder); the whole book streamed from the service (fullIndex),
// the first page (previewIndex). Tests and benchmarks build from a
// snapshot (buildIndex, indexbuild_test.go).
package ui

import (
	"cmp"
	"context"
	"errors"
	"math"
	"slices"
	"strings"

	"github.com/wabook/wabook/model"
)

// builder makes rows from contacts, copying what a row keeps into its
// arenas and the index's tables: it never holds a contact, so the whole
// book is read one reused contact at a time (app.Service.ReadBook).
type builder struct {
	ix        *index // the tables and the chunks the rows are added to
	chunk     uint8  // the chunk this builder writes: len(ix.chunks) when done
	text, hay strings.Builder
	rows      []row
	hays      []span
	// labelPos and groupPos are ix.labelNames' and ix.groupJIDs' positions
	// by name; owned says they are this builder's own (a refresh shares
	// the old index's until it adds a name: copy on write).
	labelPos map[string]uint16
	groupPos map[string]uint32
	owned    bool
	// sortOwned: ix.sortNames is this builder's own (ownSortNames).
	sortOwned bool
	err       error
}

// errTooManyLabels: a label position is a uint16.
var errTooManyLabels = errors.New("more than 65 535 label names in the address book")

// maxChunks is how many arenas refreshes may stack up before the next one
// copies every row's strings into one (relayout): a row names its chunk
// in a byte, and a search reads the arenas in row order.
const maxChunks = 32

// newBuilder starts the rows of a whole read.
func newBuilder() *builder {
	return &builder{ix: &index{}, labelPos: map[string]uint16{}, groupPos: map[string]uint32{}, owned: true}
}

// reserve sizes the builder for about n contacts, so that reading a big
// book does not grow its arenas and rows by doubling: each growth copies
// everything so far and leaves the old copy to the collector, which at a
// million contacts (hundreds of megabytes allocated in a few seconds, near
// the memory limit, MemoryLimit) makes the garbage collector take time
// from the UI. The sizes are the averages of the generated books (51 bytes
// of text, 44 of search text, one label and one group a contact), a little
// over; finish's relayout copies them to their exact size.
func (b *builder) reserve(n int) {
	if n <= 0 {
		return
	}
	n += n / 32
	b.rows = slices.Grow(b.rows, n)
	b.hays = slices.Grow(b.hays, n)
	b.text.Grow(56 * n)
	b.hay.Grow(48 * n)
	b.ix.labelRefs = slices.Grow(b.ix.labelRefs, n)
	b.ix.groupRefs = slices.Grow(b.ix.groupRefs, n)
}

// clip16 cuts s to what a uint16 length holds (a JID or a phone: never
// that long).
func clip16(s string) string { return s[:min(len(s), math.MaxUint16)] }

// add makes c's row.
func (b *builder) add(c *model.Contact) {
	ix := b.ix
	display := c.DisplayName()
	name := model.Sanitize(display)
	jid, phone := clip16(c.JID), clip16(c.Phone)
	r := row{key: nameKey(display), chunk: b.chunk, text: uint32(b.text.Len()),
		jidN: uint16(len(jid)), phoneN: uint16(len(phone)), nameN: uint32(len(name))}
	b.text.WriteString(jid)
	b.text.WriteString(phone)
	b.text.WriteString(name)

	set := func(f rowFlags, on bool) {
		if on {
			r.flags |= f
		}
	}
	set(fBlocked, c.IsBlocked)
	set(fBusiness, c.IsBusiness)
	set(fInternal, c.IsInternal)
	set(fSaved, c.IsMyContact)
	set(fWA, c.IsWAContact)
	set(fHidden, c.Hidden)
	set(fBlockPending, c.BlockPending > 0)
	set(fUnblockPending, c.BlockPending < 0)
	set(fNumberOnly, numberOnly(c))
	set(fSanitised, name != display)
	if name != display {
		b.ownSortNames()
		b.ix.sortNames[c.JID] = display
	}
	switch c.Source {
	case model.SourceWhatsApp:
	case model.SourceLocal:
		r.flags |= fSourceLocal
	case model.SourceImport:
		r.flags |= fSourceImport
	default:
		r.flags |= fSourceOther
	}
	r.check = checkOther
	if i := slices.Index(checkCodes[:], c.CheckStatus); i >= 0 {
		r.check = uint8(i)
	}
	if u := c.UpdatedAt.Unix(); u > 0 {
		r.updated = uint32(min(u, math.MaxUint32))
	}

	r.labels, r.nLabels = uint32(len(ix.labelRefs)), uint16(min(len(c.Labels), math.MaxUint16))
	for _, l := range c.Labels[:r.nLabels] {
		ix.labelRefs = append(ix.labelRefs, b.labelRef(l))
	}
	r.groups, r.nGroups = uint32(len(ix.groupRefs)), uint16(min(len(c.Groups), math.MaxUint16))
	for _, g := range c.Groups[:r.nGroups] {
		ix.groupRefs = append(ix.groupRefs, b.groupRef(g))
	}

	at := b.hay.Len()
	model.WriteShortHaystack(&b.hay, c)
	n := min(b.hay.Len()-at, spanLen)
	b.rows = append(b.rows, r)
	b.hays = append(b.hays, span{uint32(at), uint32(n) | uint32(b.chunk)<<24})
}

// numberOnly is whether c is known only by number (its display name is
// its phone or JID): the database's sort_name says so when every name is
// empty (migration 4), and so does this, even for a name that is the
// phone.
func numberOnly(c *model.Contact) bool {
	return c.FullName == "" && c.FirstName == "" && c.PushName == "" && c.BusinessName == "" && c.VerifiedName == ""
}

// ownSortNames makes the index's sortNames its own before a name is added
// (a refresh shares the old index's until then).
func (b *builder) ownSortNames() {
	if !b.sortOwned {
		b.ix.sortNames, b.sortOwned = maps(b.ix.sortNames), true
	}
}

// own makes the position maps the builder's own before it adds a name.
func (b *builder) own() {
	if !b.owned {
		b.labelPos, b.groupPos, b.owned = maps(b.labelPos), maps(b.groupPos), true
	}
}

func maps[K comparable, V any](m map[K]V) map[K]V {
	out := make(map[K]V, len(m)+8)
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (b *builder) labelRef(name string) uint16 {
	if p, ok := b.labelPos[name]; ok {
		return p
	}
	if len(b.ix.labelNames) > math.MaxUint16 {
		b.err = errTooManyLabels
		return 0
	}
	b.own()
	p := uint16(len(b.ix.labelNames))
	b.ix.labelNames = append(b.ix.labelNames, strings.Clone(name))
	b.labelPos[b.ix.labelNames[p]] = p
	return p
}

func (b *builder) groupRef(jid string) uint32 {
	if p, ok := b.groupPos[jid]; ok {
		return p
	}
	b.own()
	p := uint32(len(b.ix.groupJIDs))
	b.ix.groupJIDs = append(b.ix.groupJIDs, strings.Clone(jid))
	b.groupPos[b.ix.groupJIDs[p]] = p
	return p
}

// arena is the chunk the builder wrote, its buffers cut to size when
// growing left them much larger.
func (b *builder) arena() chunk {
	exact := func(sb *strings.Builder) string {
		if sb.Cap() <= sb.Len()+sb.Len()/8 {
			return sb.String()
		}
		return strings.Clone(sb.String())
	}
	return chunk{exact(&b.text), exact(&b.hay)}
}

// finish lays the rows out in name order, hidden ones last, with one
// arena in that order (a search walks it from start to end), and fills in
// the labels and groups of the read.
func (b *builder) finish(labels []model.Label, groups []model.Group) (*index, error) {
	if b.err != nil {
		return nil, b.err
	}
	ix := b.ix
	ix.chunks = []chunk{{b.text.String(), b.hay.String()}}
	b.text, b.hay = strings.Builder{}, strings.Builder{}
	ix.rows, ix.hays = b.rows, b.hays
	// Sort compact (key, row) pairs: most comparisons end on the key and
	// never leave this array.
	type sortItem struct {
		key uint64
		i   int32
	}
	perm := make([]sortItem, len(ix.rows))
	hidden := 0
	for i := range ix.rows {
		r := &ix.rows[i]
		key := r.key
		if r.flags&fNumberOnly != 0 {
			key = math.MaxUint64
		}
		if r.flags&fHidden != 0 {
			hidden++
		}
		perm[i] = sortItem{key, int32(i)}
	}
	isHidden := func(i int32) bool { return ix.rows[i].flags&fHidden != 0 }
	slices.SortFunc(perm, func(a, b sortItem) int {
		if ha, hb := isHidden(a.i), isHidden(b.i); ha != hb {
			if ha {
				return 1
			}
			return -1
		}
		if a.key != b.key {
			return cmp.Compare(a.key, b.key)
		}
		// Same first bytes: the whole name, then the JID, as compareRows
		// does: a refresh merges changed contacts into this order with it.
		return cmp.Or(compareLower(ix.sortName(a.i), ix.sortName(b.i)), strings.Compare(ix.jid(a.i), ix.jid(b.i)))
	})
	src := func(p sortItem) int { return int(p.i) }
	permuteInPlace(ix.rows, perm, src)
	permuteInPlace(ix.hays, perm, src)
	ix.relayout()
	ix.hidden = hidden
	ix.total = len(ix.rows) - hidden
	ix.labelPos, ix.groupPos = b.labelPos, b.groupPos
	ix.packGroupJIDs()
	ix.packSortNames()
	ix.setLabels(labels)
	ix.setGroups(groups)
	return ix, nil
}

// relayout copies every row's strings into one new arena, and its label
// and group positions into new backing slices, in row order: a search
// reads them from start to end, and what rows removed since held is let
// go.
func (ix *index) relayout() {
	var textN, hayN, labelN, groupN int
	for i := range ix.rows {
		r := &ix.rows[i]
		textN += int(r.jidN) + int(r.phoneN) + int(r.nameN)
		hayN += int(ix.hays[i].n & spanLen)
		labelN += int(r.nLabels)
		groupN += int(r.nGroups)
	}
	var text, hay strings.Builder
	text.Grow(textN)
	hay.Grow(hayN)
	labelRefs, groupRefs := make([]uint16, 0, labelN), make([]uint32, 0, groupN)
	for i := range ix.rows {
		handOver(i)
		r := &ix.rows[i]
		s := ix.chunks[r.chunk].text[r.text : r.text+uint32(r.jidN)+uint32(r.phoneN)+r.nameN]
		r.text, r.chunk = uint32(text.Len()), 0
		text.WriteString(s)
		h := ix.hay(int32(i))
		ix.hays[i] = span{uint32(hay.Len()), uint32(len(h))}
		hay.WriteString(h)
		at := uint32(len(labelRefs))
		labelRefs = append(labelRefs, ix.labelRefs[r.labels:r.labels+uint32(r.nLabels)]...)
		r.labels = at
		at = uint32(len(groupRefs))
		groupRefs = append(groupRefs, ix.groupRefs[r.groups:r.groups+uint32(r.nGroups)]...)
		r.groups = at
	}
	ix.chunks = []chunk{{text.String(), hay.String()}}
	ix.labelRefs, ix.groupRefs = labelRefs, groupRefs
}

// setLabels and setGroups install a read's labels and groups and what is
// looked up by them.
func (ix *index) setLabels(labels []model.Label) {
	ix.labels = labels
	ix.labelColor = make(map[string]int, len(labels))
	for _, l := range labels {
		ix.labelColor[strings.ToLower(l.Name)] = l.Color
	}
}

// setGroups' strings are copied into one allocation (packStrings): read from
// the database one by one, each its own small allocation, at the end of a
// read that allocated hundreds of megabytes of short-lived ones, they land
// one or two to a span of the heap's, and kept those spans in use after
// the read's garbage was collected: at a million contacts (20 000 groups)
// 76 MB of the heap in use held no live object, which the memory limit
// counts (Memory).
func (ix *index) setGroups(groups []model.Group) {
	packed := make([]model.Group, len(groups))
	strs := make([]string, 0, 2*len(groups))
	for _, g := range groups {
		strs = append(strs, g.JID, model.Sanitize(g.Name))
	}
	strs = packStrings(strs)
	ix.groupNames = make(map[string]string, len(groups))
	for i, g := range groups {
		// The list reads a group's JID, name and count (Participants
		// are not read with the book).
		packed[i] = model.Group{JID: strs[2*i], Name: strs[2*i+1], ParticipantCount: g.ParticipantCount}
		ix.groupNames[packed[i].JID] = packed[i].Name
	}
	ix.groups = packed
}

// packStrings copies strs into one allocation and returns them as slices
// of it, in place.
func packStrings(strs []string) []string {
	n := 0
	for _, s := range strs {
		n += len(s)
	}
	var sb strings.Builder
	sb.Grow(n)
	for _, s := range strs {
		sb.WriteString(s)
	}
	all, at := sb.String(), 0
	for i, s := range strs {
		strs[i] = all[at : at+len(s)]
		at += len(s)
	}
	return strs
}

// packSortNames copies the names and JIDs of sortNames (slices of the
// rows the read met them in, which they kept whole) into one allocation,
// for the reason setGroups gives.
func (ix *index) packSortNames() {
	if len(ix.sortNames) == 0 {
		return
	}
	strs := make([]string, 0, 2*len(ix.sortNames))
	for jid, name := range ix.sortNames {
		strs = append(strs, jid, name)
	}
	strs = packStrings(strs)
	ix.sortNames = make(map[string]string, len(strs)/2)
	for i := 0; i < len(strs); i += 2 {
		ix.sortNames[strs[i]] = strs[i+1]
	}
}

// packGroupJIDs copies the group JIDs rows name (groupJIDs, cloned one by
// one as the read met them: setGroups says why that is costly) into one
// allocation, with groupPos keyed by the new strings. Only for an index
// whose builder owns them (a whole read).
func (ix *index) packGroupJIDs() {
	ix.groupJIDs = packStrings(ix.groupJIDs)
	ix.groupPos = make(map[string]uint32, len(ix.groupJIDs))
	for p, jid := range ix.groupJIDs {
		ix.groupPos[jid] = uint32(p)
	}
}

// permuteInPlace reorders xs so that xs[pos] becomes the old xs[src(order[pos])],
// following each cycle once.
func permuteInPlace[T, P any](xs []T, order []P, src func(P) int) {
	done := make([]bool, len(xs))
	for start := range xs {
		if done[start] {
			continue
		}
		saved := xs[start]
		j := start
		for {
			done[j] = true
			k := src(order[j])
			if k == start {
				xs[j] = saved
				break
			}
			xs[j] = xs[k]
			j = k
		}
	}
}

// fullIndex reads the whole mirror, one contact at a time, into an index
// for display and search: the book is never held as model.Contacts.
func fullIndex(ctx context.Context, svc Service) (*index, error) {
	b := newBuilder()
	// The book's size (kept by triggers: no scan) sizes the builder; without
	// it the builder grows as it reads.
	if n, err := svc.BookSize(ctx); err == nil {
		b.reserve(n)
	}
	snap, err := svc.ReadBook(ctx, func(c *model.Contact) error {
		handOver(len(b.rows))
		b.add(c)
		return b.err
	})
	if err != nil {
		return nil, err
	}
	ix, err := b.finish(snap.Labels, snap.Groups)
	if err != nil {
		return nil, err
	}
	ix.labelSync = svc.LabelSyncEnabled()
	ix.mark = snap.Mark
	return ix, nil
}
