package store

import (
	"context"
	"database/sql"
	"errors"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wabook/wabook/model"
)

func openTemp(t *testing.T) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "q.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// openQueue is what a check-queue test starts from: a fresh store, a
// context and the test's start time, 9:00 UTC on 2 March 2026.
func openQueue(t *testing.T) (*Store, context.Context, time.Time) {
	t.Helper()
	return openTemp(t), context.Background(), time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
}

func pending(in, phone string) model.CheckResult { return model.CheckResult{Input: in, Phone: phone} }

func TestCheckQueueLifecycle(t *testing.T) {
	t.Parallel()

	s, ctx, t0 := openQueue(t)
	// A fresh cached answer and an old one.
	if err := s.PutCheck(ctx, model.CheckResult{Phone: "+1000", Status: model.CheckValid, WAID: "1000", CheckedAt: t0.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutCheck(ctx, model.CheckResult{Phone: "+2000", Status: model.CheckValid, WAID: "2000", CheckedAt: t0.Add(-48 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	items := []model.CheckResult{
		pending("a", "+1000"), pending("b", "+2000"), pending("c", "+3000"),
		{Input: "x", Status: model.CheckInvalid, Error: "not a number", CheckedAt: t0},
		pending("d", "+3000"), pending("e", "+4000"), pending("f", "+5000"),
	}
	opts := CheckJobOptions{MaxAgeS: int64(24 * time.Hour / time.Second)}
	id, err := s.CreateCheckJob(ctx, t0, "+1", opts, items)
	if err != nil {
		t.Fatal(err)
	}
	job, err := s.CheckJob(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if job.State != JobQueued || job.Total != 7 || job.Cached != 1 || job.Pending != 4 || job.Counts[model.CheckProcessing] != 5 {
		t.Errorf("new job = %+v", job)
	}

	claim := CheckClaim{Max: 2, Now: t0, Account: "+1", Day: "2026-03-02"}
	b1, err := s.ClaimCheckBatch(ctx, claim)
	if err != nil || b1 == nil || !slices.Equal(b1.Phones, []string{"+2000", "+3000"}) || b1.Attempts != 1 {
		t.Fatalf("first claim = %+v, %v; want the stale +2000 and +3000 (once)", b1, err)
	}
	// Not answered: the same batch comes back, charged again.
	again, err := s.ClaimCheckBatch(ctx, claim)
	if err != nil || again == nil || again.ID != b1.ID || again.Attempts != 2 {
		t.Fatalf("second claim = %+v, %v; want batch %d again", again, err, b1.ID)
	}
	if used, _ := s.CheckBudgetUsed(ctx, "+1", "2026-03-02"); used != 4 {
		t.Errorf("budget used %d, want 4", used)
	}
	if err := s.ReleaseCheckBatch(ctx, again); err != nil {
		t.Fatal(err)
	}
	if used, _ := s.CheckBudgetUsed(ctx, "+1", "2026-03-02"); used != 2 {
		t.Errorf("budget after a refund %d, want 2", used)
	}
	if _, err := s.ClaimCheckBatch(ctx, CheckClaim{Max: 1, Now: t0, Account: "+1", Day: "2026-03-02"}); !errors.Is(err, ErrBatchTooBig) {
		t.Errorf("claim of 1 with a batch of 2 in flight: %v", err)
	}
	if in, _ := s.InflightCheckBatches(ctx); len(in) != 1 || in[0].ID != b1.ID {
		t.Errorf("in flight: %+v", in)
	}
	err = s.CompleteCheckBatch(ctx, b1.ID, []model.CheckResult{
		{Phone: "+2000", Status: model.CheckInvalid},
		{Phone: "+3000", Status: model.CheckFailed, Error: "timeout"},
	}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := s.Check(ctx, "+2000"); c.Status != model.CheckInvalid {
		t.Errorf("cache of +2000 = %+v", c)
	}
	if _, err := s.Check(ctx, "+3000"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a failure was cached: %v", err)
	}

	// Meanwhile another job answered +4000: the next claim takes it from
	// the cache and sends only +5000.
	if err := s.PutCheck(ctx, model.CheckResult{Phone: "+4000", Status: model.CheckValid, WAID: "4000", CheckedAt: t0}); err != nil {
		t.Fatal(err)
	}
	b2, err := s.ClaimCheckBatch(ctx, claim)
	if err != nil || b2 == nil || !slices.Equal(b2.Phones, []string{"+5000"}) {
		t.Fatalf("third claim = %+v, %v", b2, err)
	}
	if err := s.CompleteCheckBatch(ctx, b2.ID, []model.CheckResult{{Phone: "+5000", Status: model.CheckValid, WAID: "5000", JID: "5000@s.whatsapp.net"}}, t0); err != nil {
		t.Fatal(err)
	}
	if b, err := s.ClaimCheckBatch(ctx, claim); b != nil || err != nil {
		t.Errorf("claim with nothing left = %+v, %v", b, err)
	}
	rs, err := s.CheckItems(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rs {
		got = append(got, r.Input+":"+r.Status+":"+r.WAID+":"+map[bool]string{true: "cached", false: ""}[r.Cached])
	}
	want := []string{"a:valid:1000:cached", "b:invalid::", "c:failed::", "x:invalid::", "d:failed::", "e:valid:4000:cached", "f:valid:5000:"}
	if !slices.Equal(got, want) {
		t.Errorf("items\n got %v\nwant %v", got, want)
	}
	if st, _ := s.CheckJobState(ctx, id); st != JobDone {
		t.Errorf("job state %s, want done", st)
	}
	if _, err := s.SetCheckJobState(ctx, id, JobPaused); !errors.Is(err, ErrJobState) {
		t.Errorf("pausing a done job: %v", err)
	}
}

func TestCheckJobCancelAbandonsInflight(t *testing.T) {
	t.Parallel()

	s, ctx, t0 := openQueue(t)
	id, err := s.CreateCheckJob(ctx, t0, "+1", CheckJobOptions{}, []model.CheckResult{pending("a", "+1000"), pending("b", "+2000")})
	if err != nil {
		t.Fatal(err)
	}
	claim := CheckClaim{Max: 1, Now: t0, Account: "+1", Day: "d"}
	b, err := s.ClaimCheckBatch(ctx, claim)
	if err != nil || b == nil {
		t.Fatal(b, err)
	}
	if _, err := s.SetCheckJobState(ctx, id, JobCancelled); err != nil {
		t.Fatal(err)
	}
	if b, err := s.ClaimCheckBatch(ctx, claim); b != nil || err != nil {
		t.Errorf("a cancelled job's batch was claimed: %+v, %v", b, err)
	}
	if in, _ := s.InflightCheckBatches(ctx); len(in) != 0 {
		t.Errorf("%d batches still in flight", len(in))
	}
	rs, _ := s.CheckItems(ctx, id)
	for _, r := range rs {
		if r.Status != model.CheckFailed || r.Error != CancelledError {
			t.Errorf("item %+v", r)
		}
	}
	// A late answer still reaches the cache, not the cancelled items.
	if err := s.CompleteCheckBatch(ctx, b.ID, []model.CheckResult{{Phone: "+1000", Status: model.CheckValid, WAID: "1000"}}, t0); err != nil {
		t.Fatal(err)
	}
	if c, err := s.Check(ctx, "+1000"); err != nil || c.Status != model.CheckValid {
		t.Errorf("late answer not cached: %+v %v", c, err)
	}
	if rs, _ := s.CheckItems(ctx, id); rs[0].Status != model.CheckFailed {
		t.Errorf("a cancelled item changed: %+v", rs[0])
	}
}

// writeDB writes a database file by running statements, without Open: a
// database as an older wabook left it.
func writeDB(t *testing.T, path string, statements ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range statements {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
}

// Migration 2 keeps the rows a version 1 database has.
func TestMigrationKeepsV1Queue(t *testing.T) {
	t.Parallel()

	path := filepath.Join(t.TempDir(), "v1.db")
	writeDB(t, path,
		migrations[0],
		`CREATE TABLE wabook_version (version INTEGER NOT NULL)`,
		`INSERT INTO wabook_version VALUES (1)`,
		`INSERT INTO check_jobs (id, created_at, state) VALUES (7, 100, 'queued')`,
		`INSERT INTO check_items (job_id, seq, input, phone) VALUES (7, 0, '+1 631', '+16315551004')`,
	)
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rs, err := s.CheckItems(context.Background(), 7)
	if err != nil || len(rs) != 1 || rs[0].Phone != "+16315551004" || rs[0].Status != model.CheckProcessing || rs[0].Cached {
		t.Errorf("v1 item after migration: %+v, %v", rs, err)
	}
	if j, err := s.CheckJob(context.Background(), 7); err != nil || j.State != JobQueued || j.Account != "" {
		t.Errorf("v1 job after migration: %+v, %v", j, err)
	}
}

// Settings written together are stored all or none, and read together.
func TestSetSettingsAllOrNone(t *testing.T) {
	t.Parallel()

	s := openTemp(t)
	ctx := context.Background()
	if err := s.SetSettings(ctx, map[string]string{"a.one": "1", "a.two": "2"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Settings(ctx, "a.one", "a.two", "a.unset")
	if err != nil || got["a.one"] != "1" || got["a.two"] != "2" || got["a.unset"] != "" || len(got) != 3 {
		t.Fatalf("Settings = %v, %v", got, err)
	}
	// The database refuses the last key written: nothing of the change
	// may stay.
	if _, err := s.DB().ExecContext(ctx, `CREATE TRIGGER refuse_z BEFORE INSERT ON settings
WHEN NEW.key = 'z.refused' BEGIN SELECT RAISE(ABORT, 'refused'); END`); err != nil {
		t.Fatal(err)
	}
	err = s.SetSettings(ctx, map[string]string{"a.one": "10", "a.two": "20", "z.refused": "x"})
	if err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("SetSettings with a refused key: %v", err)
	}
	if got, _ := s.Settings(ctx, "a.one", "a.two"); got["a.one"] != "1" || got["a.two"] != "2" {
		t.Errorf("after a failed SetSettings: %v, want the old values", got)
	}
}

// A cancelled job counts the numbers it never sent apart from those
// WhatsApp failed (issue 11, point 4); both are queued again by a retry.
func TestCheckJobCountsCancelledApart(t *testing.T) {
	t.Parallel()

	s, ctx, t0 := openQueue(t)
	id, err := s.CreateCheckJob(ctx, t0, "+1", CheckJobOptions{}, []model.CheckResult{
		pending("a", "+1000"), pending("b", "+2000"), pending("c", "+3000"), pending("d", "+4000")})
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.ClaimCheckBatch(ctx, CheckClaim{Max: 2, Now: t0, Account: "+1", Day: "d"})
	if err != nil || b == nil {
		t.Fatal(b, err)
	}
	if err := s.CompleteCheckBatch(ctx, b.ID, []model.CheckResult{
		{Phone: "+1000", Status: model.CheckValid, WAID: "1000"},
		{Phone: "+2000", Status: model.CheckFailed, Error: "server error 500"},
	}, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetCheckJobState(ctx, id, JobCancelled); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{model.CheckValid: 1, model.CheckInvalid: 0, model.CheckFailed: 1, CountCancelled: 2, model.CheckProcessing: 0}
	job, err := s.CheckJob(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := s.CheckJobs(ctx)
	if err != nil || len(jobs) != 1 {
		t.Fatal(jobs, err)
	}
	for _, j := range []CheckJob{job, jobs[0]} {
		if !maps.Equal(j.Counts, want) || j.Total != 4 {
			t.Errorf("counts %v of %d, want %v of 4", j.Counts, j.Total, want)
		}
	}
	// The items keep the Business API's vocabulary: failed, "cancelled".
	rs, _ := s.CheckItems(ctx, id)
	if rs[2].Status != model.CheckFailed || rs[2].Error != CancelledError || rs[1].Error != "server error 500" {
		t.Errorf("items %+v", rs)
	}
	n, err := s.RetryCheckJob(ctx, id)
	if err != nil || n != 3 {
		t.Fatalf("retry: %d, %v; want the failed and the 2 cancelled", n, err)
	}
	if job, _ := s.CheckJob(ctx, id); job.State != JobQueued || job.Counts[model.CheckProcessing] != 3 || job.Counts[CountCancelled] != 0 {
		t.Errorf("after retry: %+v", job)
	}
}
