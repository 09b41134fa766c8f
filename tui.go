// Running the terminal UI: the program, the database check before the first
// write, the connection taken over when its holder quits.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/ui"
)

// detectColorProfile starts finding the terminal's colours, which the
// program would otherwise do in Run, before its first frame: inside tmux
// that runs `tmux info` (colorprofile.Detect), 5 to 50 ms that this way
// overlap opening the database. The program gets the same answer
// (tea.WithColorProfile).
func detectColorProfile() <-chan colorprofile.Profile {
	ch := make(chan colorprofile.Profile, 1)
	go func() { ch <- colorprofile.Detect(os.Stdout, os.Environ()) }()
	return ch
}

func runTUI(ctx context.Context, w *wiring, locked *app.LockedError, profile <-chan colorprofile.Profile, stderr io.Writer) int {
	svc := w.svc
	opts := ui.Options{}
	if os.Getenv("GOMEMLIMIT") == "" {
		opts.Memory = ui.HoldMemoryLimit(ui.MemoryLimit)
	}
	if locked != nil {
		opts.ReadOnly = true
		opts.Holder = locked.PID
		opts.Banner = fmt.Sprintf("wabook pid %d has the WhatsApp connection; this one takes over when it quits.", locked.PID)
	}
	// Writes wait for the database check; the first frame only reads. The
	// check reads the whole file: run beside the first page it made that
	// page several times slower (at 100 000 contacts on a busy 2-core
	// machine, 0.1–0.4 s instead of 15–30 ms), so it starts once the page
	// is installed, and the connection after it.
	svc.HoldWrites()
	firstPage := make(chan struct{})
	opts.FirstPage = func() { close(firstPage) }
	p := tea.NewProgram(ui.New(ctx, svc, opts), tea.WithContext(ctx), tea.WithoutSignalHandler(),
		tea.WithColorProfile(<-profile))
	uiCtx, uiDone := context.WithCancel(ctx)
	started := make(chan struct{})
	go func() {
		defer close(started)
		select {
		case <-firstPage:
		case <-uiCtx.Done():
		}
		err := w.store.Verify(uiCtx)
		if uiCtx.Err() != nil {
			svc.ReleaseWrites(uiCtx.Err())
			return // quit before or during the check: start nothing
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
