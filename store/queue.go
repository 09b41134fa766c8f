package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wabook/wabook/model"
)

// Check job states.
const (
	JobQueued    = "queued"
	JobRunning   = "running"
	JobPaused    = "paused"
	JobCancelled = "cancelled"
	JobDone      = "done"
)

// Batch states.
const (
	batchInflight  = "inflight"
	batchDone      = "done"
	batchAbandoned = "abandoned"
)

// CancelledError is the error of items a cancelled job never checked.
const CancelledError = "cancelled"

// CountCancelled is the CheckJob.Counts key of the items a cancelled job
// never checked: stored failed with CancelledError, but counted apart, so
// that "failed" counts only the numbers WhatsApp did not answer.
const CountCancelled = "cancelled"

// NoAnswerError is the error of an item WhatsApp left out of more than
// MaxUnanswered replies that answered other numbers.
const NoAnswerError = "no answer"

// MaxUnanswered is how many times a number left out of a reply is queued
// again automatically before it fails with NoAnswerError.
const MaxUnanswered = 3

// Errors of the check queue.
var (
	// ErrJobState is returned for a pause, resume or cancel that the job's
	// state does not allow (pausing a finished job, resuming a running one).
	ErrJobState = errors.New("not possible in the job's state")
	// ErrBatchTooBig is returned by ClaimCheckBatch when a batch left in
	// flight has more numbers than the claim allows (the day's budget).
	ErrBatchTooBig = errors.New("batch in flight is larger than the budget left")
	// ErrNothingToRetry is returned by RetryCheckJob for a job without
	// failed numbers.
	ErrNothingToRetry = errors.New("no failed numbers to retry")
)

// CheckJobOptions are a job's options, stored as JSON with the job.
type CheckJobOptions struct {
	Force   bool   `json:"force,omitempty"`
	MaxAgeS int64  `json:"max_age_s"` // cache TTL in seconds
	Region  string `json:"region,omitempty"`
}

// CheckJob is a job of the check queue with its counts.
type CheckJob struct {
	ID        int64
	CreatedAt time.Time
	State     string
	Account   string
	Options   CheckJobOptions
	Error     string
	Total     int            // items (inputs)
	Counts    map[string]int // items per status, and CountCancelled
	Cached    int            // items answered from the cache
	Pending   int            // distinct numbers still to be answered
}

// CheckBatch is one CheckNumbers call, claimed by the worker.
type CheckBatch struct {
	ID       int64
	JobID    int64
	Phones   []string // E.164, distinct, in send order
	Attempts int      // 1 on the first send; more when sent again
	Account  string   // the budget it was charged to
	Day      string
	// Reserved is how many numbers beyond Phones were charged to the
	// budget for this send (the canary); 0 when the claim had no room.
	Reserved int
	// LeftOut is how many of Phones an earlier reply that answered other
	// numbers left out (since the job's last retry).
	LeftOut int
}

// CheckClaim says what ClaimCheckBatch may take.
type CheckClaim struct {
	Max     int       // most numbers in the batch (batch size, budget left)
	Now     time.Time // send time; also the cache's "now"
	Account string    // budget account
	Day     string    // budget day, "YYYY-MM-DD" local
	// Reserve is room kept within Max for numbers the caller adds to the
	// send (the canary), charged to the budget with the batch. A batch
	// left in flight too large for it is sent without (Reserved 0).
	Reserve int
}

// finalCached reports whether a cache row with this status answers a check.
// Failures are not answers: they are checked again.
const cacheStatuses = `('valid', 'invalid')`

// cacheLookup finds cached answers within one transaction.
type cacheLookup struct{ stmt *sql.Stmt }

func newCacheLookup(ctx context.Context, tx *sql.Tx) (*cacheLookup, error) {
	stmt, err := tx.PrepareContext(ctx, `SELECT status, wa_id, jid, verified_name, error, checked_at FROM checks
WHERE phone = ? AND status IN `+cacheStatuses+` AND checked_at >= ?`)
	if err != nil {
		return nil, fmt.Errorf("store: check cache: %w", err)
	}
	return &cacheLookup{stmt: stmt}, nil
}

func (c *cacheLookup) Close() { c.stmt.Close() }

