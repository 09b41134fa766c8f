package ui

import (
	"context"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/wabook/wabook/app"
)

// runLoad runs a Checks load command and returns its message.
func runLoad(t *testing.T, cmd tea.Cmd) checksLoadedMsg {
	t.Helper()
	if cmd == nil {
		t.Fatal("no load was started")
	}
	msg, ok := cmd().(checksLoadedMsg)
	if !ok {
		t.Fatalf("the load gave %T", msg)
	}
	return msg
}

// Hidden, the Checks screen reads only the jobs (the status bar's
// progress), not the thousands of results of the selected one; shown
// again, it reads the results it skipped.
func TestHiddenChecksScreenReadsOnlyTheJobs(t *testing.T) {
	t.Parallel()
	svc, _ := idleCheckingService(t, testWorld(t))
	if _, err := svc.EnqueueCheck(context.Background(), []string{"+14155550101", "+14155550102"}, app.CheckOptions{}); err != nil {
		t.Fatal(err)
	}
	m := New(t.Context(), svc, Options{})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})

	hidden := runLoad(t, m.checks.load())
	if hidden.withResults || hidden.results != nil || len(hidden.jobs) != 1 {
		t.Fatalf("a load while hidden read results %v (with %v) and %d jobs; want the one job only", hidden.results, hidden.withResults, len(hidden.jobs))
	}
	m.Update(hidden)
	if m.checks.activeSummary() == "" {
		t.Error("the status bar lost the running job's progress")
	}

	shown := runLoad(t, m.switchTo(screenChecks))
	if !shown.withResults || len(shown.results) != 2 || shown.jobID != hidden.jobs[0].ID {
		t.Fatalf("shown, the screen read results %v of job %d (with %v); want the job's 2", shown.results, shown.jobID, shown.withResults)
	}
	m.Update(shown)
	if cmd := m.switchTo(screenChecks); cmd != nil {
		t.Error("shown again with fresh results, it read them again")
	}
}

// A notice right after a load waits for checksReloadGap: a running job's
// notices come many times a second, and one delayed load serves them all.
func TestChecksNoticesFoldIntoOneDelayedLoad(t *testing.T) {
	t.Parallel()
	svc, _ := idleCheckingService(t, testWorld(t))
	m := New(t.Context(), svc, Options{})
	c := m.checks
	c.Update(runLoad(t, c.load()))

	first := c.noticed()
	if first == nil || c.loading || !c.tickPending {
		t.Fatalf("a notice right after a load: cmd %v, loading %v, delayed %v; want a delayed load", first != nil, c.loading, c.tickPending)
	}
	for range 5 {
		if cmd := c.noticed(); cmd != nil {
			t.Fatal("a second notice started another load or delay")
		}
	}
	if _, ok := first().(checksReloadMsg); !ok {
		t.Fatal("the delay did not end in a reload")
	}
	if msg := runLoad(t, c.Update(checksReloadMsg{})); msg.err != nil {
		t.Fatal(msg.err)
	}
	if c.tickPending || !c.loading {
		t.Errorf("after the delay: delayed %v, loading %v; want one load in flight", c.tickPending, c.loading)
	}
	if cmd := c.noticed(); cmd != nil || !c.reload {
		t.Error("a notice during a load did not fold into it")
	}
}
