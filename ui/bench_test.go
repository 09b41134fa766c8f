package ui

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/list"
	"charm.land/bubbles/v2/paginator"
	"charm.land/bubbles/v2/table"
	tea "charm.land/bubbletea/v2"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store/storetest"
)

// Benchmarks of the Contacts list next to the same work done, in the same
// run, by the baselines a Bubble Tea user would pick for a long list:
//
//   - bubbles-list: bubbles/list (the version go.mod pins) set up for a long
//     list: the page-number paginator (paginator.Arabic), a one-line
//     delegate (DefaultDelegate without the description, no spacing),
//     filtering on;
//   - bubbles-table: bubbles/table with name, phone and labels columns;
//   - bubbles-list-default-dots: bubbles/list as list.New gives it, the
//     "dots" paginator (one dot per page: its cost grows with the list)
//     and the two-line delegate; run at 100 000 contacts and below only.
//
//	go test ./ui -run '^$' -bench 'Frame|CursorMove|SearchKeystroke' -benchmem
//
// The 1 000 000-contact runs are skipped with -short.

// benchSizes are the book sizes the list benchmarks run at.
func benchSizes() []int {
	if testing.Short() {
		return []int{10_000, 100_000}
	}
	return []int{10_000, 100_000, 1_000_000}
}