// get finds a cached answer for phone no older than since (unix seconds).
func (c *cacheLookup) get(ctx context.Context, phone string, since int64) (model.CheckResult, bool, error) {
	var r model.CheckResult
	var at int64
	err := c.stmt.QueryRowContext(ctx, phone, since).
		Scan(&r.Status, &r.WAID, &r.JID, &r.VerifiedName, &r.Error, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("store: check cache %s: %w", phone, err)
	}
	r.Phone, r.Cached, r.CheckedAt = phone, true, fromUnix(at)
	return r, true, nil
}

// cacheSince is the oldest checked_at a job accepts from the cache at now:
// within the TTL, or (with force) only answers newer than the job itself.
func cacheSince(o CheckJobOptions, created, now int64) int64 {
	if o.Force {
		// Only answers from after the job was made (checked_at is in
		// seconds: strictly after its second).
		return created + 1
	}
	return min(now-o.MaxAgeS, created)
}

// CreateCheckJob creates a job in one transaction. items carry Input and
// Phone; an item whose Status is already final (invalid input) is stored as
// it is; a pending one (Status "" or processing) is answered from the cache
// when it holds a fresh enough answer (unless opts.Force), else queued. A
// job with nothing left to check is done at once.
func (s *Store) CreateCheckJob(ctx context.Context, at time.Time, account string, opts CheckJobOptions, items []model.CheckResult) (int64, error) {
	if len(items) == 0 {
		return 0, errors.New("store: check job without numbers")
	}
	optJSON, err := json.Marshal(opts)
	if err != nil {
		return 0, fmt.Errorf("store: check job options: %w", err)
	}
	created := at.Unix()
	var id int64
	err = s.checksTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO check_jobs (created_at, state, options, account) VALUES (?, ?, ?, ?)`,
			created, JobQueued, string(optJSON), account)
		if err != nil {
			return fmt.Errorf("store: create check job: %w", err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("store: create check job: %w", err)
		}
		ins, err := tx.PrepareContext(ctx, `INSERT INTO check_items
	(job_id, seq, input, phone, status, wa_id, jid, verified_name, error, cached, checked_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return fmt.Errorf("store: create check job: %w", err)
		}
		defer ins.Close()
		cache, err := newCacheLookup(ctx, tx)
		if err != nil {
			return err
		}
		defer cache.Close()
		since := cacheSince(opts, created, created)
		memo := map[string]*model.CheckResult{} // phone -> cached answer (nil: none)
		pending := 0
		for i, it := range items {
			r := it
			if r.Status == "" {
				r.Status = model.CheckProcessing
			}
			if r.Status == model.CheckProcessing {
				if r.Phone == "" {
					return fmt.Errorf("store: check item %d (%q) without a phone number", i, r.Input)
				}
				c, seen := memo[r.Phone]
				if !seen && !opts.Force {
					hit, ok, err := cache.get(ctx, r.Phone, since)
					if err != nil {
						return err
					}
					if ok {
						c = &hit
					}
					memo[r.Phone] = c
				}
				if c != nil {
					in := r.Input
					r = *c
					r.Input = in
				} else {
					pending++
				}
			}
			_, err := ins.ExecContext(ctx, id, i, r.Input, r.Phone, r.Status, r.WAID, r.JID, r.VerifiedName,
				r.Error, b2i(r.Cached), toUnix(r.CheckedAt))
			if err != nil {
				return fmt.Errorf("store: create check item %d: %w", i, err)
			}
		}
		if pending == 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE check_jobs SET state = ? WHERE id = ?`, JobDone, id); err != nil {
				return fmt.Errorf("store: create check job: %w", err)
			}
		}
		return nil
	})
	return id, err
}

const jobCols = `id, created_at, state, account, options, error`

func scanJob(r scanner, j *CheckJob) error {
	var created int64
	var opts string
	if err := r.Scan(&j.ID, &created, &j.State, &j.Account, &opts, &j.Error); err != nil {
		return err
	}
	j.CreatedAt = fromUnix(created)
	_ = json.Unmarshal([]byte(opts), &j.Options) // a bad blob leaves defaults
	return nil
}

// CheckJobs returns every job, newest first, with counts.
func (s *Store) CheckJobs(ctx context.Context) ([]CheckJob, error) {
	var out []CheckJob
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+jobCols+` FROM check_jobs ORDER BY id DESC`)
		if err != nil {
			return err
		}
		defer rows.Close()
		idx := map[int64]int{}
		for rows.Next() {
			var j CheckJob
			if err := scanJob(rows, &j); err != nil {
				return err
			}
			j.Counts = newCounts()
			idx[j.ID] = len(out)
			out = append(out, j)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		if len(out) == 0 {
			return nil
		}
		return fillCounts(ctx, tx, out, idx, `1 = 1`)
	})
	if err != nil {
		return nil, fmt.Errorf("store: check jobs: %w", err)
	}
	return out, nil
}

// CheckJob returns one job with counts; ErrNotFound when there is none.
func (s *Store) CheckJob(ctx context.Context, id int64) (CheckJob, error) {
	var j CheckJob
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		err := scanJob(tx.QueryRowContext(ctx, `SELECT `+jobCols+` FROM check_jobs WHERE id = ?`, id), &j)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: check job %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: check job %d: %w", id, err)
		}
		j.Counts = newCounts()
		out := []CheckJob{j}
		if err := fillCounts(ctx, tx, out, map[int64]int{id: 0}, `job_id = ?`, id); err != nil {
			return fmt.Errorf("store: check job %d: %w", id, err)
		}
		j = out[0]
		return nil
	})
	return j, err
}

// CheckJobState returns a job's state; ErrNotFound when there is none.
func (s *Store) CheckJobState(ctx context.Context, id int64) (string, error) {
	var st string
	err := s.db.QueryRowContext(ctx, `SELECT state FROM check_jobs WHERE id = ?`, id).Scan(&st)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("store: check job %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("store: check job %d: %w", id, err)
	}
	return st, nil
}

func newCounts() map[string]int {
	return map[string]int{model.CheckProcessing: 0, model.CheckValid: 0, model.CheckInvalid: 0, model.CheckFailed: 0,
		CountCancelled: 0}
}

func fillCounts(ctx context.Context, tx *sql.Tx, jobs []CheckJob, idx map[int64]int, where string, args ...any) error {
	rows, err := tx.QueryContext(ctx, `SELECT job_id, CASE WHEN status = ? AND error = ? THEN ? ELSE status END AS st,
	cached, count(*) FROM check_items
WHERE `+where+` GROUP BY job_id, st, cached`, append([]any{model.CheckFailed, CancelledError, CountCancelled}, args...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var status string
		var cached bool
		var n int
		if err := rows.Scan(&id, &status, &cached, &n); err != nil {
			return err
		}
		i, ok := idx[id]
		if !ok {
			continue
		}
		j := &jobs[i]
		j.Counts[status] += n
		j.Total += n
		if cached {
			j.Cached += n
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	rows, err = tx.QueryContext(ctx, `SELECT job_id, count(DISTINCT phone) FROM check_items
WHERE `+where+` AND status = 'processing' GROUP BY job_id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return err
		}
		if i, ok := idx[id]; ok {
			jobs[i].Pending = n
		}
	}
	return rows.Err()
}

