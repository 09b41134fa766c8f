package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"strings"
)

// querier is what *sql.DB and *sql.Tx share for reading rows.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// eachRow runs query and calls row for each row it returns (rows stands on
// it), stopping at the first error. rows is closed when it returns, so the
// caller may query again in the same transaction.
func eachRow(ctx context.Context, q querier, row func(rows *sql.Rows) error, query string, args ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for n := 0; rows.Next(); n++ {
		if err := row(rows); err != nil {
			return err
		}
		handOver(n)
	}
	return rows.Err()
}

// handOverEvery is how many rows a read or a write goes through between
// two hand-overs of its processor (handOver): a few hundred microseconds.
const handOverEvery = 256

// handOver gives the processor to a goroutine waiting for one at every
// handOverEvery-th step n (from 0) of a long read or write. The store runs beside a
// terminal UI: on a 2-core machine a sync's writes and a refresh's read of
// a million-contact mirror held both processors for 10 ms and more at a
// time (the runtime preempts a goroutine only after 10 ms), and a key's
// Update waited, runnable, behind them (ui/handover.go has the same rule
// for the UI's own loops, and the measurement).
func handOver(n int) {
	if n%handOverEvery == handOverEvery-1 {
		runtime.Gosched()
	}
}

// queryList runs query and makes one T of each row with scan.
func queryList[T any](ctx context.Context, q querier, scan func(r scanner, v *T) error, query string, args ...any) ([]T, error) {
	var out []T
	err := eachRow(ctx, q, func(rows *sql.Rows) error {
		var v T
		if err := scan(rows, &v); err != nil {
			return err
		}
		out = append(out, v)
		return nil
	}, query, args...)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// scanRow reads the one row of query into dest; what names what was read
// in the error ("store: outbox: …").
func scanRow(ctx context.Context, q queryRower, what string, dest []any, query string, args ...any) error {
	if err := q.QueryRowContext(ctx, query, args...).Scan(dest...); err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	return nil
}

// scanValue scans a row of one column.
func scanValue[T any](r scanner, v *T) error { return r.Scan(v) }

func queryStrings(ctx context.Context, tx *sql.Tx, q string, args ...any) ([]string, error) {
	return queryList(ctx, tx, scanValue[string], q, args...)
}

func queryInt64s(ctx context.Context, tx *sql.Tx, q string, args ...any) ([]int64, error) {
	out, err := queryList(ctx, tx, scanValue[int64], q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return out, nil
}

// inList is the "(?, ?, …)" of an SQL IN over xs (at least one) and the
// arguments it binds.
func inList[T any](xs []T) (string, []any) {
	args := make([]any, len(xs))
	for i, x := range xs {
		args[i] = x
	}
	return "(?" + strings.Repeat(", ?", len(xs)-1) + ")", args
}

// rowErr words the error of reading the one row of what ("check job 7"):
// ErrNotFound when there is no such row.
func rowErr(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("store: %s: %w", what, ErrNotFound)
	}
	return fmt.Errorf("store: %s: %w", what, err)
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
	err = tx.Commit()
	// Counted even when the commit says it failed: a cache then reads the
	// mirror again rather than trust it unchanged.
	s.writes.Add(1)
	if err != nil {
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

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
