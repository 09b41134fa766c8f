package ui

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

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

// flagTexts are the words after a name, by blocked (1) and business (2);
// pendingFlagTexts the same while a block (4) or unblock (8) waits for
// WhatsApp. Fixed strings: an entry costs no allocation for them.
var (
	flagTexts        = [4]string{"", "blocked", "business", "blocked business"}
	pendingFlagTexts = map[int]string{
		4: "blocking…", 4 | 2: "business · blocking…", 4 | 1: "blocked",
		8 | 1: "blocked · unblocking…", 8 | 3: "blocked business · unblocking…", 8: "",
		4 | 3: "blocked business", 8 | 2: "business",
	}
)

// sortMode orders the list.
type sortMode int

const (
	sortByName sortMode = iota
	sortByRecent
	sortByChats
	sortByPhone
	sortModes
)

func (s sortMode) String() string {
	return [...]string{"name", "recently updated", "most chats", "phone"}[s]
}

// index is a prepared snapshot: entries plus lookups for labels and groups.
type index struct {
	entries   []entry
	hays      []string // model.Haystack per entry; nil until built
	labelSync bool     // the label-sync setting when this was read
	mark      app.Mark // the mirror's changes it reflects (Indexes)

	// A preview holds only the first page in name order, so the first frame
	// does not wait for 100 000 contacts to be sorted; the full index is
	// built from snap in the background.
	snap       *app.Snapshot
	total      int
	preview    bool // snap holds only the first page, not the whole book
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
		snap:       snap,
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
	ix := newIndex(snap, len(snap.Contacts))
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
	for pos := range ix.entries {
		ix.entries[pos].c = &snap.Contacts[pos]
	}
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

// contactList is the Contacts screen: a virtualised list that renders only
// the rows on screen, with search as you type, sort and multi-select.
type contactList struct {
	st   *Styles
	keys *KeyMap

	ix    *index
	shown []int32 // indexes into ix.entries, in display order
	// filteredBy is the search text shown was filtered with, "" when shown
	// is the whole list.
	filteredBy string
	filteredQ  model.Query
	order      []int32 // all entries in sort order
	cursor     int
	offset     int
	selected   map[string]bool // by JID
	sort       sortMode

	search    textinput.Model
	searching bool
	queryErr  string

	chips map[string]string // rendered chip per label name

	// openRequest is set by enter; the root opens the detail view. Navigation
	// stays synchronous so a key's effect is visible in the very next frame.
	openRequest *model.Contact

	width, height int
}

func newContactList(st *Styles, keys *KeyMap) *contactList {
	ti := newTextInput()
	ti.Prompt = "/ "
	ti.Placeholder = "search: words, label:vip, -label:x, group:team, is:blocked, check:valid"
	ti.CharLimit = 512
	return &contactList{
		st:       st,
		keys:     keys,
		ix:       &index{},
		selected: map[string]bool{},
		search:   ti,
		chips:    map[string]string{},
	}
}

// setIndex installs a new snapshot and keeps the cursor on the same contact.
func (m *contactList) setIndex(ix *index) { m.setIndexWith(ix, nil) }

// setIndexWith is setIndex using v, the order and rows prepared for ix off
// the Update path, when the list still shows what v was prepared for.
func (m *contactList) setIndexWith(ix *index, v *listView) {
	current := m.current()
	m.ix = ix
	m.chips = make(map[string]string, len(ix.labels))
	for _, l := range ix.labels {
		m.chips[strings.ToLower(l.Name)] = m.st.Chip(model.Sanitize(l.Name), l.Color)
	}
	// Forget selected contacts that no longer exist.
	if len(m.selected) > 0 {
		present := make(map[string]bool, len(m.selected))
		for i := range ix.entries {
			if m.selected[ix.entries[i].c.JID] {
				present[ix.entries[i].c.JID] = true
			}
		}
		m.selected = present
	}
	if text := m.search.Value(); v != nil && v.ix == ix && v.sort == m.sort && v.query == text &&
		(v.shown != nil || strings.TrimSpace(text) == "") {
		m.order, m.queryErr = v.order, v.queryErr
		m.shown, m.filteredBy, m.filteredQ = v.order, "", model.Query{}
		if v.shown != nil {
			m.shown, m.filteredBy, m.filteredQ = v.shown, text, v.q
		}
		m.clamp()
	} else {
		m.resort()
		m.refilter()
	}
	if current != nil {
		m.moveTo(current.JID)
	}
}

func (m *contactList) resort() {
	m.filteredBy = "" // the filtered rows were in the old order
	m.order = sortedOrder(m.ix, m.sort)
}

// sortedOrder is the order of ix's entries for a sort mode. It only reads
// ix, so a refresh computes it off the Update path (prepareView).
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
	slices.SortFunc(order, less)
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

// refilter applies the search box to the sorted list.
func (m *contactList) refilter() {
	text := m.search.Value()
	q, err := model.ParseQuery(text)
	if q.Compile(m.ix.labels, m.ix.groups).Empty() {
		m.shown, m.filteredBy, m.queryErr = m.order, "", ""
		if err != nil {
			m.queryErr = err.Error()
		}
		m.clamp()
		return
	}
	if m.ix.hays == nil {
		// A search came before the background build finished.
		m.ix.hays = buildHaystacks(m.ix)
	}
	// Typing on narrows: when the new text only adds to the old and nothing
	// is negated, every match is among the rows shown already.
	candidates := m.order
	if err == nil && m.filteredBy != "" && strings.HasPrefix(text, m.filteredBy) && q.Narrows(m.filteredQ) {
		candidates = m.shown
	}
	m.shown, m.filteredQ, m.queryErr = filtered(m.ix, m.ix.hays, text, candidates)
	m.filteredBy = text
	if err != nil {
		m.filteredBy = "" // a dropped term may come back: never narrow from here
	}
	m.clamp()
}

// listView is a contact list's order and rows for an index, prepared off
// the Update path when a refresh brings the index: installing it then costs
// no sort and no search.
type listView struct {
	ix       *index
	sort     sortMode
	query    string
	order    []int32
	shown    []int32 // nil: the query is empty, every row in order
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
	v.shown, v.q, v.queryErr = filtered(ix, ix.hays, query, v.order)
	if v.shown == nil {
		v.shown = v.order
	}
	return v
}

func (m *contactList) current() *model.Contact {
	if m.cursor < 0 || m.cursor >= len(m.shown) {
		return nil
	}
	return m.ix.entries[m.shown[m.cursor]].c
}

func (m *contactList) moveTo(jid string) {
	for pos, i := range m.shown {
		if m.ix.entries[i].c.JID == jid {
			m.cursor = pos
			m.clamp()
			return
		}
	}
}

func (m *contactList) listHeight() int { return max(1, m.height-2) } // search line + header

func (m *contactList) clamp() {
	m.cursor = max(0, min(m.cursor, len(m.shown)-1))
	h := m.listHeight()
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+h {
		m.offset = m.cursor - h + 1
	}
	m.offset = max(0, min(m.offset, len(m.shown)-h))
}

func (m *contactList) setSize(w, h int) {
	m.width, m.height = w, h
	m.search.SetWidth(max(10, w-4))
	m.clamp()
}

// selection returns the selected contacts, or the one under the cursor when
// nothing is selected.
func (m *contactList) selection() []*model.Contact {
	if len(m.selected) == 0 {
		if c := m.current(); c != nil {
			return []*model.Contact{c}
		}
		return nil
	}
	out := make([]*model.Contact, 0, len(m.selected))
	for i := range m.ix.entries {
		if m.selected[m.ix.entries[i].c.JID] {
			out = append(out, m.ix.entries[i].c)
		}
	}
	return out
}

// setQuery replaces the search text (used by the Labels screen).
func (m *contactList) setQuery(q string) {
	// Queries built from label names carry text strangers wrote.
	m.search.SetValue(model.Sanitize(q))
	m.search.CursorEnd()
	m.refilter()
	m.cursor, m.offset = 0, 0
}

// capturesKeys reports whether typed keys belong to the search box.
func (m *contactList) capturesKeys() bool { return m.searching }

func (m *contactList) Update(msg tea.Msg) tea.Cmd {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		if m.searching {
			// A paste is typing too: it filters like keys do.
			before := m.search.Value()
			var cmd tea.Cmd
			m.search, cmd = m.search.Update(msg)
			if m.search.Value() != before {
				m.refilter()
				m.cursor, m.offset = 0, 0
			}
			return cmd
		}
		return nil
	}
	if m.searching {
		switch {
		case key.Matches(kp, m.keys.CancelSearch):
			m.searching = false
			m.search.Blur()
			m.setQuery("")
			return nil
		case key.Matches(kp, m.keys.ApplySearch):
			m.searching = false
			m.search.Blur()
			return nil
		case kp.String() == "up" || kp.String() == "down" || kp.String() == "pgup" || kp.String() == "pgdown":
			m.move(kp)
			return nil
		}
		before := m.search.Value()
		var cmd tea.Cmd
		m.search, cmd = m.search.Update(msg)
		if m.search.Value() != before {
			m.refilter()
			m.cursor, m.offset = 0, 0
		}
		return cmd
	}
	switch {
	case key.Matches(kp, m.keys.Search):
		m.searching = true
		m.search.CursorEnd()
		return m.search.Focus()
	case key.Matches(kp, m.keys.Open):
		m.openRequest = m.current()
	case key.Matches(kp, m.keys.Select):
		if c := m.current(); c != nil {
			if m.selected[c.JID] {
				delete(m.selected, c.JID)
			} else {
				m.selected[c.JID] = true
			}
			m.cursor++
			m.clamp()
		}
	case key.Matches(kp, m.keys.SelectAll):
		for _, i := range m.shown {
			m.selected[m.ix.entries[i].c.JID] = true
		}
	case key.Matches(kp, m.keys.Sort):
		m.sort = (m.sort + 1) % sortModes
		current := m.current()
		m.resort()
		m.refilter()
		if current != nil {
			m.moveTo(current.JID)
		}
	case key.Matches(kp, m.keys.Back):
		// esc peels one layer at a time: first the search, then the selection.
		if m.search.Value() != "" {
			m.setQuery("")
		} else {
			clear(m.selected)
		}
	default:
		m.move(kp)
	}
	return nil
}

