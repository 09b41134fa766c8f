// Package apptest runs an app.Service for the tests of the packages above
// app (ui, cli, main): a fresh mirror in the test's temporary folder, a
// backend the test built (so it keeps the handle to steer it), everything
// stopped when the test ends. app's own tests cannot import it (the import
// would be a cycle) and keep their worldService.
package apptest

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/wa"
)

// Run runs a service over be and a fresh database until the test ends. The
// store is returned for the few tests that set up or inspect what the
// service does not offer; the context is the service's.
func Run(t testing.TB, be wa.Backend, opts app.Options) (*app.Service, *store.Store, context.Context) {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "wabook.db"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	svc := app.New(st, be, opts)
	go svc.Run(ctx)
	t.Cleanup(func() { cancel(); svc.StopOutbox(); be.Close(); st.Close() })
	return svc, st, ctx
}

// Sync waits (at most 10 s) for the service's first sync.
func Sync(ctx context.Context, t testing.TB, svc *app.Service) {
	t.Helper()
	syncCtx, done := context.WithTimeout(ctx, 10*time.Second)
	defer done()
	if err := svc.SyncOnce(syncCtx); err != nil {
		t.Fatal(err)
	}
}
