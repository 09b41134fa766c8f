package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
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
		var err error
		if out, err = queryList(ctx, tx, scanJob, `SELECT `+jobCols+` FROM check_jobs ORDER BY id DESC`); err != nil {
			return err
		}
		idx := make(map[int64]int, len(out))
		for i := range out {
			out[i].Counts = newCounts()
			idx[out[i].ID] = i
		}
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
		if err = rowErr(err, fmt.Sprintf("check job %d", id)); err != nil {
			return err
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
	return jobState(ctx, s.db, id)
}

// jobState reads a job's state; ErrNotFound when there is no such job.
func jobState(ctx context.Context, q queryRower, id int64) (string, error) {
	var st string
	err := q.QueryRowContext(ctx, `SELECT state FROM check_jobs WHERE id = ?`, id).Scan(&st)
	if err = rowErr(err, fmt.Sprintf("check job %d", id)); err != nil {
		return "", err
	}
	return st, nil
}

func newCounts() map[string]int {
	return map[string]int{model.CheckProcessing: 0, model.CheckValid: 0, model.CheckInvalid: 0, model.CheckFailed: 0,
		CountCancelled: 0}
}

func fillCounts(ctx context.Context, tx *sql.Tx, jobs []CheckJob, idx map[int64]int, where string, args ...any) error {
	err := eachRow(ctx, tx, func(rows *sql.Rows) error {
		var id int64
		var status string
		var cached bool
		var n int
		if err := rows.Scan(&id, &status, &cached, &n); err != nil {
			return err
		}
		i, ok := idx[id]
		if !ok {
			return nil
		}
		j := &jobs[i]
		j.Counts[status] += n
		j.Total += n
		if cached {
			j.Cached += n
		}
		return nil
	}, `SELECT job_id, CASE WHEN status = ? AND error = ? THEN ? ELSE status END AS st,
	cached, count(*) FROM check_items
WHERE `+where+` GROUP BY job_id, st, cached`, append([]any{model.CheckFailed, CancelledError, CountCancelled}, args...)...)
	if err != nil {
		return err
	}
	return eachRow(ctx, tx, func(rows *sql.Rows) error {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return err
		}
		if i, ok := idx[id]; ok {
			jobs[i].Pending = n
		}
		return nil
	}, `SELECT job_id, count(DISTINCT phone) FROM check_items
WHERE `+where+` AND status = 'processing' GROUP BY job_id`, args...)
}

// CheckItems returns a job's results in input order; ErrNotFound when the
// job does not exist.
func (s *Store) CheckItems(ctx context.Context, jobID int64) ([]model.CheckResult, error) {
	var out []model.CheckResult
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		if _, err := jobState(ctx, tx, jobID); err != nil {
			return err
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
		var err error
		if from, err = jobState(ctx, tx, id); err != nil {
			return err
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
WHERE job_id = ? AND status = ?`, model.CheckFailed, CancelledError, s.now(), id, model.CheckProcessing)
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
	err := scanRow(ctx, s.db, "check queue", []any{&ok}, `SELECT EXISTS (SELECT 1 FROM check_jobs WHERE state IN (?, ?))`, JobQueued, JobRunning)
	return ok, err
}

// RetryCheckJob queues a job's failed numbers again (errors WhatsApp gave
// for one number, "no answer", cancelled ones) in one transaction: they wait
// for the worker as new, and a finished or cancelled job is queued again (a
// paused one stays paused). It returns how many inputs were re-queued;
// ErrNotFound for an unknown job, ErrNothingToRetry when none failed.
func (s *Store) RetryCheckJob(ctx context.Context, id int64) (int, error) {
	var n int64
	err := s.checksTx(ctx, func(tx *sql.Tx) error {
		state, err := jobState(ctx, tx, id)
		if err != nil {
			return err
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