func (m *contactList) move(kp tea.KeyPressMsg) {
	page := m.listHeight()
	switch {
	case key.Matches(kp, m.keys.Up):
		m.cursor--
	case key.Matches(kp, m.keys.Down):
		m.cursor++
	case key.Matches(kp, m.keys.PageUp):
		m.cursor -= page
		m.offset -= page
	case key.Matches(kp, m.keys.PageDown):
		m.cursor += page
		m.offset += page
	case key.Matches(kp, m.keys.Top):
		m.cursor = 0
	case key.Matches(kp, m.keys.Bottom):
		m.cursor = len(m.shown) - 1
	default:
		return
	}
	m.clamp()
}

// columns computes the column widths for the current width.
func (m *contactList) columns() (name, phone, labels, chats int) {
	phone, chats = 16, 5
	w := m.width - 2 // selection marker
	labels = max(8, min(32, w/4))
	name = w - phone - labels - chats - 3
	if name < 12 {
		labels = max(0, labels-(12-name))
		name = w - phone - labels - chats - 3
	}
	// On wide terminals names stop growing and labels get the room.
	if name > 48 {
		labels = min(80, labels+name-48)
		name = 48
	}
	return max(4, name), phone, labels, chats
}

func (m *contactList) View() string {
	var b strings.Builder
	b.Grow((m.height + 2) * (m.width + 16))
	// Search line.
	switch {
	case m.queryErr != "":
		// The search box gives up room for the reason a term is ignored.
		input := strings.TrimRight(m.search.View(), " ")
		inputW := min(lipgloss.Width(input), m.width/2)
		b.WriteString(model.Truncate(input, inputW) + "  " + m.st.Error.Render(model.Truncate(m.queryErr, max(0, m.width-inputW-2))))
	case m.searching || m.search.Value() != "":
		b.WriteString(m.search.View())
	default:
		b.WriteString(m.st.Dim.Render("press / to search"))
	}
	b.WriteByte('\n')

	nameW, phoneW, labelsW, chatsW := m.columns()
	// Chips are padded by one cell: the header follows their text.
	header := "  " + pad("Name", nameW) + " " + pad("Phone", phoneW) + "  " + pad("Labels", labelsW-1) + " " + padLeft("Chats", chatsW)
	b.WriteString(m.st.Header.Render(model.Truncate(header, m.width)))

	h := m.listHeight()
	if len(m.shown) == 0 {
		b.WriteByte('\n')
		if len(m.ix.entries) == 0 {
			b.WriteString(m.st.Dim.Render("  The address book is empty. It fills as WhatsApp syncs."))
		} else {
			b.WriteString(m.st.Dim.Render("  No contact matches the search. esc clears it."))
		}
		return b.String()
	}
	end := min(len(m.shown), m.offset+h)
	for pos := m.offset; pos < end; pos++ {
		b.WriteByte('\n')
		b.WriteString(m.row(pos, nameW, phoneW, labelsW, chatsW))
	}
	return b.String()
}

