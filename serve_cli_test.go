package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/wabook/wabook/app"
)

// serveProc is a running `wabook serve` and what it printed.
type serveProc struct {
	t    *testing.T
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  strings.Builder
	done chan struct{}
	err  error
}

func (p *serveProc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// isolated is the environment of a child wabook: no config, data or temp
// files of the developer's.
func isolated(t *testing.T, dir string) []string {
	t.Helper()
	cfg := filepath.Join(dir, "config.json")
	if err := os.WriteFile(cfg, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(dir, "tmp")
	os.MkdirAll(tmp, 0o700)
	return append(os.Environ(), "WABOOK_CONFIG="+cfg, "XDG_CONFIG_HOME="+dir, "XDG_DATA_HOME="+dir, "TMPDIR="+tmp)
}

func startServe(t *testing.T, bin string, env []string, args ...string) *serveProc {
	t.Helper()
	p := &serveProc{t: t, cmd: exec.Command(bin, args...), done: make(chan struct{})}
	p.cmd.Env = env
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.cmd.Stderr = p.cmd.Stdout
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			p.mu.Lock()
			p.out.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
		}
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// await waits for a line matching re and returns its first group.
func (p *serveProc) await(re string) string {
	p.t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.After(30 * time.Second)
	for {
		if m := rx.FindStringSubmatch(p.output()); m != nil {
			return m[1]
		}
		select {
		case <-p.done:
			p.t.Fatalf("wabook serve ended (%v) before printing %s:\n%s", p.err, re, p.output())
		case <-deadline:
			p.t.Fatalf("wabook serve did not print %s:\n%s", re, p.output())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// stop sends sig and waits for the exit.
func (p *serveProc) stop(sig syscall.Signal) {
	p.t.Helper()
	p.cmd.Process.Signal(sig)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		p.t.Fatalf("wabook serve did not end on %v:\n%s", sig, p.output())
	}
	if p.err != nil {
		p.t.Fatalf("wabook serve ended with %v:\n%s", p.err, p.output())
	}
}

func get(t *testing.T, url string, headers ...string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// wabook --demo serve prints its token and address, answers with that
// token, and on SIGTERM ends cleanly, its throw-away database (and lock)
// gone.
func TestServeDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	t.Parallel()
	bin := buildBinary(t)
	dir := t.TempDir()
	p := startServe(t, bin, isolated(t, dir), "--demo", "serve", "--http", "127.0.0.1:0", "--ssh", "off")
	token := p.await(`export TOKEN=(wbk_\S+)`)
	base := p.await(`HTTP: (http://127\.0\.0\.1:\d+)`)
	status, body := get(t, base+"/v1/contacts?limit=1", "Authorization: Bearer "+token)
	var page struct {
		Count    int               `json:"count"`
		Contacts []json.RawMessage `json:"contacts"`
	}
	if err := json.Unmarshal(body, &page); status != 200 || err != nil || page.Count < 100 || len(page.Contacts) != 1 {
		t.Fatalf("GET /v1/contacts: %d %s", status, body)
	}
	if status, _ := get(t, base+"/v1/contacts?limit=1"); status != 401 {
		t.Fatalf("without the token: %d", status)
	}
	p.stop(syscall.SIGTERM)
	if left, _ := os.ReadDir(filepath.Join(dir, "tmp")); len(left) != 0 {
		t.Fatalf("the demo left %v behind", left)
	}
}

// serve holds the connection (a second one is refused, naming it);
// tokens added and removed by other processes count at once; SIGHUP
// reopens the log without stopping; SIGTERM ends it and lets the lock go.
func TestServeTokensSignalsAndLock(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	t.Parallel()
	bin := buildBinary(t)
	dir := t.TempDir()
	env := isolated(t, dir)
	// The config file's rate limit reaches serve.
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"serve_rate_limit": 100}`), 0o600); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "w.db")
	logPath := filepath.Join(dir, "serve.log")
	global := []string{"--sim", world, "--db", db, "--log", logPath}
	wabook := func(args ...string) (string, error) {
		t.Helper()
		cmd := exec.Command(bin, append(append([]string{}, global...), args...)...)
		cmd.Env = env
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		return string(out) + stderr.String(), err
	}
	p := startServe(t, bin, env, append(global, "serve", "--http", "127.0.0.1:0", "--ssh", "off")...)
	base := p.await(`HTTP: (http://127\.0\.0\.1:\d+)`)

	if resp, err := http.Get(base + "/v1/contacts"); err != nil || resp.Header.Get("X-RateLimit-Limit") != "100" {
		t.Fatalf("rate limit from the config file: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	out, err := wabook("serve", "--http", "127.0.0.1:0", "--ssh", "off")
	if err == nil || !strings.Contains(out, "holds the WhatsApp connection") {
		t.Fatalf("a second serve: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, append(append([]string{}, global...), "token", "add", "ci")...)
	cmd.Env = env
	secretOut, err := cmd.Output()
	if err != nil {
		t.Fatalf("token add: %v", err)
	}
	secret := strings.TrimSpace(string(secretOut))
	if status, body := get(t, base+"/api/contacts?contactId=14155550101", "X-Api-Key: "+secret); status != 200 ||
		!strings.Contains(string(body), `"Ada Lovelace"`) {
		t.Fatalf("with the token added by another process: %d %s", status, body)
	}

	// logrotate: move the log away, SIGHUP; serve goes on, into a new file.
	if err := os.Rename(logPath, logPath+".1"); err != nil {
		t.Fatal(err)
	}
	p.cmd.Process.Signal(syscall.SIGHUP)
	deadline := time.Now().Add(20 * time.Second)
	for {
		b, _ := os.ReadFile(logPath)
		if strings.Contains(string(b), "log file reopened") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no new log after SIGHUP:\n%s", b)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if status, _ := get(t, base+"/api/contacts?contactId=14155550101", "X-Api-Key: "+secret); status != 200 {
		t.Fatalf("after SIGHUP: %d", status)
	}
	b, _ := os.ReadFile(logPath)
	if !strings.Contains(string(b), "path=/api/contacts status=200") || !strings.Contains(string(b), "token=ci") ||
		strings.Contains(string(b), secret) {
		t.Fatalf("the new log:\n%s", b)
	}

	if out, err := wabook("token", "rm", "ci"); err != nil {
		t.Fatalf("token rm: %v\n%s", err, out)
	}
	if status, _ := get(t, base+"/api/contacts?contactId=14155550101", "X-Api-Key: "+secret); status != 401 {
		t.Fatalf("with a removed token: %d", status)
	}

	p.stop(syscall.SIGTERM)
	l, err := app.AcquireLock(db)
	if err != nil {
		t.Fatalf("the lock after serve ended: %v", err)
	}
	l.Release()
	old, _ := os.ReadFile(logPath + ".1")
	if !strings.Contains(string(old), "serve: started") {
		t.Fatalf("the rotated log:\n%s", old)
	}
	if b, _ := os.ReadFile(logPath); !strings.Contains(string(b), "serve: HTTP stopped") {
		t.Fatalf("the log does not say serve stopped:\n%s", b)
	}
}
