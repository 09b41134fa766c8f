package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wabook/wabook/model"
)

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
	out, err := queryList(ctx, s.db, func(r scanner, b *CheckBatch) error {
		var phones string
		err := r.Scan(&b.ID, &b.JobID, &phones, &b.Attempts)
		b.Phones = strings.Fields(phones)
		return err
	}, `SELECT id, job_id, phones, attempts FROM check_batches WHERE state = ? ORDER BY id`, batchInflight)
	if err != nil {
		return nil, fmt.Errorf("store: check batches: %w", err)
	}
	return out, nil
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
		if err = rowErr(err, fmt.Sprintf("check batch %d", batchID)); err != nil {
			return err
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

// CanaryCandidates lists the phones (E.164, in order) of contacts whose
// cached check says "on WhatsApp" and is no older than since: numbers the
// check queue may ask alongside a batch to catch a server that answers
// "not on WhatsApp" for everything.
func (s *Store) CanaryCandidates(ctx context.Context, since time.Time) ([]string, error) {
	out, err := queryList(ctx, s.db, scanValue[string], `SELECT DISTINCT k.phone FROM checks k
JOIN contacts c ON c.phone = k.phone
WHERE k.status = ? AND k.checked_at >= ? AND k.phone <> ''
ORDER BY k.phone`, model.CheckValid, since.Unix())
	if err != nil {
		return nil, fmt.Errorf("store: canary candidates: %w", err)
	}
	return out, nil
}
