package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

// A check whose job is cancelled while it waits prints every number
// failed with the error "cancelled" (the Business API's words), exits 3
// saying they were cancelled, and checks counts them apart from WhatsApp's
// failures; checks retry queues them again (issue 11, points 4 and 7).
func TestCancelledCheck(t *testing.T) {
	t.Parallel()

	env, out, _ := newEnv(t, checkWorld(0), newClock(), false)
	// Another process "holds the connection": this one only waits, and
	// nothing is sent before the cancel.
	env.Holder = 1
	ctx := context.Background()
	done := make(chan error, 1)
	go func() { done <- Check(ctx, env, []string{"--json", "+16315551004", "+16315551005"}) }()
	var job app.Job
	for deadline := time.Now().Add(5 * time.Second); ; {
		jobs, _ := env.Svc.Jobs(ctx)
		if len(jobs) == 1 {
			job = jobs[0]
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no job queued")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := env.Svc.CancelJob(ctx, job.ID); err != nil {
		t.Fatal(err)
	}
	var failed *FailedNumbersError
	select {
	case err := <-done:
		if !errors.As(err, &failed) || failed.Failed != 2 || failed.Cancelled != 2 || !strings.Contains(err.Error(), "2 of 2 numbers failed (cancelled)") {
			t.Fatalf("check: %v; want 2 of 2 numbers failed (cancelled)", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("check still waits for a cancelled job")
	}
	var rs []map[string]any
	if err := json.Unmarshal(out.Bytes(), &rs); err != nil || len(rs) != 2 {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, r := range rs {
		if r["status"] != "failed" || r["error"] != "cancelled" {
			t.Errorf("result %v, want status failed, error cancelled", r)
		}
	}

	out.Reset()
	if err := Checks(ctx, env, []string{"--json"}); err != nil {
		t.Fatal(err)
	}
	var list struct {
		Jobs []JobJSON `json:"jobs"`
	}
	if err := json.Unmarshal(out.Bytes(), &list); err != nil || len(list.Jobs) != 1 {
		t.Fatalf("%v\n%s", err, out)
	}
	if c := list.Jobs[0].Counts; list.Jobs[0].State != app.JobCancelled || c[app.CheckCancelled] != 2 || c[model.CheckFailed] != 0 {
		t.Errorf("checks --json: %s %v; want cancelled 2, failed 0", list.Jobs[0].State, c)
	}
	out.Reset()
	if err := Checks(ctx, env, nil); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out.String(), "\n")
	var header, row []string
	for i, l := range lines {
		if strings.HasPrefix(l, "JOB") && i+1 < len(lines) {
			header, row = strings.Fields(l), strings.Fields(lines[i+1])
		}
	}
	col := func(name string) string {
		for i, h := range header {
			if h == name && i+1 < len(row) {
				return row[i+1] // CREATED is two fields: date and time
			}
		}
		return ""
	}
	if col("FAILED") != "0" || col("CANCELLED") != "2" {
		t.Errorf("checks table: FAILED %q, CANCELLED %q\n%s", col("FAILED"), col("CANCELLED"), out)
	}

	out.Reset()
	if err := Checks(ctx, env, []string{"retry", fmt.Sprint(job.ID), "--no-wait"}); err != nil {
		t.Fatal(err)
	}
	if j, _ := env.Svc.Job(ctx, job.ID); j.State != app.JobQueued || j.Counts.Processing != 2 || j.Counts.Cancelled != 0 {
		t.Errorf("after retry: %+v", j)
	}
}
