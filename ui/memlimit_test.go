package ui

import (
	"context"
	"math"
	"path/filepath"
	"runtime/debug"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/app/apptest"
	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/wa/sim"
)

// limitWatcher is a Service that records the process's memory limit when
// the whole book is read.
type limitWatcher struct {
	Service
	during atomic.Int64
}

func (w *limitWatcher) ReadBook(ctx context.Context, fn func(c *model.Contact) error) (*app.Snapshot, error) {
	w.during.Store(debug.SetMemoryLimit(-1))
	return w.Service.ReadBook(ctx, fn)
}

// A build of a book from Memory.from contacts on runs without the limit;
// once the UI has installed the index it made, the limit holds again. A
// smaller book is built under the limit. (Not parallel: the limit is the
// process's.)
func TestBigBuildsLiftTheMemoryLimitUntilInstalled(t *testing.T) {
	old := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(old) })
	world, err := sim.LoadWorldFile(filepath.Join("..", "testdata", "world.json"))
	if err != nil {
		t.Fatal(err)
	}
	svc, _, ctx := apptest.Run(t, sim.New(world), app.Options{})
	apptest.Sync(ctx, t, svc)
	const rest = 3 << 30
	for _, tc := range []struct {
		name   string
		from   int
		during int64
	}{
		{"big", 2, math.MaxInt64},
		{"small", 1 << 30, rest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem := HoldMemoryLimit(rest)
			mem.from, mem.quiet = tc.from, 0
			w := &limitWatcher{Service: svc}
			e := newEventLoop(New(ctx, w, Options{Memory: mem}))
			e.step(tea.WindowSizeMsg{Width: 100, Height: 30})
			e.exec(e.m.Init())
			e.waitFull()
			if got := w.during.Load(); got != tc.during {
				t.Errorf("memory limit while the book was read: %d, want %d", got, tc.during)
			}
			// The settling runs in a command once the index is installed.
			for deadline := time.Now().Add(10 * time.Second); mem.isLifted() && time.Now().Before(deadline); {
				time.Sleep(5 * time.Millisecond)
			}
			if got := debug.SetMemoryLimit(-1); got != rest {
				t.Errorf("memory limit after the index was installed: %d, want %d", got, rest)
			}
		})
	}
}

// The limit is held again only once no lifting build is under way: a
// settle while one runs leaves it lifted.
func TestMemorySettlesOnlyWhenNoBuildRuns(t *testing.T) {
	const rest = 3 << 30
	mem, limit := heldLimit(t, rest)
	mem.quiet = 0
	endA := mem.build(liftFrom)
	endB := mem.build(liftFrom + 1)
	endSmall := mem.build(liftFrom - 1)
	endSmall()
	if limit() != math.MaxInt64 {
		t.Fatalf("limit during two builds: %d", limit())
	}
	endA()
	mem.settler()()
	if limit() != math.MaxInt64 || !mem.isLifted() {
		t.Fatalf("limit settled while a build runs: %d", limit())
	}
	endB()
	if limit() != math.MaxInt64 {
		t.Fatalf("limit held again before the index was installed: %d", limit())
	}
	mem.settler()()
	if limit() != rest || mem.isLifted() {
		t.Fatalf("limit after settling: %d, want %d", limit(), rest)
	}
	var none *Memory
	none.build(liftFrom)()
	none.settler()()
	if limit() != rest {
		t.Fatalf("a nil Memory changed the limit: %d", limit())
	}
}

// settle waits for changes to stop: a build that starts while it waits
// (the next refresh of a sync) leaves the limit lifted for that build,
// whose own settle then holds it again.
func TestMemorySettleGivesWayToTheNextBuild(t *testing.T) {
	const rest = 3 << 30
	mem, limit := heldLimit(t, rest)
	mem.quiet = 200 * time.Millisecond
	mem.build(liftFrom)()
	settled := make(chan struct{})
	settle := mem.settler()
	go func() {
		settle()
		close(settled)
	}()
	end := mem.build(liftFrom)
	end()
	<-settled
	if limit() != math.MaxInt64 || !mem.isLifted() {
		t.Fatalf("a settle called before the next build held the limit: %d", limit())
	}
	mem.settler()()
	if limit() != rest || mem.isLifted() {
		t.Fatalf("limit after the last build's settle: %d, want %d", limit(), rest)
	}
}

// Of two settles asked for, only the later one brings the limit down: the
// earlier ends when it sees it (two stepping down together would go twice
// as fast), and a settle asked for while a build runs does nothing (that
// build's index is not installed yet; its own settle will come).
func TestMemoryRunsTheLatestSettle(t *testing.T) {
	const rest = 3 << 30
	mem, limit := heldLimit(t, rest)
	mem.quiet = 100 * time.Millisecond
	end := mem.build(liftFrom)
	during := mem.settler()
	end()
	during()
	if limit() != math.MaxInt64 || !mem.isLifted() {
		t.Fatalf("a settle asked for during the build held the limit: %d", limit())
	}
	earlier := mem.settler()
	later := mem.settler()
	earlier()
	if limit() != math.MaxInt64 || !mem.isLifted() {
		t.Fatalf("the earlier of two settles held the limit: %d", limit())
	}
	later()
	if limit() != rest || mem.isLifted() {
		t.Fatalf("limit after the later settle: %d, want %d", limit(), rest)
	}
}

// heldLimit holds the process's memory limit at rest for the test (as
// HoldMemoryLimit does), giving it back after, and returns the Memory and
// a reader of the limit. Tests that use it are not parallel: the limit is
// the process's.
func heldLimit(t *testing.T, rest int64) (*Memory, func() int64) {
	old := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(old) })
	return HoldMemoryLimit(rest), func() int64 { return debug.SetMemoryLimit(-1) }
}
