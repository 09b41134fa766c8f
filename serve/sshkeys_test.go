package serve

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testLogger writes the server's log as text to w.
func testLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, nil))
}

// The host key is made on first start (0600) and the same key is read on
// the next; a key others can read is warned about.
func TestHostKeyMadeOnceAndKept(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "ssh_host_ed25519_key")
	first, warning, err := loadHostKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if warning != "" {
		t.Errorf("warning on a fresh key: %s", warning)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("host key mode %v, want 0600", fi.Mode().Perm())
	}
	second, _, err := loadHostKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(first.PublicKey().Marshal()) != string(second.PublicKey().Marshal()) {
		t.Error("the host key changed between two starts")
	}
	if first.PublicKey().Type() != "ssh-ed25519" {
		t.Errorf("host key type %s", first.PublicKey().Type())
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, warning, _ := loadHostKey(path); !strings.Contains(warning, "chmod 600") {
		t.Errorf("no warning on a key others can read: %q", warning)
	}
	if err := os.WriteFile(path, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := loadHostKey(path); err == nil {
		t.Error("a host key file that is not a key was read")
	}
}

// Each key is named by its comment; a bad line is one error naming it.
func TestReadAuthorizedKeys(t *testing.T) {
	t.Parallel()
	ada, adaLine := newOperator(t, "Ada  Operator")
	bob, bobLine := newOperator(t, "bob\x1b[2J")
	_, bare := newOperator(t, "")
	dir := t.TempDir()
	write := func(text string) string {
		p := filepath.Join(dir, "authorized_keys")
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}

	keys, missing, err := readAuthorizedKeys(write("# operators\n\n" + adaLine + "  " + bobLine))
	if err != nil || missing {
		t.Fatalf("read: %v, missing %v", err, missing)
	}
	for _, tc := range []struct {
		key  interface{ Marshal() []byte }
		want string
	}{{ada.PublicKey(), "Ada Operator"}, {bob.PublicKey(), "bob"}} {
		name, ok := keys.names[string(tc.key.Marshal())]
		if !ok || name != tc.want {
			t.Errorf("operator %q (%v), want %q", name, ok, tc.want)
		}
	}

	for _, tc := range []struct{ name, text, want string }{
		{"no name", adaLine + bare, "line 2: the key has no comment"},
		{"options", `from="10.0.0.1" ` + adaLine, "line 1: options (from=\"10.0.0.1\") are not supported"},
		{"twice", adaLine + strings.Replace(adaLine, "Ada  Operator", "Ada again", 1), `line 2: this key is already listed, for "Ada Operator"`},
		{"garbage", "# x\nssh-ed25519 AAAA Eve\n", "line 2"},
	} {
		if _, _, err := readAuthorizedKeys(write(tc.text)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error with %q", tc.name, err, tc.want)
		}
	}

	keys, missing, err = readAuthorizedKeys(filepath.Join(dir, "absent"))
	if err != nil || !missing || len(keys.names) != 0 {
		t.Errorf("a missing file: %v keys, missing %v, err %v; want none, missing, no error", len(keys.names), missing, err)
	}
	if _, _, err := readAuthorizedKeys(write(strings.Repeat("#", maxKeysFile+1))); err == nil {
		t.Error("a file over the limit was read")
	}
}