func (m *contactList) row(pos, nameW, phoneW, labelsW, chatsW int) string {
	e := &m.ix.entries[m.shown[pos]]
	selected := m.selected[e.c.JID]
	marker := "  "
	switch {
	case pos == m.cursor && selected:
		marker = "▸●"
	case pos == m.cursor:
		marker = "▸ "
	case selected:
		marker = "● "
	}
	name := model.Truncate(e.name, nameW)
	if e.flags != "" {
		name = model.Truncate(e.name+" · "+e.flags, nameW)
	}
	nameCell := name
	switch {
	case pos == m.cursor:
		// Only the name is highlighted: moving the cursor then rewrites two
		// names, not two whole rows, which keeps a key press under 100 bytes.
		nameCell = m.st.CursorRow.Render(name)
	case selected:
		nameCell = m.st.Selected.Render(name)
	}
	rest := strings.Repeat(" ", max(0, nameW-lipgloss.Width(name))) + " " + pad(model.Truncate(e.c.Phone, phoneW), phoneW) + " "
	return marker + nameCell + rest + m.renderChips(e.c.Labels, labelsW) + " " + padLeft(strconv.Itoa(1+len(e.c.Groups)), chatsW)
}

// renderChips fits label chips into width cells, ending with "+N" when some
// do not fit. The result is always exactly width cells wide.
func (m *contactList) renderChips(labels []string, width int) string {
	if width <= 0 {
		return ""
	}
	var b strings.Builder
	used := 0
	for i, name := range labels {
		chip, ok := m.chips[strings.ToLower(name)]
		if !ok {
			chip = m.st.Chip(model.Sanitize(name), 0)
			m.chips[strings.ToLower(name)] = chip
		}
		cw := lipgloss.Width(chip)
		rest := len(labels) - i - 1
		reserve := 0
		if rest > 0 {
			reserve = len(fmt.Sprintf(" +%d", rest))
		}
		sep := 0
		if used > 0 {
			sep = 1
		}
		if used+sep+cw+reserve > width {
			more := fmt.Sprintf("+%d", len(labels)-i)
			if used > 0 {
				more = " " + more
			}
			if used+len(more) <= width {
				b.WriteString(m.st.Dim.Render(more))
				used += len(more)
			}
			break
		}
		if sep == 1 {
			b.WriteByte(' ')
		}
		b.WriteString(chip)
		used += sep + cw
	}
	if used < width {
		b.WriteString(strings.Repeat(" ", width-used))
	}
	return b.String()
}

