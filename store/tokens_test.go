package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/wabook/wabook/store"
)

func TestTokens(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "wabook.db")
	s, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.AddToken(ctx, store.Token{Name: "ci", Hash: []byte("h1"), ReadOnly: true}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddToken(ctx, store.Token{Name: "ops", Hash: []byte("h2")}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddToken(ctx, store.Token{Name: "ci", Hash: []byte("h3")}); !errors.Is(err, store.ErrTokenExists) {
		t.Fatalf("second ci: %v, want ErrTokenExists", err)
	}
	toks, err := s.Tokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(toks) != 2 || toks[0].Name != "ci" || !toks[0].ReadOnly || string(toks[0].Hash) != "h1" ||
		toks[1].Name != "ops" || toks[1].ReadOnly || toks[0].Created.IsZero() {
		t.Fatalf("tokens = %+v", toks)
	}
	if err := s.RemoveToken(ctx, "ci"); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveToken(ctx, "ci"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("removing ci twice: %v, want ErrNotFound", err)
	}
	// Another handle on the file (another process) sees the change at once.
	s2, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	toks, err = s2.Tokens(ctx)
	if err != nil || len(toks) != 1 || toks[0].Name != "ops" {
		t.Fatalf("tokens from a second handle = %+v, %v", toks, err)
	}
}
