package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/store/storetest"
	"github.com/wabook/wabook/wa/sim"
)

// Benchmarks of what the contact index costs in memory, at 100 000 and
// (without -short) 1 000 000 contacts:
//
//	go test ./ui -run '^$' -bench 'IndexHeap' -benchtime 1x
//
// The books are generated once per run into a temporary folder; with
// WABOOK_BENCH_DIR set they are kept there and reused by later runs (and
// by another checkout's, for a before-and-after on the same files).

// memoryBook is the path of a database holding n generated contacts
// (storetest: n/50 groups, 50 labels, seed 1).
func memoryBook(b *testing.B, n int) string {
	b.Helper()
	dir := os.Getenv("WABOOK_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	path := filepath.Join(dir, fmt.Sprintf("book-%d.db", n))
	if _, err := os.Stat(path); err == nil {
		return path
	}
	tmp := path + ".part"
	os.Remove(tmp)
	st, err := store.Open(tmp)
	if err != nil {
		b.Fatal(err)
	}
	contacts, groups, labels := storetest.Generate(n, n/50, 50, 1)
	if err := storetest.Populate(context.Background(), st, contacts, groups, labels); err != nil {
		b.Fatal(err)
	}
	st.Close()
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	return path
}

// serviceOver is a service over the database at path, with a simulated
// account, closed when the benchmark ends; it does not run.
func serviceOver(b testing.TB, path string) *app.Service {
	b.Helper()
	st, err := store.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	world, err := sim.LoadWorld(strings.NewReader(`{"account": {"phone": "+14155550100"}}`))
	if err != nil {
		b.Fatal(err)
	}
	backend := sim.New(world)
	b.Cleanup(func() { backend.Close(); st.Close() })
	return app.New(st, backend, app.Options{})
}

// liveHeap is the heap in use once the garbage collector has run.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkIndexHeap is the memory the full contact index holds: a service
// over a generated book reads it whole as the program does (fullIndex,
// what Indexes runs), and heap-MB is the live heap after a garbage
// collection with the index held, less the heap before the read; B/contact
// the same per contact; idle-span-MB is the heap's spans in use beyond
// its live objects then (HeapInuse less HeapAlloc: spans kept by a few
// small objects the read left scattered, which the memory limit counts
// as memory in use). One op is one whole read and build (its time is the
// background load's).
func BenchmarkIndexHeap(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			if n > 100_000 && testing.Short() {
				b.Skip("1 000 000 contacts: not with -short")
			}
			svc := serviceOver(b, memoryBook(b, n))
			var held *index
			var heap, idle uint64
			for b.Loop() {
				held = nil
				before := liveHeap()
				ix, err := fullIndex(b.Context(), svc)
				if err != nil {
					b.Fatal(err)
				}
				held = ix
				heap = liveHeap() - before
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				idle = ms.HeapInuse - ms.HeapAlloc
			}
			if held.visible() != n {
				b.Fatalf("the index holds %d contacts, want %d", held.visible(), n)
			}
			runtime.KeepAlive(held)
			b.ReportMetric(float64(heap)/1e6, "heap-MB")
			b.ReportMetric(float64(heap)/float64(n), "B/contact")
			b.ReportMetric(float64(idle)/1e6, "idle-span-MB")
		})
	}
}

// BenchmarkIndexSearchKeystroke is BenchmarkSearchKeystroke's keystroke
// over the index a whole read of a generated book builds (fullIndex), at
// 100 000 and (without -short) 1 000 000 contacts: the last letter of the
// query typed, then erased, in turn, with its search and the frame drawn
// after each (typeLastLetter).
func BenchmarkIndexSearchKeystroke(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			if n > 100_000 && testing.Short() {
				b.Skip("1 000 000 contacts: not with -short")
			}
			ix, err := fullIndex(b.Context(), serviceOver(b, memoryBook(b, n)))
			if err != nil {
				b.Fatal(err)
			}
			for _, q := range []string{"mar", "label:vi"} {
				b.Run(q, func(b *testing.B) {
					l := newContactList(testCommon(b, app.Status{}, false))
					l.SetSize(120, 38)
					l.setIndex(ix)
					typeLastLetter(b, l, q)
				})
			}
		})
	}
}

// typeLastLetter opens the search of l, types q but its last letter, then
// in each op types that letter or erases it, in turn, with the search (a
// command on a long list, run as the program would) and the frame, and
// reports the keys' times by kind as BenchmarkSearchKeystroke does:
// typing, deleting back to the text typed just before, and deleting to a
// text not shown lately (the search's memory of its last texts forgotten
// first).
func typeLastLetter(b *testing.B, l *contactList, q string) {
	pressKey(l.common, l, tea.KeyPressMsg{Code: '/', Text: "/"})
	for _, r := range q[:len(q)-1] {
		searchDone(l, pressKey(l.common, l, tea.KeyPressMsg{Code: r, Text: string(r)}))
	}
	last := rune(q[len(q)-1])
	var typing keystrokeTimes
	i := 0
	for b.Loop() {
		kind := i % 2 // type, delete, type, widen
		if i%4 == 3 {
			kind, l.searchMem = 2, searchMemory{}
		}
		start := time.Now()
		if i%2 == 0 {
			searchDone(l, pressKey(l.common, l, tea.KeyPressMsg{Code: last, Text: string(last)}))
		} else {
			searchDone(l, pressKey(l.common, l, tea.KeyPressMsg{Code: tea.KeyBackspace}))
		}
		_ = l.View()
		typing.addKind(kind, time.Since(start))
		i++
	}
	typing.report(b)
}