// counts describes the list for the status bar.
func (m *contactList) counts() string {
	s := fmt.Sprintf("%d contacts", m.ix.total)
	if len(m.shown) != len(m.ix.entries) {
		s = fmt.Sprintf("%d of %d contacts", len(m.shown), m.ix.total)
	}
	if n := len(m.selected); n > 0 {
		s += fmt.Sprintf(" · %d selected", n)
	}
	return s + " · sort: " + m.sort.String()
}

func (m *contactList) help() helpMap {
	k := m.keys
	if m.searching {
		return helpMap{short: []key.Binding{k.ApplySearch, k.CancelSearch, k.Up, k.Down}}
	}
	return helpMap{
		short: []key.Binding{k.Search, k.Open, k.Select, k.EditLabels, k.Help, k.Quit, k.CheckSelection, k.Add},
		full: [][]key.Binding{
			{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
			{k.Search, k.ApplySearch, k.CancelSearch, k.Open, k.Sort},
			{k.Select, k.SelectAll, k.Back, k.CheckSelection},
			{k.EditLabels, k.Undo, k.Add, k.Edit, k.Delete, k.Block, k.ExportContacts, k.Import},
		},
	}
}

// pad fills s with spaces to width cells (s must already fit).
func pad(s string, width int) string {
	if w := lipgloss.Width(s); w < width {
		return s + strings.Repeat(" ", width-w)
	}
	return s
}

func padLeft(s string, width int) string {
	if w := lipgloss.Width(s); w < width {
		return strings.Repeat(" ", width-w) + s
	}
	return s
}
