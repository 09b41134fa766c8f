package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/wabook/wabook/model"
)

func TestNumberStates(t *testing.T) {
	t.Parallel()
	s, ctx, t0 := openQueue(t)
	// +1000 cached fresh, +2000 cached long ago, +3000 failed in a batch
	// of a job in which +4000 still waits, +5000 in a paused job, +6000
	// in a cancelled one.
	for _, c := range []model.CheckResult{
		{Phone: "+1000", Status: model.CheckValid, WAID: "1000", CheckedAt: t0.Add(-time.Hour)},
		{Phone: "+2000", Status: model.CheckInvalid, CheckedAt: t0.Add(-30 * 24 * time.Hour)},
	} {
		if err := s.PutCheck(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	opts := CheckJobOptions{MaxAgeS: 3600 * 24}
	waiting, err := s.CreateCheckJob(ctx, t0, "+1", opts, []model.CheckResult{pending("c", "+3000"), pending("d", "+4000")})
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.ClaimCheckBatch(ctx, CheckClaim{Max: 1, Now: t0, Account: "+1", Day: "2026-03-02"})
	if err != nil || b == nil {
		t.Fatal(b, err)
	}
	// The claim took +3000 alone; WhatsApp gives an error for it.
	if err := s.CompleteCheckBatch(ctx, b.ID, []model.CheckResult{{Phone: "+3000", Status: model.CheckFailed, Error: "timeout"}}, t0); err != nil {
		t.Fatal(err)
	}
	paused, err := s.CreateCheckJob(ctx, t0, "+1", opts, []model.CheckResult{pending("e", "+5000")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetCheckJobState(ctx, paused, JobPaused); err != nil {
		t.Fatal(err)
	}
	cancelled, err := s.CreateCheckJob(ctx, t0, "+1", opts, []model.CheckResult{pending("f", "+6000")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetCheckJobState(ctx, cancelled, JobCancelled); err != nil {
		t.Fatal(err)
	}
	phones := []string{"+1000", "+2000", "+3000", "+4000", "+5000", "+6000"}
	got, err := s.NumberStates(ctx, phones, NumberLookup{CacheSince: t0.Add(-24 * time.Hour), FailedSince: t0.Add(-time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if r := got["+1000"].Result; r.Status != model.CheckValid || r.WAID != "1000" || !r.Cached {
		t.Errorf("+1000 %+v", got["+1000"])
	}
	if r := got["+3000"]; r.Result.Status != model.CheckFailed || r.Result.Error != "timeout" || r.Job != 0 {
		t.Errorf("+3000 %+v", r)
	}
	if r := got["+4000"]; r.Result.Status != model.CheckProcessing || r.Job != waiting {
		t.Errorf("+4000 %+v", r)
	}
	for _, p := range []string{"+2000", "+5000", "+6000"} {
		if st, ok := got[p]; ok {
			t.Errorf("%s: %+v; want nothing (stale cache, paused job, cancelled)", p, st)
		}
	}
	// force_check: neither the cache nor failures count.
	got, err = s.NumberStates(ctx, phones, NumberLookup{})
	if err != nil || len(got) != 1 || got["+4000"].Job != waiting {
		t.Errorf("forced: %+v, %v", got, err)
	}

	js, err := s.JobNumbers(ctx, waiting, []string{"+3000", "+4000", "+9000"})
	if err != nil || len(js) != 2 || js["+3000"].Status != model.CheckFailed || js["+4000"].Status != model.CheckProcessing {
		t.Errorf("JobNumbers %+v, %v", js, err)
	}
	if _, err := s.JobNumbers(ctx, 999, []string{"+3000"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("JobNumbers of no job: %v", err)
	}
}

func TestCallbacks(t *testing.T) {
	t.Parallel()
	s := openTemp(t)
	ctx := context.Background()
	id, err := s.AddCallback(ctx, `[{"input":"+1000","phone":"+1000","job":1}]`)
	if err != nil {
		t.Fatal(err)
	}
	next := time.Now().Add(time.Minute).Truncate(time.Millisecond)
	if err := s.SetCallbackBody(ctx, id, `{"contacts":[]}`); err != nil {
		t.Fatal(err)
	}
	if err := s.CallbackFailed(ctx, id, next, "the webhook answered 500"); err != nil {
		t.Fatal(err)
	}
	cbs, err := s.Callbacks(ctx)
	if err != nil || len(cbs) != 1 {
		t.Fatal(cbs, err)
	}
	c := cbs[0]
	if c.ID != id || c.Body != `{"contacts":[]}` || c.Attempts != 1 || !c.NextAt.Equal(next) || c.LastError != "the webhook answered 500" || c.Created.IsZero() {
		t.Errorf("%+v", c)
	}
	if err := s.DeleteCallback(ctx, id); err != nil {
		t.Fatal(err)
	}
	if cbs, err := s.Callbacks(ctx); err != nil || len(cbs) != 0 {
		t.Errorf("after delete: %+v, %v", cbs, err)
	}
}
