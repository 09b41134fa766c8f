package serve

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/vt"
	gossh "golang.org/x/crypto/ssh"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/app/apptest"
	"github.com/wabook/wabook/wa/sim"
)

// testService is a synced service over the test world that sends what its
// UIs queue, as serve's does.
func testService(t *testing.T) *app.Service {
	t.Helper()
	world, err := sim.LoadWorldFile(filepath.Join("..", "testdata", "world.json"))
	if err != nil {
		t.Fatal(err)
	}
	svc, _, ctx := apptest.Run(t, sim.New(world), app.Options{OutboxRetry: time.Millisecond})
	svc.StartOutbox(ctx)
	apptest.Sync(ctx, t, svc)
	return svc
}

// operatorKey makes a client key and its authorized-keys line.
func newOperator(t *testing.T, name string) (gossh.Signer, string) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	line := strings.TrimSpace(string(gossh.MarshalAuthorizedKey(signer.PublicKey())))
	return signer, line + " " + name + "\n"
}

// sshFixture is a running SSHServer on loopback, with its keys.
type sshFixture struct {
	srv      *SSHServer
	addr     string
	hostKey  gossh.PublicKey
	keysPath string
	log      *syncBuffer
}

// startSSH serves svc over SSH on 127.0.0.1 with the authorized-keys file
// holding lines; the server is shut down when the test ends.
func startSSH(t *testing.T, svc *app.Service, opts SSHOptions, lines ...string) *sshFixture {
	t.Helper()
	dir := t.TempDir()
	f := &sshFixture{keysPath: filepath.Join(dir, "authorized_keys"), log: &syncBuffer{}}
	if err := os.WriteFile(f.keysPath, []byte(strings.Join(lines, "")), 0o600); err != nil {
		t.Fatal(err)
	}
	opts.HostKeyPath = filepath.Join(dir, "ssh_host_ed25519_key")
	if opts.AuthorizedKeys == "" {
		opts.AuthorizedKeys = f.keysPath
	}
	opts.Logger = testLogger(f.log)
	srv, err := NewSSHServer(svc, opts)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	f.srv, f.addr, f.hostKey = srv, ln.Addr().String(), srv.hostKey.PublicKey()
	return f
}

// dial logs in with key, checking the server's host key.
func (f *sshFixture) dial(key gossh.Signer) (*gossh.Client, error) {
	return gossh.Dial("tcp", f.addr, &gossh.ClientConfig{
		User:            "operator",
		Auth:            []gossh.AuthMethod{gossh.PublicKeys(key)},
		HostKeyCallback: gossh.FixedHostKey(f.hostKey),
		Timeout:         10 * time.Second,
	})
}

// term is one SSH session's terminal: what the server draws goes through a
// terminal emulator (the renderer sends cell diffs, not whole lines), and
// the emulator's answers to the UI's queries go back as input.
type term struct {
	t      *testing.T
	client *gossh.Client
	sess   *gossh.Session
	stdin  io.WriteCloser
	stderr *syncBuffer
	mu     sync.Mutex
	emu    *vt.Emulator
	done   chan error // the session's exit
	// drawn is signalled (never blocking) after each piece of output the
	// emulator took: a waiter looks at the screen again then.
	drawn chan struct{}
}

// mustDial logs in with key; the connection is closed when the test ends.
func (f *sshFixture) mustDial(t *testing.T, key gossh.Signer) *gossh.Client {
	t.Helper()
	client, err := f.dial(key)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	return client
}

// open starts a session with a w×h terminal.
func (f *sshFixture) open(t *testing.T, key gossh.Signer, w, h int) *term {
	t.Helper()
	return openOn(t, f.mustDial(t, key), "xterm-256color", w, h)
}

