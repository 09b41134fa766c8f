package ui

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/app/apptest"
	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store/storetest"
	"github.com/wabook/wabook/wa/sim"
)

// readCounter is a Service that counts the reads an index makes: whole
// (ReadBook), and the label-sync setting every refresh looks at.
type readCounter struct {
	Service
	snapshots, settings atomic.Int64
}

func (r *readCounter) ReadBook(ctx context.Context, fn func(c *model.Contact) error) (*app.Snapshot, error) {
	r.snapshots.Add(1)
	return r.Service.ReadBook(ctx, fn)
}

func (r *readCounter) LabelSyncEnabled() bool {
	r.settings.Add(1)
	return r.Service.LabelSyncEnabled()
}

// Latest's fast path: while the service's DataVersion stays, it returns
// the index it holds, the same one, without reading anything; a write
// (a contact, a setting) moves the version, and the next Latest reads
// once, only what changed.
func TestIndexesLatestReadsNothingWhileTheVersionStays(t *testing.T) {
	t.Parallel()
	// The commit watcher would count this process's own commits again
	// when it looks (app/watch.go): a read more, never one less. It does
	// not look during this test, so the version moves only with the
	// writes made here.
	world, err := sim.LoadWorldFile(filepath.Join("..", "testdata", "world.json"))
	if err != nil {
		t.Fatal(err)
	}
	svc, _, ctx := apptest.Run(t, sim.New(world), app.Options{CommitPoll: time.Hour})
	apptest.Sync(ctx, t, svc)
	rc := &readCounter{Service: svc}
	x := NewIndexes(rc)
	var changes atomic.Int64
	x.changes = func(ctx context.Context, since app.Mark, limit int) (*app.Changes, error) {
		changes.Add(1)
		return svc.ChangesSince(ctx, since, limit)
	}
	reads := func() [3]int64 { return [3]int64{rc.snapshots.Load(), rc.settings.Load(), changes.Load()} }

	first, whole, err := x.Latest(ctx)
	if err != nil || !whole {
		t.Fatalf("first Latest: whole %v, %v", whole, err)
	}
	settled := reads()
	for range 5 {
		ix, whole, err := x.Latest(ctx)
		if err != nil || whole || ix != first {
			t.Fatalf("Latest with nothing written: a new index %v, whole %v, %v", ix != first, whole, err)
		}
	}
	if got := reads(); got != settled {
		t.Fatalf("Latest read with the version unchanged: snapshots, settings, changes %v → %v", settled, got)
	}

	n := first.visible()
	if _, err := svc.AddContact(ctx, app.ContactInput{Name: "Zed Fresh", Phone: "+14155550199"}); err != nil {
		t.Fatal(err)
	}
	next, whole, err := x.Latest(ctx)
	if err != nil || whole || next == first || next.visible() != n+1 {
		t.Fatalf("Latest after a write: new %v, whole %v, %d contacts (was %d), %v", next != first, whole, next.visible(), n, err)
	}
	if got := reads(); got[0] != settled[0] || got[2] != settled[2]+1 {
		t.Fatalf("after a write: snapshots, settings, changes %v → %v; want one read of the changes", settled, got)
	}
	settled = reads()
	if ix, _, _ := x.Latest(ctx); ix != next || reads() != settled {
		t.Fatalf("Latest again read: %v → %v", settled, reads())
	}

	// A setting is part of what the index shows (label sync): it moves
	// the version too.
	if _, err := svc.SetLabelSync(ctx, false); err != nil {
		t.Fatal(err)
	}
	if _, _, err := x.Latest(ctx); err != nil {
		t.Fatal(err)
	}
	if got := reads(); got[2] != settled[2]+1 || got[1] == settled[1] {
		t.Fatalf("after a setting: snapshots, settings, changes %v → %v; want one read", settled, got)
	}
	if x.WholeReads() != 1 {
		t.Errorf("%d whole reads, want 1", x.WholeReads())
	}
}

// A change too large to apply (rebuildLimit) makes the next Latest read
// the mirror whole, and ForcedReads tells it from the first read, which
// had no index to start from (serve's load run counts on the difference).
func TestIndexesForcedReadsCountTheRebuilds(t *testing.T) {
	t.Parallel()
	world, err := sim.LoadWorldFile(filepath.Join("..", "testdata", "world.json"))
	if err != nil {
		t.Fatal(err)
	}
	svc, st, ctx := apptest.Run(t, sim.New(world), app.Options{CommitPoll: time.Hour})
	apptest.Sync(ctx, t, svc)
	x := NewIndexes(svc)
	first, _, err := x.Latest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if x.WholeReads() != 1 || x.ForcedReads() != 0 {
		t.Fatalf("first read: %d whole, %d forced; want 1, 0", x.WholeReads(), x.ForcedReads())
	}
	many := rebuildLimit(first.visible()) + 1
	cs, _, _ := storetest.Generate(many, 0, 0, 7)
	if err := st.UpsertContacts(ctx, cs); err != nil {
		t.Fatal(err)
	}
	ix, whole, err := x.Latest(ctx)
	if err != nil || !whole || ix.visible() != first.visible()+many {
		t.Fatalf("after %d new contacts: whole %v, %d contacts, %v", many, whole, ix.visible(), err)
	}
	if x.WholeReads() != 2 || x.ForcedReads() != 1 {
		t.Errorf("after a rebuild: %d whole, %d forced; want 2, 1", x.WholeReads(), x.ForcedReads())
	}
}
