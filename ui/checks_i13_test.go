package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/wabook/wabook/app"
)

// checksUI is the UI on the Checks screen at 100x30 over a job of three
// numbers not yet sent (the queue starts with start).
func checksUI(t *testing.T) (m *Model, svc *app.Service, job app.Job, start func()) {
	t.Helper()
	svc, start = idleCheckingService(t, testWorld(t))
	job, err := svc.EnqueueCheck(context.Background(), []string{"+14155550101", "+14155550102", "+14155550199"}, app.CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m = New(t.Context(), svc, Options{})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	drive(m, m.load())
	m.switchTo(screenChecks)
	drive(m, m.checks.load())
	return m, svc, job, start
}

// finish runs the queue until job is done and shows it.
func finish(t *testing.T, m *Model, svc *app.Service, job app.Job, start func()) {
	t.Helper()
	start()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := svc.WaitJob(ctx, job.ID); err != nil {
		t.Fatal(err)
	}
	drive(m, m.checks.load())
}

// statusBar is the frame's status line, without styling.
func statusBar(m *Model) string {
	lines := strings.Split(ansi.Strip(m.View().Content), "\n")
	return lines[len(lines)-2]
}

// rowLine is the line of the Checks screen (under any dialog) where job
// id's row is.
func rowLine(m *Model, id int64) int {
	want := fmt.Sprintf("#%d ", id)
	for i, l := range strings.Split(ansi.Strip(m.checks.View()), "\n") {
		if strings.HasPrefix(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), cursorMarker)), want) {
			return i
		}
	}
	return -1
}

// A cancel answered after the job finished says so plainly, in the status
// bar: no raw error, and the job table does not move.
func TestCancelAnsweredAfterTheJobFinished(t *testing.T) {
	t.Parallel()
	m, svc, job, start := checksUI(t)
	pressKeys(m, "C")
	if _, ok := m.topDialog().(*confirmDialog); !ok {
		t.Fatal("C did not ask")
	}
	finish(t, m, svc, job, start)
	before := rowLine(m, job.ID)
	if before < 0 {
		t.Fatalf("no row for job 1:\n%s", ansi.Strip(m.checks.View()))
	}
	pressKeys(m, "y")
	if want := "job #1 finished before it could be cancelled"; !strings.Contains(statusBar(m), want) {
		t.Errorf("status bar %q; want %q", statusBar(m), want)
	}
	if view := ansi.Strip(m.View().Content); strings.Contains(view, "not possible") {
		t.Errorf("the queue's raw error shows:\n%s", view)
	}
	if after := rowLine(m, job.ID); after != before {
		t.Errorf("the job's row moved from line %d to %d:\n%s", before, after, ansi.Strip(m.View().Content))
	}
}

// Pausing and resuming leave no line in the status bar that outlives the
// state it told: once the job is done, the bar says done.
func TestResumedDoesNotOutliveTheRun(t *testing.T) {
	t.Parallel()
	m, svc, job, start := checksUI(t)
	pressKeys(m, "p")
	if bar := statusBar(m); !strings.Contains(bar, "job #1 paused") {
		t.Errorf("after p the bar says %q", bar)
	}
	pressKeys(m, "p")
	if bar := statusBar(m); strings.Contains(bar, "paused") {
		t.Errorf("after p again the bar says %q", bar)
	}
	finish(t, m, svc, job, start)
	if bar := statusBar(m); !strings.Contains(bar, "job #1 done") || strings.Contains(bar, "resumed") {
		t.Errorf("the job is done; the bar says %q", bar)
	}
}

// The results scrolled, enter goes back: the bar says so, not "scroll
// results" again.
func TestScrollModeOffersTheWayBack(t *testing.T) {
	t.Parallel()
	m, _, _, _ := checksUI(t)
	helps := func() string {
		var out []string
		for _, b := range m.checks.ShortHelp() {
			out = append(out, b.Help().Key+" "+b.Help().Desc)
		}
		return strings.Join(out, " · ")
	}
	if h := helps(); !strings.Contains(h, "enter scroll results") {
		t.Errorf("jobs: %q", h)
	}
	pressKeys(m, "enter")
	if h := helps(); strings.Contains(h, "scroll results") || !strings.Contains(h, "back to the jobs") {
		t.Errorf("scrolling the results, the help says %q", h)
	}
}

