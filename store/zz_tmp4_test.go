package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/store/storetest"
)

func TestZZUpsert(t *testing.T) {
	ctx := context.Background()
	cs, _, _ := storetest.Generate(100_000, 0, 0, 1)
	for i := 0; i < 3; i++ {
		s, err := store.Open(filepath.Join(t.TempDir(), "bench.db"))
		if err != nil {
			t.Fatal(err)
		}
		c0, w0 := cpu(), time.Now()
		if err := s.UpsertContacts(ctx, cs); err != nil {
			t.Fatal(err)
		}
		t.Logf("upsert cpu %v wall %v", cpu()-c0, time.Since(w0))
		c0, w0 = cpu(), time.Now()
		if err := s.UpsertContacts(ctx, cs); err != nil {
			t.Fatal(err)
		}
		t.Logf("re-upsert cpu %v wall %v", cpu()-c0, time.Since(w0))
		s.Close()
	}
}
