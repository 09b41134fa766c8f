// Package store is wabook's SQLite mirror of the account: contacts, labels,
// groups, the existence-check cache and queue, and small settings. It owns
// the one *sql.DB of the process; whatsmeow's sqlstore shares it through DB().
// Our tables never reference whatsmeow_* tables.
package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/wabook/wabook/model/files"
)

// Errors returned (possibly wrapped) by the store.
var (
	// ErrNotFound is returned when a row asked for does not exist.
	ErrNotFound = errors.New("not found")
	// ErrNewerSchema is returned by Open when the database was written by a
	// newer wabook than this one.
	ErrNewerSchema = errors.New("database schema is newer than this wabook")
	// ErrOlderSchema is returned by OpenCurrent when the database was
	// written by an older wabook (or by none: schema 0) and would need
	// migrating.
	ErrOlderSchema = errors.New("database schema is older than this wabook")
	// ErrNotSQLite is returned by Open when the file is not an SQLite database.
	ErrNotSQLite = errors.New("not an SQLite database")
	// ErrCorrupt is returned by Open for an SQLite file whose pages are
	// damaged.
	ErrCorrupt = errors.New("the database file is damaged")
	// ErrLabelExists is returned when a label name is already taken (ignoring case).
	ErrLabelExists = errors.New("a label of that name exists already")
	// ErrInvalidColor is returned for a label colour outside 0..19.
	ErrInvalidColor = errors.New("label colour must be 0..19")
	// ErrInvalidName is returned for an empty label name.
	ErrInvalidName = errors.New("label name is empty")
	// ErrReadOnly is returned (wrapped) when a write is asked of a
	// database file this user may not write (Store.ReadOnly).
	ErrReadOnly = errors.New("the database file is read-only")
	// ErrInvalidJID is returned for a JID that is not a phone-number JID
	// where one is required.
	ErrInvalidJID = errors.New("invalid JID")
)

// sqliteHeader starts every SQLite 3 database file.
var sqliteHeader = []byte("SQLite format 3\x00")

// Store is the SQLite mirror. It is safe for concurrent use.
type Store struct {
	db   *sql.DB
	path string
	// readOnly: the store refuses writes (OpenReadOnly, or a database
	// file this user may not write).
	readOnly bool
	// clock is where the times the store writes come from (SetClock);
	// time.Now unless the app hands down its own.
	clock func() time.Time
	// writes counts the write transactions committed through this Store
	// (Writes).
	writes atomic.Uint64
	// exportRun is how many bytes of records an export sorts in memory
	// before it writes them out as a run (runSorter); 0 for runBytes.
	// Tests set it small to have exports merge runs.
	exportRun int
}

// Writes counts the write transactions this Store has committed (any
// table's). A cache of what the mirror holds stays valid while it does not
// move, as far as this process's writes go: it moves once a commit has
// returned, before the writer learns of it. Other processes' commits, and
// other Stores on the same file, are CommitWatcher's to notice.
func (s *Store) Writes() uint64 { return s.writes.Load() }

// DefaultPath is $WABOOK_DB, else $XDG_DATA_HOME/wabook/wabook.db, else
// ~/.local/share/wabook/wabook.db.
func DefaultPath() (string, error) {
	p, err := files.XDGPath("WABOOK_DB", "XDG_DATA_HOME", filepath.Join(".local", "share"), "wabook.db")
	if err != nil {
		return "", fmt.Errorf("store: no database path: %w", err)
	}
	return p, nil
}

// dsn builds the driver DSN for path. Characters special in SQLite URIs are
// percent-escaped. _txlock=immediate makes write transactions take the write
// lock at BEGIN, so busy_timeout applies instead of a later SQLITE_BUSY on
// lock upgrade; read-only transactions stay deferred.
//
// synchronous stays FULL (SQLite's default): a commit is on disk when it
// returns, so an answer serve gives, a token `token add` prints and a
// webhook callback it keeps survive a power loss. NORMAL would make a
// one-row commit about 35 times cheaper here (2.2 ms → 0.06 ms measured
// on this project's VM), but may roll back the last commits after a power
// loss; the load run (serve/load_test.go) is bound by CPU, not by syncs.
func dsn(path string) string {
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return "file:" + esc + "?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_txlock=immediate"
}

