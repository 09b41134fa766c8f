package cli

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/wabook/wabook/app"
)

// token add prints the secret alone on stdout (TOKEN=$(wabook token add
// ci)); ls never shows a secret; rm takes it away.
func TestTokenCommand(t *testing.T) {
	t.Parallel()
	env, out, errOut, _ := newSimEnv(t, labelWorld(), newClock(), false)
	ctx := context.Background()

	if err := Token(ctx, env, []string{"add", "ci"}); err != nil {
		t.Fatal(err)
	}
	secret := strings.TrimSpace(out.String())
	if !strings.HasPrefix(secret, "wbk_") || strings.Contains(secret, "\n") {
		t.Fatalf("stdout %q", out.String())
	}
	if !strings.Contains(errOut.String(), `full token "ci" (shown this once`) {
		t.Fatalf("stderr %q", errOut.String())
	}
	if tok, err := env.Svc.Authenticate(ctx, secret); err != nil || tok.Name != "ci" {
		t.Fatalf("the printed secret: %+v, %v", tok, err)
	}
	out.Reset()
	if err := Token(ctx, env, []string{"add", "--read-only", "dash"}); err != nil {
		t.Fatal(err)
	}
	ro := strings.TrimSpace(out.String())

	out.Reset()
	if err := Token(ctx, env, []string{"ls", "--json"}); err != nil {
		t.Fatal(err)
	}
	var got []app.Token
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	if len(got) != 2 || got[0].Name != "ci" || got[0].ReadOnly || got[1].Name != "dash" || !got[1].ReadOnly {
		t.Fatalf("ls --json: %+v", got)
	}
	if strings.Contains(out.String(), secret) || strings.Contains(out.String(), ro) {
		t.Fatal("ls printed a secret")
	}
	out.Reset()
	if err := Token(ctx, env, []string{"ls"}); err != nil {
		t.Fatal(err)
	}
	if s := out.String(); !strings.HasPrefix(s, "NAME") || !strings.Contains(s, "dash  read-only") {
		t.Fatalf("ls:\n%s", s)
	}

	if err := Token(ctx, env, []string{"add", "ci"}); !errors.Is(err, app.ErrTokenExists) {
		t.Fatalf("add ci again: %v", err)
	}
	out.Reset()
	if err := Token(ctx, env, []string{"rm", "ci"}); err != nil || !strings.Contains(out.String(), `removed token "ci"`) {
		t.Fatalf("rm: %v, %q", err, out)
	}
	if _, err := env.Svc.Authenticate(ctx, secret); !errors.Is(err, app.ErrBadToken) {
		t.Fatalf("removed token: %v", err)
	}
	if err := Token(ctx, env, []string{"rm", "ci"}); !errors.Is(err, app.ErrNoToken) {
		t.Fatalf("rm ci again: %v", err)
	}

	var usage *UsageError
	for _, args := range [][]string{nil, {"frobnicate"}, {"add"}, {"add", "a", "b"}, {"rm"}, {"ls", "x"}, {"add", "--bogus", "x"}} {
		if err := Token(ctx, env, args); !errors.As(err, &usage) {
			t.Errorf("token %q: %v, want a usage error", args, err)
		}
	}
	var help *HelpRequest
	if err := Token(ctx, env, []string{"add", "--help"}); !errors.As(err, &help) || !strings.Contains(help.Text, "--read-only") {
		t.Fatalf("token add --help: %v", err)
	}
	if err := Token(ctx, env, []string{"--help"}); !errors.As(err, &help) || !strings.Contains(help.Text, "token rm NAME") {
		t.Fatalf("token --help: %v", err)
	}
}