// benchSnapshot builds a snapshot the way the store returns it: contacts
// carry their label names and the groups they share with the account.
func benchSnapshot(n int) *app.Snapshot {
	groups, labels := storetest.BookShape(n)
	contacts, gs, ls := storetest.Generate(n, groups, labels, 1)
	byMember := make(map[string][]string)
	for _, g := range gs {
		for _, p := range g.Participants {
			byMember[p] = append(byMember[p], g.JID)
		}
	}
	for i := range contacts {
		c := &contacts[i]
		c.Groups = append(byMember[c.JID], byMember[c.LID]...)
	}
	for i := range gs {
		gs[i].Participants = nil // as app.Snapshot carries them
	}
	return &app.Snapshot{Contacts: contacts, Labels: ls, Groups: gs}
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

func loadedList(tb testing.TB, snap *app.Snapshot, w, h int) *contactList {
	l := newContactList(testCommon(tb, app.Status{}, false))
	l.SetSize(w, h)
	// buildIndex sorts the contacts in place: keep the snapshot in the
	// store's order for the next benchmark.
	fresh := *snap
	fresh.Contacts = slices.Clone(snap.Contacts)
	ix := buildIndex(&fresh)
	ix.hays = buildHaystacks(ix)
	l.setIndex(ix)
	return l
}

// bubblesItem is a contact as bubbles/list wants it.
type bubblesItem struct{ title, desc, filter string }

func (i bubblesItem) Title() string       { return i.title }
func (i bubblesItem) Description() string { return i.desc }
func (i bubblesItem) FilterValue() string { return i.filter }

func bubblesItems(contacts []model.Contact) []list.Item {
	items := make([]list.Item, len(contacts))
	for i := range contacts {
		c := &contacts[i]
		items[i] = bubblesItem{title: c.DisplayName(), desc: c.Phone + " " + strings.Join(c.Labels, ", "), filter: c.DisplayName() + " " + c.Phone}
	}
	return items
}

// bubblesList is the configured baseline: page numbers, one line a
// contact, filtering on.
func bubblesList(contacts []model.Contact, w, h int) list.Model {
	d := list.NewDefaultDelegate()
	d.ShowDescription = false
	d.SetSpacing(0)
	l := list.New(bubblesItems(contacts), d, w, h)
	l.Paginator.Type = paginator.Arabic
	l.SetFilteringEnabled(true)
	return l
}

// bubblesListDefault is bubbles/list as list.New gives it.
func bubblesListDefault(contacts []model.Contact, w, h int) list.Model {
	return list.New(bubblesItems(contacts), list.NewDefaultDelegate(), w, h)
}

// bubblesTable shows what the Contacts list shows: name, phone, labels.
func bubblesTable(contacts []model.Contact, w, h int) table.Model {
	rows := make([]table.Row, len(contacts))
	for i := range contacts {
		c := &contacts[i]
		rows[i] = table.Row{c.DisplayName(), c.Phone, strings.Join(c.Labels, ", ")}
	}
	return table.New(
		table.WithColumns([]table.Column{{Title: "Name", Width: 40}, {Title: "Phone", Width: 18}, {Title: "Labels", Width: w - 64}}),
		table.WithRows(rows), table.WithHeight(h), table.WithWidth(w), table.WithFocused(true))
}

// BenchmarkFrame renders the Contacts list once, at 120×38, with the cursor
// in the middle of the book for wabook and on the first page for the
// baselines (where they start).
func BenchmarkFrame(b *testing.B) {
	for _, n := range benchSizes() {
		snap := snapshotOf(n)
		b.Run(fmt.Sprintf("n=%d/wabook", n), func(b *testing.B) {
			l := loadedList(b, snap, 120, 38)
			l.cursor = n / 2
			l.clamp()
			for b.Loop() {
				_ = l.View()
			}
		})
		b.Run(fmt.Sprintf("n=%d/bubbles-list", n), func(b *testing.B) {
			l := bubblesList(snap.Contacts, 120, 38)
			for b.Loop() {
				_ = l.View()
			}
		})
		b.Run(fmt.Sprintf("n=%d/bubbles-table", n), func(b *testing.B) {
			t := bubblesTable(snap.Contacts, 120, 38)
			for b.Loop() {
				_ = t.View()
			}
		})
		if n <= 100_000 {
			b.Run(fmt.Sprintf("n=%d/bubbles-list-default-dots", n), func(b *testing.B) {
				l := bubblesListDefault(snap.Contacts, 120, 38)
				for b.Loop() {
					_ = l.View()
				}
			})
		}
	}
}

// BenchmarkCursorMove is one key press (down twenty times, then up twenty
// times, and so on), handled by the model's Update, plus the frame it
// causes.
func BenchmarkCursorMove(b *testing.B) {
	down := tea.KeyPressMsg{Code: tea.KeyDown}
	up := tea.KeyPressMsg{Code: tea.KeyUp}
	key := func(i int) tea.KeyPressMsg {
		if i%40 < 20 {
			return down
		}
		return up
	}
	for _, n := range benchSizes() {
		snap := snapshotOf(n)
		b.Run(fmt.Sprintf("n=%d/wabook", n), func(b *testing.B) {
			l := loadedList(b, snap, 120, 38)
			i := 0
			for b.Loop() {
				pressKey(l.common, l, key(i))
				_ = l.View()
				i++
			}
		})
		b.Run(fmt.Sprintf("n=%d/bubbles-list", n), func(b *testing.B) {
			pressAndDraw(b, bubblesList(snap.Contacts, 120, 38), key)
		})
		b.Run(fmt.Sprintf("n=%d/bubbles-table", n), func(b *testing.B) {
			pressAndDraw(b, bubblesTable(snap.Contacts, 120, 38), key)
		})
		if n <= 100_000 {
			b.Run(fmt.Sprintf("n=%d/bubbles-list-default-dots", n), func(b *testing.B) {
				pressAndDraw(b, bubblesListDefault(snap.Contacts, 120, 38), key)
			})
		}
	}
}

// pressAndDraw is one op of BenchmarkCursorMove for a bubbles model: the
// key of op i through its Update, then its View.
func pressAndDraw[M interface {
	Update(tea.Msg) (M, tea.Cmd)
	View() string
}](b *testing.B, m M, key func(int) tea.KeyPressMsg) {
	i := 0
	for b.Loop() {
		m, _ = m.Update(key(i))
		_ = m.View()
		i++
	}
}

// BenchmarkSearchKeystroke alternates typing the query's last letter and
// deleting it, each with the frame it causes. They cost differently in
// wabook: typing on narrows (only the rows shown are matched again); a
// deletion back to the text typed just before shows that text's rows
// again (the search remembers the last few: searchsoon.go), and every
// other deletion, measured by forgetting them first, matches every
// contact again. type-ms, delete-ms and widen-ms are the means of each
// (a quarter of the keys are widenings, a quarter deletions). bubbles/list
// filters every item on each change of its filter text (SetFilterText,
// its fuzzy match).
func BenchmarkSearchKeystroke(b *testing.B) {
	sizes := []int{100_000}
	if !testing.Short() {
		sizes = append(sizes, 1_000_000)
	}
	for _, n := range sizes {
		snap := snapshotOf(n)
		for _, q := range []string{"mar", "label:vi", "group:team 1"} {
			b.Run(fmt.Sprintf("n=%d/wabook/%s", n, q), func(b *testing.B) {
				// Each key with its search (a command on a list this
				// long: searchsoon.go) and the frame with its rows.
				typeLastLetter(b, loadedList(b, snap, 120, 38), q)
			})
		}
		b.Run(fmt.Sprintf("n=%d/bubbles-list/mar", n), func(b *testing.B) {
			l := bubblesList(snap.Contacts, 120, 38)
			var typing keystrokeTimes
			i := 0
			for b.Loop() {
				start := time.Now()
				if i%2 == 0 {
					l.SetFilterText("mar")
				} else {
					l.SetFilterText("ma")
				}
				_ = l.View()
				typing.add(i, time.Since(start))
				i++
			}
			typing.report(b)
		})
	}
}

// keystrokeTimes sums the even (typing) and odd (deleting) ops apart.
// keystrokeTimes sums keystrokes' times by kind: typing (0), deleting
// (1), and deleting to a text the search has not shown lately (2).
type keystrokeTimes struct {
	sum [3]time.Duration
	n   [3]int
}

func (k *keystrokeTimes) add(i int, d time.Duration) { k.sum[i%2] += d; k.n[i%2]++ }

func (k *keystrokeTimes) addKind(kind int, d time.Duration) { k.sum[kind] += d; k.n[kind]++ }

func (k *keystrokeTimes) report(b *testing.B) {
	for i, unit := range []string{"type-ms", "delete-ms", "widen-ms"} {
		if k.n[i] > 0 {
			b.ReportMetric(float64(k.sum[i].Microseconds())/1000/float64(k.n[i]), unit)
		}
	}
}

// BenchmarkFirstFrameFromPage is the step from the first page the store
// returns (150 contacts, what the program reads before its first frame;
// BenchmarkColdStart includes reading it) to the first frame. bubbles-list
// is given the same 150 contacts.
func BenchmarkFirstFrameFromPage(b *testing.B) {
	snap := snapshotOf(100_000)
	page := &app.Snapshot{Contacts: slices.Clone(snap.Contacts[:firstPageSize]), Labels: snap.Labels, Groups: snap.Groups}
	b.Run("wabook", func(b *testing.B) {
		for b.Loop() {
			l := newContactList(testCommon(b, app.Status{}, false))
			l.SetSize(120, 38)
			l.setIndex(windowIndex(page, 100_000, window{laidOut: sortByName})) // as load does
			_ = l.View()
		}
	})
	b.Run("bubbles-list", func(b *testing.B) {
		for b.Loop() {
			l := bubblesList(page.Contacts, 120, 38)
			_ = l.View()
		}
	})
}

// BenchmarkFullListBuild is the whole book, as read from the store, made
// into a list and drawn. wabook sanitises every contact, sorts the book by
// name and builds the search haystacks (the full index, built in the
// background after the first frame); the baselines wrap each contact in an item or a row and keep the
// store's order, unsorted.
func BenchmarkFullListBuild(b *testing.B) {
	for _, n := range benchSizes() {
		snap := snapshotOf(n)
		// buildIndex sorts the contacts in place: give it the store's
		// order every time.
		original := slices.Clone(snap.Contacts)
		b.Run(fmt.Sprintf("n=%d/wabook", n), func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				fresh := &app.Snapshot{Contacts: slices.Clone(original), Labels: snap.Labels, Groups: snap.Groups}
				b.StartTimer()
				l := newContactList(testCommon(b, app.Status{}, false))
				l.SetSize(120, 38)
				ix := buildIndex(fresh)
				ix.hays = buildHaystacks(ix)
				l.setIndex(ix)
				_ = l.View()
			}
		})
		b.Run(fmt.Sprintf("n=%d/bubbles-list", n), func(b *testing.B) {
			for b.Loop() {
				l := bubblesList(original, 120, 38)
				_ = l.View()
			}
		})
		b.Run(fmt.Sprintf("n=%d/bubbles-table", n), func(b *testing.B) {
			for b.Loop() {
				t := bubblesTable(original, 120, 38)
				_ = t.View()
			}
		})
	}
}
