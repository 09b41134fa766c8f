package store

import (
	"context"
	"fmt"
	"time"
)

// Callback is one of the Business API's no_wait callbacks (migration 11):
// the numbers a check answered "processing", to be POSTed to the webhook
// once each has its answer. It is not contact data: no change counter is
// bumped (front ends show nothing of it).
type Callback struct {
	ID      int64
	Created time.Time
	// Numbers is the caller's JSON ([{input, phone, job}]); the store
	// keeps it as it is.
	Numbers string
	// Body is the payload, "" until every number is answered.
	Body      string
	Attempts  int
	NextAt    time.Time // no send before
	LastError string
}

// AddCallback stores a new callback and returns its id.
func (s *Store) AddCallback(ctx context.Context, numbers string) (int64, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO webhook_callbacks (created_at, numbers) VALUES (?, ?)`, s.now(), numbers)
	if err != nil {
		return 0, fmt.Errorf("store: add callback: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("store: add callback: %w", err)
	}
	return id, nil
}

// Callbacks lists the callbacks not yet delivered, oldest first.
func (s *Store) Callbacks(ctx context.Context) ([]Callback, error) {
	out, err := queryList(ctx, s.db, func(r scanner, c *Callback) error {
		var created, next int64
		if err := r.Scan(&c.ID, &created, &c.Numbers, &c.Body, &c.Attempts, &next, &c.LastError); err != nil {
			return err
		}
		c.Created = fromUnix(created)
		if next > 0 {
			c.NextAt = time.UnixMilli(next)
		}
		return nil
	}, `SELECT id, created_at, numbers, body, attempts, next_at_ms, last_error FROM webhook_callbacks ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: callbacks: %w", err)
	}
	return out, nil
}

// SetCallbackBody fixes a callback's payload (its numbers are answered).
func (s *Store) SetCallbackBody(ctx context.Context, id int64, body string) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE webhook_callbacks SET body = ? WHERE id = ?`, body, id); err != nil {
		return fmt.Errorf("store: callback %d: %w", id, err)
	}
	return nil
}

// CallbackFailed records a failed delivery: one more attempt, the next
// not before next, and why.
func (s *Store) CallbackFailed(ctx context.Context, id int64, next time.Time, why string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE webhook_callbacks SET attempts = attempts + 1, next_at_ms = ?, last_error = ?
WHERE id = ?`, next.UnixMilli(), why, id)
	if err != nil {
		return fmt.Errorf("store: callback %d: %w", id, err)
	}
	return nil
}

// DeleteCallback removes a callback (delivered, or given up).
func (s *Store) DeleteCallback(ctx context.Context, id int64) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM webhook_callbacks WHERE id = ?`, id); err != nil {
		return fmt.Errorf("store: callback %d: %w", id, err)
	}
	return nil
}
