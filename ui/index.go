// The contact index: the list's contacts in name order as compact rows,
// their search texts, the sort orders, and the rows a search leaves;
// built off the Update path and shared read-only (indexes.go). Why rows
// and arenas rather than a model.Contact each: ARCHITECTURE.md, "The
// contact index".
package ui

import (
	"cmp"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

// row is one contact as the list keeps it: fixed width, no pointer, so
// 1 000 000 of them are one allocation the garbage collector never scans.
// Its strings live in the index's arenas (chunk); its labels and groups
// are positions in the index's tables, kept in shared backing slices.
type row struct {
	key     uint64 // name's first bytes, folded: most comparisons end here
	text    uint32 // where its JID, phone and name start, in that order, in the chunk's text
	nameN   uint32
	labels  uint32 // offset of its label positions in index.labelRefs
	groups  uint32 // offset of its group positions in index.groupRefs
	updated uint32 // UpdatedAt, Unix seconds
	jidN    uint16
	phoneN  uint16
	nLabels uint16
	nGroups uint16
	flags   rowFlags
	check   uint8 // checkCodes
	chunk   uint8 // index.chunks
}

// rowFlags are a row's yes-or-no facts.
type rowFlags uint16

const (
	fBlocked rowFlags = 1 << iota
	fBusiness
	fInternal
	fSaved // in the phone's address book
	fWA    // on WhatsApp
	fHidden
	fBlockPending   // a block waits for WhatsApp
	fUnblockPending // an unblock does
	fNumberOnly     // known by number only: sorts after every name
	fSourceLocal
	fSourceImport
	fSourceOther // neither WhatsApp's, local nor imported: Source ""
	// fSanitised: the display name as stored is not the name kept
	// (model.Sanitize changed it); Book.NameIsExact.
	fSanitised
)

// factFlags are the flags of model's facts (model.Facts).
var factFlags = [...]rowFlags{
	model.FactBlocked: fBlocked, model.FactBusiness: fBusiness, model.FactInternal: fInternal,
	model.FactSaved: fSaved, model.FactWA: fWA, model.FactHidden: fHidden,
}

// checkCodes are the check statuses a row keeps as a number; a status not
// among them (none is known) keeps checkOther, which no check: term asks
// for.
var checkCodes = [...]string{"", model.CheckValid, model.CheckInvalid, model.CheckFailed, model.CheckProcessing}

const checkOther = uint8(len(checkCodes))

// span is a row's search text in its chunk's hay: off, and the length in
// the low 24 bits of n with the chunk in the high 8, so that a search
// reads only spans and haystacks, never the rows.
type span struct{ off, n uint32 }

const spanLen = 1<<24 - 1

// chunk is an arena: the text (JIDs, phones, names) and the search texts
// of the rows built with it. A whole read makes one; each refresh adds
// one for the changed contacts (applyChanges) rather than copying the
// others.
type chunk struct{ text, hay string }

// index is a prepared snapshot: rows plus lookups for labels and groups.
type index struct {
	rows      []row
	hays      []span // each row's search text (model.Haystack)
	chunks    []chunk
	labelSync bool     // the label-sync setting when this was read
	mark      app.Mark // the mirror's changes it reflects (Indexes)

	// labelNames and groupJIDs are what rows' positions name: every label
	// name and group JID a row carries, each once. They only grow while
	// refreshes build on an index (a renamed label's old name stays for
	// the rows read with it); a whole read starts them again.
	labelNames []string
	labelRefs  []uint16
	groupJIDs  []string
	groupRefs  []uint32
	// labelPos and groupPos are positions in labelNames and groupJIDs by
	// name, for the refreshes that build on this index; shared, read-only.
	labelPos map[string]uint16
	groupPos map[string]uint32
	// sortNames are the stored display names of the rows whose name
	// sanitising changed (fSanitised), by JID: few, and what they sort by
	// (sortName). Shared, read-only; a refresh adds to a copy.
	sortNames map[string]string

	total int // contacts not hidden
	// hidden is how many rows, at the end, are hidden contacts (in name
	// order after the others): only a search with is:hidden shows them
	// (index.among).
	hidden int
	// A preview holds only the first page in name order, so the first
	// frame does not wait for 100 000 contacts to be sorted, or another
	// window of the list read from the database (window.go); the full
	// index is read in the background (completeIndex).
	preview    bool
	win        window // a preview's place in the list
	labels     []model.Label
	groups     []model.Group
	labelColor map[string]int    // lowercased label name → colour
	groupNames map[string]string // group JID → sanitised name
}

// The row's strings, without copying: slices of its chunk.
func (ix *index) jid(i int32) string {
	r := &ix.rows[i]
	return ix.chunks[r.chunk].text[r.text : r.text+uint32(r.jidN)]
}

func (ix *index) phone(i int32) string {
	r := &ix.rows[i]
	at := r.text + uint32(r.jidN)
	return ix.chunks[r.chunk].text[at : at+uint32(r.phoneN)]
}

// name is the sanitised display name.
func (ix *index) name(i int32) string {
	r := &ix.rows[i]
	at := r.text + uint32(r.jidN) + uint32(r.phoneN)
	return ix.chunks[r.chunk].text[at : at+r.nameN]
}

// hay is the row's search text (model.WriteShortHaystack).
func (ix *index) hay(i int32) string {
	s := ix.hays[i]
	return ix.chunks[s.n>>24].hay[s.off : s.off+s.n&spanLen]
}

// labelsOf appends the row's label names, in label order, to dst.
func (ix *index) labelsOf(dst []string, i int32) []string {
	r := &ix.rows[i]
	for _, p := range ix.labelRefs[r.labels : r.labels+uint32(r.nLabels)] {
		dst = append(dst, ix.labelNames[p])
	}
	return dst
}

// groupsOf appends the JIDs of the row's groups to dst.
func (ix *index) groupsOf(dst []string, i int32) []string {
	r := &ix.rows[i]
	for _, p := range ix.groupRefs[r.groups : r.groups+uint32(r.nGroups)] {
		dst = append(dst, ix.groupJIDs[p])
	}
	return dst
}

// find is the position of the row whose JID is jid, -1 when none.
func (ix *index) find(jid string) int32 {
	for i := range ix.rows {
		if ix.jid(int32(i)) == jid {
			return int32(i)
		}
	}
	return -1
}

// contact is the row as a model.Contact, for the actions on a selection
// (labels, delete, hide, block, check): what a row keeps, no more. The
// display name stands as FullName (DisplayName gives it back); the fields
// a row does not keep (other names, note, LID, about, times but Updated)
// are empty: the detail view and the edit form read the contact whole
// (readContact).
func (ix *index) contact(i int32) *model.Contact {
	r := &ix.rows[i]
	c := &model.Contact{
		JID: ix.jid(i), Phone: ix.phone(i), FullName: ix.name(i),
		IsBlocked: r.flags&fBlocked != 0, IsBusiness: r.flags&fBusiness != 0,
		IsInternal: r.flags&fInternal != 0, IsMyContact: r.flags&fSaved != 0,
		IsWAContact: r.flags&fWA != 0, Hidden: r.flags&fHidden != 0,
		Source: model.SourceWhatsApp, CheckStatus: (&rowFacts{ix: ix, i: i}).CheckedAs(),
		Labels: ix.labelsOf(nil, i), Groups: ix.groupsOf(nil, i),
	}
	switch {
	case r.flags&fBlockPending != 0:
		c.BlockPending = 1
	case r.flags&fUnblockPending != 0:
		c.BlockPending = -1
	}
	switch {
	case r.flags&fSourceLocal != 0:
		c.Source = model.SourceLocal
	case r.flags&fSourceImport != 0:
		c.Source = model.SourceImport
	case r.flags&fSourceOther != 0:
		c.Source = ""
	}
	return c
}

// compareRows orders rows by name as the database orders them
// (store.OrderName: the sort_name column, then the JID), so that a page
// read from the database before this index is built holds the rows this
// index puts there: named contacts first, by the display name as stored
// with ASCII letters lowered (SQLite's lower()) compared byte by byte,
// then those known only by number, then by JID.
func (ix *index) compareRows(a, b int32) int {
	ra, rb := &ix.rows[a], &ix.rows[b]
	if an, bn := ra.flags&fNumberOnly, rb.flags&fNumberOnly; an != bn {
		if an != 0 {
			return 1
		}
		return -1
	}
	if ra.key != rb.key {
		return cmp.Compare(ra.key, rb.key)
	}
	return cmp.Or(compareLower(ix.sortName(a), ix.sortName(b)), strings.Compare(ix.jid(a), ix.jid(b)))
}

// sortName is the name a row sorts by: the display name as stored. A row
// keeps the sanitised name (model.Sanitize); for the few rows sanitising
// changed, sortNames keeps the stored one.
func (ix *index) sortName(i int32) string {
	if ix.rows[i].flags&fSanitised != 0 {
		if s, ok := ix.sortNames[ix.jid(i)]; ok {
			return s
		}
	}
	return ix.name(i)
}

// nameKey packs the first eight bytes of a name, ASCII letters lowered, into
// a number whose order is the names' order (compareLower).
func nameKey(name string) uint64 {
	var k uint64
	for i := 0; i < 8; i++ {
		var b byte
		if i < len(name) {
			b = lowerASCII(name[i])
		}
		k = k<<8 | uint64(b)
	}
	return k
}

func lowerASCII(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

// compareLower compares two strings as SQLite compares their lower():
// byte by byte, ASCII letters lowered and every other byte as it is,
// without allocating.
func compareLower(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if x, y := lowerASCII(a[i]), lowerASCII(b[i]); x != y {
			return cmp.Compare(x, y)
		}
	}
	return cmp.Compare(len(a), len(b))
}

// visible is how many rows, at the start, are contacts not hidden.
func (ix *index) visible() int { return len(ix.rows) - ix.hidden }

// among is the part of order (the rows in a display order, hidden ones
// last) a query looks among: the hidden contacts for one with is:hidden,
// the others otherwise.
func (ix *index) among(order []int32, wantsHidden bool) []int32 {
	if wantsHidden {
		return order[ix.visible():]
	}
	return order[:ix.visible()]
}

// flagText is the words after a row's name (blocked, business, a block
// waiting, hidden): fixed strings, so a frame allocates nothing for them.
func (ix *index) flagText(i int32) string {
	f := ix.rows[i].flags
	n := 0
	if f&fBlocked != 0 {
		n |= 1
	}
	if f&fBusiness != 0 {
		n |= 2
	}
	switch {
	case f&fBlockPending != 0:
		n |= 4
	case f&fUnblockPending != 0:
		n |= 8
	}
	if f&fHidden != 0 {
		return hiddenFlagTexts[n]
	}
	return flagTexts[n]
}

// sortedOrder is the order of ix's rows for a sort mode, the hidden ones
// last (index.among). It only reads ix, so a refresh computes it off the
// Update path (prepareView).
func sortedOrder(ix *index, sort sortMode) []int32 {
	order := make([]int32, len(ix.rows))
	for i := range order {
		order[i] = int32(i)
	}
	rs := ix.rows
	var less func(a, b int32) int
	if sort == ix.win.laidOut {
		// The rows are in that order already: name order for a whole
		// index, a window's own order for a window.
		return order
	}
	switch sort {
	case sortByRecent:
		less = func(a, b int32) int {
			return cmp.Or(cmp.Compare(rs[b].updated, rs[a].updated), ix.compareRows(a, b))
		}
	case sortByChats:
		less = func(a, b int32) int {
			return cmp.Or(cmp.Compare(rs[b].nGroups, rs[a].nGroups), ix.compareRows(a, b))
		}
	case sortByPhone:
		less = func(a, b int32) int { return cmp.Or(strings.Compare(ix.phone(a), ix.phone(b)), ix.compareRows(a, b)) }
	default:
		less = ix.compareRows
	}
	slices.SortFunc(order[:ix.visible()], less)
	slices.SortFunc(order[ix.visible():], less)
	return order
}

// filtered is what a search text leaves of candidates (rows of ix, in
// order): the rows, the parsed query and its error ("" when it parsed).
func filtered(ix *index, text string, candidates []int32) ([]int32, model.Query, string) {
	q, err := model.ParseQuery(text)
	queryErr := ""
	if err != nil {
		queryErr = err.Error()
	}
	matcher := q.Compile(ix.labels, ix.groups)
	if matcher.Empty() {
		return nil, q, queryErr
	}
	return matchRowsBeside(ix, matcher, candidates), q, queryErr
}

// matchRows is the candidates (rows of ix, in order) matcher, not empty,
// lets through, matched on the Update path.
func matchRows(ix *index, matcher *model.Matcher, candidates []int32) []int32 {
	return matchRowsSplit(ix, matcher, candidates, splitFrom, false)
}

// matchRowsBeside is matchRows in a command, beside the UI: it hands its
// processor over now and then (handOver).
func matchRowsBeside(ix *index, matcher *model.Matcher, candidates []int32) []int32 {
	return matchRowsSplit(ix, matcher, candidates, splitFrom, true)
}

// matchRowsSplit is matchRows with a part of at least split candidates
// for each goroutine matching them; beside says it runs in a command
// (matchRowsBeside).
func matchRowsSplit(ix *index, matcher *model.Matcher, candidates []int32, split int, beside bool) []int32 {
	shown := make([]int32, 0, min(len(candidates), max(64, len(candidates)/4)))
	f := &rowFacts{ix: ix} // one value for every row: no allocation per row
	if word := matcher.Anchor(); word != "" && len(ix.chunks) == 1 && isRange(candidates) {
		return scanArena(ix, matcher, word, candidates, f, shown, beside)
	}
	parts := min(runtime.GOMAXPROCS(0), len(candidates)/split)
	if parts <= 1 {
		return matchEach(ix, matcher, candidates, f, shown, beside)
	}
	// Without a word to look for, each row is matched on its own: split
	// among the processors (a label: or is: search of a million rows,
	// about 20 ms on one), in order.
	found := make([][]int32, parts)
	var wg sync.WaitGroup
	for p := range parts {
		part := candidates[len(candidates)*p/parts : len(candidates)*(p+1)/parts]
		wg.Go(func() { found[p] = matchEach(ix, matcher, part, &rowFacts{ix: ix}, nil, beside) })
	}
	wg.Wait()
	for _, rows := range found {
		shown = append(shown, rows...)
	}
	return shown
}

// splitFrom is how many candidates make a part worth a goroutine of its
// own in matchRows.
const splitFrom = 100_000

// matchEach appends to shown the candidates matcher lets through, one by
// one; f is the facts value it reuses for every row.
func matchEach(ix *index, matcher *model.Matcher, candidates []int32, f *rowFacts, shown []int32, beside bool) []int32 {
	for k, i := range candidates {
		if beside {
			handOver(k)
		}
		f.i = i
		if matcher.MatchFacts(f, ix.hay(i)) {
			shown = append(shown, i)
		}
	}
	return shown
}

// isRange reports whether rows are consecutive rows of an index, in
// order (a search in name order among every row, or every hidden one).
func isRange(rows []int32) bool {
	for k, i := range rows {
		if i != rows[0]+int32(k) {
			return false
		}
	}
	return len(rows) > 0
}

// scanArena is filtered's way for a query with a word every match has
// (model.Matcher.Anchor) when the candidates are consecutive rows and
// their search texts lie in one arena in the same order (one chunk: a
// whole read, a preview, a refresh that laid everything out again): the
// arena is searched for the word at once, and only the rows it is found
// in are matched, which skips most rows without looking at them.
func scanArena(ix *index, m *model.Matcher, word string, rows []int32, f *rowFacts, shown []int32, beside bool) []int32 {
	hay := ix.chunks[0].hay
	end := func(i int32) uint32 { return ix.hays[i].off + ix.hays[i].n&spanLen }
	i, last := rows[0], rows[len(rows)-1]
	pos, stop := ix.hays[i].off, end(last)
	for step := 0; pos < stop; step++ {
		if beside {
			handOver(step)
		}
		k := strings.Index(hay[pos:stop], word)
		if k < 0 {
			break
		}
		at := pos + uint32(k)
		for end(i) <= at { // the row whose search text holds at
			i++
		}
		if at < ix.hays[i].off { // between two rows' texts
			pos = ix.hays[i].off
			continue
		}
		if at+uint32(len(word)) <= end(i) {
			f.i = i
			if m.MatchFacts(f, ix.hay(i)) {
				shown = append(shown, i)
			}
		}
		// A match running into the next row's text means none in this
		// row from here on: go on from the next row.
		pos, i = end(i), i+1
		if i > last {
			break
		}
	}
	return shown
}

// listView is a contact list's order and rows for an index, prepared off
// the Update path when a refresh brings the index: installing it then costs
// no sort and no search.
type listView struct {
	ix       *index
	sort     sortMode
	query    string
	order    []int32
	shown    []int32 // nil: the query is empty, every row not hidden in order
	q        model.Query
	queryErr string
}

// prepareView sorts and filters ix for a list showing sort and query. It
// only reads ix.
func prepareView(ix *index, sort sortMode, query string) *listView {
	v := &listView{ix: ix, sort: sort, query: query, order: sortedOrder(ix, sort)}
	if strings.TrimSpace(query) == "" {
		return v
	}
	q, _ := model.ParseQuery(query)
	v.shown, v.q, v.queryErr = filtered(ix, query, ix.among(v.order, q.WantsHidden()))
	if v.shown == nil {
		v.shown = ix.among(v.order, false)
	}
	return v
}
