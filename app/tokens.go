// API tokens of wabook serve: made here, only their hash kept (store/tokens.go),
// checked at every request against the mirror so that a token added or
// removed by another process counts at once.
package app

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/wabook/wabook/store"
)

// The token calls' errors.
var (
	ErrBadToken    = errors.New("unknown token")                       // Authenticate: a secret that is no token
	ErrTokenExists = errors.New("a token of that name exists already") // AddToken: the name is taken
	ErrNoToken     = errors.New("no token of that name")               // RemoveToken: no token has the name
)

// Token is an API token as front ends see it: never its secret.
type Token struct {
	Name     string    `json:"name"`
	ReadOnly bool      `json:"read_only"`
	Created  time.Time `json:"created"`
}

// tokenPrefix marks wabook's secrets, so one pasted in the wrong place is
// recognisable (and secret scanners can match it).
const tokenPrefix = "wbk_"

// tokenName is what a token may be called: it is written in logs and
// tables, so no spaces or control characters.
var tokenName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$`)

func hashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// AddToken makes a token: a 32-byte random secret, returned this once,
// of which only the SHA-256 hash is stored. A read-only token reads
// contacts and cached check results; a full one may also write and spend
// the check budget.
func (s *Service) AddToken(ctx context.Context, name string, readOnly bool) (string, error) {
	if !tokenName.MatchString(name) {
		return "", &FieldError{Field: "name", Err: fmt.Errorf("token name %q: use 1 to 64 letters, digits and . _ @ + - (starting with a letter or digit)", name)}
	}
	if err := s.writable(ctx); err != nil {
		return "", err
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", fmt.Errorf("making a token: %w", err)
	}
	secret := tokenPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
	err := s.store.AddToken(ctx, store.Token{Name: name, Hash: hashSecret(secret), ReadOnly: readOnly})
	if errors.Is(err, store.ErrTokenExists) {
		return "", fmt.Errorf("%w: %q", ErrTokenExists, name)
	}
	if err != nil {
		return "", err
	}
	s.log.Info("token added", "name", name, "read_only", readOnly)
	return secret, nil
}

// Tokens lists the tokens by name.
func (s *Service) Tokens(ctx context.Context) ([]Token, error) {
	ts, err := s.store.Tokens(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Token, len(ts))
	for i, t := range ts {
		out[i] = tokenOf(t)
	}
	return out, nil
}

// RemoveToken deletes a token; a serve running on the same database
// refuses it from its next request on.
func (s *Service) RemoveToken(ctx context.Context, name string) error {
	if err := s.writable(ctx); err != nil {
		return err
	}
	err := s.store.RemoveToken(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%w: %q", ErrNoToken, name)
	}
	if err != nil {
		return err
	}
	s.log.Info("token removed", "name", name)
	return nil
}

// Authenticate finds the token whose secret this is, reading the mirror
// each time (no cache to go stale when another process adds or removes
// one). Every stored hash is compared, in constant time, so the time taken
// says nothing about which hash came close. ErrBadToken when none matches.
func (s *Service) Authenticate(ctx context.Context, secret string) (Token, error) {
	secret = strings.TrimSpace(secret)
	if secret == "" {
		return Token{}, ErrBadToken
	}
	ts, err := s.store.Tokens(ctx)
	if err != nil {
		return Token{}, err
	}
	h := hashSecret(secret)
	found, match := -1, 0
	for i, t := range ts {
		eq := subtle.ConstantTimeCompare(h, t.Hash)
		found = subtle.ConstantTimeSelect(eq&^match, i, found)
		match |= eq
	}
	if match == 0 {
		return Token{}, ErrBadToken
	}
	t := ts[found]
	return tokenOf(t), nil
}

// tokenOf is a stored token as the service tells it (never its hash).
func tokenOf(t store.Token) Token {
	return Token{Name: t.Name, ReadOnly: t.ReadOnly, Created: t.Created}
}
