package app

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/wa/sim"
)

func TestTokens(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.db")
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := New(st, sim.New(&sim.World{Account: &sim.WorldAccount{Phone: "+14155550100"}}), Options{})

	full, err := svc.AddToken(ctx, "ci", false)
	if err != nil {
		t.Fatal(err)
	}
	ro, err := svc.AddToken(ctx, "dash", true)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(full, "wbk_") || len(full) != 4+43 || full == ro {
		t.Fatalf("secrets %q, %q", full, ro)
	}
	if _, err := svc.AddToken(ctx, "ci", true); !errors.Is(err, ErrTokenExists) {
		t.Fatalf("ci again: %v", err)
	}
	for _, bad := range []string{"", "two words", "-x", strings.Repeat("a", 65), "tab\t"} {
		var fe *FieldError
		if _, err := svc.AddToken(ctx, bad, false); !errors.As(err, &fe) || !errors.Is(err, ErrInvalid) {
			t.Errorf("AddToken(%q) = %v, want a FieldError", bad, err)
		}
	}
	// Only the hash is stored.
	raw, _ := st.Tokens(ctx)
	for _, r := range raw {
		if strings.Contains(string(r.Hash), full) || len(r.Hash) != 32 {
			t.Fatalf("stored %+v", r)
		}
	}

	// Another service on the same file (another process) sees the tokens
	// at once: nothing is cached.
	st2, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	other := New(st2, sim.New(&sim.World{Account: &sim.WorldAccount{Phone: "+14155550100"}}), Options{})
	if tok, err := other.Authenticate(ctx, full); err != nil || tok.Name != "ci" || tok.ReadOnly {
		t.Fatalf("Authenticate(full) = %+v, %v", tok, err)
	}
	if tok, err := other.Authenticate(ctx, ro); err != nil || tok.Name != "dash" || !tok.ReadOnly {
		t.Fatalf("Authenticate(ro) = %+v, %v", tok, err)
	}
	for _, bad := range []string{"", "wbk_", full + "x", full[:len(full)-1], strings.ToUpper(full)} {
		if _, err := other.Authenticate(ctx, bad); !errors.Is(err, ErrBadToken) {
			t.Errorf("Authenticate(%q) = %v, want ErrBadToken", bad, err)
		}
	}
	toks, err := other.Tokens(ctx)
	if err != nil || len(toks) != 2 || toks[0].Name != "ci" || toks[1].Name != "dash" || !toks[1].ReadOnly {
		t.Fatalf("Tokens = %+v, %v", toks, err)
	}
	if err := svc.RemoveToken(ctx, "ci"); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Authenticate(ctx, full); !errors.Is(err, ErrBadToken) {
		t.Fatalf("removed token still authenticates: %v", err)
	}
	if err := svc.RemoveToken(ctx, "ci"); !errors.Is(err, ErrNoToken) {
		t.Fatalf("removing ci twice: %v", err)
	}
}
