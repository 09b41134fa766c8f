package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
)

// Setting returns a setting's value, "" when unset.
func (s *Store) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: setting %s: %w", key, err)
	}
	return v, nil
}

// Settings returns the values of keys read in one query, so values
// written together are seen together; an unset key maps to "".
func (s *Store) Settings(ctx context.Context, keys ...string) (map[string]string, error) {
	out := make(map[string]string, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	for _, k := range keys {
		out[k] = ""
	}
	in, args := inList(keys)
	err := eachRow(ctx, s.db, func(rows *sql.Rows) error {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return err
		}
		out[k] = v
		return nil
	}, `SELECT key, value FROM settings WHERE key IN `+in, args...)
	if err != nil {
		return nil, fmt.Errorf("store: settings: %w", err)
	}
	return out, nil
}

// SetSettings stores several settings in one transaction: all or none, so
// a kill cannot leave half of a change that belongs together.
func (s *Store) SetSettings(ctx context.Context, values map[string]string) error {
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	slices.Sort(keys) // a fixed order, so a failure part way is reproducible
	return s.checksTx(ctx, func(tx *sql.Tx) error {
		for _, k := range keys {
			if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
ON CONFLICT (key) DO UPDATE SET value = excluded.value`, k, values[k]); err != nil {
				return fmt.Errorf("store: set setting %s: %w", k, err)
			}
		}
		return nil
	})
}

// SetSetting stores a setting.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	s.writes.Add(1) // a setting (label sync) is part of what a cache shows
	if err != nil {
		return fmt.Errorf("store: set setting %s: %w", key, err)
	}
	return nil
}