// CheckItems returns a job's results in input order; ErrNotFound when the
// job does not exist.
func (s *Store) CheckItems(ctx context.Context, jobID int64) ([]model.CheckResult, error) {
	var out []model.CheckResult
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM check_jobs WHERE id = ?`, jobID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: check job %d: %w", jobID, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: check job %d: %w", jobID, err)
		}
		rows, err := tx.QueryContext(ctx, `SELECT input, phone, status, wa_id, jid, verified_name, error, cached, checked_at
FROM check_items WHERE job_id = ? ORDER BY seq`, jobID)
		if err != nil {
			return fmt.Errorf("store: check items of job %d: %w", jobID, err)
		}
		defer rows.Close()
		for rows.Next() {
			var r model.CheckResult
			var at int64
			if err := rows.Scan(&r.Input, &r.Phone, &r.Status, &r.WAID, &r.JID, &r.VerifiedName, &r.Error, &r.Cached, &at); err != nil {
				return fmt.Errorf("store: check items of job %d: %w", jobID, err)
			}
			r.CheckedAt = fromUnix(at)
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, err
}

// SetCheckJobState pauses (to JobPaused), resumes (to JobQueued) or cancels
// (to JobCancelled) a job. Cancelling marks every item not yet answered
// failed with the error "cancelled"; answers of a batch already in flight
// still reach the cache. A change the state does not allow is ErrJobState;
// an unknown job ErrNotFound. It returns the state before the change.
func (s *Store) SetCheckJobState(ctx context.Context, id int64, to string) (string, error) {
	var allowed []string
	switch to {
	case JobPaused:
		allowed = []string{JobQueued, JobRunning}
	case JobQueued:
		allowed = []string{JobPaused}
	case JobCancelled:
		allowed = []string{JobQueued, JobRunning, JobPaused}
	default:
		return "", fmt.Errorf("store: check job %d: unknown state %q", id, to)
	}
	var from string
	err := s.checksTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT state FROM check_jobs WHERE id = ?`, id).Scan(&from)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: check job %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: check job %d: %w", id, err)
		}
		ok := false
		for _, a := range allowed {
			ok = ok || a == from
		}
		if !ok {
			return fmt.Errorf("job %d is %s: %w", id, from, ErrJobState)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE check_jobs SET state = ? WHERE id = ?`, to, id); err != nil {
			return fmt.Errorf("store: check job %d: %w", id, err)
		}
		if to == JobCancelled {
			_, err := tx.ExecContext(ctx, `UPDATE check_items SET status = ?, error = ?, checked_at = ?
WHERE job_id = ? AND status = ?`, model.CheckFailed, CancelledError, now(), id, model.CheckProcessing)
			if err != nil {
				return fmt.Errorf("store: cancel check job %d: %w", id, err)
			}
		}
		return nil
	})
	return from, err
}

// SetCheckJobError records (or with "" clears) a job-level error, such as
// the last failed call.
func (s *Store) SetCheckJobError(ctx context.Context, id int64, msg string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE check_jobs SET error = ? WHERE id = ?`, msg, id)
	if err != nil {
		return fmt.Errorf("store: check job %d: %w", id, err)
	}
	return nil
}

