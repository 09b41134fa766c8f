package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

func queryStrings(ctx context.Context, tx *sql.Tx, q string, args ...any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func queryInt64s(ctx context.Context, tx *sql.Tx, q string, args ...any) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// withTx runs fn in one write transaction, committing when fn returns nil.
func (s *Store) withTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return s.rawTx(ctx, func(tx *sql.Tx) error { return bumped(ctx, tx, "data", fn) })
}

// checksTx is withTx for the check queue and its cache: it bumps the
// checks counter instead of the mirror's (CommitWatcher).
func (s *Store) checksTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return s.rawTx(ctx, func(tx *sql.Tx) error { return bumped(ctx, tx, "checks", fn) })
}

// bumped runs fn and, in the same transaction, counts the change in
// change_seq's column (migration 6), for other processes to notice.
func bumped(ctx context.Context, tx *sql.Tx, column string, fn func(tx *sql.Tx) error) error {
	if err := fn(tx); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE change_seq SET `+column+` = `+column+` + 1`); err != nil {
		return fmt.Errorf("store: change counter: %w", err)
	}
	return nil
}

// rawTx runs fn in a write transaction and commits it.
func (s *Store) rawTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// readTx runs fn in a read-only (deferred) transaction, for a consistent
// snapshot across several queries.
func (s *Store) readTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer tx.Rollback()
	return fn(tx)
}

// now is the store's clock (SetClock), in unix seconds: the times it writes
// (updated_at, outbox rows, check cache) follow the clock the app runs on.
func (s *Store) now() int64 { return s.clock().Unix() }

// SetClock makes clock the store's time source in place of time.Now, for the
// times it writes itself (app.New hands down its Options.Clock). Call it
// before the store is shared between goroutines.
func (s *Store) SetClock(clock func() time.Time) {
	if clock == nil {
		clock = time.Now
	}
	s.clock = clock
}

func fromUnix(sec int64) time.Time {
	if sec == 0 {
		return time.Time{}
	}
	return time.Unix(sec, 0)
}

func toUnix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
