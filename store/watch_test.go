package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
)

// A commit through another handle on the file (as another process makes
// it) is seen once; reads are not commits.
func TestWatchCommitsSeesOtherWriters(t *testing.T) {
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
	changed := func() bool {
		t.Helper()
		ok, err := w.Changed(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if changed() {
		t.Fatal("a change before anything was written")
	}
	if _, err := b.Contacts(ctx); err != nil {
		t.Fatal(err)
	}
	if changed() {
		t.Fatal("a read counted as a commit")
	}
	c := model.Contact{JID: "14155550101@s.whatsapp.net", Phone: "+14155550101", FullName: "Ada", Source: model.SourceLocal}
	if err := b.UpsertContacts(ctx, []model.Contact{c}); err != nil {
		t.Fatal(err)
	}
	if !changed() {
		t.Fatal("another handle's commit was not seen")
	}
	if changed() {
		t.Fatal("one commit seen twice")
	}
}
