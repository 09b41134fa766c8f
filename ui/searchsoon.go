// A search keystroke on a long list: the typed character shows in the
// frame of its key, the matching runs in a command and its rows follow in
// a later frame (issue 15: no key waits for a search over a million rows).
package ui

import (
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/wabook/wabook/model"
)

// searchSoonFrom is how many rows a search must look through before a
// keystroke leaves it to a command: below it, matching on the Update path
// takes well under a frame, and the rows show with the key.
const searchSoonFrom = 20_000

// filterPlan is what the search box asks of the list: its text, parsed
// and compiled, and the rows to look among.
type filterPlan struct {
	text       string
	q          model.Query
	err        error
	matcher    *model.Matcher
	candidates []int32 // nil when the matcher is empty: every row shows
}

// planFilter reads the search box. Typing on narrows: when the new text
// only adds to the old and nothing is negated, every match is among the
// rows shown already.
func (m *contactList) planFilter() filterPlan {
	text := m.search.Value()
	q, err := model.ParseQuery(text)
	p := filterPlan{text: text, q: q, err: err, matcher: q.Compile(m.ix.labels, m.ix.groups)}
	if p.matcher.Empty() {
		return p
	}
	p.candidates = m.ix.among(m.order, q.WantsHidden())
	if err == nil && m.filteredBy != "" && strings.HasPrefix(text, m.filteredBy) && q.Narrows(m.filteredQ) {
		p.candidates = m.shown
	}
	return p
}

// filterNow matches p on the Update path and shows the rows.
func (m *contactList) filterNow(p filterPlan) {
	var shown []int32
	if !p.matcher.Empty() {
		shown = matchRows(m.ix, p.matcher, p.candidates)
	}
	m.showFiltered(p, shown)
}

// showFiltered shows the rows p matched (shown), or every row when its
// matcher is empty; whatever search was running is of an older text.
func (m *contactList) showFiltered(p filterPlan, shown []int32) {
	if p.err == nil && !p.matcher.Empty() {
		m.searchMem.remember(m.ix, m.order, p, shown)
	}
	m.searchGen++
	m.searchDirty = false
	m.hiddenShown = p.q.WantsHidden()
	m.queryErr = ""
	if p.err != nil {
		m.queryErr = p.err.Error()
	}
	switch {
	case p.matcher.Empty():
		m.shown, m.filteredBy = m.ix.among(m.order, false), ""
	case p.err != nil:
		// A dropped term may come back: never narrow from here.
		m.shown, m.filteredQ, m.filteredBy = shown, p.q, ""
	default:
		m.shown, m.filteredQ, m.filteredBy = shown, p.q, p.text
	}
	m.clamp()
}

// searchedMsg is a search's rows, matched in a command.
type searchedMsg struct {
	gen   int
	ix    *index
	plan  filterPlan
	shown []int32
}

// refilterSoon applies the search box after a keystroke: now when the
// rows to look among are few, in a command otherwise (one at a time: a
// keystroke while one runs waits for it and then runs with the latest
// text), the rows on screen staying until its answer.
func (m *contactList) refilterSoon() tea.Cmd {
	if e, ok := m.searchMem.recall(m.ix, m.order, m.search.Value()); ok {
		m.showFiltered(e.plan, e.shown) // back to a text typed before
		return nil
	}
	p := m.planFilter()
	if len(p.candidates) < searchSoonFrom {
		m.filterNow(p)
		return nil
	}
	m.searchDirty = true
	if m.searchRunning {
		return nil
	}
	m.searchRunning = true
	gen, ix := m.searchGen, m.ix
	return func() tea.Msg {
		return searchedMsg{gen: gen, ix: ix, plan: p, shown: matchRowsBeside(ix, p.matcher, p.candidates)}
	}
}

// searched shows a search's answer when nothing replaced the rows since it
// started and the box still says what it searched for, and runs the next
// search when the box changed meanwhile.
func (m *contactList) searched(msg searchedMsg) tea.Cmd {
	m.searchRunning = false
	if msg.gen == m.searchGen && msg.ix == m.ix && msg.plan.text == m.search.Value() {
		m.showFiltered(msg.plan, msg.shown)
		return nil
	}
	if m.searchDirty {
		return m.refilterSoon()
	}
	return nil
}

// searchUpToDate matches the search box now when the rows shown lag it (a
// search in its command): select all and invert act on the rows of the
// text on screen, not of an earlier one.
func (m *contactList) searchUpToDate() {
	if m.searchDirty {
		m.filterNow(m.planFilter())
	}
}

// searchMemory keeps the rows of the last few texts searched in one index
// and order, so that a deletion back to a text typed before (a backspace
// after typing on) shows its rows at once instead of matching every
// contact again. Any other text, or another index or order, is matched.
type searchMemory struct {
	ix      *index
	order   []int32
	entries []searchMemo // the most recent last
	rows    int          // the rows the entries hold
}

type searchMemo struct {
	plan  filterPlan
	shown []int32
}

// searchMemoryRows bounds what the memory holds: 4 bytes a row, 8 MB.
const searchMemoryRows = 2_000_000

// sameOrder is whether order is the very slice the memory was made for (a
// sort or an index replaced makes a new one).
func (s *searchMemory) sameOrder(ix *index, order []int32) bool {
	return s.ix == ix && len(s.order) == len(order) && (len(order) == 0 || &s.order[0] == &order[0])
}

func (s *searchMemory) remember(ix *index, order []int32, p filterPlan, shown []int32) {
	if !s.sameOrder(ix, order) {
		*s = searchMemory{ix: ix, order: order}
	}
	s.entries = slices.DeleteFunc(s.entries, func(e searchMemo) bool { return e.plan.text == p.text })
	s.entries = append(s.entries, searchMemo{p, shown})
	s.rows = 0
	for _, e := range s.entries {
		s.rows += len(e.shown)
	}
	for len(s.entries) > 1 && (len(s.entries) > 8 || s.rows > searchMemoryRows) {
		s.rows -= len(s.entries[0].shown)
		s.entries = s.entries[1:]
	}
}

func (s *searchMemory) recall(ix *index, order []int32, text string) (searchMemo, bool) {
	if !s.sameOrder(ix, order) {
		return searchMemo{}, false
	}
	for _, e := range s.entries {
		if e.plan.text == text {
			return e, true
		}
	}
	return searchMemo{}, false
}