// openOn starts a session on client in a w×h terminal of type termType.
func openOn(t *testing.T, client *gossh.Client, termType string, w, h int) *term {
	t.Helper()
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	tm := &term{t: t, client: client, sess: sess, stderr: &syncBuffer{}, emu: vt.NewEmulator(w, h), done: make(chan error, 1),
		drawn: make(chan struct{}, 1)}
	sess.Stderr = tm.stderr
	stdout, err := sess.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if tm.stdin, err = sess.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := sess.Setenv("TERM", termType); err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestPty(termType, h, w, gossh.TerminalModes{gossh.ECHO: 0}); err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	// The emulator's answers (cursor position, colours, modes) go back.
	// The loop outlives the session (it keeps draining the answers, which
	// would block the emulator's writes otherwise) and ends with the test
	// binary: vt's Close races with a Read in progress.
	go func() {
		buf := make([]byte, 1024)
		for {
			n, err := tm.emu.Read(buf)
			if n > 0 {
				_, _ = tm.stdin.Write(buf[:n])
			}
			if err != nil {
				return
			}
		}
	}()
	drawn := make(chan struct{})
	go func() {
		defer close(drawn)
		buf := make([]byte, 32<<10)
		for {
			n, err := stdout.Read(buf)
			if n > 0 {
				tm.mu.Lock()
				_, _ = tm.emu.Write(buf[:n])
				tm.mu.Unlock()
				select {
				case tm.drawn <- struct{}{}:
				default:
				}
			}
			if err != nil {
				return
			}
		}
	}()
	go func() {
		err := sess.Wait()
		<-drawn
		tm.done <- err
	}()
	t.Cleanup(func() { sess.Close() })
	return tm
}

// screen is what the terminal shows now.
func (tm *term) screen() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.emu.String()
}

