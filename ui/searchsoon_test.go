package ui

import (
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// searchDone runs cmd, a keystroke's commands, and hands l the search
// answers among their messages, and those that follow, as the program
// would.
func searchDone(l *contactList, cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	switch msg := cmd().(type) {
	case tea.BatchMsg:
		for _, c := range msg {
			searchDone(l, c)
		}
	case searchedMsg:
		searchDone(l, l.Update(msg))
	}
}

// searchCmd is the search among a keystroke's commands (nil when none).
func searchCmd(cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	switch msg := cmd().(type) {
	case tea.BatchMsg:
		for _, c := range msg {
			if s := searchCmd(c); s != nil {
				return s
			}
		}
	case searchedMsg:
		return func() tea.Msg { return msg }
	}
	return nil
}

func shownJIDs(l *contactList) []string {
	out := make([]string, len(l.shown))
	for k, i := range l.shown {
		out[k] = l.ix.jid(i)
	}
	return out
}

// On a list longer than searchSoonFrom, a search keystroke shows the typed
// text in its own frame and leaves the rows as they are; the matching runs
// in a command, one at a time: a key typed meanwhile waits for it, its
// answer (of an older text) is dropped and the latest text is searched;
// the rows then are those a search done at once gives.
func TestSearchOnLongListFollowsTheKey(t *testing.T) {
	t.Parallel()
	snap := benchSnapshot(searchSoonFrom + 5_000)
	l := loadedList(t, snap, 120, 38)
	all := shownJIDs(l)
	key := func(r rune) tea.Cmd { return pressKey(l.common, l, tea.KeyPressMsg{Code: r, Text: string(r)}) }

	key('/')
	first := searchCmd(key('m'))
	if first == nil {
		t.Fatal("typing on a long list started no search command")
	}
	if v := l.View(); !strings.Contains(v, "/ m") {
		t.Fatalf("the typed m is not in the frame of its key:\n%s", v)
	}
	if !slices.Equal(shownJIDs(l), all) {
		t.Fatal("the rows changed on the Update path")
	}
	if searchCmd(key('a')) != nil {
		t.Fatal("a second search started while one runs")
	}
	next := searchCmd(l.Update(first()))
	if next == nil {
		t.Fatal("the answer for m did not start the search for ma")
	}
	if !slices.Equal(shownJIDs(l), all) {
		t.Fatal("the answer for m was shown while the box says ma")
	}
	searchDone(l, next)

	want := loadedList(t, snap, 120, 38)
	want.setQuery("ma")
	if got := shownJIDs(l); len(got) == 0 || len(got) == len(all) || !slices.Equal(got, shownJIDs(want)) {
		t.Fatalf("%d rows for ma, a search done at once gives %d (of %d)", len(got), len(want.shown), len(all))
	}
	if l.searchDirty || l.searchRunning {
		t.Fatal("the search still says it lags or runs")
	}
}

// An answer for an index no longer on screen is dropped: installing the
// index searched it at once.
func TestSearchAnswerForReplacedIndexIsDropped(t *testing.T) {
	t.Parallel()
	snap := benchSnapshot(searchSoonFrom + 5_000)
	l := loadedList(t, snap, 120, 38)
	pressKey(l.common, l, tea.KeyPressMsg{Code: '/', Text: "/"})
	running := searchCmd(pressKey(l.common, l, tea.KeyPressMsg{Code: 'm', Text: "m"}))
	if running == nil {
		t.Fatal("no search command")
	}
	fresh := *snap
	fresh.Contacts = slices.Clone(snap.Contacts[:len(snap.Contacts)-1_000])
	ix := buildIndex(&fresh)
	l.setIndex(ix)
	shown := slices.Clone(l.shown)
	if cmd := l.Update(running()); cmd != nil {
		t.Fatal("a dropped answer started another search")
	}
	if !slices.Equal(l.shown, shown) {
		t.Fatal("the answer for the old index replaced the rows of the new one")
	}
}

// A deletion back to a text typed before shows that text's rows again at
// once, without a search (the rows it showed then); any text shows the
// rows a search done at once gives, through typing, deleting and typing
// on again.
func TestDeletingBackShowsTheRowsTypedBefore(t *testing.T) {
	t.Parallel()
	snap := benchSnapshot(searchSoonFrom + 5_000)
	l := loadedList(t, snap, 120, 38)
	press := func(k tea.KeyPressMsg) tea.Cmd { return pressKey(l.common, l, k) }
	letter := func(r rune) tea.KeyPressMsg { return tea.KeyPressMsg{Code: r, Text: string(r)} }
	backspace := tea.KeyPressMsg{Code: tea.KeyBackspace}
	press(letter('/'))
	shownFor := map[string][]int32{}
	for _, k := range []tea.KeyPressMsg{letter('m'), letter('a'), letter('r'), backspace, letter('x'), backspace, backspace, letter('a'), letter('r')} {
		before := l.search.Value()
		cmd := press(k)
		text := l.search.Value()
		if k.Code == tea.KeyBackspace {
			if searchCmd(cmd) != nil {
				t.Fatalf("deleting back to %q (typed before) started a search", text)
			}
			if was, ok := shownFor[text]; !ok || len(l.shown) != len(was) || len(was) > 0 && &l.shown[0] != &was[0] {
				t.Fatalf("deleting %q back to %q: not the rows shown for it before", before, text)
			}
		}
		searchDone(l, cmd)
		want := loadedList(t, snap, 120, 38)
		want.setQuery(text)
		if !slices.Equal(shownJIDs(l), shownJIDs(want)) {
			t.Fatalf("%q: %d rows, a search done at once gives %d", text, len(l.shown), len(want.shown))
		}
		shownFor[text] = l.shown
	}
}
