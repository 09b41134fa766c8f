package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/wa"
	"github.com/wabook/wabook/wa/sim"
)

// watchedOutput is stdout that notes, at the command's first write,
// whether the check queue still runs in the process: the command's work is
// done by then, so a worker still running could claim a batch that the
// process, about to end, would walk away from (its budget spent, the batch
// sent again by the next run). Only a stopped worker rules that out.
type watchedOutput struct {
	bytes.Buffer
	running   func() bool
	watched   bool
	stillBusy bool // the queue ran at the first write
}

func (o *watchedOutput) watch() {
	if !o.watched {
		o.watched = true
		o.stillBusy = o.running()
	}
}

func (o *watchedOutput) Write(p []byte) (int, error) {
	o.watch()
	return o.Buffer.Write(p)
}

// WriteString watches too: the JSON output is written with it
// (bytes.Buffer's own would skip the watch).
func (o *watchedOutput) WriteString(s string) (int, error) {
	o.watch()
	return o.Buffer.WriteString(s)
}

// runWatched runs wabook with a watchedOutput and returns what the
// simulated account was asked during the run. It fails the test when the
// check queue still ran as the command wrote its result.
func runWatched(t *testing.T, args ...string) (stdout, stderr string, code int, asked []string) {
	t.Helper()
	var be *sim.Backend
	var svc *app.Service
	out := &watchedOutput{running: func() bool { return svc.CheckerStatus().Running }}
	var errOut bytes.Buffer
	code = runWith(args, out, &errOut, func(b wa.Backend, s *app.Service) { be, svc = b.(*sim.Backend), s })
	if be == nil {
		t.Fatalf("%v: no simulated backend was built (exit %d: %s)", args, code, errOut.String())
	}
	if out.stillBusy {
		t.Errorf("%v: the check queue still ran when the command wrote its result", args)
	}
	return out.String(), errOut.String(), code, be.CheckedNumbers()
}

// queueState is what `checks --json` says about the budget and the jobs.
type queueState struct {
	Checker struct {
		BudgetLeft  int `json:"budget_left"`
		BudgetTotal int `json:"budget_total"`
	} `json:"checker"`
	Jobs []struct {
		ID     int64          `json:"id"`
		State  string         `json:"state"`
		Counts map[string]int `json:"counts"`
	} `json:"jobs"`
}

func checksState(t *testing.T, world, db string) queueState {
	t.Helper()
	out, errOut, code := runWabook(t, "--sim", world, "--db", db, "checks", "--json")
	if code != 0 {
		t.Fatalf("checks: exit %d: %s", code, errOut)
	}
	var q queueState
	if err := json.Unmarshal([]byte(out), &q); err != nil {
		t.Fatalf("checks --json: %v\n%s", err, out)
	}
	return q
}

func (q queueState) job(t *testing.T, id int64) (state app.JobState, counts map[string]int) {
	t.Helper()
	for _, j := range q.Jobs {
		if j.ID == id {
			return app.JobState(j.State), j.Counts
		}
	}
	t.Fatalf("no job %d in %+v", id, q.Jobs)
	return "", nil
}

// `check --no-wait` only queues: the process holding the connection ends at
// once, so it must not start a batch it would walk away from.
func TestCheckNoWaitOnlyQueues(t *testing.T) {
	world, db := checkSetup(t, "0")
	out, errOut, code, asked := runWatched(t, "--sim", world, "--db", db, "check", "--no-wait", "+16315551004", "+16315551005")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if len(asked) != 0 {
		t.Errorf("check --no-wait asked WhatsApp about %v", asked)
	}
	if !strings.Contains(out, "check job 1 queued: 2 numbers; it runs when wabook next runs the check queue") ||
		strings.Count(out, "processing") != 2 {
		t.Errorf("output:\n%s", out)
	}
	q := checksState(t, world, db)
	if state, counts := q.job(t, 1); state != app.JobQueued || counts["processing"] != 2 {
		t.Errorf("job 1 is %s with %v, want queued with both numbers waiting", state, counts)
	}
	if q.Checker.BudgetLeft != q.Checker.BudgetTotal {
		t.Errorf("budget %d of %d left: --no-wait spent some", q.Checker.BudgetLeft, q.Checker.BudgetTotal)
	}
	out, _, _ = runWabook(t, "--sim", world, "--db", db, "checks")
	if !strings.HasPrefix(out, "queue: not running: it runs in the UI, or while a check waits\n") {
		t.Errorf("checks:\n%s", out)
	}
	// A check that waits runs the queue, the waiting job included.
	runCheck(t, "--sim", world, "--db", db, "check", "--json", "+16315551006")
	if state, counts := checksState(t, world, db).job(t, 1); state != app.JobDone || counts["valid"] != 1 || counts["invalid"] != 1 {
		t.Errorf("job 1 after a waiting check: %s %v", state, counts)
	}
}

