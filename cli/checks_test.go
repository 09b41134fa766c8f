package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wabook/wabook/app/apptest"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/wa/sim"
)

// testClock moves forward when slept on; sleeps of a minute or more (the
// rate-limit backoff) wait until release is closed.
type testClock struct {
	mu      sync.Mutex
	t       time.Time
	release chan struct{}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Sleep(ctx context.Context, d time.Duration) error {
	if d >= time.Minute {
		select {
		case <-c.release:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
	return ctx.Err()
}

func checkWorld(n int) *sim.World {
	w := &sim.World{
		Account:    &sim.WorldAccount{Phone: "+14155550100"},
		Contacts:   []sim.WorldContact{{Phone: "+14155550101", FullName: "Ada", BusinessName: "Ada Ltd"}},
		Registered: []string{"+16315551004"},
		Rewrites:   map[string]string{"+5511987654321": "+551187654321"},
	}
	w.Registered = append(w.Registered, worldNumbers(n)...)
	return w
}

// worldNumbers are the n numbers checkWorld(n) registers besides its own.
func worldNumbers(n int) []string {
	nums := make([]string, n)
	for i := range nums {
		nums[i] = fmt.Sprintf("+1631555%04d", 2000+i)
	}
	return nums
}

// waitStatus polls the checker's status until ok, and fails with never
// after 10 seconds.
func waitStatus(t *testing.T, env Env, never string, ok func(app.CheckerStatus) bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok(env.Svc.CheckerStatus()) {
		if time.Now().After(deadline) {
			t.Fatal(never)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// enqueue queues a check job of nums.
func enqueue(t *testing.T, env Env, nums ...string) app.Job {
	t.Helper()
	job, err := env.Svc.EnqueueCheck(context.Background(), nums, app.CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return job
}

// waitJob waits (10 seconds at most) until the job is done.
func waitJob(t *testing.T, env Env, id int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := env.Svc.WaitJob(ctx, id); err != nil {
		t.Fatal(err)
	}
}

// newEnv returns an Env over a synced sim service; the checker runs when
// start is set.
func newEnv(t *testing.T, w *sim.World, clock *testClock, start bool) (Env, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	env, out, errOut, _ := newSimEnv(t, w, clock, start)
	return env, out, errOut
}

// newSimEnv is newEnv with the simulated backend, for tests that steer it.
func newSimEnv(t *testing.T, w *sim.World, clock *testClock, start bool) (Env, *bytes.Buffer, *bytes.Buffer, *sim.Backend) {
	t.Helper()
	be := sim.New(w, sim.WithClock(clock.Now), sim.WithCheckLatency(0))
	cfg := app.Config{CheckBatchSize: 20, CheckPace: time.Second, CheckDailyBudget: 1000, CheckMaxAge: 24 * time.Hour}
	svc, _, ctx := apptest.Run(t, be, app.Options{Config: &cfg, Clock: clock.Now, Sleep: clock.Sleep, CheckPoll: 5 * time.Millisecond})
	t.Cleanup(svc.StopChecker) // before the service stops
	if err := svc.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if start {
		svc.StartChecker(ctx)
	}
	var out, errOut bytes.Buffer
	return Env{Svc: svc, Out: &out, Err: &errOut}, &out, &errOut, be
}

func newClock() *testClock {
	return &testClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.Local), release: make(chan struct{})}
}

var resultKeys = []string{"cached", "checked_at", "contact_id", "error", "exists", "input", "status", "verified_name", "wa_id"}

func TestCheckJSON(t *testing.T) {
	t.Parallel()

	env, out, _ := newEnv(t, checkWorld(0), newClock(), true)
	inputs := []string{"+1 (631) 555-1004", "16315551004", "not a number", "+55 11 8765-4321", "+1 415 555 0101", "+1 415 555 0199"}
	if err := Check(context.Background(), env, append([]string{"--json"}, inputs...)); err != nil {
		t.Fatal(err)
	}
	var raw []map[string]any
	if err := json.Unmarshal(out.Bytes(), &raw); err != nil {
		t.Fatalf("not one JSON array: %v\n%s", err, out)
	}
	if len(raw) != len(inputs) {
		t.Fatalf("%d results for %d inputs", len(raw), len(inputs))
	}
	want := []struct {
		contactID, waID, status string
		exists                  bool
		verified                any
		errPart                 string
	}{
		{"16315551004", "16315551004", "valid", true, nil, ""},
		{"16315551004", "16315551004", "valid", true, nil, ""},
		{"", "", "invalid", false, nil, "not a number"},
		{"551187654321", "551187654321", "valid", true, nil, ""},
		{"14155550101", "14155550101", "valid", true, "Ada Ltd", ""},
		{"14155550199", "", "invalid", false, nil, ""},
	}
	for i, r := range raw {
		keys := make([]string, 0, len(r))
		for k := range r {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if !slices.Equal(keys, resultKeys) {
			t.Errorf("result %d keys %v, want %v", i, keys, resultKeys)
		}
		w := want[i]
		if r["input"] != inputs[i] || r["contact_id"] != w.contactID || r["wa_id"] != w.waID || r["status"] != w.status ||
			r["exists"] != w.exists || r["verified_name"] != w.verified || r["cached"] != false ||
			!strings.Contains(r["error"].(string), w.errPart) {
			t.Errorf("result %d = %v, want %+v", i, r, w)
		}
		if at, _ := r["checked_at"].(string); at == "" {
			t.Errorf("result %d has no checked_at", i)
		} else if _, err := time.Parse(time.RFC3339, at); err != nil {
			t.Errorf("result %d checked_at %q: %v", i, at, err)
		}
	}

	// Again: from the cache.
	out.Reset()
	if err := Check(context.Background(), env, append([]string{"--json"}, inputs[:2]...)); err != nil {
		t.Fatal(err)
	}
	var again []CheckResultJSON
	if err := json.Unmarshal(out.Bytes(), &again); err != nil || len(again) != 2 || !again[0].Cached || !again[1].Cached {
		t.Errorf("second check: %v %+v", err, again)
	}
}

func TestCheckNoWaitAndStdin(t *testing.T) {
	env, out, _ := newEnv(t, checkWorld(0), newClock(), false)
	old := Stdin
	Stdin = strings.NewReader("+16315551004\n16315551004;not a number\t+1 415 555 0199,\n\n")
	t.Cleanup(func() { Stdin = old })
	if err := Check(context.Background(), env, []string{"--no-wait", "--json", "-"}); err != nil {
		t.Fatal(err)
	}
	var got struct {
		JobID   int64             `json:"job_id"`
		Results []CheckResultJSON `json:"results"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var statuses, inputs []string
	for _, r := range got.Results {
		statuses = append(statuses, r.Status)
		inputs = append(inputs, r.Input)
	}
	if got.JobID == 0 || !slices.Equal(statuses, []string{"processing", "processing", "invalid", "processing"}) ||
		!slices.Equal(inputs, []string{"+16315551004", "16315551004", "not a number", "+1 415 555 0199"}) {
		t.Errorf("--no-wait output %s", out)
	}
}

func TestCheckCSVAndTable(t *testing.T) {
	t.Parallel()

	env, out, _ := newEnv(t, checkWorld(0), newClock(), true)
	if err := Check(context.Background(), env, []string{"--csv", "+1 (631) 555-1004", "=cmd|x"}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || lines[0] != strings.Join(checkCSVHeader, ",") ||
		!strings.HasPrefix(lines[1], "+1 (631) 555-1004,16315551004,16315551004,valid,true,") ||
		!strings.HasPrefix(lines[2], "'=cmd|x,,,invalid,false,") {
		t.Errorf("csv:\n%s", out)
	}
	out.Reset()
	if err := Check(context.Background(), env, []string{"+1 (631) 555-1004"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "INPUT") || !strings.Contains(out.String(), "+16315551004") || !strings.Contains(out.String(), "(cached)") {
		t.Errorf("table:\n%s", out)
	}
}

func TestCheckUsage(t *testing.T) {
	t.Parallel()

	env, out, _ := newEnv(t, checkWorld(0), newClock(), false)
	for _, args := range [][]string{
		{},
		{"--json"},
		{"   "},
		{"--json", "--csv", "+16315551004"},
		{"--max-age", "soon", "+16315551004"},
		{"--max-age", "0s", "+16315551004"},
		{"--region", "XX", "123"},
		{"--frobnicate", "+16315551004"},
	} {
		err := Check(context.Background(), env, args)
		var u *UsageError
		if !errors.As(err, &u) || strings.Contains(err.Error(), "\n") {
			t.Errorf("check %q: %v, want one-line usage error", args, err)
		}
	}
	if out.Len() != 0 {
		t.Errorf("usage errors printed %q", out)
	}
	if jobs, _ := env.Svc.Jobs(context.Background()); len(jobs) != 0 {
		t.Errorf("usage errors queued %d jobs", len(jobs))
	}
}

// Acceptance 4 through `checks --json`: the backoff shows while WhatsApp
// refuses, and the job finishes after the window.
func TestChecksShowsBackoff(t *testing.T) {
	t.Parallel()

	w := checkWorld(60)
	w.RateLimit = &sim.RateLimit{Numbers: 20, PerS: 30}
	clock := newClock()
	env, out, _ := newEnv(t, w, clock, true)
	ctx := context.Background()
	job := enqueue(t, env, worldNumbers(60)...)
	// The backoff time and its reason are set one after the other.
	waitStatus(t, env, "the queue never backed off", func(st app.CheckerStatus) bool {
		return !st.BackoffUntil.IsZero() && st.Paused != ""
	})
	if err := Checks(ctx, env, []string{"--json"}); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Checker CheckerJSON `json:"checker"`
		Jobs    []JobJSON   `json:"jobs"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if got.Checker.BackoffUntil == nil || !strings.Contains(got.Checker.Paused, "rate-overlimit") || !got.Checker.Running ||
		got.Checker.BudgetTotal != 1000 || got.Checker.BudgetLeft != 980 || got.Checker.Settings.CheckBatchSize != 20 {
		t.Errorf("checker during backoff: %+v", got.Checker)
	}
	// The first batch is 19 numbers and the canary (issue 9).
	if len(got.Jobs) != 1 || got.Jobs[0].State != app.JobRunning || got.Jobs[0].Counts["valid"] != 19 ||
		got.Jobs[0].Counts["processing"] != 41 || got.Jobs[0].ETASec < 60 {
		t.Errorf("job during backoff: %+v", got.Jobs)
	}
	if !strings.Contains(out.String(), `"check_pace": "1s"`) {
		t.Errorf("settings not in the config file's shape:\n%s", out)
	}

	close(clock.release)
	waitJob(t, env, job.ID)
	out.Reset()
	if err := Checks(ctx, env, []string{"--json"}); err != nil {
		t.Fatal(err)
	}
	got.Checker = CheckerJSON{}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Checker.BackoffUntil != nil || got.Jobs[0].State != app.JobDone || got.Jobs[0].Counts["valid"] != 60 {
		t.Errorf("after the window: %+v %+v", got.Checker, got.Jobs)
	}
	out.Reset()
	if err := Checks(ctx, env, nil); err != nil {
		t.Fatal(err)
	}
	// 60 numbers in 4 batches, each with its canary.
	if !strings.Contains(out.String(), "budget: 936 of 1000") || !strings.Contains(out.String(), "done") {
		t.Errorf("checks table:\n%s", out)
	}
}

// `checks --json` tells when the canary tripped: past throttle_lies_after
// the simulated server answers "not on WhatsApp" for everything.
func TestChecksShowsCanaryTrip(t *testing.T) {
	t.Parallel()

	w := checkWorld(60)
	w.RateLimit = &sim.RateLimit{Numbers: 1000, PerS: 30}
	w.ThrottleLiesAfter = 20
	clock := newClock()
	env, out, _ := newEnv(t, w, clock, true)
	ctx := context.Background()
	job := enqueue(t, env, worldNumbers(60)...)
	waitStatus(t, env, "the canary never tripped", func(st app.CheckerStatus) bool {
		return st.CanaryTrips != 0 && st.Paused != ""
	})
	if err := Checks(ctx, env, []string{"--json"}); err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Checker map[string]any `json:"checker"`
	}
	if err := json.Unmarshal(out.Bytes(), &raw); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	c := raw.Checker
	if c["canary_trips"] != float64(1) || c["last_canary_trip"] == nil || c["canary"] != "+14155550100" ||
		!strings.Contains(fmt.Sprint(c["paused"]), "canary") {
		t.Errorf("checker after a trip: %v", c)
	}
	if ts, _ := c["last_canary_trip"].(string); ts != clock.Now().Format(time.RFC3339) {
		t.Errorf("last_canary_trip %q, want the trip time %s", ts, clock.Now().Format(time.RFC3339))
	}
	out.Reset()
	if err := Checks(ctx, env, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "canary: +14155550100; tripped 1 time, last at ") {
		t.Errorf("checks table:\n%s", out)
	}
	close(clock.release)
	waitJob(t, env, job.ID)
	rs, _ := env.Svc.JobResults(ctx, job.ID)
	for _, r := range rs {
		if r.Status != "valid" {
			t.Errorf("result %+v after the throttle, want valid", r)
		}
	}
}

func TestChecksRetry(t *testing.T) {
	t.Parallel()

	w := checkWorld(0)
	w.Failing = map[string]string{"+16315551005": "item-not-found"}
	env, out, _ := newEnv(t, w, newClock(), true)
	ctx := context.Background()
	job := enqueue(t, env, "+16315551004", "+16315551005")
	waitJob(t, env, job.ID)
	// The number fails again: the results are printed and the error says
	// so (exit 3, issue 11 point 7).
	var failed *FailedNumbersError
	if err := Checks(ctx, env, []string{"retry", fmt.Sprint(job.ID)}); !errors.As(err, &failed) || failed.Failed != 1 || failed.Total != 2 {
		t.Fatalf("retry: %v, want 1 of 2 numbers failed", err)
	}
	// The retry waits for the job and prints its results as check does
	// (it used to print only the first line).
	if want := fmt.Sprintf("check job %d: 1 failed or cancelled number queued again\n", job.ID); !strings.HasPrefix(out.String(), want) ||
		!strings.Contains(out.String(), "item-not-found") {
		t.Errorf("output %q, want %q and the results", out, want)
	}
	waitJob(t, env, job.ID)
	for _, tt := range []struct {
		args  []string
		usage bool
		want  string
	}{
		{[]string{"retry", "999"}, false, "there is no check job 999"},
		{[]string{"retry", "x"}, true, `"x" is not a job number`},
		{[]string{"retry"}, true, "usage: wabook checks retry JOB"},
		{[]string{"retry", "1", "2"}, true, "usage: wabook checks retry JOB"},
	} {
		err := Checks(ctx, env, tt.args)
		var u *UsageError
		if err == nil || errors.As(err, &u) != tt.usage || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("checks %q: %v, want one line with %q (usage %v)", tt.args, err, tt.want, tt.usage)
		}
	}
	// The failing number failed again; the valid one kept its answer.
	rs, _ := env.Svc.JobResults(ctx, job.ID)
	if rs[0].Status != "valid" || rs[1].Status != "failed" {
		t.Fatalf("results after the retry %+v", rs)
	}
	if err := Checks(ctx, env, []string{"retry", fmt.Sprint(job.ID)}); !errors.As(err, &failed) {
		t.Fatal(err)
	}
	waitJob(t, env, job.ID)
	// Nothing failed: one clear line.
	w2 := checkWorld(0)
	env2, _, _ := newEnv(t, w2, newClock(), true)
	job2, _ := env2.Svc.EnqueueCheck(ctx, []string{"+16315551004"}, app.CheckOptions{})
	waitJob(t, env2, job2.ID)
	if err := Checks(ctx, env2, []string{"retry", fmt.Sprint(job2.ID)}); err == nil || !strings.Contains(err.Error(), "no failed numbers") {
		t.Errorf("retry with nothing failed: %v", err)
	}
}
