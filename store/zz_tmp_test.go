package store_test

import (
	"context"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/store/storetest"
)

func cpu() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestZZTmp(t *testing.T) {
	ctx := context.Background()
	cs, gs, ls := storetest.Generate(100_000, 2_000, 50, 1)
	s, err := store.Open(filepath.Join(t.TempDir(), "bench.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c0, w0 := cpu(), time.Now()
	if err := s.UpsertContacts(ctx, cs); err != nil {
		t.Fatal(err)
	}
	t.Logf("upsert cpu %v wall %v", cpu()-c0, time.Since(w0))
	if err := storetest.Populate(ctx, s, cs, gs, ls); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		c0, w0 := cpu(), time.Now()
		if _, err := s.Contacts(ctx); err != nil {
			t.Fatal(err)
		}
		t.Logf("load cpu %v wall %v", cpu()-c0, time.Since(w0))
	}
}
