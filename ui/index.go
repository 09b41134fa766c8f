// The contact index: the entries of the list in name order, their search
// texts, the sort orders, and the rows a search leaves; built off the
// Update path and shared read-only (indexes.go).
package ui

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

// entry is one contact prepared for display: everything a frame or a search
// keystroke needs is computed once, when the snapshot arrives.
type entry struct {
	c          *model.Contact
	name       string // sanitised display name
	key        uint64 // name's first bytes, folded: most comparisons end here
	numberOnly bool   // known by number only: sorts after every name
	flags      string
}

// compareNames orders entries by name, case-insensitively, numbers last.
func compareNames(a, b *entry) int {
	if a.numberOnly != b.numberOnly {
		if a.numberOnly {
			return 1
		}
		return -1
	}
	if a.key != b.key {
		return cmp.Compare(a.key, b.key)
	}
	return cmp.Or(compareFold(a.name, b.name), strings.Compare(a.c.JID, b.c.JID))
}

// nameKey packs the first eight bytes of a name, ASCII letters lowered, into
// a number whose order is the names' order.
func nameKey(name string) uint64 {
	var k uint64
	for i := 0; i < 8; i++ {
		var b byte
		if i < len(name) {
			b = name[i]
			if 'A' <= b && b <= 'Z' {
				b += 'a' - 'A'
			}
		}
		k = k<<8 | uint64(b)
	}
	return k
}

// compareFold compares two strings rune by rune, ignoring case, without
// allocating.
func compareFold(a, b string) int {
	if a == b {
		return 0
	}
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if ra != rb {
			la, lb := unicode.ToLower(ra), unicode.ToLower(rb)
			if la != lb {
				return cmp.Compare(la, lb)
			}
		}
		a, b = a[na:], b[nb:]
	}
	return cmp.Compare(len(a), len(b))
}

// index is a prepared snapshot: entries plus lookups for labels and groups.
type index struct {
	entries   []entry
	hays      []string // model.Haystack per entry; nil until built
	labelSync bool     // the label-sync setting when this was read
	mark      app.Mark // the mirror's changes it reflects (Indexes)

	total int // contacts not hidden
	// hidden is how many entries, at the end, are hidden contacts (in
	// name order after the others): only a search with is:hidden shows
	// them (rows).
	hidden int
	// A preview holds only the first page in name order, so the first
	// frame does not wait for 100 000 contacts to be sorted; the full
	// index is read in the background (completeIndex).
	preview    bool
	labels     []model.Label
	groups     []model.Group
	labelColor map[string]int    // lowercased label name → colour
	groupNames map[string]string // group JID → sanitised name
}

// previewIndex picks the first n contacts in name order in one pass, without
// sorting the rest. Names are compared before sanitising; the full index,
// which sanitises, can differ only for names that start with control codes.
func previewIndex(snap *app.Snapshot, n int) *index {
	type candidate struct {
		key        uint64
		numberOnly bool
		name       string
		i          int
	}
	less := func(a, b *candidate) bool {
		if a.numberOnly != b.numberOnly {
			return b.numberOnly
		}
		if a.key != b.key {
			return a.key < b.key
		}
		return cmp.Or(compareFold(a.name, b.name), strings.Compare(snap.Contacts[a.i].JID, snap.Contacts[b.i].JID)) < 0
	}
	top := make([]candidate, 0, n+1)
	for i := range snap.Contacts {
		c := &snap.Contacts[i]
		name := c.DisplayName()
		cand := candidate{key: nameKey(name), numberOnly: name == c.Phone || name == c.JID, name: name, i: i}
		if len(top) == n && !less(&cand, &top[n-1]) {
			continue
		}
		pos, _ := slices.BinarySearchFunc(top, cand, func(e candidate, t candidate) int {
			if less(&e, &t) {
				return -1
			}
			return 1
		})
		top = slices.Insert(top, pos, cand)
		if len(top) > n {
			top = top[:n]
		}
	}
	ix := newIndex(snap, len(top))
	for pos, cand := range top {
		ix.entries[pos] = newEntry(&snap.Contacts[cand.i])
	}
	ix.preview = true
	return ix
}

func newIndex(snap *app.Snapshot, entries int) *index {
	ix := &index{
		entries:    make([]entry, entries),
		labels:     snap.Labels,
		groups:     snap.Groups,
		labelColor: make(map[string]int, len(snap.Labels)),
		groupNames: make(map[string]string, len(snap.Groups)),
		total:      len(snap.Contacts),
	}
	for _, l := range snap.Labels {
		ix.labelColor[strings.ToLower(l.Name)] = l.Color
	}
	for _, g := range snap.Groups {
		ix.groupNames[g.JID] = model.Sanitize(g.Name)
	}
	return ix
}

// visible is how many entries, at the start, are contacts not hidden.
func (ix *index) visible() int { return len(ix.entries) - ix.hidden }

// rows is the part of order (the entries in a display order, hidden ones
// last) a query looks among: the hidden contacts for one with is:hidden,
// the others otherwise.
func (ix *index) rows(order []int32, wantsHidden bool) []int32 {
	if wantsHidden {
		return order[ix.visible():]
	}
	return order[:ix.visible()]
}