// esc leaves the new-check form with no field focused, whichever had it.
func TestLeavingTheCheckFormBlursEveryField(t *testing.T) {
	t.Parallel()
	for _, tabs := range []int{0, 1, 2} {
		m, _, _, _ := checksUI(t)
		pressKeys(m, "n")
		for range tabs {
			pressKeys(m, "tab")
		}
		pressKeys(m, "esc")
		c := m.checks
		if c.mode != checksBrowse || c.numbers.Focused() || c.file.Focused() || c.region.Focused() {
			t.Errorf("after %d tabs and esc: mode %d, focused numbers %v file %v region %v",
				tabs, c.mode, c.numbers.Focused(), c.file.Focused(), c.region.Focused())
		}
	}
}

// x on Checks is a form: a file name that completes, written where it
// says (the whole path in the answer), replaced only after a yes, and
// never under another format's extension.
func TestChecksExportIsAForm(t *testing.T) {
	t.Parallel()
	m, svc, job, start := checksUI(t)
	finish(t, m, svc, job, start)
	dir := t.TempDir()
	path := filepath.Join(dir, "results.csv")
	if err := os.WriteFile(path, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	pressKeys(m, "x")
	f, ok := m.topDialog().(*formDialog)
	if !ok || !f.fields[0].path || f.fields[0].input.Value() != "wabook-check-1.csv" {
		t.Fatalf("x: no form with a file name to complete:\n%s", ansi.Strip(m.View().Content))
	}
	f.fields[0].input.SetValue(filepath.Join(dir, "results.json"))
	pressKeys(m, "enter")
	if m.topDialog() != f || !strings.Contains(f.err, "written as CSV") {
		t.Errorf(".json: form open %v, error %q", m.topDialog() == f, f.err)
	}
	f.fields[0].input.SetValue(path)
	pressKeys(m, "enter")
	if _, ok := m.topDialog().(*confirmDialog); !ok || !strings.Contains(boxText(m.View().Content), "exists already. Replace it") {
		t.Fatalf("no question before replacing:\n%s", ansi.Strip(m.View().Content))
	}
	pressKeys(m, "n")
	if data, _ := os.ReadFile(path); m.topDialog() != f || string(data) != "keep me" {
		t.Fatalf("no: form open %v, file %.20q", m.topDialog() == f, data)
	}
	pressKeys(m, "enter", "y")
	data, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(data), "input,") && !strings.Contains(string(data), "+14155550101") {
		t.Errorf("the file holds %.60q", data)
	}
	if bar := statusBar(m); !strings.Contains(bar, "exported 3 results of job #1 to") || !strings.Contains(bar, "results.csv") ||
		strings.Contains(bar, " to results.csv") {
		t.Errorf("status bar %q: want the whole path", bar)
	}
}

// a on Checks asks for the labels in a form: a bad one keeps it open.
func TestChecksSaveValidIsAForm(t *testing.T) {
	t.Parallel()
	m, svc, job, start := checksUI(t)
	finish(t, m, svc, job, start)
	pressKeys(m, "a")
	f, ok := m.topDialog().(*formDialog)
	if !ok {
		t.Fatalf("a: no form:\n%s", ansi.Strip(m.View().Content))
	}
	f.fields[0].input.SetValue("ok, " + strings.Repeat("x", 200))
	pressKeys(m, "enter")
	if m.topDialog() != f || f.err == "" {
		t.Fatalf("a bad label: form open %v, error %q", m.topDialog() == f, f.err)
	}
	f.fields[0].input.SetValue("Checked")
	pressKeys(m, "enter")
	if m.topDialog() != nil || !strings.Contains(statusBar(m), "saved") {
		t.Errorf("after enter: dialog %v, bar %q", m.topDialog(), statusBar(m))
	}
}
