package main

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestLogFileLinkIsRefused: a link planted where wabook writes its log
// (beside the database, or --log) is not followed: the command fails with
// one line naming it, and the file the link points to keeps its content.
func TestLogFileLinkIsRefused(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "w.db")
	victim := filepath.Join(dir, "precious.txt")
	if err := os.WriteFile(victim, []byte("keep me\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, log := range []string{filepath.Join(dir, "wabook.log"), filepath.Join(dir, "other.log")} {
		if err := os.Symlink(victim, log); err != nil {
			t.Fatal(err)
		}
		args := []string{"--sim", world, "--db", db, "contacts"}
		if filepath.Base(log) == "other.log" {
			args = append([]string{"--log", log}, args...)
		}
		_, stderr, code := runWabook(t, args...)
		if code != 1 || !strings.Contains(stderr, "symbolic link") || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want 1 and one line about the link", args, code, stderr)
		}
		if b, _ := os.ReadFile(victim); string(b) != "keep me\n" {
			t.Fatalf("the linked file now holds %q", b)
		}
	}
}

// asOtherUser runs bin with args as a user who may read the files made
// here but not write them: as root (no permission stops root) the
// unprivileged user nobody, for whom the root-owned database is someone
// else's file shared for reading; otherwise this user, after the file was
// made read-only. env is the whole environment.
func asOtherUser(t *testing.T, bin string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	if os.Getuid() == 0 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("%v: %v", args, err)
	}
	return out.String(), errOut.String(), code
}

// TestReadCommandsOnAReadOnlyDatabase: a database file this user may not
// write (made read-only, or someone else's readable one) is read by every
// read command, is never chmod-ed, gets no -wal or -shm left beside it, and
// a command that would change it says in one line that it is read-only.
func TestReadCommandsOnAReadOnlyDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	built := buildBinary(t)
	// A directory the other user may create its log and lock in: the file
	// is what is read-only here.
	dir, err := os.MkdirTemp("", "wabook-ro-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	// The other user must reach the binary: t.TempDir's are private.
	bin := filepath.Join(dir, "wabook")
	if b, err := os.ReadFile(built); err != nil || os.WriteFile(bin, b, 0o755) != nil {
		t.Fatalf("copying the binary: %v", err)
	}
	db := filepath.Join(dir, "w.db")
	sessionDatabase(t, db)
	if _, stderr, code := runWabook(t, "--sim", world, "--db", db, "contacts"); code != 0 {
		t.Fatalf("filling the database: %s", stderr)
	}
	mode := fs.FileMode(0o644) // root's, readable by nobody
	if os.Getuid() != 0 {
		mode = 0o400
	}
	if err := os.Chmod(db, mode); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "config.json")
	if err := os.WriteFile(cfg, []byte(`{"wa_version_url":"off"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"HOME=" + dir, "WABOOK_CONFIG=" + cfg, "XDG_CONFIG_HOME=" + dir, "XDG_DATA_HOME=" + dir, "PATH=/usr/bin:/bin"}
	before, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	global := []string{"--db", db, "--log", filepath.Join(dir, "other.log")}

	reads := []struct {
		args []string
		want string
	}{
		{[]string{"contacts", "--format", "json"}, `"contact_name": "Ada Lovelace"`},
		{[]string{"show", "+14155550101"}, "Ada Lovelace"},
		{[]string{"labels"}, "VIP"},
		{[]string{"export", "--format", "csv"}, "+14155550101"},
		{[]string{"doctor"}, "read-only for you"},
	}
	for _, r := range reads {
		stdout, stderr, code := asOtherUser(t, bin, env, append(global, r.args...)...)
		if code != 0 || !strings.Contains(stdout, r.want) {
			t.Errorf("%v: exit %d, stderr %q; stdout has no %q:\n%s", r.args, code, stderr, r.want, stdout)
		}
	}
	writes := [][]string{
		{"add", "--name", "Zed", "--phone", "+14155550199"},
		{"label", "add", "Temp"},
		{"edit", "+14155550101", "--note", "hi"},
	}
	for _, w := range writes {
		_, stderr, code := asOtherUser(t, bin, env, append(global, w...)...)
		if code != 1 || !strings.Contains(stderr, "read-only") || !strings.Contains(stderr, db) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want 1 and one line saying the database is read-only", w, code, stderr)
		}
	}

	after, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Error("the read-only database changed")
	}
	if fi, err := os.Stat(db); err != nil || fi.Mode().Perm() != mode {
		t.Errorf("database mode after the runs: %v, %v; want %v as it was", fi.Mode().Perm(), err, mode)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(db + suffix); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s left beside the database: %v", suffix, err)
		}
	}
}

// TestSharedDatabaseIsWarnedAboutNotChanged: a database the user made
// readable by others keeps its mode; the log and doctor say so, a private
// one is not warned about.
func TestSharedDatabaseIsWarnedAboutNotChanged(t *testing.T) {
	dir := t.TempDir()
	db, log := filepath.Join(dir, "w.db"), filepath.Join(dir, "wabook.log")
	if _, stderr, code := runWabook(t, "--sim", world, "--db", db, "contacts"); code != 0 {
		t.Fatal(stderr)
	}
	if out, _, _ := runWabook(t, "--db", db, "doctor"); strings.Contains(out, "database warning") {
		t.Errorf("a private database is warned about:\n%s", out)
	}
	if b, _ := os.ReadFile(log); bytes.Contains(b, []byte("open to")) {
		t.Errorf("a private database is warned about in the log:\n%s", b)
	}
	if err := os.Chmod(db, 0o640); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := runWabook(t, "--sim", world, "--db", db, "contacts"); code != 0 {
		t.Fatal(stderr)
	}
	if fi, err := os.Stat(db); err != nil || fi.Mode().Perm() != 0o640 {
		t.Fatalf("mode after a run: %v, %v; want 0640 as the user left it", fi.Mode().Perm(), err)
	}
	if b, _ := os.ReadFile(log); !bytes.Contains(b, []byte("open to its group (mode 0640)")) {
		t.Errorf("the log does not warn:\n%s", b)
	}
	out, _, _ := runWabook(t, "--db", db, "doctor")
	if !strings.Contains(doctorLine(t, out, "database warning"), "chmod 600 "+db) {
		t.Errorf("doctor does not warn:\n%s", out)
	}
}
