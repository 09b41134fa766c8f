package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/store/storetest"
)

func BenchmarkUpsertContacts100k(b *testing.B) {
	ctx := context.Background()
	cs, _, _ := storetest.Generate(100_000, 0, 0, 1)
	dir := b.TempDir()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s, err := store.Open(filepath.Join(dir, "bench"+strconv.Itoa(i)+".db"))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := s.UpsertContacts(ctx, cs); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if n, err := s.ContactCount(ctx); err != nil || n != len(cs) {
			b.Fatalf("count = %d, %v; want %d", n, err, len(cs))
		}
		s.Close()
		b.StartTimer()
	}
}

func BenchmarkLoadContacts100k(b *testing.B) {
	ctx := context.Background()
	cs, gs, ls := storetest.Generate(100_000, 2_000, 50, 1)
	s, err := store.Open(filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if err := storetest.Populate(ctx, s, cs, gs, ls); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		got, err := s.Contacts(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if len(got) != len(cs) {
			b.Fatalf("loaded %d contacts, want %d", len(got), len(cs))
		}
	}
}

// books are the generated database files the benchmarks read, written once
// per run (storetest.Books).
var books storetest.Books

func TestMain(m *testing.M) {
	code := m.Run()
	books.Remove()
	os.Exit(code)
}

// BenchmarkResyncUnchanged100k is WhatsApp's contact sync bringing back a
// 100 000-contact book the mirror already holds, unchanged: one
// UpsertContacts of every contact, as app.Service does for
// wa.ContactsUpserted. Nothing may be written: the change log's mark must
// not move.
func BenchmarkResyncUnchanged100k(b *testing.B) { benchResync(b, 100_000) }

// BenchmarkResyncUnchangedInChunks100k is the same sync as the backends
// deliver it: the 100 000 contacts in UpsertContacts calls of 1 000 (wa/sim
// and wa/wm send ContactsUpserted events of that size), each its own
// transaction. One op is the whole book. Nothing may be written.
func BenchmarkResyncUnchangedInChunks100k(b *testing.B) { benchResync(b, 1_000) }

// benchResync upserts the unchanged 100 000-contact book again, chunk
// contacts a call, and fails when that changed the mirror.
func benchResync(b *testing.B, chunk int) {
	ctx := context.Background()
	s, err := store.Open(books.Copy(b, 100_000))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	groups, labels := storetest.BookShape(100_000)
	cs, _, _ := storetest.Generate(100_000, groups, labels, 1)
	before, err := s.ChangeMark(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		for i := 0; i < len(cs); i += chunk {
			if err := s.UpsertContacts(ctx, cs[i:min(i+chunk, len(cs))]); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.StopTimer()
	if after, err := s.ChangeMark(ctx); err != nil || after != before {
		b.Fatalf("an unchanged book changed the mirror: mark %v → %v (%v)", before, after, err)
	}
}