// Open opens (creating if needed) the database at path and brings its schema
// up to date. A directory and a file Open creates are private (0700 and
// 0600); the mode of an existing file is the user's choice and is left as
// it is (PermissionWarning says when others may read it). A file this user
// may not write (made read-only, or someone else's shared for reading) is
// opened read-only: reading works, and every write fails with ErrReadOnly.
// A file that is not SQLite is refused and left untouched; a database written
// by a newer wabook is refused with ErrNewerSchema.
//
// A database damaged inside is refused with ErrCorrupt, also untouched.
func Open(path string) (*Store, error) {
	return open(path, true)
}

// OpenCurrent opens the existing database at path like Open, but never
// migrates it (nor creates it): a database whose schema is older than the
// one this wabook writes is refused with ErrOlderSchema. `wabook doctor
// --refresh` caches the version it fetched through it.
func OpenCurrent(path string) (*Store, error) {
	// The check is made read-only: opening for writing sets the journal
	// mode, which already writes to a file that is not a wabook database.
	r, err := OpenReadOnly(path)
	if err != nil {
		return nil, err
	}
	v, err := schemaVersion(context.Background(), r.db)
	r.Close()
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", path, err)
	}
	if v < len(migrations) {
		return nil, fmt.Errorf("store: %s: %w: the database has schema %d and this wabook writes %d", path, ErrOlderSchema, v, len(migrations))
	}
	return open(path, false)
}

func open(path string, migrate bool) (*Store, error) {
	if path == "" {
		return nil, errors.New("store: empty database path")
	}
	created, err := prepareFile(path)
	if err != nil {
		return nil, err
	}
	if !created && syscall.Access(path, accessWrite) != nil {
		return openUnwritable(path)
	}
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	s := &Store{db: db, path: path, clock: time.Now}
	ctx := context.Background()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	// A file damaged inside passes the header check. Reading a few pages to
	// draw the first frame is harmless; writing is not. A migration writes,
	// so it waits for Verify; everything else that writes must call Verify
	// first (main does, before the service starts).
	if !migrate {
		return s, nil // OpenCurrent checked the schema
	}
	if v, err := schemaVersion(ctx, db); err == nil && v > 0 && v < len(migrations) {
		if err := s.Verify(ctx); err != nil {
			db.Close()
			return nil, err
		}
	}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: %s: %w", path, err)
	}
	return s, nil
}

// accessWrite is access(2)'s W_OK.
const accessWrite = 0x2

// openUnwritable opens a database file this user may not write, for
// reading: it must be at the schema this wabook writes, as no migration can
// run. SQLite could open it for writing and only fail at the first write,
// deep inside some command; refusing up front names the cause.
func openUnwritable(path string) (*Store, error) {
	s, err := OpenReadOnly(path)
	if err != nil {
		return nil, err
	}
	v, err := schemaVersion(context.Background(), s.db)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if v < len(migrations) {
		s.Close()
		return nil, fmt.Errorf("store: %s: %w and its schema (%d) needs upgrading to %d, which writes to it; it needs write permission on the file first",
			path, ErrReadOnly, v, len(migrations))
	}
	return s, nil
}

// ReadOnly reports whether the store refuses writes: it was opened with
// OpenReadOnly, or Open found a file this user may not write.
func (s *Store) ReadOnly() bool { return s.readOnly }

// ReadOnlyError is the error for a write asked of a read-only store.
func (s *Store) ReadOnlyError() error {
	return fmt.Errorf("%w for you: %s; reading works, changing it needs write permission on the file", ErrReadOnly, s.path)
}

// PermissionWarning says what is wrong when the database file at path may
// be read or written by other users than its owner (it holds the address
// book and the WhatsApp session keys); "" when it is private or missing.
// wabook leaves such a mode as it is (it may be shared on purpose) but
// warns in its log and in `wabook doctor`.
func PermissionWarning(path string) string {
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm()&0o066 == 0 {
		return ""
	}
	var who []string
	if fi.Mode().Perm()&0o060 != 0 {
		who = append(who, "its group")
	}
	if fi.Mode().Perm()&0o006 != 0 {
		who = append(who, "other users")
	}
	return fmt.Sprintf("the database file is open to %s (mode %04o); unless that is meant, run: chmod go-rwx %s",
		strings.Join(who, " and "), fi.Mode().Perm(), path)
}

