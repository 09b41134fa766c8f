package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrTokenExists is returned by AddToken for a name already taken.
var ErrTokenExists = errors.New("a token of that name exists already")

// Token is an API token of wabook serve as the mirror keeps it: the
// SHA-256 hash of its secret, never the secret (migration 10).
type Token struct {
	Name     string
	Hash     []byte
	ReadOnly bool
	Created  time.Time
}

// AddToken stores a new token; ErrTokenExists when the name is taken.
// Tokens are not contacts: no change counter is bumped (nothing a front
// end shows changes), and serve reads them at every request.
func (s *Store) AddToken(ctx context.Context, t Token) error {
	res, err := s.db.ExecContext(ctx, `INSERT INTO tokens (name, hash, read_only, created) VALUES (?, ?, ?, ?)
ON CONFLICT (name) DO NOTHING`, t.Name, t.Hash, b2i(t.ReadOnly), s.now())
	if err != nil {
		return fmt.Errorf("store: add token %q: %w", t.Name, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: add token %q: %w", t.Name, err)
	} else if n == 0 {
		return fmt.Errorf("store: token %q: %w", t.Name, ErrTokenExists)
	}
	return nil
}

// Tokens lists every token by name, hashes included.
func (s *Store) Tokens(ctx context.Context) ([]Token, error) {
	out, err := queryList(ctx, s.db, func(r scanner, t *Token) error {
		var ro, created int64
		if err := r.Scan(&t.Name, &t.Hash, &ro, &created); err != nil {
			return err
		}
		t.ReadOnly, t.Created = ro != 0, fromUnix(created)
		return nil
	}, `SELECT name, hash, read_only, created FROM tokens ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("store: tokens: %w", err)
	}
	return out, nil
}

// RemoveToken deletes a token; ErrNotFound when there is none of that
// name.
func (s *Store) RemoveToken(ctx context.Context, name string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM tokens WHERE name = ?`, name)
	if err != nil {
		return fmt.Errorf("store: remove token %q: %w", name, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: remove token %q: %w", name, err)
	} else if n == 0 {
		return fmt.Errorf("store: token %q: %w", name, ErrNotFound)
	}
	return nil
}
