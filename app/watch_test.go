package app

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/wa/sim"
)

// What another process writes to the mirror reaches this one's front ends
// as notices: here the other process is a second handle on the same file,
// with a service of its own, adding a contact. DataVersion has moved by
// the time the DataChanged is delivered: a front end woken by the notice
// reads again rather than keep its copy (ui.Indexes).
func TestOtherWritersAreNoticed(t *testing.T) {
	t.Parallel()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	open, world := sameFile(t)
	watching := New(open(), sim.New(world), Options{CommitPoll: 20 * time.Millisecond})
	looked := make(chan struct{}, 1)
	watching.watched = func() {
		select {
		case looked <- struct{}{}:
		default:
		}
	}
	ran := make(chan struct{})
	go func() {
		defer close(ran)
		watching.Run(ctx)
	}()
	other := New(open(), sim.New(world), Options{})

	// Nothing written yet: once the watcher has looked twice, no
	// DataChanged is waiting (a quiet mirror stays quiet).
	for range 2 {
		select {
		case <-looked:
		case <-time.After(5 * time.Second):
			t.Fatal("the watcher never looked")
		}
	}
	for len(watching.Notices()) > 0 {
		n := <-watching.Notices()
		if n.Kind == DataChanged {
			t.Fatalf("DataChanged before anything was written")
		}
		watching.Acknowledge(n)
	}
	before := watching.DataVersion()
	if _, err := other.AddContact(ctx, ContactInput{Name: "Zed Test", Phone: "+14155550199"}); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(5 * time.Second)
	for {
		select {
		case n := <-watching.Notices():
			watching.Acknowledge(n)
			if n.Kind == DataChanged {
				if after := watching.DataVersion(); after <= before {
					t.Fatalf("DataChanged delivered with DataVersion still %d (was %d before the other's write)", after, before)
				}
				if _, err := watching.store.Contact(ctx, "14155550199@s.whatsapp.net"); err != nil {
					t.Fatalf("noticed, but the contact is not readable: %v", err)
				}
				cancel()
				<-ran // Run returns only once its watcher has stopped
				return
			}
		case <-deadline:
			t.Fatal("the other process's contact was never noticed")
		}
	}
}

// sameFile gives handles on one new database file, each opened by a call
// of open (as two processes would), and a minimal world for their
// services.
func sameFile(t *testing.T) (open func() *store.Store, world *sim.World) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "w.db")
	open = func() *store.Store {
		st, err := store.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	world, err := sim.LoadWorld(strings.NewReader(`{"account": {"phone": "+14155550100"}}`))
	if err != nil {
		t.Fatal(err)
	}
	return open, world
}
