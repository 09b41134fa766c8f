package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/store/storetest"
)

func BenchmarkZZContactsOnly(b *testing.B) {
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
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.Contacts(ctx)
	}
}
