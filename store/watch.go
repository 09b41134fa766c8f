package store

import (
	"context"
	"database/sql"
	"fmt"
)

// CommitWatcher tells whether another connection has committed to the
// database since it last looked: another process, or another handle on
// the same file. SQLite changes PRAGMA data_version, on a connection, for
// commits made through any other connection, and reading it costs no I/O;
// the watcher keeps one connection of its own for it.
type CommitWatcher struct {
	conn *sql.Conn
	last int64
}

// WatchCommits opens a CommitWatcher; Close gives its connection back.
func (s *Store) WatchCommits(ctx context.Context) (*CommitWatcher, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: watching commits: %w", err)
	}
	w := &CommitWatcher{conn: conn}
	if w.last, err = w.version(ctx); err != nil {
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

// Changed reports whether a commit of another connection happened since
// the last call (or since WatchCommits).
func (w *CommitWatcher) Changed(ctx context.Context) (bool, error) {
	v, err := w.version(ctx)
	if err != nil {
		return false, err
	}
	changed := v != w.last
	w.last = v
	return changed, nil
}

// Close gives the watcher's connection back to the pool.
func (w *CommitWatcher) Close() error { return w.conn.Close() }
