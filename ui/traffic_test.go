package ui

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/store/storetest"
	"github.com/wabook/wabook/wa/sim"
)

// countingTerminal is the program's output: it keeps every byte and when
// the last write happened.
type countingTerminal struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	last  time.Time
	total int
}

func (c *countingTerminal) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.total += len(p)
	c.last = time.Now()
	return c.buf.Write(p)
}

func (c *countingTerminal) snapshot() (total int, last time.Time, text string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total, c.last, c.buf.String()
}

// quiet waits until nothing was written for d and returns the byte count.
func (c *countingTerminal) quiet(t *testing.T, d time.Duration) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		total, last, _ := c.snapshot()
		if total > 0 && time.Since(last) >= d {
			return total
		}
		time.Sleep(d / 4)
	}
	t.Fatal("the program never stopped writing")
	return 0
}

// TestTerminalTraffic measures what the real renderer writes at 120x40 for
// the first frame, one cursor move and one search keystroke, and that an
// idle screen writes nothing: what matters over a slow SSH link.
func TestTerminalTraffic(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("waits 10 s for an idle screen; skipped with -short")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := store.Open(filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	contacts, groups, labels := storetest.Generate(5_000, 100, 20, 3)
	if err := storetest.Populate(ctx, st, contacts, groups, labels); err != nil {
		t.Fatal(err)
	}
	world, err := sim.LoadWorld(strings.NewReader(`{"account": {"phone": "+14155550100", "push_name": "Acme"}}`))
	if err != nil {
		t.Fatal(err)
	}
	backend := sim.New(world)
	defer backend.Close()
	svc := app.New(st, backend, app.Options{})
	go svc.Run(ctx)
	if err := svc.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}

	in, keys := io.Pipe()
	term := &countingTerminal{}
	p := tea.NewProgram(New(t.Context(), svc, Options{}), tea.WithInput(in), tea.WithOutput(term), tea.WithoutSignals(),
		tea.WithWindowSize(120, 40), tea.WithColorProfile(colorprofile.ANSI256),
		tea.WithEnvironment([]string{"TERM=xterm-256color"}))
	done := make(chan error, 1)
	go func() { _, err := p.Run(); done <- err }()
	defer func() { p.Quit(); keys.Close(); <-done }()

	const settle = 300 * time.Millisecond
	// The list, not the loading frame: wait for rows, then for quiet.
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, _, text := term.snapshot(); strings.Contains(text, "Phone") && strings.Contains(text, "+1") {
			break
		}
		if time.Now().After(deadline) {
			_, _, text := term.snapshot()
			t.Fatalf("the list never showed:\n%q", text)
		}
		time.Sleep(20 * time.Millisecond)
	}
	first := term.quiet(t, settle)
	press := func(s string) int {
		before := term.quiet(t, settle)
		if _, err := keys.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(settle)
		return term.quiet(t, settle) - before
	}
	down := press("j")
	press("/")
	search := press("a")

	before := term.quiet(t, settle)
	time.Sleep(10 * time.Second)
	idle, _, _ := term.snapshot()

	t.Logf("bytes written at 120x40: first frame %d, cursor move %d, search keystroke %d, idle 10 s %d", first, down, search, idle-before)
	if down == 0 || down >= 100 {
		t.Errorf("one cursor move wrote %d bytes, want 1..99", down)
	}
	if search == 0 || search >= 4096 {
		t.Errorf("one search keystroke wrote %d bytes, want 1..4095", search)
	}
	if idle != before {
		t.Errorf("an idle screen wrote %d bytes in 10 s", idle-before)
	}
}
