package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/list"
	tea "charm.land/bubbletea/v2"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/store/storetest"
	"github.com/wabook/wabook/wa/sim"
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

func loadedList(tb testing.TB, snap *app.Snapshot, w, h int) *contactList {
	l := newContactList(testCommon(tb, app.Status{}, false))
	l.SetSize(w, h)
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
			l := newContactList(testCommon(b, app.Status{}, false))
			l.SetSize(120, 38)
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
	// buildIndex sorts the contacts in place: give it the store's order
	// every time.
	original := slices.Clone(snap.Contacts)
	for b.Loop() {
		b.StopTimer()
		fresh := &app.Snapshot{Contacts: slices.Clone(original), Labels: snap.Labels, Groups: snap.Groups}
		b.StartTimer()
		ix := buildIndex(fresh)
		ix.hays = buildHaystacks(ix)
	}
}

// BenchmarkSearchKeystroke types one more letter into a search over 100 000
// contacts, alternating with backspace, so every op is one full refilter.
func BenchmarkSearchKeystroke(b *testing.B) {
	snap := snapshotOf(100_000)
	for _, q := range []string{"mar", "label:vi", "group:team 1"} {
		b.Run("wabook/"+q, func(b *testing.B) {
			l := loadedList(b, snap, 120, 38)
			pressKey(l.common, l, tea.KeyPressMsg{Code: '/', Text: "/"})
			for _, r := range q[:len(q)-1] {
				pressKey(l.common, l, tea.KeyPressMsg{Code: r, Text: string(r)})
			}
			last := rune(q[len(q)-1])
			i := 0
			for b.Loop() {
				if i%2 == 0 {
					pressKey(l.common, l, tea.KeyPressMsg{Code: last, Text: string(last)})
				} else {
					pressKey(l.common, l, tea.KeyPressMsg{Code: tea.KeyBackspace})
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
			l := loadedList(b, snap, 120, 38)
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
		l := loadedList(b, snap, 120, 38)
		i := 0
		for b.Loop() {
			if i%40 < 20 {
				pressKey(l.common, l, down)
			} else {
				pressKey(l.common, l, up)
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
	st, err := store.Open(filepath.Join(b.TempDir(), "w.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	world, err := sim.LoadWorld(strings.NewReader(`{"account": {"phone": "+14155550100", "push_name": "Acme"}}`))
	if err != nil {
		b.Fatal(err)
	}
	m := New(b.Context(), app.New(st, sim.New(world), app.Options{}), Options{})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	ix := buildIndex(snapshotOf(100_000))
	ix.hays = buildHaystacks(ix)
	m.loaded = true
	m.installIndex(ix)
	for b.Loop() {
		_ = m.View()
	}
}

// BenchmarkKeysDuringCheckJob presses keys on a 100 000-contact list while a
// 5 000-number check job runs against the simulated backend, the way the
// program does: the worker reports through notices whose follow-up loads
// run off the Update path and come back as messages. Every Update+View on
// the UI goroutine is timed, keys and those messages alike; the metrics are
// the percentiles of one such step.
func BenchmarkKeysDuringCheckJob(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := store.Open(filepath.Join(b.TempDir(), "w.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	contacts, groups, labels := storetest.Generate(100_000, 2_000, 50, 1)
	if err := storetest.Populate(ctx, st, contacts, groups, labels); err != nil {
		b.Fatal(err)
	}
	world, err := sim.LoadWorld(strings.NewReader(`{"account": {"phone": "+14155550100"}, "check_latency_ms": 20}`))
	if err != nil {
		b.Fatal(err)
	}
	backend := sim.New(world)
	defer backend.Close()
	cfg := app.DefaultConfig()
	cfg.CheckPace = time.Millisecond
	cfg.CheckDailyBudget = 1_000_000
	svc := app.New(st, backend, app.Options{Config: &cfg})
	go svc.Run(ctx)
	if err := svc.SyncOnce(ctx); err != nil {
		b.Fatal(err)
	}
	svc.StartChecker(ctx)
	defer svc.StopChecker()

	m := New(b.Context(), svc, Options{})
	var steps []time.Duration
	results := make(chan tea.Msg, 64)
	var exec func(tea.Cmd)
	exec = func(cmd tea.Cmd) {
		if cmd == nil {
			return
		}
		go func() {
			msg := cmd()
			if batch, ok := msg.(tea.BatchMsg); ok {
				for _, c := range batch {
					exec(c)
				}
				return
			}
			if msg != nil {
				results <- msg
			}
		}()
	}
	var slowest []string
	step := func(msg tea.Msg) {
		start := time.Now()
		_, cmd := m.Update(msg)
		_ = m.View()
		d := time.Since(start)
		steps = append(steps, d)
		if d > 10*time.Millisecond && os.Getenv("WABOOK_BENCH_SLOW") != "" {
			slowest = append(slowest, fmt.Sprintf("%T %v", msg, d))
		}
		exec(cmd)
	}
	step(tea.WindowSizeMsg{Width: 120, Height: 40})
	for _, cmd := range []tea.Cmd{m.load(), m.checks.load()} {
		exec(cmd)
	}
	for m.ix.preview || m.ix.hays == nil || !m.loaded {
		step(<-results)
	}
	numbers := make([]string, 5_000)
	for i := range numbers {
		numbers[i] = fmt.Sprintf("+1415555%04d", i)
	}
	if _, err := svc.EnqueueCheck(ctx, numbers, app.CheckOptions{}); err != nil {
		b.Fatal(err)
	}
	steps = steps[:0]
	keys := []tea.Msg{tea.KeyPressMsg{Code: tea.KeyDown}, tea.KeyPressMsg{Code: tea.KeyDown}, tea.KeyPressMsg{Code: tea.KeyUp}}
	i := 0
	for b.Loop() {
		step(keys[i%len(keys)])
		i++
		// Whatever arrived meanwhile is handled before the next key, as
		// the program's event loop would.
		for drained := false; !drained; {
			select {
			case n := <-svc.Notices():
				step(noticeMsg{n})
			case msg := <-results:
				step(msg)
			case <-time.After(2 * time.Millisecond):
				drained = true
			}
		}
	}
	b.StopTimer()
	for _, s := range slowest {
		b.Log("slow step:", s)
	}
	jobs, _ := svc.Jobs(ctx)
	if len(jobs) == 0 || jobs[0].Counts.Processing == jobs[0].Total {
		b.Fatalf("the job did not run during the benchmark: %+v", jobs)
	}
	slices.Sort(steps)
	pct := func(p float64) float64 { return float64(steps[int(p*float64(len(steps)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.5), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(pct(1), "max-ms")
	b.ReportMetric(float64(len(steps)), "steps")
	b.ReportMetric(float64(jobs[0].Total-jobs[0].Counts.Processing), "checked")
}

// populatedDB is a database file with 100 000 contacts, 2 000 groups and 50
// labels, written once per benchmark run.
var populatedDB string

func populated(b *testing.B) string {
	b.Helper()
	if populatedDB != "" {
		return populatedDB
	}
	dir, err := os.MkdirTemp("", "wabook-bench-")
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(dir, "w.db")
	st, err := store.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	contacts, groups, labels := storetest.Generate(100_000, 2_000, 50, 1)
	if err := storetest.Populate(context.Background(), st, contacts, groups, labels); err != nil {
		b.Fatal(err)
	}
	st.Close()
	populatedDB = path
	return path
}

// BenchmarkColdStart is opening the database and reading it up to the first
// frame of the contact list, with 100 000 contacts: what a user waits for
// after pressing enter on "wabook".
func BenchmarkColdStart(b *testing.B) {
	path := populated(b)
	world, err := sim.LoadWorld(strings.NewReader(`{"account": {"phone": "+14155550100"}}`))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		st, err := store.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		backend := sim.New(world)
		svc := app.New(st, backend, app.Options{})
		m := New(b.Context(), svc, Options{})
		m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
		m.Update(m.load()())
		if !strings.Contains(m.View().Content, "100000 contacts") {
			b.Fatal("first frame does not show the list")
		}
		backend.Close()
		st.Close()
	}
}
