package ui

import (
	"fmt"
	"strings"
	"testing"

	"charm.land/bubbles/v2/list"
	tea "charm.land/bubbletea/v2"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/store/storetest"
)

// Benchmarks of the Contacts screen at 100 000 contacts, each next to the
// same work done with bubbles/list, in the same run, as the baseline.
//
//	go test ./ui -run x -bench . -benchmem

// benchSnapshot builds a snapshot the way the store returns it: contacts
// carry their label names and the groups they share with the account.
func benchSnapshot(n int) *app.Snapshot {
	contacts, groups, labels := storetest.Generate(n, max(1, n/50), 50, 1)
	byMember := make(map[string][]string)
	for _, g := range groups {
		for _, p := range g.Participants {
			byMember[p] = append(byMember[p], g.JID)
		}
	}
	for i := range contacts {
		c := &contacts[i]
		c.Groups = append(byMember[c.JID], byMember[c.LID]...)
	}
	return &app.Snapshot{Contacts: contacts, Labels: labels, Groups: groups}
}

var snapshots = map[int]*app.Snapshot{}

func snapshotOf(n int) *app.Snapshot {
	if s, ok := snapshots[n]; ok {
		return s
	}
	s := benchSnapshot(n)
	snapshots[n] = s
	return s
}

func loadedList(snap *app.Snapshot, w, h int) *contactList {
	l := newContactList(DefaultStyles(), DefaultKeyMap())
	l.setSize(w, h)
	ix := buildIndex(snap)
	ix.hays = buildHaystacks(ix)
	l.setIndex(ix)
	return l
}

// bubblesItem is a contact as bubbles/list wants it.
type bubblesItem struct{ title, desc, filter string }

func (i bubblesItem) Title() string       { return i.title }
func (i bubblesItem) Description() string { return i.desc }
func (i bubblesItem) FilterValue() string { return i.filter }

func bubblesItems(snap *app.Snapshot) []list.Item {
	items := make([]list.Item, len(snap.Contacts))
	for i := range snap.Contacts {
		c := &snap.Contacts[i]
		items[i] = bubblesItem{title: c.DisplayName(), desc: c.Phone + " " + strings.Join(c.Labels, ", "), filter: c.DisplayName() + " " + c.Phone}
	}
	return items
}

// BenchmarkColdLoad is a snapshot's way to the first frame: the preview of
// the first page, installed and rendered. The full sort that follows in the
// background is BenchmarkFullIndex.
func BenchmarkColdLoad(b *testing.B) {
	snap := snapshotOf(100_000)
	b.Run("wabook", func(b *testing.B) {
		for b.Loop() {
			l := newContactList(DefaultStyles(), DefaultKeyMap())
			l.setSize(120, 38)
			l.setIndex(previewIndex(snap, 100))
			_ = l.View()
		}
	})
	b.Run("bubbles-list", func(b *testing.B) {
		for b.Loop() {
			l := list.New(bubblesItems(snap), list.NewDefaultDelegate(), 120, 38)
			_ = l.View()
		}
	})
}

// BenchmarkFullIndex is the background work after the first frame: every
// contact sanitised and sorted by name, then the search haystacks.
func BenchmarkFullIndex(b *testing.B) {
	snap := snapshotOf(100_000)
	for b.Loop() {
		ix := buildIndex(snap)
		ix.hays = buildHaystacks(ix)
	}
}

// BenchmarkSearchKeystroke types one more letter into a search over 100 000
// contacts, alternating with backspace, so every op is one full refilter.
func BenchmarkSearchKeystroke(b *testing.B) {
	snap := snapshotOf(100_000)
	for _, q := range []string{"mar", "label:vi", "group:team 1"} {
		b.Run("wabook/"+q, func(b *testing.B) {
			l := loadedList(snap, 120, 38)
			l.Update(tea.KeyPressMsg{Code: '/', Text: "/"})
			for _, r := range q[:len(q)-1] {
				l.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
			}
			last := rune(q[len(q)-1])
			i := 0
			for b.Loop() {
				if i%2 == 0 {
					l.Update(tea.KeyPressMsg{Code: last, Text: string(last)})
				} else {
					l.Update(tea.KeyPressMsg{Code: tea.KeyBackspace})
				}
				_ = l.View()
				i++
			}
		})
	}
	b.Run("bubbles-list/mar", func(b *testing.B) {
		l := list.New(bubblesItems(snap), list.NewDefaultDelegate(), 120, 38)
		i := 0
		for b.Loop() {
			if i%2 == 0 {
				l.SetFilterText("mar")
			} else {
				l.SetFilterText("ma")
			}
			_ = l.View()
			i++
		}
	})
}

// BenchmarkFrame renders the Contacts screen once. The cost must not grow
// with the number of contacts, so it runs at 1 000 and 100 000.
func BenchmarkFrame(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		snap := snapshotOf(n)
		b.Run(fmt.Sprintf("wabook/n=%d", n), func(b *testing.B) {
			l := loadedList(snap, 120, 38)
			l.cursor = n / 2
			l.clamp()
			for b.Loop() {
				_ = l.View()
			}
		})
		b.Run(fmt.Sprintf("bubbles-list/n=%d", n), func(b *testing.B) {
			l := list.New(bubblesItems(snap), list.NewDefaultDelegate(), 120, 38)
			for b.Loop() {
				_ = l.View()
			}
		})
	}
}

// BenchmarkCursorMove is one key press down plus the frame it causes.
func BenchmarkCursorMove(b *testing.B) {
	snap := snapshotOf(100_000)
	down := tea.KeyPressMsg{Code: tea.KeyDown}
	up := tea.KeyPressMsg{Code: tea.KeyUp}
	b.Run("wabook", func(b *testing.B) {
		l := loadedList(snap, 120, 38)
		i := 0
		for b.Loop() {
			if i%40 < 20 {
				l.Update(down)
			} else {
				l.Update(up)
			}
			_ = l.View()
			i++
		}
	})
	b.Run("bubbles-list", func(b *testing.B) {
		l := list.New(bubblesItems(snap), list.NewDefaultDelegate(), 120, 38)
		i := 0
		for b.Loop() {
			if i%40 < 20 {
				l.CursorDown()
			} else {
				l.CursorUp()
			}
			_ = l.View()
			i++
		}
	})
}

// BenchmarkRootView renders the whole screen (tabs, list, status bar, help)
// as the program does, to check the chrome adds little.
func BenchmarkRootView(b *testing.B) {
	snap := snapshotOf(100_000)
	m := &Model{st: DefaultStyles(), keys: DefaultKeyMap()}
	m.contacts = loadedList(snap, 120, 37)
	m.detail = newDetailView(m.st, m.keys)
	m.labels = newLabelScreen(m.st, m.keys)
	m.account = newAccountScreen(m.st, m.keys, nil, false)
	m.loaded = true
	m.width, m.height = 120, 40
	m.layout()
	for b.Loop() {
		_ = m.View()
	}
}