// HasCheckWork reports whether a job is queued or running.
func (s *Store) HasCheckWork(ctx context.Context) (bool, error) {
	var ok bool
	err := s.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM check_jobs WHERE state IN (?, ?))`,
		JobQueued, JobRunning).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("store: check queue: %w", err)
	}
	return ok, nil
}

// CheckBudgetUsed is how many numbers were sent for account on day.
func (s *Store) CheckBudgetUsed(ctx context.Context, account, day string) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT coalesce((SELECT used FROM check_budget WHERE account = ? AND day = ?), 0)`,
		account, day).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: check budget: %w", err)
	}
	return n, nil
}

func chargeBudget(ctx context.Context, tx *sql.Tx, account, day string, n int) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO check_budget (account, day, used) VALUES (?, ?, ?)
ON CONFLICT (account, day) DO UPDATE SET used = max(0, used + excluded.used)`, account, day, n)
	if err != nil {
		return fmt.Errorf("store: check budget: %w", err)
	}
	return nil
}

// LastCheckBatchAt is when the last batch was sent (zero when never), so the
// pace holds across restarts.
func (s *Store) LastCheckBatchAt(ctx context.Context) (time.Time, error) {
	var ms int64
	if err := s.db.QueryRowContext(ctx, `SELECT coalesce(max(sent_at_ms), 0) FROM check_batches`).Scan(&ms); err != nil {
		return time.Time{}, fmt.Errorf("store: check batches: %w", err)
	}
	if ms == 0 {
		return time.Time{}, nil
	}
	return time.UnixMilli(ms), nil
}

// InflightCheckBatches lists the batches in flight (sent, not answered),
// oldest first.
func (s *Store) InflightCheckBatches(ctx context.Context) ([]CheckBatch, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, job_id, phones, attempts FROM check_batches WHERE state = ? ORDER BY id`, batchInflight)
	if err != nil {
		return nil, fmt.Errorf("store: check batches: %w", err)
	}
	defer rows.Close()
	var out []CheckBatch
	for rows.Next() {
		var b CheckBatch
		var phones string
		if err := rows.Scan(&b.ID, &b.JobID, &phones, &b.Attempts); err != nil {
			return nil, fmt.Errorf("store: check batches: %w", err)
		}
		b.Phones = strings.Fields(phones)
		out = append(out, b)
	}
	return out, rows.Err()
}

