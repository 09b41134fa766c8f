package app

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/store/storetest"
	"github.com/wabook/wabook/wa/sim"
)

// service100k is a service over a fresh database holding the generated
// mirror of issue 6: 100 000 contacts, 2 000 groups, 50 labels.
func service100k(b *testing.B) (*Service, []string) {
	b.Helper()
	st, err := store.Open(filepath.Join(b.TempDir(), "w.db"))
	if err != nil {
		b.Fatal(err)
	}
	be := sim.New(accountWorld())
	b.Cleanup(func() { be.Close(); st.Close() })
	cs, gs, ls := storetest.Generate(100_000, 2_000, 50, 1)
	if err := storetest.Populate(context.Background(), st, cs, gs, ls); err != nil {
		b.Fatal(err)
	}
	jids := make([]string, len(cs))
	for i := range cs {
		jids[i] = cs[i].JID
	}
	return New(st, be, Options{}), jids
}

// countWriter counts what is written to it.
type countWriter struct{ n int64 }

func (w *countWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

// BenchmarkExportCSV100k exports the whole 100 000-contact mirror as CSV:
// reading the book from the store (store.ContactsSorted), ordering it by
// name, neutralising and writing the cells.
func BenchmarkExportCSV100k(b *testing.B) {
	svc, jids := service100k(b)
	ctx := context.Background()
	var cw countWriter
	n, err := svc.ExportContacts(ctx, &cw, "csv", "")
	if err != nil || n != len(jids) {
		b.Fatalf("exported %d, %v; want %d", n, err, len(jids))
	}
	b.SetBytes(cw.n)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := svc.ExportContacts(ctx, io.Discard, "csv", ""); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkApplyLabels1000On100k is BenchmarkApplyLabels1000 in the
// 100 000-contact mirror: one new and one existing label on 1 000 contacts
// spread over it, in one transaction (the undo runs outside the timer).
func BenchmarkApplyLabels1000On100k(b *testing.B) {
	svc, all := service100k(b)
	ctx := context.Background()
	jids := make([]string, 1000)
	for i := range jids {
		jids[i] = all[i*len(all)/len(jids)]
	}
	b.ReportAllocs()
	for b.Loop() {
		undo, err := svc.ApplyLabels(ctx, jids, []string{"Campaign, VIP"}, nil)
		if err != nil || undo == nil {
			b.Fatal(undo, err)
		}
		b.StopTimer()
		if err := svc.UndoChange(ctx, undo); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

// books are the generated database files the benchmarks read, written once
// per run (storetest.Books); TestMain removes them.
var books storetest.Books

// bookService is a service over a copy of the generated n-contact book.
func bookService(b *testing.B, n int) *Service {
	b.Helper()
	return serviceOn(b, books.Copy(b, n))
}

// serviceOn is a service over the database file at path and a simulated
// account, both closed when tb ends.
func serviceOn(tb testing.TB, path string) *Service {
	tb.Helper()
	st, err := store.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	be := sim.New(accountWorld())
	tb.Cleanup(func() { be.Close(); st.Close() })
	return New(st, be, Options{})
}

// bookSizes are 10 000, 100 000 and, without -short, 1 000 000 contacts.
func bookSizes() []int {
	if testing.Short() {
		return []int{10_000, 100_000}
	}
	return []int{10_000, 100_000, 1_000_000}
}

// BenchmarkFirstPage is what the contact list reads before its first
// frame (Service.FirstPage: 150 contacts in name order, every label, the
// group names, the number of contacts), at each book size.
func BenchmarkFirstPage(b *testing.B) {
	ctx := context.Background()
	for _, n := range bookSizes() {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			svc := bookService(b, n)
			for b.Loop() {
				page, total, err := svc.FirstPage(ctx, 150)
				if err != nil || total != n || len(page.Contacts) != 150 {
					b.Fatalf("first page: %d of %d, %v", len(page.Contacts), total, err)
				}
			}
		})
	}
}

// BenchmarkExportCSV1M exports a 1 000 000-contact book as CSV (skipped
// with -short). peak-heap-MB is the largest live heap seen while it runs
// (sampled every 10 ms, after the book is open), alloc-MB what it allocated
// in all.
func BenchmarkExportCSV1M(b *testing.B) {
	if testing.Short() {
		b.Skip("1 000 000 contacts: skipped with -short")
	}
	svc := bookService(b, 1_000_000)
	ctx := context.Background()
	runtime.GC()
	peak := watchHeap()
	var cw countWriter
	for b.Loop() {
		cw.n = 0
		n, err := svc.ExportContacts(ctx, &cw, "csv", "")
		if err != nil || n != 1_000_000 {
			b.Fatalf("exported %d, %v", n, err)
		}
	}
	b.StopTimer()
	b.SetBytes(cw.n)
	b.ReportMetric(float64(peak())/(1<<20), "peak-heap-MB")
}

// watchHeap samples the live heap every 10 ms until the returned function
// is called, which gives the largest sample.
func watchHeap() func() uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	var mu sync.Mutex
	peak := read()
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				v := read()
				mu.Lock()
				peak = max(peak, v)
				mu.Unlock()
			}
		}
	}()
	return func() uint64 {
		close(stop)
		<-done
		mu.Lock()
		defer mu.Unlock()
		return max(peak, read())
	}
}
