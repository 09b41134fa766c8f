package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
)

// A commit of the store through another handle on the file (as another
// process makes it) is seen once, as a mirror or a check-queue change;
// reads, and writes to tables that are not the store's (whatsmeow's, in
// the same file), are not.
func TestWatchCommitsSeesOtherWriters(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.db")
	a, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	w, err := a.WatchCommits(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	changed := func() store.Changes {
		t.Helper()
		ch, err := w.Changed(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return ch
	}
	none := store.Changes{}
	if ch := changed(); ch != none {
		t.Fatalf("%+v before anything was written", ch)
	}
	if _, err := b.Contacts(ctx); err != nil {
		t.Fatal(err)
	}
	if ch := changed(); ch != none {
		t.Fatalf("a read counted as %+v", ch)
	}
	// whatsmeow commits to its own tables in the same file all the time.
	for _, q := range []string{`CREATE TABLE whatsmeow_like (k TEXT)`, `INSERT INTO whatsmeow_like VALUES ('session')`} {
		if _, err := b.DB().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if ch := changed(); ch != none {
		t.Fatalf("a write to another table counted as %+v", ch)
	}
	c := model.Contact{JID: "14155550101@s.whatsapp.net", Phone: "+14155550101", FullName: "Ada", Source: model.SourceLocal}
	if err := b.UpsertContacts(ctx, []model.Contact{c}); err != nil {
		t.Fatal(err)
	}
	if ch := changed(); ch != (store.Changes{Data: true}) {
		t.Fatalf("another handle's contact: %+v, want a mirror change", ch)
	}
	if ch := changed(); ch != none {
		t.Fatalf("one commit seen twice: %+v", ch)
	}
	if err := b.PutCheck(ctx, model.CheckResult{Phone: "+14155550101", Status: model.CheckValid, WAID: "14155550101"}); err != nil {
		t.Fatal(err)
	}
	if ch := changed(); ch != (store.Changes{Checks: true}) {
		t.Fatalf("another handle's check result: %+v, want a check-queue change", ch)
	}
}