// ClaimCheckBatch picks the next batch to send and, in the same
// transaction, marks it in flight (its items get its id), records the send
// time and charges its numbers to the day's budget. A batch left in flight
// (by a crash, or a refused call) is taken again before any new one. A new
// batch holds up to c.Max distinct numbers of the oldest queued or running
// job, in input order; numbers answered meanwhile (another job checked them)
// are answered from the cache on the way. Jobs found to have nothing left
// are marked done. It returns nil when there is nothing to send, and
// ErrBatchTooBig when the batch in flight needs more than c.Max.
func (s *Store) ClaimCheckBatch(ctx context.Context, c CheckClaim) (*CheckBatch, error) {
	if c.Max <= 0 || c.Reserve < 0 || c.Reserve >= c.Max {
		return nil, fmt.Errorf("store: claim check batch: max %d, reserve %d", c.Max, c.Reserve)
	}
	var out *CheckBatch
	err := s.checksTx(ctx, func(tx *sql.Tx) error {
		nowS, nowMS := c.Now.Unix(), c.Now.UnixMilli()
		// A cancelled job's batch in flight is not sent again.
		if _, err := tx.ExecContext(ctx, `UPDATE check_batches SET state = ?, done_at = ?
WHERE state = ? AND job_id IN (SELECT id FROM check_jobs WHERE state IN (?, ?))`,
			batchAbandoned, nowS, batchInflight, JobCancelled, JobDone); err != nil {
			return err
		}
		jobs, err := runnableJobs(ctx, tx)
		if err != nil {
			return err
		}
		for _, j := range jobs {
			// A batch of this job still in flight goes first.
			var b CheckBatch
			var phones string
			err := tx.QueryRowContext(ctx, `SELECT id, phones, attempts FROM check_batches
WHERE job_id = ? AND state = ? ORDER BY id LIMIT 1`, j.ID, batchInflight).Scan(&b.ID, &phones, &b.Attempts)
			switch {
			case err == nil:
				b.JobID, b.Phones = j.ID, strings.Fields(phones)
				if len(b.Phones) > c.Max {
					return ErrBatchTooBig
				}
				if len(b.Phones)+c.Reserve <= c.Max {
					b.Reserved = c.Reserve
				}
			case errors.Is(err, sql.ErrNoRows):
				phones, err := pickPhones(ctx, tx, j, c.Max-c.Reserve, nowS)
				if err != nil {
					return err
				}
				if len(phones) == 0 {
					if err := finishIfComplete(ctx, tx, j.ID); err != nil {
						return err
					}
					continue
				}
				res, err := tx.ExecContext(ctx, `INSERT INTO check_batches (job_id, state, phones, created_at) VALUES (?, ?, ?, ?)`,
					j.ID, batchInflight, strings.Join(phones, " "), nowS)
				if err != nil {
					return err
				}
				if b.ID, err = res.LastInsertId(); err != nil {
					return err
				}
				b.JobID, b.Phones, b.Reserved = j.ID, phones, c.Reserve
				upd, err := tx.PrepareContext(ctx, `UPDATE check_items SET batch = ?
WHERE job_id = ? AND phone = ? AND status = ? AND batch = 0`)
				if err != nil {
					return err
				}
				for _, p := range phones {
					if _, err := upd.ExecContext(ctx, b.ID, j.ID, p, model.CheckProcessing); err != nil {
						upd.Close()
						return err
					}
				}
				upd.Close()
			default:
				return err
			}
			b.Attempts++
			b.Account, b.Day = c.Account, c.Day
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(DISTINCT phone) FROM check_items
WHERE job_id = ? AND batch = ? AND unanswered > 0`, j.ID, b.ID).Scan(&b.LeftOut); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE check_batches SET attempts = ?, sent_at_ms = ? WHERE id = ?`,
				b.Attempts, nowMS, b.ID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE check_jobs SET state = ? WHERE id = ? AND state = ?`,
				JobRunning, j.ID, JobQueued); err != nil {
				return err
			}
			if err := chargeBudget(ctx, tx, c.Account, c.Day, len(b.Phones)+b.Reserved); err != nil {
				return err
			}
			out = &b
			return nil
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, ErrBatchTooBig) {
			return nil, err
		}
		return nil, fmt.Errorf("store: claim check batch: %w", err)
	}
	return out, nil
}

func runnableJobs(ctx context.Context, tx *sql.Tx) ([]CheckJob, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+jobCols+` FROM check_jobs WHERE state IN (?, ?) ORDER BY id`, JobQueued, JobRunning)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CheckJob
	for rows.Next() {
		var j CheckJob
		if err := scanJob(rows, &j); err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, rows.Err()
}

// pickPhones returns up to max distinct numbers of job j waiting for a
// batch, in input order, answering from the cache those checked meanwhile.
func pickPhones(ctx context.Context, tx *sql.Tx, j CheckJob, max int, nowS int64) ([]string, error) {
	cache, err := newCacheLookup(ctx, tx)
	if err != nil {
		return nil, err
	}
	defer cache.Close()
	var phones []string
	seen := map[string]bool{}
	since := cacheSince(j.Options, j.CreatedAt.Unix(), nowS)
	lastSeq := int64(-1)
	const page = 256
	for len(phones) < max {
		rows, err := tx.QueryContext(ctx, `SELECT seq, phone FROM check_items
WHERE job_id = ? AND status = ? AND batch = 0 AND seq > ? ORDER BY seq LIMIT ?`,
			j.ID, model.CheckProcessing, lastSeq, page)
		if err != nil {
			return nil, err
		}
		var cands []string
		n := 0
		for rows.Next() {
			var p string
			if err := rows.Scan(&lastSeq, &p); err != nil {
				rows.Close()
				return nil, err
			}
			n++
			if !seen[p] {
				seen[p] = true
				cands = append(cands, p)
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
		for _, p := range cands {
			if len(phones) == max {
				break
			}
			hit, ok, err := cache.get(ctx, p, since)
			if err != nil {
				return nil, err
			}
			if !ok {
				phones = append(phones, p)
				continue
			}
			_, err = tx.ExecContext(ctx, `UPDATE check_items SET status = ?, wa_id = ?, jid = ?, verified_name = ?,
	error = ?, cached = 1, checked_at = ? WHERE job_id = ? AND phone = ? AND status = ? AND batch = 0`,
				hit.Status, hit.WAID, hit.JID, hit.VerifiedName, hit.Error, toUnix(hit.CheckedAt), j.ID, p, model.CheckProcessing)
			if err != nil {
				return nil, err
			}
		}
		if n < page {
			break
		}
	}
	return phones, nil
}

// finishIfComplete marks a queued or running job done when no item waits.
func finishIfComplete(ctx context.Context, tx *sql.Tx, jobID int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE check_jobs SET state = ?
WHERE id = ? AND state IN (?, ?, ?)
AND NOT EXISTS (SELECT 1 FROM check_items WHERE job_id = ? AND status = ?)`,
		JobDone, jobID, JobQueued, JobRunning, JobPaused, jobID, model.CheckProcessing)
	return err
}

// ReleaseCheckBatch gives back the budget a refused call (rate-overlimit)
// was charged, the reserved numbers included; the batch stays in flight and
// is claimed again later.
func (s *Store) ReleaseCheckBatch(ctx context.Context, b *CheckBatch) error {
	return s.checksTx(ctx, func(tx *sql.Tx) error {
		return chargeBudget(ctx, tx, b.Account, b.Day, -(len(b.Phones) + b.Reserved))
	})
}

// ReleaseCheckReserve gives back the budget charged for the numbers
// reserved beyond the batch's own (b.Reserved, the canary) when the send
// does without them, and sets b.Reserved to 0.
func (s *Store) ReleaseCheckReserve(ctx context.Context, b *CheckBatch) error {
	if b.Reserved == 0 {
		return nil
	}
	err := s.checksTx(ctx, func(tx *sql.Tx) error {
		return chargeBudget(ctx, tx, b.Account, b.Day, -b.Reserved)
	})
	if err != nil {
		return err
	}
	b.Reserved = 0
	return nil
}

// CompleteCheckBatch stores a batch's answers in one transaction: each
// result (by Phone) goes to the cache (valid and invalid answers; failures
// are not cached) and to the batch's items still waiting, the batch becomes
// done, and its job done when nothing else waits. A number WhatsApp did not
// answer (a result still "processing", or none for it) goes back to the
// queue for another batch, at most MaxUnanswered times; then it fails with
// NoAnswerError. at is the answer time.
func (s *Store) CompleteCheckBatch(ctx context.Context, batchID int64, results []model.CheckResult, at time.Time) error {
	atS := at.Unix()
	return s.checksTx(ctx, func(tx *sql.Tx) error {
		var jobID int64
		err := tx.QueryRowContext(ctx, `SELECT job_id FROM check_batches WHERE id = ?`, batchID).Scan(&jobID)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: check batch %d: %w", batchID, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: check batch %d: %w", batchID, err)
		}
		cache, err := tx.PrepareContext(ctx, `INSERT INTO checks (phone, status, wa_id, jid, verified_name, error, checked_at)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (phone) DO UPDATE SET status = excluded.status, wa_id = excluded.wa_id, jid = excluded.jid,
	verified_name = excluded.verified_name, error = excluded.error, checked_at = excluded.checked_at`)
		if err != nil {
			return fmt.Errorf("store: complete check batch: %w", err)
		}
		defer cache.Close()
		item, err := tx.PrepareContext(ctx, `UPDATE check_items SET status = ?, wa_id = ?, jid = ?, verified_name = ?,
	error = ?, cached = 0, checked_at = ? WHERE batch = ? AND phone = ? AND status = ?`)
		if err != nil {
			return fmt.Errorf("store: complete check batch: %w", err)
		}
		defer item.Close()
		for _, r := range results {
			if r.Status == model.CheckProcessing || r.Status == "" {
				continue // not answered: handled below with the missing ones
			}
			if r.Status == model.CheckValid || r.Status == model.CheckInvalid {
				if _, err := cache.ExecContext(ctx, r.Phone, r.Status, r.WAID, r.JID, r.VerifiedName, r.Error, atS); err != nil {
					return fmt.Errorf("store: complete check batch: %w", err)
				}
			}
			if _, err := item.ExecContext(ctx, r.Status, r.WAID, r.JID, r.VerifiedName, r.Error, atS,
				batchID, r.Phone, model.CheckProcessing); err != nil {
				return fmt.Errorf("store: complete check batch: %w", err)
			}
		}
		// What the reply left unanswered is queued again (batch 0), until
		// it was left out too often. SET expressions see the old values.
		if _, err := tx.ExecContext(ctx, `UPDATE check_items SET unanswered = unanswered + 1,
	status     = CASE WHEN unanswered + 1 > ? THEN ? ELSE status END,
	error      = CASE WHEN unanswered + 1 > ? THEN ? ELSE error END,
	checked_at = CASE WHEN unanswered + 1 > ? THEN ? ELSE checked_at END,
	batch      = CASE WHEN unanswered + 1 > ? THEN batch ELSE 0 END
WHERE batch = ? AND status = ?`,
			MaxUnanswered, model.CheckFailed, MaxUnanswered, NoAnswerError, MaxUnanswered, atS, MaxUnanswered,
			batchID, model.CheckProcessing); err != nil {
			return fmt.Errorf("store: complete check batch: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE check_batches SET state = ?, done_at = ? WHERE id = ?`,
			batchDone, atS, batchID); err != nil {
			return fmt.Errorf("store: complete check batch: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE check_jobs SET error = '' WHERE id = ?`, jobID); err != nil {
			return fmt.Errorf("store: complete check batch: %w", err)
		}
		if err := finishIfComplete(ctx, tx, jobID); err != nil {
			return fmt.Errorf("store: complete check batch: %w", err)
		}
		return nil
	})
}

// RetryCheckJob queues a job's failed numbers again (errors WhatsApp gave
// for one number, "no answer", cancelled ones) in one transaction: they wait
// for the worker as new, and a finished or cancelled job is queued again (a
// paused one stays paused). It returns how many inputs were re-queued;
// ErrNotFound for an unknown job, ErrNothingToRetry when none failed.
func (s *Store) RetryCheckJob(ctx context.Context, id int64) (int, error) {
	var n int64
	err := s.checksTx(ctx, func(tx *sql.Tx) error {
		var state string
		err := tx.QueryRowContext(ctx, `SELECT state FROM check_jobs WHERE id = ?`, id).Scan(&state)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: check job %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: check job %d: %w", id, err)
		}
		res, err := tx.ExecContext(ctx, `UPDATE check_items SET status = ?, error = '', wa_id = '', jid = '',
	verified_name = '', cached = 0, checked_at = 0, batch = 0, unanswered = 0
WHERE job_id = ? AND status = ?`, model.CheckProcessing, id, model.CheckFailed)
		if err != nil {
			return fmt.Errorf("store: retry check job %d: %w", id, err)
		}
		if n, err = res.RowsAffected(); err != nil {
			return fmt.Errorf("store: retry check job %d: %w", id, err)
		}
		if n == 0 {
			return fmt.Errorf("job %d: %w", id, ErrNothingToRetry)
		}
		if state == JobDone || state == JobCancelled {
			if _, err := tx.ExecContext(ctx, `UPDATE check_jobs SET state = ?, error = '' WHERE id = ?`, JobQueued, id); err != nil {
				return fmt.Errorf("store: retry check job %d: %w", id, err)
			}
		}
		return nil
	})
	return int(n), err
}

// CanaryCandidates lists the phones (E.164, in order) of contacts whose
// cached check says "on WhatsApp" and is no older than since: numbers the
// check queue may ask alongside a batch to catch a server that answers
// "not on WhatsApp" for everything.
func (s *Store) CanaryCandidates(ctx context.Context, since time.Time) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT k.phone FROM checks k
JOIN contacts c ON c.phone = k.phone
WHERE k.status = ? AND k.checked_at >= ? AND k.phone <> ''
ORDER BY k.phone`, model.CheckValid, since.Unix())
	if err != nil {
		return nil, fmt.Errorf("store: canary candidates: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, fmt.Errorf("store: canary candidates: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: canary candidates: %w", err)
	}
	return out, nil
}

// SaveCheckedContacts saves numbers found on WhatsApp as contacts, with
// labels, in one transaction. A contact not yet in the mirror is created
// from c (source "local" unless set); an existing one is kept as it is,
// marked on WhatsApp, and gains a verified name it lacked. c.JID is the ID
// WhatsApp answered with, c.Phone the number checked: a contact stored
// under the number's own JID when WhatsApp's differs is the same person and
// is moved (or merged) to WhatsApp's JID first. Every contact
// gets the labels (names; missing ones are created, matching ignores case;
// existing assignments stay). It returns how many contacts were saved.
func (s *Store) SaveCheckedContacts(ctx context.Context, cs []model.Contact, labels []string) (int, error) {
	n := 0
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		// What it assigns is queued for WhatsApp like any label change.
		var lc LabelChanges
		r, err := newLabelResolver(ctx, tx, &lc)
		if err != nil {
			return err
		}
		ids := make([]int64, 0, len(labels))
		for _, name := range labels {
			id, err := r.ensure(ctx, name)
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		a, err := newAssigner(ctx, tx, &lc)
		if err != nil {
			return err
		}
		defer a.Close()
		t := now()
		seen := map[string]bool{}
		for i := range cs {
			c := &cs[i]
			jid, err := contactKey(c)
			if err != nil {
				return fmt.Errorf("store: save checked contact: %w", err)
			}
			if seen[jid] {
				continue
			}
			seen[jid] = true
			phone := strings.TrimSpace(c.Phone)
			if phone == "" {
				phone = phoneFromJID(jid)
			}
			source := c.Source
			if source == "" {
				source = model.SourceLocal
			}
			// WhatsApp may know the checked number by another form (its
			// answer gave jid): a contact stored under the checked form is
			// that person, and moves to WhatsApp's.
			if d := strings.TrimPrefix(phone, "+"); allDigits(d) {
				if _, err := rekeyContact(ctx, tx, model.JIDFromDigits(d), jid); err != nil {
					return err
				}
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO contacts (jid, phone, full_name, verified_name, is_wa_contact, source, created_at, updated_at)
VALUES (?, ?, ?, ?, 1, ?, ?, ?)
ON CONFLICT (jid) DO UPDATE SET is_wa_contact = 1,
	verified_name = CASE WHEN contacts.verified_name = '' THEN excluded.verified_name ELSE contacts.verified_name END,
	updated_at = CASE WHEN contacts.is_wa_contact = 0 OR (contacts.verified_name = '' AND excluded.verified_name <> '')
		THEN excluded.updated_at ELSE contacts.updated_at END`,
				jid, phone, c.FullName, c.VerifiedName, source, t, t)
			if err != nil {
				return fmt.Errorf("store: save checked contact %s: %w", jid, err)
			}
			for _, id := range ids {
				if err := a.set(ctx, jid, id, true); err != nil {
					return fmt.Errorf("store: save checked contact %s: %w", jid, err)
				}
			}
			n++
		}
		return queueLabels(ctx, tx, nil, &lc, nil)
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}
