package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/wabook/wabook/model"
)

// WAVersionRecord is what the mirror knows about one WhatsApp Web version
// (table wa_versions): where it came from and what WhatsApp made of it.
type WAVersionRecord struct {
	Version     string
	Source      string    // a URL it was read from, or "flag", "config", "built-in" (wa.VersionFrom…)
	FetchedAt   time.Time // zero: never fetched
	ConnectedAt time.Time // last time WhatsApp accepted it; zero: never
	RefusedAt   time.Time // WhatsApp refused it as outdated; zero: never
}

// UserNamed reports whether all that is known of the version is that the
// user named it (--wa-version or the config's wa_version): it never
// connected and was never fetched. Such a version may be a typo WhatsApp
// never had, so its refusal says nothing about the versions below it; one
// that connected or was fetched is known real, and its refusal does.
func (r WAVersionRecord) UserNamed() bool {
	return (r.Source == "flag" || r.Source == "config") && r.ConnectedAt.IsZero() && r.FetchedAt.IsZero()
}

// How upsertWAVersion treats the source stored before.
const (
	replaceSource = iota // a non-empty source replaces it
	keepSource           // a stored source is kept
	keepURLSource        // a stored URL is kept (it says where the version was read from, which a pin does not)
)

// upsertWAVersion writes one column of a version's row, creating the row
// first. source replaces the stored one when not empty, unless keep says
// the stored one stays.
func (s *Store) upsertWAVersion(ctx context.Context, version, source, column string, keep int, at time.Time) error {
	if _, err := model.ParseWAVersion(version); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if at.IsZero() {
		return fmt.Errorf("store: WhatsApp Web version %s: no time given", version)
	}
	// column is one of three constants below, never user input.
	_, err := s.db.ExecContext(ctx, `INSERT INTO wa_versions (version, source, `+column+`) VALUES (?, ?, ?)
ON CONFLICT (version) DO UPDATE SET `+column+` = excluded.`+column+`,
	source = CASE WHEN excluded.source = ''
			OR (? AND wa_versions.source <> '')
			OR (? AND wa_versions.source NOT IN ('', 'flag', 'config', 'built-in')) THEN wa_versions.source
		ELSE excluded.source END`,
		version, source, at.Unix(), keep == keepSource, keep == keepURLSource)
	if err != nil {
		return fmt.Errorf("store: recording WhatsApp Web version %s: %w", version, err)
	}
	return nil
}

// RecordWAVersionFetched caches a version read from source (a URL) at at.
// A version refused earlier stays refused.
func (s *Store) RecordWAVersionFetched(ctx context.Context, version, source string, at time.Time) error {
	return s.upsertWAVersion(ctx, version, source, "fetched_at", replaceSource, at)
}

// MarkWAVersionConnected records that WhatsApp accepted version at at.
// source may be "" to keep what is known; a URL the version was read
// from stays its source even when the user also pinned it.
func (s *Store) MarkWAVersionConnected(ctx context.Context, version, source string, at time.Time) error {
	return s.upsertWAVersion(ctx, version, source, "connected_at", keepURLSource, at)
}

// MarkWAVersionRefused records that WhatsApp refused version as outdated
// (405); it is never chosen again, nor is any older version, unless the
// user named it and nothing else is known of it (UserNamed). source is
// "flag" or "config" when the user pinned it, else "": a pinned refusal of
// a version fetched before keeps the fetch's source.
func (s *Store) MarkWAVersionRefused(ctx context.Context, version, source string, at time.Time) error {
	return s.upsertWAVersion(ctx, version, source, "refused_at", keepSource, at)
}

// WAVersions lists every version known, the most recently seen first.
func (s *Store) WAVersions(ctx context.Context) ([]WAVersionRecord, error) {
	out, err := queryList(ctx, s.db, func(row scanner, r *WAVersionRecord) error {
		var f, c, x int64
		err := row.Scan(&r.Version, &r.Source, &f, &c, &x)
		r.FetchedAt, r.ConnectedAt, r.RefusedAt = fromUnix(f), fromUnix(c), fromUnix(x)
		return err
	}, `SELECT version, source, fetched_at, connected_at, refused_at
FROM wa_versions ORDER BY max(fetched_at, connected_at, refused_at) DESC, version DESC`)
	if err != nil {
		return nil, fmt.Errorf("store: reading WhatsApp Web versions: %w", err)
	}
	return out, nil
}

// RefusalOf finds, among all, the refusal that rules version out: version
// itself was refused, or a refused version at least as new that WhatsApp
// surely had (not UserNamed: WhatsApp would refuse the older one too). by
// is that refused version; ok is false when nothing rules version out.
func RefusalOf(all []WAVersionRecord, version string) (by string, ok bool) {
	v, err := model.ParseWAVersion(version)
	if err != nil {
		return "", false
	}
	var byV model.WAVersion
	for _, r := range all {
		if r.RefusedAt.IsZero() {
			continue
		}
		if r.Version == version {
			return version, true
		}
		rv, err := model.ParseWAVersion(r.Version)
		if err != nil || r.UserNamed() || rv.Compare(v) < 0 {
			continue
		}
		if !ok || rv.Compare(byV) > 0 {
			by, byV, ok = r.Version, rv, true
		}
	}
	return by, ok
}

// CachedWAVersion is the cached choice: the version that most recently
// connected, else the most recently fetched one, among those no refusal
// rules out (RefusalOf). ok is false when nothing qualifies.
func (s *Store) CachedWAVersion(ctx context.Context) (rec WAVersionRecord, ok bool, err error) {
	all, err := s.WAVersions(ctx)
	if err != nil {
		return rec, false, err
	}
	better := func(a, b WAVersionRecord) bool { // a is a better pick than b
		if !a.ConnectedAt.Equal(b.ConnectedAt) {
			return a.ConnectedAt.After(b.ConnectedAt)
		}
		if !a.FetchedAt.Equal(b.FetchedAt) {
			return a.FetchedAt.After(b.FetchedAt)
		}
		va, _ := model.ParseWAVersion(a.Version)
		vb, _ := model.ParseWAVersion(b.Version)
		return va.Compare(vb) > 0
	}
	for _, r := range all {
		if _, err := model.ParseWAVersion(r.Version); err != nil {
			continue
		}
		if _, refused := RefusalOf(all, r.Version); refused {
			continue
		}
		if r.ConnectedAt.IsZero() && r.FetchedAt.IsZero() {
			continue
		}
		if !ok || better(r, rec) {
			rec, ok = r, true
		}
	}
	return rec, ok, nil
}

// Integrity runs SQLite's quick_check and returns its report on one line:
// "ok" for a sound file, else SQLite's first findings (or the error that
// stopped the check). It only reads.
func (s *Store) Integrity(ctx context.Context) string {
	rows, err := s.db.QueryContext(ctx, `PRAGMA quick_check(5)`)
	if err != nil {
		return oneLine(err.Error())
	}
	defer rows.Close()
	var found []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return oneLine(err.Error())
		}
		found = append(found, line)
	}
	if err := rows.Err(); err != nil {
		found = append(found, err.Error())
	}
	if len(found) == 0 {
		return "no answer from quick_check"
	}
	return oneLine(strings.Join(found, "; "))
}

// oneLine folds a multi-line report into one line of at most 200 bytes.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// FileSchemaVersion is the schema version written in the database file
// (SchemaVersion is the one this wabook writes).
func (s *Store) FileSchemaVersion(ctx context.Context) (int, error) {
	return schemaVersion(ctx, s.db)
}
