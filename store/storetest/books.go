package storetest

import (
	"context"
	"fmt"
	"io"
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
//
// When $WABOOK_BENCH_BOOKS names a directory (scripts/bench makes one per
// run and deletes it after), the books are read from it and written there
// when missing, so the packages of one run share them; Remove leaves that
// directory alone.
type Books struct {
	mu     sync.Mutex
	dir    string
	shared bool // dir is $WABOOK_BENCH_BOOKS
	paths  map[int]string
}

// BooksDirEnv names the directory Books share across test binaries.
const BooksDirEnv = "WABOOK_BENCH_BOOKS"

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
		b.dir, b.shared = os.Getenv(BooksDirEnv), true
		if b.dir == "" {
			dir, err := os.MkdirTemp("", "wabook-bench-")
			if err != nil {
				tb.Fatal(err)
			}
			b.dir, b.shared = dir, false
		}
		b.paths = map[int]string{}
	}
	path := filepath.Join(b.dir, fmt.Sprintf("book-%d.db", n))
	if _, err := os.Stat(path); err != nil {
		// Written under a name of this process and renamed: a book
		// interrupted half-way is never taken for a whole one, and two
		// test binaries writing the same book do not mix their writes.
		tmp := fmt.Sprintf("%s.%d.part", path, os.Getpid())
		if err := WriteBook(tb.Context(), tmp, n); err != nil {
			tb.Fatalf("writing the %d-contact book: %v", n, err)
		}
		if err := os.Rename(tmp, path); err != nil {
			tb.Fatal(err)
		}
	}
	b.paths[n] = path
	return path
}

// WriteBook writes the generated book of n contacts (BookShape) into a new
// database file at path. scripts/tmuxbench writes its books through it
// (tmuxbench_test.go) when $WABOOK_BENCH_BOOKS has none.
func WriteBook(ctx context.Context, path string, n int) error {
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
	if b.dir != "" && !b.shared {
		os.RemoveAll(b.dir)
	}
	b.dir, b.paths = "", nil
}

// Copy returns a copy of the n-contact book in tb's temporary directory,
// for a benchmark that writes to it.
func (b *Books) Copy(tb testing.TB, n int) string {
	tb.Helper()
	from := b.Path(tb, n)
	to := filepath.Join(tb.TempDir(), filepath.Base(from))
	if err := copyFile(from, to); err != nil {
		tb.Fatal(err)
	}
	return to
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
