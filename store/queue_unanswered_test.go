package store

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/wabook/wabook/model"
)

// A number left out of a reply goes back to the queue, at most
// MaxUnanswered times, then fails with "no answer"; the others keep their
// answers. Nothing unanswered is ever invalid.
func TestCompleteCheckBatchRequeuesUnanswered(t *testing.T) {
	t.Parallel()

	s, ctx, t0 := openQueue(t)
	id, err := s.CreateCheckJob(ctx, t0, "+1", CheckJobOptions{MaxAgeS: 3600},
		[]model.CheckResult{pending("a", "+1000"), pending("b", "+2000"), pending("b again", "+2000"), pending("c", "+3000")})
	if err != nil {
		t.Fatal(err)
	}
	claim := CheckClaim{Max: 20, Now: t0, Account: "+1", Day: "2026-03-02"}
	b, err := s.ClaimCheckBatch(ctx, claim)
	if err != nil || b == nil || b.LeftOut != 0 {
		t.Fatal(b, err)
	}
	// +1000 answered; +2000 explicitly unanswered; +3000 missing.
	err = s.CompleteCheckBatch(ctx, b.ID, []model.CheckResult{
		{Phone: "+1000", Status: model.CheckValid, WAID: "1000"},
		{Phone: "+2000", Status: model.CheckProcessing},
	}, t0)
	if err != nil {
		t.Fatal(err)
	}
	for round := 1; round <= MaxUnanswered; round++ {
		b, err := s.ClaimCheckBatch(ctx, claim)
		if err != nil || b == nil || !slices.Equal(b.Phones, []string{"+2000", "+3000"}) || b.LeftOut != 2 {
			t.Fatalf("round %d: claim %+v, %v; want the two unanswered numbers again, both left out before", round, b, err)
		}
		if st, _ := s.CheckJobState(ctx, id); st != JobRunning {
			t.Fatalf("round %d: job %s, want running", round, st)
		}
		if err := s.CompleteCheckBatch(ctx, b.ID, nil, t0); err != nil {
			t.Fatal(err)
		}
	}
	if b, err := s.ClaimCheckBatch(ctx, claim); b != nil || err != nil {
		t.Fatalf("claim after %d retries = %+v, %v; want nothing left", MaxUnanswered, b, err)
	}
	rs, _ := s.CheckItems(ctx, id)
	var got []string
	for _, r := range rs {
		got = append(got, r.Input+":"+r.Status+":"+r.Error)
	}
	want := []string{"a:valid:", "b:failed:no answer", "b again:failed:no answer", "c:failed:no answer"}
	if !slices.Equal(got, want) {
		t.Errorf("items\n got %v\nwant %v", got, want)
	}
	if st, _ := s.CheckJobState(ctx, id); st != JobDone {
		t.Errorf("job %s, want done", st)
	}
	if _, err := s.Check(ctx, "+3000"); !errors.Is(err, ErrNotFound) {
		t.Errorf("an unanswered number reached the cache: %v", err)
	}
}

// A reserve (the canary) is room within Max, charged to the budget with
// the batch and given back with it, or alone when the send does without.
func TestClaimCheckBatchReserve(t *testing.T) {
	t.Parallel()

	s, ctx, t0 := openQueue(t)
	var items []model.CheckResult
	for _, p := range []string{"+1000", "+2000", "+3000", "+4000"} {
		items = append(items, pending(p, p))
	}
	if _, err := s.CreateCheckJob(ctx, t0, "+1", CheckJobOptions{}, items); err != nil {
		t.Fatal(err)
	}
	day := "2026-03-02"
	b, err := s.ClaimCheckBatch(ctx, CheckClaim{Max: 3, Reserve: 1, Now: t0, Account: "+1", Day: day})
	if err != nil || b == nil || len(b.Phones) != 2 || b.Reserved != 1 {
		t.Fatalf("claim = %+v, %v; want 2 numbers and 1 reserved", b, err)
	}
	if used, _ := s.CheckBudgetUsed(ctx, "+1", day); used != 3 {
		t.Errorf("budget used %d, want 3", used)
	}
	// Sent without the canary: only the reserve comes back, once.
	for i := 0; i < 2; i++ {
		if err := s.ReleaseCheckReserve(ctx, b); err != nil {
			t.Fatal(err)
		}
		if used, _ := s.CheckBudgetUsed(ctx, "+1", day); used != 2 || b.Reserved != 0 {
			t.Errorf("after giving the reserve back (%d): budget used %d, reserved %d; want 2, 0", i+1, used, b.Reserved)
		}
	}
	if err := s.ReleaseCheckBatch(ctx, b); err != nil {
		t.Fatal(err)
	}
	if used, _ := s.CheckBudgetUsed(ctx, "+1", day); used != 0 {
		t.Errorf("budget after the release %d, want 0", used)
	}
	// The batch in flight fills a claim of 2 with a reserve of 1: sent
	// without the reserve.
	again, err := s.ClaimCheckBatch(ctx, CheckClaim{Max: 2, Reserve: 1, Now: t0, Account: "+1", Day: day})
	if err != nil || again == nil || again.ID != b.ID || again.Reserved != 0 {
		t.Fatalf("claim again = %+v, %v; want batch %d without a reserve", again, err, b.ID)
	}
	for _, c := range []CheckClaim{{Max: 2, Reserve: 2}, {Max: 2, Reserve: -1}} {
		c.Now, c.Account, c.Day = t0, "+1", day
		if _, err := s.ClaimCheckBatch(ctx, c); err == nil {
			t.Errorf("claim %+v: no error", c)
		}
	}
}