// `checks retry JOB` runs the job like check does: in the process holding
// the connection it waits and prints the results; --no-wait only queues;
// when another process holds the connection it says that one runs it.
func TestChecksRetryRunsTheJob(t *testing.T) {
	dir := t.TempDir()
	world := filepath.Join(dir, "world.json")
	db := filepath.Join(dir, "w.db")
	cfg := filepath.Join(dir, "config.json")
	if err := os.WriteFile(cfg, []byte(`{"check_pace": "0s"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("WABOOK_CONFIG", cfg)
	writeWorld := func(failing string) {
		t.Helper()
		w := `{"account": {"phone": "+14155550100"},
		"registered": ["+16315551004", "+16315551005", "+16315551006", "+16315551007"], "failing": {` + failing + `}}`
		if err := os.WriteFile(world, []byte(w), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	writeWorld(`"+16315551005": "timeout", "+16315551006": "timeout", "+16315551007": "timeout"`)
	// Jobs 1, 2 and 3, each with one number that failed.
	for _, nums := range [][]string{{"+16315551004", "+16315551005"}, {"+16315551006"}, {"+16315551007"}} {
		rs := runCheck(t, append([]string{"--sim", world, "--db", db, "check", "--json"}, nums...)...)
		if last := rs[len(rs)-1]; last.Status != "failed" {
			t.Fatalf("%v: %+v, want the last one failed", nums, rs)
		}
	}
	before := checksState(t, world, db).Checker.BudgetLeft

	// Another process holds the connection: it runs the job.
	lock, err := app.AcquireLock(db)
	if err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runWabook(t, "--sim", world, "--db", db, "checks", "retry", "2", "--no-wait")
	lock.Release()
	want := fmt.Sprintf("check job 2: 1 failed or cancelled number queued again; wabook pid %d holds the WhatsApp connection and runs it", os.Getpid())
	if code != 0 || !strings.HasPrefix(out, want+" (see wabook checks)\n") || !strings.Contains(out, "processing") {
		t.Errorf("retry while another process holds the connection: exit %d, stderr %q\n%s", code, errOut, out)
	}

	// --no-wait in the holding process: queued, nothing sent.
	out, errOut, code, asked := runWatched(t, "--sim", world, "--db", db, "checks", "retry", "1", "--no-wait")
	if code != 0 || len(asked) != 0 ||
		!strings.HasPrefix(out, "check job 1: 1 failed or cancelled number queued again; it runs when wabook next runs the check queue") {
		t.Errorf("retry --no-wait: exit %d, asked %v, stderr %q\n%s", code, asked, errOut, out)
	}
	q := checksState(t, world, db)
	if state, counts := q.job(t, 1); state != app.JobQueued || counts["processing"] != 1 || q.Checker.BudgetLeft != before {
		t.Errorf("after retry --no-wait: job 1 %s %v, budget %d (was %d)", state, counts, q.Checker.BudgetLeft, before)
	}

	// A second retry finds nothing failed, but the numbers queued by the
	// first still wait: it runs them and waits, rather than refuse. The
	// number times out again: exit 3.
	out, errOut, code, asked = runWatched(t, "--sim", world, "--db", db, "checks", "retry", "1")
	if code != 3 || !strings.Contains(strings.Join(asked, " "), "+16315551005") ||
		!strings.HasPrefix(out, "check job 1: no failed numbers; 1 number still to check\n") || !strings.Contains(out, "timeout") {
		t.Errorf("retry of a job with queued numbers: exit %d, asked %v, stderr %q\n%s", code, asked, errOut, out)
	}

	// WhatsApp answers now: a retry that waits checks the number and
	// prints the job's results as check does.
	writeWorld("")
	out, errOut, code, asked = runWatched(t, "--sim", world, "--db", db, "checks", "retry", "3", "--json")
	if code != 0 {
		t.Fatalf("retry: exit %d: %s", code, errOut)
	}
	var rs []checkOut
	if err := json.Unmarshal([]byte(out), &rs); err != nil {
		t.Fatalf("retry --json: %v\n%s", err, out)
	}
	if len(rs) != 1 || rs[0].Input != "+16315551007" || rs[0].Status != "valid" || rs[0].Cached {
		t.Errorf("retry --json printed %+v", rs)
	}
	if !strings.Contains(strings.Join(asked, " "), "+16315551007") ||
		errOut != "wabook: check job 3: 1 failed or cancelled number queued again\n" {
		t.Errorf("retry: asked %v, stderr %q", asked, errOut)
	}

	for _, args := range [][]string{{"checks", "retry", "3", "--json", "--csv"}, {"checks", "retry", "--no-wait"}} {
		out, errOut, code := runWabook(t, append([]string{"--sim", world, "--db", db}, args...)...)
		if code != 2 || out != "" || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want a usage error", args, code, out, errOut)
		}
	}
}

// A check that waits ends when its own job is done; a batch of another job
// must not be cut off mid-query (its budget spent, the batch sent again by
// the next run), which happened when a reply slower than the pace let the
// queue claim the next batch at once. Here job 1 runs again (checks retry)
// while job 2 waits behind it; runWatched fails when the queue still runs
// as the result is written, and what was sent must have been stored.
func TestFinishedCheckCutsOffNoOtherBatch(t *testing.T) {
	dir := t.TempDir()
	world := filepath.Join(dir, "world.json")
	db := filepath.Join(dir, "w.db")
	cfg := filepath.Join(dir, "config.json")
	// Replies take 1 s; the pace is 0.5 s (±20%).
	if err := os.WriteFile(cfg, []byte(`{"check_pace": "500ms"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("WABOOK_CONFIG", cfg)
	writeWorld := func(failing string) {
		t.Helper()
		w := `{"account": {"phone": "+14155550100"}, "check_latency_ms": 1000,
		"registered": ["+16315551004", "+16315551005"], "failing": {` + failing + `}}`
		if err := os.WriteFile(world, []byte(w), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	writeWorld(`"+16315551004": "timeout"`)
	if rs := runCheck(t, "--sim", world, "--db", db, "check", "--json", "+16315551004"); rs[0].Status != "failed" {
		t.Fatalf("job 1: %+v, want failed", rs)
	}
	writeWorld("")
	if _, errOut, code := runWabook(t, "--sim", world, "--db", db, "check", "--no-wait", "+16315551005"); code != 0 {
		t.Fatalf("queueing job 2: exit %d: %s", code, errOut)
	}
	before := checksState(t, world, db).Checker.BudgetLeft

	out, errOut, code, asked := runWatched(t, "--sim", world, "--db", db, "checks", "retry", "1", "--json")
	if code != 0 || !strings.Contains(out, `"status": "valid"`) {
		t.Fatalf("retry: exit %d, stderr %q\n%s", code, errOut, out)
	}
	q := checksState(t, world, db)
	state, counts := q.job(t, 2)
	spent := before - q.Checker.BudgetLeft
	if slices.Contains(asked, "+16315551005") {
		// Its batch went out: it must have been answered and stored.
		if state != app.JobDone || counts["valid"] != 1 || spent != 4 {
			t.Errorf("job 2's batch was sent (asked %v) but job 2 is %s with %v, %d numbers charged (want done, 4: two batches with their canaries)",
				asked, state, counts, spent)
		}
	} else if state != app.JobQueued || counts["processing"] != 1 || spent != 2 {
		t.Errorf("job 2 is %s with %v, %d numbers charged; want it queued untouched and 2 charged (job 1's number and the canary)",
			state, counts, spent)
	}
}
