package store_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/wabook/wabook/store"
)

// A full disk is recognised whichever way it shows: SQLite's SQLITE_FULL
// (made real here by capping the database's pages) or the system's ENOSPC
// (a write to /dev/full), however wrapped.
func TestIsDiskFull(t *testing.T) {
	t.Parallel()

	s := open(t)
	conn, err := s.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var pages int
	if err := conn.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA max_page_count = %d`, pages)); err != nil {
		t.Fatal(err)
	}
	_, sqliteErr := conn.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('big', ?)`, strings.Repeat("x", 1<<20))
	if sqliteErr == nil {
		t.Fatal("no error from a database that may not grow")
	}

	var enospc error
	if f, err := os.OpenFile("/dev/full", os.O_WRONLY, 0); err == nil {
		_, enospc = f.Write([]byte("x"))
		f.Close()
	}

	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"SQLITE_FULL", sqliteErr, true},
		{"SQLITE_FULL wrapped", fmt.Errorf("store: commit: %w", sqliteErr), true},
		{"ENOSPC", enospc, true},
		{"other", errors.New("database or disk is full"), false},
		{"nil", nil, false},
		{"not found", store.ErrNotFound, false},
	}
	for _, tt := range tests {
		if tt.name == "ENOSPC" && tt.err == nil {
			t.Log("no /dev/full here: ENOSPC not tried")
			continue
		}
		if got := store.IsDiskFull(tt.err); got != tt.want {
			t.Errorf("%s (%v): IsDiskFull = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}
