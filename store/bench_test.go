package store_test

import (
	"context"
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
