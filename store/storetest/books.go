package storetest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/wabook/wabook/store"
)

// Books writes generated address books into database files for benchmarks:
// each size once per test binary run (a 1 000 000-contact book takes
// minutes to write), in one temporary directory that Remove deletes. A
// package's benchmarks share one Books value; its TestMain calls Remove.
type Books struct {
	mu    sync.Mutex
	dir   string
	paths map[int]string
}

// BookShape is the generated book of n contacts used by every benchmark:
// one group for 50 contacts (2 000 at 100 000), 50 labels, seed 1.
func BookShape(n int) (groups, labels int) { return max(1, n/50), 50 }

// Path returns a database file holding the generated book of n contacts
// (BookShape), writing it the first time it is asked for. The file is
// shared: a benchmark that writes copies it first.
func (b *Books) Path(tb testing.TB, n int) string {
	tb.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if p, ok := b.paths[n]; ok {
		return p
	}
	if b.dir == "" {
		dir, err := os.MkdirTemp("", "wabook-bench-")
		if err != nil {
			tb.Fatal(err)
		}
		b.dir, b.paths = dir, map[int]string{}
	}
	path := filepath.Join(b.dir, fmt.Sprintf("book-%d.db", n))
	if err := writeBook(tb.Context(), path, n); err != nil {
		tb.Fatalf("writing the %d-contact book: %v", n, err)
	}
	b.paths[n] = path
	return path
}

func writeBook(ctx context.Context, path string, n int) error {
	st, err := store.Open(path)
	if err != nil {
		return err
	}
	groups, labels := BookShape(n)
	cs, gs, ls := Generate(n, groups, labels, 1)
	if err := Populate(ctx, st, cs, gs, ls); err != nil {
		st.Close()
		return err
	}
	return st.Close()
}

// Remove deletes every book written.
func (b *Books) Remove() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.dir != "" {
		os.RemoveAll(b.dir)
		b.dir, b.paths = "", nil
	}
}
