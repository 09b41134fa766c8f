package ui

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
)

// BenchmarkRefreshAfterOtherProcessAdd measures, on a 100 000-contact
// book, how long a running UI takes to show a contact another process
// added: from the other handle's commit returning to the new index
// installed in the Model and a frame drawn. One op is one add and its
// refresh. The service polls for other writers every 500 ms (the
// default), so "commit-to-frame-ms" (the mean; "max-ms" the worst) is
// mostly that wait (each commit comes at a random moment of the poll's
// cycle; the sleep before it is not counted); "refresh-ms" is the part after the notice: reading
// the change (app.Service.ChangesSince), building the next index from the
// old one off the Update path, and installing it.
func BenchmarkRefreshAfterOtherProcessAdd(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	path := books.Copy(b, 100_000) // the shared book must stay at 100 000
	svc := serviceOver(b, path)
	other, err := store.Open(path) // the other process's handle
	if err != nil {
		b.Fatal(err)
	}
	defer other.Close()
	go svc.Run(ctx)

	m := New(b.Context(), svc, Options{})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.Update(m.load()())
	m.Update(m.completeIndex(m.ix)())
	if m.ix.preview || m.ix.total != 100_000 {
		b.Fatalf("loaded %d contacts (preview %v)", m.ix.total, m.ix.preview)
	}
	var total, work []time.Duration
	i := 0
	for b.Loop() {
		// Commits come at any moment of the poll's cycle, not in step
		// with it.
		time.Sleep(rand.N(500 * time.Millisecond))
		c := model.Contact{Phone: fmt.Sprintf("+1415777%04d", i), FullName: fmt.Sprintf("Bench Added %d", i)}
		i++
		if _, err := other.InsertContact(ctx, c, nil); err != nil {
			b.Fatal(err)
		}
		committed := time.Now()
		var n app.Notice
		for n = range svc.Notices() {
			if n.Kind == app.DataChanged {
				break
			}
			svc.Acknowledge(n)
		}
		noticed := time.Now()
		// What Update schedules for the notice, run as the program would.
		m.Update(noticeMsg{n})
		m.Update(m.load()())
		_ = m.View()
		done := time.Now()
		if m.ix.total != 100_000+i {
			b.Fatalf("after add %d the list has %d contacts", i, m.ix.total)
		}
		total = append(total, done.Sub(committed))
		work = append(work, done.Sub(noticed))
	}
	mean := func(ds []time.Duration) float64 {
		var s time.Duration
		for _, d := range ds {
			s += d
		}
		return float64(s.Microseconds()) / 1000 / float64(len(ds))
	}
	b.ReportMetric(mean(total), "commit-to-frame-ms")
	b.ReportMetric(float64(slices.Max(total).Microseconds())/1000, "max-ms")
	b.ReportMetric(mean(work), "refresh-ms")
}
