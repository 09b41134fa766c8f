package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/wabook/wabook/model"
)

// PutCheck caches the result of checking r.Phone (E.164), replacing any
// earlier one. A zero CheckedAt is taken as now.
func (s *Store) PutCheck(ctx context.Context, r model.CheckResult) error {
	if r.Phone == "" {
		return errors.New("store: check result without a phone number")
	}
	at := toUnix(r.CheckedAt)
	if at == 0 {
		at = s.now()
	}
	return s.checksTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO checks (phone, status, wa_id, jid, verified_name, error, checked_at)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (phone) DO UPDATE SET status = excluded.status, wa_id = excluded.wa_id, jid = excluded.jid,
	verified_name = excluded.verified_name, error = excluded.error, checked_at = excluded.checked_at`,
			r.Phone, r.Status, r.WAID, r.JID, r.VerifiedName, r.Error, at)
		if err != nil {
			return fmt.Errorf("store: put check %s: %w", r.Phone, err)
		}
		return nil
	})
}

// Check returns the cached result for phone (E.164); ErrNotFound when the
// number was never checked. Input is the phone; Cached is left false.
func (s *Store) Check(ctx context.Context, phone string) (model.CheckResult, error) {
	r := model.CheckResult{Input: phone}
	var at int64
	err := s.db.QueryRowContext(ctx, `SELECT phone, status, wa_id, jid, verified_name, error, checked_at
FROM checks WHERE phone = ?`, phone).Scan(&r.Phone, &r.Status, &r.WAID, &r.JID, &r.VerifiedName, &r.Error, &at)
	if err = rowErr(err, "check "+phone); err != nil {
		return model.CheckResult{}, err
	}
	r.CheckedAt = fromUnix(at)
	return r, nil
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
