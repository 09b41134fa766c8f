package wm

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"

	"go.mau.fi/whatsmeow/store/sqlstore/upgrades"
	waLog "go.mau.fi/whatsmeow/util/log"
)

// A read-only backend (doctor's) reads a paired session from a connection
// that refuses writes, never connects, and refuses session tables of
// another whatsmeow version instead of upgrading them.
func TestReadOnlyBackend(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "wabook.db")
	rw, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	defer rw.Close()
	savePairedDevice(t, rw, true)
	ro, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=query_only(1)&_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()

	b, err := New(ctx, ro, Options{Log: waLog.Noop, ReadOnly: true})
	if err != nil {
		t.Fatalf("New on current session tables: %v", err)
	}
	if a := b.Account(); !a.Paired || a.PushName != "Acme" || !a.IsBusiness {
		t.Errorf("account %+v", a)
	}
	if err := b.Connect(ctx); !errors.Is(err, errReadOnly) {
		t.Errorf("Connect: %v, want errReadOnly", err)
	}
	b.Close()

	want := len(upgrades.Table)
	if _, err := rw.Exec(`UPDATE whatsmeow_version SET version = ?`, want-1); err != nil {
		t.Fatal(err)
	}
	_, err = New(ctx, ro, Options{Log: waLog.Noop, ReadOnly: true})
	var other *SessionVersionError
	if !errors.As(err, &other) || other.Stored != want-1 || other.Want != want {
		t.Fatalf("New on older session tables: %v, want a SessionVersionError %d/%d", err, want-1, want)
	}
}
