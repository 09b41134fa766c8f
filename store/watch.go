package store

import (
	"context"
	"database/sql"
	"fmt"
)

// CommitWatcher tells whether another connection has changed the mirror
// or the check queue since it last looked: another process, another handle
// on the same file, or this one's other connections. SQLite changes PRAGMA
// data_version, on a connection, for commits made through any other
// connection, and reading it costs no I/O; only then are the store's change
// counters read (change_seq, bumped by withTx and checksTx), so whatsmeow's
// frequent writes to its own tables in the same file count for nothing.
// The watcher keeps one connection of its own.
type CommitWatcher struct {
	conn                 *sql.Conn
	last                 int64
	data, checks, outbox int64
}

// Changes says what a CommitWatcher saw change.
type Changes struct{ Data, Checks, Outbox bool }

// WatchCommits opens a CommitWatcher; Close gives its connection back.
func (s *Store) WatchCommits(ctx context.Context) (*CommitWatcher, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: watching commits: %w", err)
	}
	w := &CommitWatcher{conn: conn}
	if w.last, err = w.version(ctx); err == nil {
		w.data, w.checks, w.outbox, err = w.counters(ctx)
	}
	if err != nil {
		conn.Close()
		return nil, err
	}
	return w, nil
}

func (w *CommitWatcher) version(ctx context.Context) (int64, error) {
	var v int64
	if err := w.conn.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&v); err != nil {
		return 0, fmt.Errorf("store: watching commits: %w", err)
	}
	return v, nil
}

func (w *CommitWatcher) counters(ctx context.Context) (data, checks, outbox int64, err error) {
	err = w.conn.QueryRowContext(ctx, `SELECT data, checks, outbox FROM change_seq`).Scan(&data, &checks, &outbox)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("store: watching commits: %w", err)
	}
	return data, checks, outbox, nil
}

// Changed reports what another connection changed since the last call (or
// since WatchCommits).
func (w *CommitWatcher) Changed(ctx context.Context) (Changes, error) {
	v, err := w.version(ctx)
	if err != nil || v == w.last {
		return Changes{}, err
	}
	data, checks, outbox, err := w.counters(ctx)
	if err != nil {
		return Changes{}, err
	}
	ch := Changes{Data: data != w.data, Checks: checks != w.checks, Outbox: outbox != w.outbox}
	w.last, w.data, w.checks, w.outbox = v, data, checks, outbox
	return ch, nil
}

// Close gives the watcher's connection back to the pool.
func (w *CommitWatcher) Close() error { return w.conn.Close() }