func TestRetryCheckJob(t *testing.T) {
	t.Parallel()

	s, ctx, t0 := openQueue(t)
	id, err := s.CreateCheckJob(ctx, t0, "+1", CheckJobOptions{}, []model.CheckResult{
		pending("a", "+1000"), pending("b", "+2000"), pending("c", "+3000"),
		{Input: "x", Status: model.CheckInvalid, Error: "not a number", CheckedAt: t0},
	})
	if err != nil {
		t.Fatal(err)
	}
	claim := CheckClaim{Max: 2, Now: t0, Account: "+1", Day: "2026-03-02"}
	b, err := s.ClaimCheckBatch(ctx, claim)
	if err != nil || b == nil {
		t.Fatal(b, err)
	}
	if err := s.CompleteCheckBatch(ctx, b.ID, []model.CheckResult{
		{Phone: "+1000", Status: model.CheckValid, WAID: "1000"},
		{Phone: "+2000", Status: model.CheckFailed, Error: "WhatsApp answered error 500"},
	}, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetCheckJobState(ctx, id, JobCancelled); err != nil {
		t.Fatal(err)
	}
	n, err := s.RetryCheckJob(ctx, id)
	if err != nil || n != 2 {
		t.Fatalf("retry = %d, %v; want 2 (an error and a cancelled one)", n, err)
	}
	if st, _ := s.CheckJobState(ctx, id); st != JobQueued {
		t.Errorf("job %s after the retry, want queued", st)
	}
	b, err = s.ClaimCheckBatch(ctx, claim)
	if err != nil || b == nil || !slices.Equal(b.Phones, []string{"+2000", "+3000"}) {
		t.Fatalf("claim after the retry = %+v, %v", b, err)
	}
	rs, _ := s.CheckItems(ctx, id)
	if rs[0].Status != model.CheckValid || rs[1].Status != model.CheckProcessing || rs[1].Error != "" || rs[3].Status != model.CheckInvalid {
		t.Errorf("items after the retry %+v", rs)
	}
	if _, err := s.RetryCheckJob(ctx, id); !errors.Is(err, ErrNothingToRetry) {
		t.Errorf("retry with nothing failed: %v", err)
	}
	if _, err := s.RetryCheckJob(ctx, 99); !errors.Is(err, ErrNotFound) {
		t.Errorf("retry of an unknown job: %v", err)
	}
}

// Canary candidates are contacts with a fresh "on WhatsApp" answer.
func TestCanaryCandidates(t *testing.T) {
	t.Parallel()

	s, ctx, now := openQueue(t)
	err := s.UpsertContacts(ctx, []model.Contact{
		{JID: "14155550101@s.whatsapp.net", Phone: "+14155550101", Source: model.SourceWhatsApp},
		{JID: "14155550102@s.whatsapp.net", Phone: "+14155550102", Source: model.SourceWhatsApp},
		{JID: "14155550103@s.whatsapp.net", Phone: "+14155550103", Source: model.SourceWhatsApp},
		{JID: "14155550104@s.whatsapp.net", Phone: "+14155550104", Source: model.SourceWhatsApp},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []model.CheckResult{
		{Phone: "+14155550102", Status: model.CheckValid, CheckedAt: now.Add(-time.Hour)},
		{Phone: "+14155550101", Status: model.CheckValid, CheckedAt: now},
		{Phone: "+14155550103", Status: model.CheckValid, CheckedAt: now.Add(-10 * 24 * time.Hour)}, // too old
		{Phone: "+14155550104", Status: model.CheckInvalid, CheckedAt: now},
		{Phone: "+16315551004", Status: model.CheckValid, CheckedAt: now}, // not a contact
	} {
		if err := s.PutCheck(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.CanaryCandidates(ctx, now.Add(-7*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"+14155550101", "+14155550102"}; !slices.Equal(got, want) {
		t.Errorf("candidates %v, want %v", got, want)
	}
}