func newEntry(c *model.Contact) entry {
	name := model.Sanitize(c.DisplayName())
	flags := 0
	if c.IsBlocked {
		flags |= 1
	}
	if c.IsBusiness {
		flags |= 2
	}
	text := flagTexts[flags]
	switch {
	case c.BlockPending > 0:
		text = pendingFlagTexts[flags|4]
	case c.BlockPending < 0:
		text = pendingFlagTexts[flags|8]
	}
	if c.Hidden {
		// Shown only by is:hidden, few: the word costs no frame anything.
		text = strings.TrimSuffix("hidden · "+text, " · ")
	}
	return entry{
		c:          c,
		name:       name,
		key:        nameKey(name),
		numberOnly: name == c.Phone || name == c.JID,
		flags:      text,
	}
}

// buildIndex prepares a snapshot for display. It runs in a command, off the
// Update path, because it touches every contact. Contacts are laid out in
// name order, the default sort, so a search keystroke walks memory in order
// instead of jumping around 100 000 structs. Search haystacks are built
// later, by buildHaystacks.
func buildIndex(snap *app.Snapshot) *index {
	ix := newIndex(snap, len(snap.Contacts)+len(snap.Hidden))
	unsorted := make([]entry, len(snap.Contacts))
	// Sort compact (key, index) pairs: most comparisons end on the key and
	// never leave this array.
	type sortItem struct {
		key uint64
		i   int32
	}
	perm := make([]sortItem, len(snap.Contacts))
	for i := range snap.Contacts {
		unsorted[i] = newEntry(&snap.Contacts[i])
		key := unsorted[i].key
		if unsorted[i].numberOnly {
			key = math.MaxUint64
		}
		perm[i] = sortItem{key, int32(i)}
	}
	slices.SortFunc(perm, func(a, b sortItem) int {
		if a.key != b.key {
			return cmp.Compare(a.key, b.key)
		}
		// Same first bytes: the whole name, then the JID, as compareNames
		// does: a refresh merges changed contacts into this order with it.
		return cmp.Or(compareFold(unsorted[a.i].name, unsorted[b.i].name), strings.Compare(unsorted[a.i].c.JID, unsorted[b.i].c.JID))
	})
	for pos, p := range perm {
		ix.entries[pos] = unsorted[p.i]
	}
	// Lay the contacts out in the same order, in place: a copy would hold
	// 100 000 contacts twice.
	permuteInPlace(snap.Contacts, perm, func(p sortItem) int { return int(p.i) })
	for pos := range snap.Contacts {
		ix.entries[pos].c = &snap.Contacts[pos]
	}
	// The hidden contacts, few, after the others.
	hidden := ix.entries[len(snap.Contacts):]
	for i := range snap.Hidden {
		hidden[i] = newEntry(&snap.Hidden[i])
	}
	slices.SortFunc(hidden, func(a, b entry) int { return compareNames(&a, &b) })
	ix.hidden = len(hidden)
	return ix
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

// buildHaystacks computes the search text of every entry.
func buildHaystacks(ix *index) []string {
	hays := make([]string, len(ix.entries))
	for i := range ix.entries {
		hays[i] = model.Haystack(ix.entries[i].c)
	}
	return hays
}

// sortedOrder is the order of ix's entries for a sort mode, the hidden
// ones last (index.rows). It only reads ix, so a refresh computes it off
// the Update path (prepareView).
func sortedOrder(ix *index, sort sortMode) []int32 {
	es := ix.entries
	order := make([]int32, len(es))
	for i := range order {
		order[i] = int32(i)
	}
	byName := func(a, b int32) int {
		return compareNames(&es[a], &es[b])
	}
	var less func(a, b int32) int
	switch sort {
	case sortByName:
		// buildIndex lays entries out in name order already.
		return order
	case sortByRecent:
		less = func(a, b int32) int {
			return cmp.Or(es[b].c.UpdatedAt.Compare(es[a].c.UpdatedAt), byName(a, b))
		}
	case sortByChats:
		less = func(a, b int32) int {
			return cmp.Or(cmp.Compare(len(es[b].c.Groups), len(es[a].c.Groups)), byName(a, b))
		}
	case sortByPhone:
		less = func(a, b int32) int { return cmp.Or(strings.Compare(es[a].c.Phone, es[b].c.Phone), byName(a, b)) }
	default:
		less = byName
	}
	slices.SortFunc(order[:ix.visible()], less)
	slices.SortFunc(order[ix.visible():], less)
	return order
}

// filtered is what a search text leaves of candidates (rows of ix, in
// order): the rows, the parsed query and its error ("" when it parsed).
// hays must be ix's haystacks when the query is not empty.
func filtered(ix *index, hays []string, text string, candidates []int32) ([]int32, model.Query, string) {
	q, err := model.ParseQuery(text)
	queryErr := ""
	if err != nil {
		queryErr = err.Error()
	}
	matcher := q.Compile(ix.labels, ix.groups)
	if matcher.Empty() {
		return nil, q, queryErr
	}
	shown := make([]int32, 0, min(len(candidates), max(64, len(candidates)/4)))
	es := ix.entries
	for _, i := range candidates {
		if matcher.Match(es[i].c, hays[i]) {
			shown = append(shown, i)
		}
	}
	return shown, q, queryErr
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
// only reads ix (and its haystacks, built by then for a refreshed index).
func prepareView(ix *index, sort sortMode, query string) *listView {
	v := &listView{ix: ix, sort: sort, query: query, order: sortedOrder(ix, sort)}
	if strings.TrimSpace(query) == "" || ix.hays == nil {
		return v
	}
	q, _ := model.ParseQuery(query)
	v.shown, v.q, v.queryErr = filtered(ix, ix.hays, query, ix.rows(v.order, q.WantsHidden()))
	if v.shown == nil {
		v.shown = ix.rows(v.order, false)
	}
	return v
}
