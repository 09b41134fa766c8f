// Running the terminal UI: the program, the database check before the first
// write, the connection taken over when its holder quits.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/ui"
)

func runTUI(ctx context.Context, w *wiring, locked *app.LockedError, stderr io.Writer) int {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(ui.MemoryLimit)
	}
	svc := w.svc
	opts := ui.Options{}
	if locked != nil {
		opts.ReadOnly = true
		opts.Holder = locked.PID
		opts.Banner = fmt.Sprintf("wabook pid %d has the WhatsApp connection; this one takes over when it quits.", locked.PID)
	}
	// Writes wait for the database check; the first frame only reads.
	svc.HoldWrites()
	p := tea.NewProgram(ui.New(ctx, svc, opts), tea.WithContext(ctx), tea.WithoutSignalHandler())
	uiCtx, uiDone := context.WithCancel(ctx)
	started := make(chan struct{})
	go func() {
		defer close(started)
		err := w.store.Verify(uiCtx)
		if uiCtx.Err() != nil {
			svc.ReleaseWrites(uiCtx.Err())
			return // quit during the check: start nothing
		}
		svc.ReleaseWrites(err)
		if err != nil {
			p.Send(ui.FatalMsg{Err: err})
			return
		}
		w.startService(ctx)
		if locked != nil {
			var ok bool
			if w.takenLock, ok = waitForLock(uiCtx, w.dbPath); !ok || uiCtx.Err() != nil {
				return
			}
			if err := svc.TakeOver(uiCtx); err != nil {
				p.Send(ui.FatalMsg{Err: fmt.Errorf("taking the WhatsApp connection over: %w", err)})
				return
			}
			p.Send(ui.ConnectionTakenMsg{})
		}
		// A failed connect leaves the mirror worth browsing offline;
		// the service keeps the error and the Account screen shows it.
		_ = svc.Connect(uiCtx)
		svc.StartChecker(ctx)
		svc.StartOutbox(ctx)
	}()
	_, err := p.Run()
	uiDone()
	<-started
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, tea.ErrInterrupted) && !errors.Is(err, context.Canceled) {
		fmt.Fprintf(stderr, "wabook: %v\n", app.PlainError(err))
		return 1
	}
	return 0
}

// lockPoll is how often a UI that does not hold the connection looks
// whether the wabook holding it has quit.
const lockPoll = time.Second

// waitForLock takes the connection lock once the process holding it lets
// it go (quits, or is killed: the flock goes with it), or gives up when ctx
// ends.
func waitForLock(ctx context.Context, dbPath string) (*app.Lock, bool) {
	t := time.NewTicker(lockPoll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil, false
		case <-t.C:
		}
		if l, err := app.AcquireLock(dbPath); err == nil {
			return l, true
		}
	}
}
