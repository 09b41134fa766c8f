package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/cli"
)

// checkOut is a result as `check --json` prints it.
type checkOut = app.CheckResultJSON

// checkSetup writes a world (latencyMS per check call) and a config file
// with no pacing, pointed at by WABOOK_CONFIG.
func checkSetup(t *testing.T, latency string) (worldPath, db string) {
	t.Helper()
	dir := t.TempDir()
	worldPath = filepath.Join(dir, "world.json")
	w := `{"account": {"phone": "+14155550100"}, "registered": ["+16315551004"],
	"rewrites": {"+5511987654321": "+551187654321"}, "check_latency_ms": ` + latency + `}`
	cfg := filepath.Join(dir, "config.json")
	for p, body := range map[string]string{worldPath: w, cfg: `{"check_pace": "0s"}`} {
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("WABOOK_CONFIG", cfg)
	return worldPath, filepath.Join(dir, "w.db")
}

func runCheck(t *testing.T, args ...string) []checkOut {
	t.Helper()
	out, errOut, code := runWabook(t, args...)
	if code != 0 && code != 3 {
		t.Fatalf("%v: exit %d: %s", args, code, errOut)
	}
	var rs []checkOut
	if err := json.Unmarshal([]byte(out), &rs); err != nil {
		t.Fatalf("%v: not one JSON array: %v\n%s", args, err, out)
	}
	// Exit 3 when, and only when, some number ended failed (issue 11,
	// point 7), said in one line on stderr.
	failed := slices.ContainsFunc(rs, func(r checkOut) bool { return r.Status == "failed" })
	if failed != (code == 3) || (failed && (strings.Count(errOut, "\n") != 1 || !strings.HasSuffix(errOut, "\" checks them again\n"))) {
		t.Fatalf("%v: exit %d with failed numbers %v, stderr %q", args, code, failed, errOut)
	}
	return rs
}

// Acceptance 1 and 2 through the real command line: one result per input
// in order, duplicates agreeing, the impossible number invalid, the
// rewritten number's wa_id; the same check again from the cache; --force
// checks again.
func TestCheckCommand(t *testing.T) {
	world, db := checkSetup(t, "0")
	inputs := []string{"+1 (631) 555-1004", "16315551004", "not a number", "+55 11 8765-4321", "+1 631 555 1004"}
	base := []string{"--sim", world, "--db", db, "check", "--json"}
	rs := runCheck(t, append(base, inputs...)...)
	if len(rs) != len(inputs) {
		t.Fatalf("%d results for %d inputs", len(rs), len(inputs))
	}
	want := []struct{ status, waID string }{
		{"valid", "16315551004"}, {"valid", "16315551004"}, {"invalid", ""}, {"valid", "551187654321"}, {"valid", "16315551004"},
	}
	for i, r := range rs {
		if r.Input != inputs[i] || r.Status != want[i].status || r.WAID != want[i].waID || r.Cached ||
			r.Exists != (want[i].status == "valid") || r.VerifiedName != nil || r.CheckedAt == "" {
			t.Errorf("result %d = %+v, want %+v", i, r, want[i])
		}
	}
	if rs[2].Error != "not a number" {
		t.Errorf("impossible number's error %q", rs[2].Error)
	}

	again := runCheck(t, append(base, inputs...)...)
	for i, r := range again {
		// A cached answer keeps its time; an impossible number is judged
		// anew each run, so its time is the run's.
		if r.Cached != (want[i].status == "valid") || r.Status != rs[i].Status || r.WAID != rs[i].WAID ||
			r.Cached && r.CheckedAt != rs[i].CheckedAt {
			t.Errorf("second run result %d = %+v, want the cached %+v", i, r, rs[i])
		}
	}
	forced := runCheck(t, append(append(base, "--force"), inputs...)...)
	for i, r := range forced {
		if r.Cached || r.Status != want[i].status {
			t.Errorf("--force result %d = %+v", i, r)
		}
	}

	// Numbers from standard input, any separators.
	old := cli.Stdin
	cli.Stdin = strings.NewReader("+1 (631) 555-1004\n16315551004;not a number\t+55 11 8765-4321,\n")
	defer func() { cli.Stdin = old }()
	fromStdin := runCheck(t, append(base, "-")...)
	var got []string
	for _, r := range fromStdin {
		got = append(got, r.Input+"="+r.Status)
	}
	if !slices.Equal(got, []string{"+1 (631) 555-1004=valid", "16315551004=valid", "not a number=invalid", "+55 11 8765-4321=valid"}) {
		t.Errorf("from stdin: %v", got)
	}

	out, errOut, code := runWabook(t, "--sim", world, "--db", db, "check")
	if code != 2 || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "no numbers") {
		t.Errorf("check without numbers: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// --no-wait returns at once with the job id and "processing"; a job left
// unfinished by an ended process is finished by the next one holding the
// connection; checks --json lists the jobs.
func TestCheckNoWaitThenResume(t *testing.T) {
	world, db := checkSetup(t, "300")
	out, errOut, code := runWabook(t, "--sim", world, "--db", db, "check", "--no-wait", "--json", "+16315551004", "nope")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var queued struct {
		JobID   int64      `json:"job_id"`
		Results []checkOut `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &queued); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if queued.JobID == 0 || len(queued.Results) != 2 || queued.Results[0].Status != "processing" || queued.Results[1].Status != "invalid" {
		t.Errorf("--no-wait printed %s", out)
	}

	rs := runCheck(t, "--sim", world, "--db", db, "check", "--json", "+5511987654321")
	if len(rs) != 1 || rs[0].WAID != "551187654321" {
		t.Errorf("second check: %+v", rs)
	}
	out, errOut, code = runWabook(t, "--sim", world, "--db", db, "checks", "--json")
	if code != 0 {
		t.Fatalf("checks: exit %d: %s", code, errOut)
	}
	var list struct {
		Checker struct {
			BudgetLeft  int     `json:"budget_left"`
			BudgetTotal int     `json:"budget_total"`
			Backoff     *string `json:"backoff_until"`
		} `json:"checker"`
		Jobs []struct {
			ID     int64          `json:"id"`
			State  string         `json:"state"`
			Counts map[string]int `json:"counts"`
		} `json:"jobs"`
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(list.Jobs) != 2 || list.Jobs[1].ID != queued.JobID || list.Jobs[1].State != "done" ||
		list.Jobs[1].Counts["valid"] != 1 || list.Jobs[0].State != "done" {
		t.Errorf("checks --json after the second run: %s", out)
	}
	if list.Checker.BudgetTotal != 1000 || list.Checker.BudgetLeft > 998 || list.Checker.Backoff != nil {
		t.Errorf("checker: %+v", list.Checker)
	}
}