// OpenReadOnly opens the existing database at path for reading only, for
// `wabook doctor` and `--version`, which must not change it: it never
// creates the file, migrates, switches the journal mode or tightens the
// permissions, and every connection refuses to write (query_only). A
// database of an older schema, or an SQLite file without wabook's tables
// (FileSchemaVersion 0), is opened as it is; one written by a newer
// wabook is refused with ErrNewerSchema, as Open does.
//
// While a -wal file exists (another wabook has the database open, or one
// stopped without closing it), or a rollback -journal, the file is opened
// with mode=ro as well, so that closing never checkpoints that WAL into the
// database and reading never rolls that journal back. Without one
// the connection is a writable one that refuses writes: SQLite needs the
// -wal and -shm files to read a WAL database and creates them, and only a
// writable connection removes them again when it closes (a mode=ro one
// leaves them behind); with an empty WAL that close writes nothing.
func OpenReadOnly(path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("store: empty database path")
	}
	if err := checkFile(path); err != nil {
		return nil, err
	}
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	q := "_pragma=query_only(1)&_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)"
	switch {
	case hasFile(path+"-wal") || hasFile(path+"-journal"):
		// A -journal left by an interrupted write in rollback mode would
		// be rolled back (the database rewritten) on the first read of a
		// writable connection, query_only or not.
		q = "mode=ro&" + q
	case syscall.Access(path, accessWrite) != nil:
		// A file this user may not write, and no WAL: nobody writes to
		// it now. Any other connection would create a -wal and a -shm
		// that stay behind, ours and with the file's mode, and keep its
		// owner (or this user, once it is writable) from writing to it;
		// immutable creates nothing.
		q = "immutable=1&" + q
	}
	db, err := sql.Open("sqlite", "file:"+esc+"?"+q)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	ctx := context.Background()
	v, err := schemaVersion(ctx, db)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if v > len(migrations) {
		db.Close()
		return nil, fmt.Errorf("store: %s: %w: database is at version %d, this wabook knows up to %d", path, ErrNewerSchema, v, len(migrations))
	}
	return &Store{db: db, path: path, readOnly: true, clock: time.Now}, nil
}

func hasFile(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// Verify reads every page of the database once (PRAGMA quick_check: about
// 200 ms at 100 000 contacts) and returns ErrCorrupt when the file is
// damaged. Nothing may write to a database that has not passed it.
func (s *Store) Verify(ctx context.Context) error {
	var check string
	if err := s.db.QueryRowContext(ctx, `PRAGMA quick_check(1)`).Scan(&check); err != nil || check != "ok" {
		detail := check
		if err != nil {
			detail = err.Error()
		}
		// SQLite's report spans lines; errors here are one line.
		if detail = strings.Join(strings.Fields(detail), " "); len(detail) > 120 {
			detail = detail[:120] + "…"
		}
		return fmt.Errorf("store: %s: %w (%s); refusing to touch it", s.path, ErrCorrupt, detail)
	}
	return nil
}

// prepareFile creates the directory and file with private permissions, or
// checks that an existing file is an SQLite database before anything opens
// it; created says it made the file.
func prepareFile(path string) (created bool, err error) {
	dir := filepath.Dir(path)
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return false, fmt.Errorf("store: create directory: %w", err)
		}
		if err := os.Chmod(dir, 0o700); err != nil {
			return false, fmt.Errorf("store: create directory: %w", err)
		}
	} else if err != nil {
		return false, fmt.Errorf("store: %w", err)
	}

	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return false, fmt.Errorf("store: create database: %w", err)
		}
		// umask may have removed bits, never added; the file is ours.
		if err := f.Chmod(0o600); err != nil {
			f.Close()
			return false, fmt.Errorf("store: create database: %w", err)
		}
		if err := f.Close(); err != nil {
			return false, fmt.Errorf("store: create database: %w", err)
		}
		return true, nil
	}
	return false, checkFile(path)
}

// checkFile checks that the existing file at path is an SQLite database
// (or empty, which SQLite takes for one), without changing it.
func checkFile(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("store: %s: %w (not a regular file)", path, ErrNotSQLite)
	}
	if fi.Size() > 0 {
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		head := make([]byte, len(sqliteHeader))
		_, err = io.ReadFull(f, head)
		f.Close()
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
			return fmt.Errorf("store: read %s: %w", path, err)
		}
		if err != nil || !bytes.Equal(head, sqliteHeader) {
			return fmt.Errorf("store: %s: %w; refusing to touch it", path, ErrNotSQLite)
		}
	}
	return nil
}

// DB is the process's one *sql.DB, to be shared with whatsmeow's sqlstore.
func (s *Store) DB() *sql.DB { return s.db }

// Path is the database file's path.
func (s *Store) Path() string { return s.path }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// HasTable reports whether the database has a table of that name.
func (s *Store) HasTable(ctx context.Context, name string) bool {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, name).Scan(&n)
	return err == nil && n > 0
}
