package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wabook/wabook/store"
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
		{[]string{"backup", filepath.Join(dir, "copy.db")}, "backed up to"},
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

	// The folder too is closed to the other user: no log and no lock file
	// can be made beside the database, and reading needs neither.
	os.Remove(db + ".lock")
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, r := range reads[:4] {
		stdout, stderr, code := asOtherUser(t, bin, env, append([]string{"--db", db}, r.args...)...)
		if code != 0 || !strings.Contains(stdout, r.want) {
			t.Errorf("%v in a folder the user may not write: exit %d, stderr %q; stdout has no %q", r.args, code, stderr, r.want)
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
	if !strings.Contains(doctorLine(t, out, "database warning"), "chmod go-rwx "+db) {
		t.Errorf("doctor does not warn:\n%s", out)
	}
}

// TestBackupWhileOthersWrite backs the database up, again and again, while
// another wabook runs a check job and a third imports 20 000 contacts in
// one transaction. Every copy is private, passes integrity_check, opens
// with store.Open, and holds the import whole or not at all.
func TestBackupWhileOthersWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	worldPath, cfg := filepath.Join(dir, "world.json"), filepath.Join(dir, "config.json")
	var numbers []string
	for i := range 200 {
		numbers = append(numbers, fmt.Sprintf("+1631555%04d", 2000+i))
	}
	registered, _ := json.Marshal(numbers[:100])
	files := map[string]string{
		worldPath: `{"account": {"phone": "+14155550100"}, "registered": ` + string(registered) + `, "check_latency_ms": 20}`,
		cfg:       `{"check_pace": "0s", "check_batch_size": 5, "wa_version_url": "off"}`,
	}
	var csv strings.Builder
	csv.WriteString("name,phone\n")
	const imported = 20000
	for i := range imported {
		fmt.Fprintf(&csv, "Person %d,+1 212 55%d %04d\n", i, 5+i/10000, i%10000)
	}
	csvPath := filepath.Join(dir, "big.csv")
	files[csvPath] = csv.String()
	for p, body := range files {
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("WABOOK_CONFIG", cfg)
	db := filepath.Join(dir, "w.db")
	if _, stderr, code := runWabook(t, "--sim", worldPath, "--db", db, "contacts"); code != 0 {
		t.Fatal(stderr)
	}

	start := func(args ...string) (done chan error, out *bytes.Buffer) {
		cmd := exec.Command(bin, append([]string{"--sim", worldPath, "--db", db}, args...)...)
		cmd.Env = append(os.Environ(), "WABOOK_CONFIG="+cfg)
		out = &bytes.Buffer{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done = make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		return done, out
	}
	checkDone, checkOut := start(append([]string{"check", "--force", "--csv"}, numbers...)...)
	importDone, importOut := start("import", csvPath)

	var copies []string
	during := 0 // backups started and ended while both others ran
	var checkErr, importErr error
	checkRunning, importRunning := true, true
	for i := 0; checkRunning || importRunning; i++ {
		both := checkRunning && importRunning
		dest := filepath.Join(dir, fmt.Sprintf("copy-%d.db", i))
		if _, stderr, code := runWabook(t, "--sim", worldPath, "--db", db, "backup", dest); code != 0 {
			t.Fatalf("backup %d: exit %d: %s", i, code, stderr)
		}
		copies = append(copies, dest)
		select {
		case checkErr = <-checkDone:
			checkRunning = false
		default:
		}
		select {
		case importErr = <-importDone:
			importRunning = false
		default:
		}
		if both && checkRunning && importRunning {
			during++
		}
		if i > 2000 {
			t.Fatal("the others never finished")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if checkErr != nil || importErr != nil {
		t.Fatalf("check: %v\n%s\nimport: %v\n%s", checkErr, checkOut, importErr, importOut)
	}
	if during == 0 {
		t.Fatalf("no backup ran while both others did (%d backups)", len(copies))
	}
	final := filepath.Join(dir, "final.db")
	if _, stderr, code := runWabook(t, "--db", db, "backup", final); code != 0 {
		t.Fatal(stderr)
	}
	copies = append(copies, final)

	for _, c := range copies {
		if fi, err := os.Stat(c); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v, %v; want mode 0600", c, fi.Mode().Perm(), err)
		}
		st, err := store.Open(c)
		if err != nil {
			t.Fatalf("%s does not open: %v", c, err)
		}
		var check string
		var n int
		st.DB().QueryRow(`PRAGMA integrity_check`).Scan(&check)
		st.DB().QueryRow(`SELECT count(*) FROM contacts WHERE phone LIKE '+1212%'`).Scan(&n)
		st.Close()
		if check != "ok" {
			t.Errorf("%s: integrity_check %q", c, check)
		}
		if n != 0 && n != imported {
			t.Errorf("%s holds %d of the %d imported contacts: half an import", c, n, imported)
		}
		if c == final && n != imported {
			t.Errorf("the final copy holds %d imported contacts, want %d", n, imported)
		}
	}
	t.Logf("%d backups, %d while both others ran", len(copies), during)

	// An existing file is kept unless --force.
	_, stderr, code := runWabook(t, "--db", db, "backup", final)
	if code != 1 || !strings.Contains(stderr, "exists; add --force") {
		t.Errorf("backup onto an existing file: exit %d, %q", code, stderr)
	}
	if _, stderr, code := runWabook(t, "--db", db, "backup", final, "--force"); code != 0 {
		t.Errorf("backup --force: exit %d, %q", code, stderr)
	}
}

// An over-long --region (a pasted paragraph, a runaway variable) is cut in
// the error, for the global flag and for check's own.
func TestLongRegionIsNotEchoedWhole(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	long := strings.Repeat("Q", 5000)
	for _, args := range [][]string{
		{"--region", long, "contacts"},
		{"--sim", world, "--db", db, "check", "--no-wait", "--region", long, "+14155550101"},
	} {
		_, stderr, code := runWabook(t, args...)
		if code != 2 || len(stderr) > 200 || !strings.Contains(stderr, `"QQQQ`) || !strings.Contains(stderr, "5000 characters") {
			t.Errorf("%.40q…: exit %d, stderr (%d bytes) %.300q; want 2 and a short line with the start and the length", args, code, len(stderr), stderr)
		}
	}
}

// A full disk says so, in one line, for any command: here stdout is
// /dev/full, where every write fails with ENOSPC.
func TestFullDiskIsToldPlainly(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip("no /dev/full:", err)
	}
	defer full.Close()
	db := filepath.Join(t.TempDir(), "w.db")
	for _, args := range [][]string{
		{"contacts", "--format", "json"},
		{"export", "--format", "vcf"},
		{"labels"},
	} {
		var errOut bytes.Buffer
		code := run(append([]string{"--sim", world, "--db", db}, args...), full, &errOut)
		if code != 1 || errOut.String() != "wabook: the disk is full; free some space and try again\n" {
			t.Errorf("%v: exit %d, stderr %q; want 1 and the disk is full", args, code, errOut.String())
		}
	}
}
