package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/wabook/wabook/model"
)

// NumberState is where one number stands for a caller that waits for its
// answer (wabook serve's check routes): a final Result (valid or invalid
// from the cache, or a recent failure), or the job it waits in, or
// neither (Result.Status "" and Job 0: nothing is under way for it).
type NumberState struct {
	Result model.CheckResult
	Job    int64 // the oldest queued or running job in which it waits
}

// NumberLookup says which answers NumberStates may take.
type NumberLookup struct {
	// CacheSince is the oldest cached answer taken; the zero time takes
	// none (force_check).
	CacheSince time.Time
	// FailedSince is the oldest failure taken as the answer (a number
	// WhatsApp gave an error for is not asked again at once); the zero
	// time takes none. Cancelled numbers are never an answer.
	FailedSince time.Time
}

// lookupChunk bounds the numbers of one IN list.
const lookupChunk = 500

// NumberStates finds, for each phone (E.164), in one read transaction:
// a cached answer no older than l.CacheSince, else the oldest queued or
// running job waiting for it, else its latest failure since
// l.FailedSince. Phones with none of them are left out of the map.
func (s *Store) NumberStates(ctx context.Context, phones []string, l NumberLookup) (map[string]NumberState, error) {
	out := make(map[string]NumberState, len(phones))
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		for start := 0; start < len(phones); start += lookupChunk {
			chunk := phones[start:min(start+lookupChunk, len(phones))]
			if err := numberStates(ctx, tx, chunk, l, out); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: number states: %w", err)
	}
	return out, nil
}

func numberStates(ctx context.Context, tx *sql.Tx, phones []string, l NumberLookup, out map[string]NumberState) error {
	in, args := inList(phones)
	if !l.CacheSince.IsZero() {
		err := eachRow(ctx, tx, func(rows *sql.Rows) error {
			var r model.CheckResult
			var at int64
			if err := rows.Scan(&r.Phone, &r.Status, &r.WAID, &r.JID, &r.VerifiedName, &r.Error, &at); err != nil {
				return err
			}
			r.Input, r.Cached, r.CheckedAt = r.Phone, true, fromUnix(at)
			out[r.Phone] = NumberState{Result: r}
			return nil
		}, `SELECT phone, status, wa_id, jid, verified_name, error, checked_at FROM checks
WHERE status IN `+cacheStatuses+` AND checked_at >= ? AND phone IN `+in, append([]any{l.CacheSince.Unix()}, args...)...)
		if err != nil {
			return err
		}
	}
	err := eachRow(ctx, tx, func(rows *sql.Rows) error {
		var phone string
		var job int64
		if err := rows.Scan(&phone, &job); err != nil {
			return err
		}
		if _, answered := out[phone]; !answered {
			out[phone] = NumberState{Result: model.CheckResult{Input: phone, Phone: phone, Status: model.CheckProcessing}, Job: job}
		}
		return nil
	}, `SELECT i.phone, min(i.job_id) FROM check_items i JOIN check_jobs j ON j.id = i.job_id
WHERE j.state IN (?, ?) AND i.status = ? AND i.phone IN `+in+` GROUP BY i.phone`,
		append([]any{JobQueued, JobRunning, model.CheckProcessing}, args...)...)
	if err != nil {
		return err
	}
	if l.FailedSince.IsZero() {
		return nil
	}
	// The latest failure of each phone (SQLite takes the other columns
	// from the row of max()).
	return eachRow(ctx, tx, func(rows *sql.Rows) error {
		var r model.CheckResult
		var at int64
		if err := rows.Scan(&r.Phone, &r.Error, &at); err != nil {
			return err
		}
		if _, known := out[r.Phone]; !known {
			r.Input, r.Status, r.CheckedAt = r.Phone, model.CheckFailed, fromUnix(at)
			out[r.Phone] = NumberState{Result: r}
		}
		return nil
	}, `SELECT phone, error, max(checked_at) FROM check_items
WHERE status = ? AND error <> ? AND checked_at >= ? AND phone IN `+in+` GROUP BY phone`,
		append([]any{model.CheckFailed, CancelledError, l.FailedSince.Unix()}, args...)...)
}

// JobNumbers returns the answers job holds for phones (E.164), by phone:
// the result of one of the job's items for each phone it has (items of
// one phone are answered together); ErrNotFound when there is no such
// job.
func (s *Store) JobNumbers(ctx context.Context, job int64, phones []string) (map[string]model.CheckResult, error) {
	out := make(map[string]model.CheckResult, len(phones))
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM check_jobs WHERE id = ?`, job).Scan(&one)
		if err = rowErr(err, fmt.Sprintf("check job %d", job)); err != nil {
			return err
		}
		for start := 0; start < len(phones); start += lookupChunk {
			in, args := inList(phones[start:min(start+lookupChunk, len(phones))])
			err := eachRow(ctx, tx, func(rows *sql.Rows) error {
				var r model.CheckResult
				var at int64
				if err := rows.Scan(&r.Phone, &r.Status, &r.WAID, &r.JID, &r.VerifiedName, &r.Error, &r.Cached, &at); err != nil {
					return err
				}
				r.Input, r.CheckedAt = r.Phone, fromUnix(at)
				out[r.Phone] = r
				return nil
			}, `SELECT phone, status, wa_id, jid, verified_name, error, cached, checked_at FROM check_items
WHERE job_id = ? AND phone IN `+in+` GROUP BY phone`, append([]any{job}, args...)...)
			if err != nil {
				return fmt.Errorf("store: check job %d: %w", job, err)
			}
		}
		return nil
	})
	return out, err
}