// waitFor waits (at most 10 s) until the screen shows every text.
func (tm *term) waitFor(what string, texts ...string) string {
	tm.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := tm.screen()
		ok := true
		for _, text := range texts {
			ok = ok && strings.Contains(s, text)
		}
		if ok {
			return s
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("%s: the screen never showed %q:\n%s", what, texts, s)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// keys types raw input, as a terminal sends it.
func (tm *term) keys(s string) {
	tm.t.Helper()
	if _, err := io.WriteString(tm.stdin, s); err != nil {
		tm.t.Fatalf("typing %q: %v", s, err)
	}
	// Keys arrive in one read otherwise, and a burst of bytes is parsed
	// as a paste-like run; a person types a key at a time.
	time.Sleep(30 * time.Millisecond)
}

// resize is a window-change of the client's terminal.
func (tm *term) resize(w, h int) {
	tm.t.Helper()
	tm.mu.Lock()
	tm.emu.Resize(w, h)
	tm.mu.Unlock()
	if err := tm.sess.WindowChange(h, w); err != nil {
		tm.t.Fatal(err)
	}
}

// exit waits (at most 10 s) for the session to end.
func (tm *term) exit() error {
	tm.t.Helper()
	select {
	case err := <-tm.done:
		return err
	case <-time.After(10 * time.Second):
		tm.t.Fatalf("the session did not end; screen:\n%s", tm.screen())
		return nil
	}
}

// Two operators at once over one service: a label one applies shows on
// the other's screen; one quits and the other goes on; each session has
// its own size and its window-change resizes it alone.
func TestSSHSessionsShareOneService(t *testing.T) {
	t.Parallel()
	svc := testService(t)
	ada, adaLine := newOperator(t, "Ada Operator")
	bob, bobLine := newOperator(t, "Bob Operator")
	f := startSSH(t, svc, SSHOptions{}, adaLine, bobLine)

	s1 := f.open(t, ada, 100, 30)
	s2 := f.open(t, bob, 90, 24)
	s1.waitFor("session 1", "6 contacts", "Ada Lovelace")
	s2.waitFor("session 2", "6 contacts", "Ada Lovelace")
	if n := f.srv.Sessions(); n != 2 {
		t.Errorf("%d sessions, want 2", n)
	}
	// One index for both: their UIs were given the server's.
	if f.srv.indexes == nil {
		t.Fatal("no shared index")
	}

	// Session 1 labels the third contact in name order (Eve, who has no
	// label: the column shows a new one whole).
	s1.keys("\x1b[B")
	s1.keys("\x1b[B")
	s1.keys(" ")
	s1.keys("l")
	for _, k := range "Shared" {
		s1.keys(string(k))
	}
	s1.keys("\r") // create «Shared»
	s1.keys("\r") // apply
	s1.waitFor("session 1 applied the label", "added Shared on 1 contact")
	// Session 2 never pressed a key: the change reaches it by its own
	// notices.
	start := time.Now()
	s2.waitFor("session 2 shows the label", "+14155550105      Shared")
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("the label took %v to reach session 2", d)
	}

	// A window-change resizes session 2 alone.
	s2.resize(130, 40)
	deadline := time.Now().Add(10 * time.Second)
	for !drawnBeyond(s2, 90, 24) {
		if time.Now().After(deadline) {
			t.Fatalf("session 2 did not draw its new size:\n%s", s2.screen())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if drawnBeyond(s1, 100, 30) {
		t.Errorf("session 1 drew outside its own 100×30")
	}

	// Session 1 quits; session 2 goes on.
	s1.keys("q")
	if err := s1.exit(); err != nil {
		t.Errorf("session 1 ended with %v, want a clean exit", err)
	}
	s2.keys("/")
	for _, k := range "grace" {
		s2.keys(string(k))
	}
	s2.waitFor("session 2 after session 1 quit", "1 of 6 contacts", "Grace Hopper")
	eventuallyT(t, "one session left", func() bool { return f.srv.Sessions() == 1 })
	// The log names the operators by their keys' comments.
	for _, want := range []string{"operator=\"Ada Operator\"", "operator=\"Bob Operator\""} {
		if !strings.Contains(f.log.String(), want) {
			t.Errorf("the log does not name %s:\n%s", want, f.log.String())
		}
	}
}

// Each session draws in its own terminal's colours: a 256-colour one gets
// colours, a dumb one on the same connection none.
func TestSSHColourProfilePerSession(t *testing.T) {
	t.Parallel()
	svc := testService(t)
	ada, adaLine := newOperator(t, "Ada Operator")
	f := startSSH(t, svc, SSHOptions{}, adaLine)
	client := f.mustDial(t, ada)
	colour := openOn(t, client, "xterm-256color", 100, 30)
	plain := openOn(t, client, "dumb", 100, 30)
	colour.waitFor("the colour session", "6 contacts")
	plain.waitFor("the plain session", "6 contacts")
	render := func(tm *term) string {
		tm.mu.Lock()
		defer tm.mu.Unlock()
		return tm.emu.Render()
	}
	if r := render(colour); !strings.Contains(r, "38;5;") && !strings.Contains(r, "38;2;") {
		t.Errorf("the 256-colour session drew no colour:\n%q", r)
	}
	if r := render(plain); strings.Contains(r, "38;5;") || strings.Contains(r, "38;2;") {
		t.Errorf("the dumb terminal's session drew colours:\n%q", r)
	}
}

// drawnBeyond says whether the screen has text past column w or row h.
func drawnBeyond(tm *term, w, h int) bool {
	for y, line := range strings.Split(tm.screen(), "\n") {
		if y >= h && strings.TrimSpace(line) != "" {
			return true
		}
		if len([]rune(strings.TrimRight(line, " "))) > w {
			return true
		}
	}
	return false
}

func eventuallyT(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A key not in the file is refused, and the refusal is logged; a key
// added to the file gets in after Reload, while a running session stays.
func TestSSHOnlyAuthorizedKeys(t *testing.T) {
	t.Parallel()
	svc := testService(t)
	ada, adaLine := newOperator(t, "Ada Operator")
	mallory, malloryLine := newOperator(t, "Mallory")
	f := startSSH(t, svc, SSHOptions{}, adaLine)

	if c, err := f.dial(mallory); err == nil {
		c.Close()
		t.Fatal("an unknown key got in")
	} else if !strings.Contains(err.Error(), "unable to authenticate") {
		t.Errorf("unknown key: %v, want an authentication failure", err)
	}
	if !strings.Contains(f.log.String(), "unknown key refused") {
		t.Errorf("the refusal is not in the log:\n%s", f.log.String())
	}

	s1 := f.open(t, ada, 80, 24)
	s1.waitFor("ada's session", "6 contacts")
	if err := os.WriteFile(f.keysPath, []byte(malloryLine), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := f.srv.Reload(); err != nil {
		t.Fatal(err)
	}
	m := f.open(t, mallory, 80, 24)
	m.waitFor("the key added", "6 contacts")
	// Ada's key is gone from the file: her running session stays, a new
	// login is refused.
	s1.keys("/")
	s1.keys("g")
	s1.waitFor("ada's session after the reload", "of 6 contacts")
	if c, err := f.dial(ada); err == nil {
		c.Close()
		t.Error("a key removed from the file still gets in after Reload")
	}

	// A file that does not parse keeps the keys read before.
	if err := os.WriteFile(f.keysPath, []byte("ssh-ed25519 garbage Eve\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := f.srv.Reload(); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("Reload of a bad file: %v, want an error naming line 1", err)
	}
	if c, err := f.dial(mallory); err != nil {
		t.Errorf("after a failed reload the keys read before no longer get in: %v", err)
	} else {
		c.Close()
	}
}

// The session over MaxSessions is refused with a message; the others go
// on; one ending makes room.
func TestSSHMaxSessions(t *testing.T) {
	t.Parallel()
	svc := testService(t)
	ada, adaLine := newOperator(t, "Ada Operator")
	f := startSSH(t, svc, SSHOptions{MaxSessions: 2}, adaLine)

	s1 := f.open(t, ada, 80, 24)
	s2 := f.open(t, ada, 80, 24)
	s1.waitFor("session 1", "6 contacts")
	s2.waitFor("session 2", "6 contacts")
	s3 := f.open(t, ada, 80, 24)
	err := s3.exit()
	var exit *gossh.ExitError
	if !errors.As(err, &exit) || exit.ExitStatus() != 1 {
		t.Errorf("session 3 ended with %v, want exit status 1", err)
	}
	if got := s3.stderr.String(); !strings.Contains(got, "2 sessions are open, the most this server allows") {
		t.Errorf("session 3 was told %q", got)
	}
	s2.keys("q")
	if err := s2.exit(); err != nil {
		t.Errorf("session 2: %v", err)
	}
	eventuallyT(t, "room for one more", func() bool { return f.srv.Sessions() == 1 })
	s4 := f.open(t, ada, 80, 24)
	s4.waitFor("session 4", "6 contacts")
	s1.keys("/")
	s1.keys("a")
	s1.waitFor("session 1 still works", "of 6 contacts")
}

// Shutdown ends every session with a message and refuses new ones.
func TestSSHShutdownSaysSo(t *testing.T) {
	t.Parallel()
	svc := testService(t)
	ada, adaLine := newOperator(t, "Ada Operator")
	f := startSSH(t, svc, SSHOptions{}, adaLine)
	s1 := f.open(t, ada, 80, 24)
	s2 := f.open(t, ada, 80, 24)
	s1.waitFor("session 1", "6 contacts")
	s2.waitFor("session 2", "6 contacts")

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := f.srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	for i, s := range []*term{s1, s2} {
		s.exit()
		if got := s.stderr.String() + s.screen(); !strings.Contains(got, "wabook serve is stopping") {
			t.Errorf("session %d was not told: stderr %q, screen:\n%s", i+1, s.stderr.String(), s.screen())
		}
	}
	if c, err := f.dial(ada); err == nil {
		c.Close()
		t.Error("a connection got in after Shutdown")
	}
}

// A session whose operator presses nothing for IdleTimeout is closed with
// a message; one that types stays.
func TestSSHIdleTimeout(t *testing.T) {
	t.Parallel()
	svc := testService(t)
	ada, adaLine := newOperator(t, "Ada Operator")
	f := startSSH(t, svc, SSHOptions{IdleTimeout: 1500 * time.Millisecond}, adaLine)
	idle := f.open(t, ada, 80, 24)
	busy := f.open(t, ada, 80, 24)
	idle.waitFor("idle session", "6 contacts")
	busy.waitFor("busy session", "6 contacts")
	stop := time.Now().Add(3 * time.Second)
	for time.Now().Before(stop) {
		busy.keys("j")
		time.Sleep(200 * time.Millisecond)
	}
	idle.exit()
	if got := idle.stderr.String() + idle.screen(); !strings.Contains(got, "without a key") {
		t.Errorf("the idle session was not told why: stderr %q, screen:\n%s", idle.stderr.String(), idle.screen())
	}
	select {
	case err := <-busy.done:
		t.Fatalf("the busy session ended too: %v", err)
	default:
	}
}

// A session without a terminal, or with a command, is refused with a
// message.
func TestSSHNeedsATerminal(t *testing.T) {
	t.Parallel()
	svc := testService(t)
	ada, adaLine := newOperator(t, "Ada Operator")
	f := startSSH(t, svc, SSHOptions{}, adaLine)
	client := f.mustDial(t, ada)
	for _, tc := range []struct {
		name string
		run  func(*gossh.Session) error
		want string
	}{
		{"no pty", func(s *gossh.Session) error { return s.Shell() }, "connect with a terminal"},
		{"a command", func(s *gossh.Session) error {
			if err := s.RequestPty("xterm", 24, 80, nil); err != nil {
				return err
			}
			return s.Start("export")
		}, "connect without a command"},
	} {
		sess, err := client.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		var stderr, stdout bytes.Buffer
		sess.Stderr, sess.Stdout = &stderr, &stdout
		if err := tc.run(sess); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		err = sess.Wait()
		if !strings.Contains(stderr.String()+stdout.String(), tc.want) {
			t.Errorf("%s: told %q, want %q (exit %v)", tc.name, stderr.String()+stdout.String(), tc.want, err)
		}
		sess.Close()
	}
	if n := f.srv.Sessions(); n != 0 {
		t.Errorf("%d sessions counted", n)
	}
}

// The demo lets any key in and says so, on its banner and in the log.
func TestSSHAcceptAnyKeyIsTheDemo(t *testing.T) {
	t.Parallel()
	svc := testService(t)
	stranger, _ := newOperator(t, "x")
	dir := t.TempDir()
	f := startSSH(t, svc, SSHOptions{AcceptAnyKey: true, AuthorizedKeys: filepath.Join(dir, "none")})
	s := f.open(t, stranger, 100, 24)
	s.waitFor("the demo session", "6 contacts", "any SSH key")
	if !strings.Contains(f.log.String(), "accepting any key") {
		t.Errorf("the log does not say any key gets in:\n%s", f.log.String())
	}
	if _, err := NewSSHServer(svc, SSHOptions{HostKeyPath: filepath.Join(dir, "k")}); err == nil {
		t.Error("a server without an authorized-keys file and not the demo was built")
	}
}

// Nothing of the sessions reaches the server's own stdout or stderr: not
// the UIs, not wish's log, not a dropped connection. The test swaps the
// process's stdout and stderr, so it runs alone (not parallel).
func TestSSHWritesNothingToTheServersTerminal(t *testing.T) {
	dir := t.TempDir()
	outF, err := os.Create(filepath.Join(dir, "stdout"))
	if err != nil {
		t.Fatal(err)
	}
	errF, err := os.Create(filepath.Join(dir, "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr := os.Stdout, os.Stderr
	os.Stdout, os.Stderr = outF, errF
	restored := false
	restore := func() {
		if !restored {
			os.Stdout, os.Stderr = stdout, stderr
			restored = true
		}
	}
	defer restore()

	svc := testService(t)
	ada, adaLine := newOperator(t, "Ada Operator")
	f := startSSH(t, svc, SSHOptions{}, adaLine)
	s1 := f.open(t, ada, 80, 24)
	s2 := f.open(t, ada, 100, 30)
	s1.waitFor("session 1", "6 contacts")
	s2.waitFor("session 2", "6 contacts")
	s1.resize(90, 25)
	s1.keys("/")
	s1.keys("a")
	s1.waitFor("session 1 searching", "of 6 contacts")
	// Session 1's connection drops without a word.
	s1.client.Close()
	eventuallyT(t, "the dropped session ended", func() bool { return f.srv.Sessions() == 1 })
	s2.keys("/")
	s2.keys("m")
	s2.waitFor("session 2 after the drop", "of 6 contacts", "Mallory")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := f.srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	s2.exit()
	restore()
	for _, file := range []string{"stdout", "stderr"} {
		b, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		if len(b) > 0 {
			t.Errorf("the server wrote to its %s:\n%s", file, b)
		}
	}
}
