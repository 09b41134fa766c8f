// The TUI over SSH (`wabook serve --ssh`): every operator whose key is in
// the authorized-keys file gets the whole terminal UI in their own
// terminal, all of them over one service and one contact index.
package serve

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	charmlog "charm.land/log/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	"charm.land/wish/v2/bubbletea"
	gossh "golang.org/x/crypto/ssh"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/ui"
)

// Defaults of SSHOptions.
const (
	DefaultMaxSessions = 16
	DefaultIdleTimeout = 30 * time.Minute
	// handshakeTimeout bounds a connection that never finishes logging in.
	handshakeTimeout = 30 * time.Second
)

// SSHOptions configure an SSHServer.
type SSHOptions struct {
	// HostKeyPath is the server's private host key (ed25519, OpenSSH PEM).
	// It is generated, 0600, when missing; the caller passes a path beside
	// the database so that the fingerprint operators accepted stays.
	HostKeyPath string
	// AuthorizedKeys is the authorized-keys file: only its keys get in, and
	// each key's comment is that operator's name. A missing file lets no
	// one in until it exists and Reload reads it.
	AuthorizedKeys string
	// AcceptAnyKey lets every key in, for the demo alone (its database is
	// thrown away); keys in AuthorizedKeys still get their names. The log
	// and every session's banner say so.
	AcceptAnyKey bool
	// MaxSessions is how many TUI sessions may run at once; the next one is
	// refused with a message (default DefaultMaxSessions).
	MaxSessions int
	// IdleTimeout ends a session whose operator has pressed no key for that
	// long, with a message (default DefaultIdleTimeout; negative: never).
	IdleTimeout time.Duration
	// Logger gets the server's log: sessions starting and ending, refused
	// keys, errors (default: nowhere). Nothing goes to stdout or stderr.
	Logger *slog.Logger
	// Indexes is the contact index every session shows, shared with the
	// HTTP lists (Run gives both the same); nil: one for these sessions.
	Indexes *ui.Indexes
}

// SSHServer serves the TUI over SSH. Build it with NewSSHServer, run
// Serve on a listener, stop it with Shutdown.
type SSHServer struct {
	svc     *app.Service
	opts    SSHOptions
	log     *slog.Logger
	srv     *ssh.Server
	indexes *ui.Indexes // one contact index for every session
	hostKey gossh.Signer

	keys atomic.Pointer[authorizedKeys] // the authorized keys, replaced by Reload

	mu       sync.Mutex
	sessions map[ssh.Session]*sshSession
	closing  bool
	ended    chan struct{} // signalled (never blocking) when a session ends
}

// sshSession is one operator's TUI.
type sshSession struct {
	operator string
	remote   string
	started  time.Time
	cancel   context.CancelFunc // ends the UI's context
	prog     *tea.Program       // set once the program is built
	idle     *time.Timer        // endIfIdle's; nil once the session is over (under the server's mu)
	lastKey  atomic.Int64       // unix nanoseconds of the last input
	why      atomic.Pointer[string]
}

// operatorKey is where the public-key handler leaves the operator's name
// in the connection's context.
type operatorKey struct{}

// NewSSHServer builds the SSH side of `wabook serve` over svc: it loads (or
// generates) the host key and reads the authorized keys. It listens on
// nothing until Serve.
func NewSSHServer(svc *app.Service, opts SSHOptions) (*SSHServer, error) {
	if opts.HostKeyPath == "" {
		return nil, errors.New("ssh: no host key path")
	}
	if opts.AuthorizedKeys == "" && !opts.AcceptAnyKey {
		return nil, errors.New("ssh: no authorized-keys file: a real serve lets in only the keys listed there")
	}
	if opts.MaxSessions <= 0 {
		opts.MaxSessions = DefaultMaxSessions
	}
	if opts.IdleTimeout == 0 {
		opts.IdleTimeout = DefaultIdleTimeout
	}
	log := cmp.Or(opts.Logger, slog.New(slog.DiscardHandler))
	if opts.Indexes == nil {
		opts.Indexes = ui.NewIndexes(svc)
	}
	s := &SSHServer{
		svc:      svc,
		opts:     opts,
		log:      log,
		indexes:  opts.Indexes,
		sessions: make(map[ssh.Session]*sshSession),
		ended:    make(chan struct{}, 1),
	}
	signer, warning, err := loadHostKey(opts.HostKeyPath)
	if err != nil {
		return nil, err
	}
	if warning != "" {
		log.Warn(warning)
	}
	s.hostKey = signer
	s.keys.Store(&authorizedKeys{})
	if opts.AuthorizedKeys != "" {
		if err := s.Reload(); err != nil {
			return nil, err
		}
	}
	if opts.AcceptAnyKey {
		log.Warn("ssh: accepting any key (the demo only)")
	}
	// wish's Bubble Tea middleware logs through charm's default logger,
	// which writes to stderr: its lines go to this server's log instead.
	charmlog.SetOutput(logWriter{log})
	charmlog.SetReportTimestamp(false)

	srv, err := wish.NewServer(
		// First: without a host key wish would write one of its own in
		// the working directory.
		func(srv *ssh.Server) error {
			srv.HostSigners = []ssh.Signer{signer}
			return nil
		},
		ssh.PublicKeyAuth(s.authorize),
		wish.WithMiddleware(
			bubbletea.MiddlewareWithProgramHandler(s.program),
			s.gate,
		),
	)
	if err != nil {
		return nil, fmt.Errorf("ssh: %w", err)
	}
	srv.HandshakeTimeout = handshakeTimeout
	if opts.IdleTimeout > 0 {
		// The connection's own idle limit counts the TUI's writes too: it
		// only catches a connection that opened no session; the sessions'
		// own limit (endIfIdle) counts keys alone and comes first.
		srv.IdleTimeout = opts.IdleTimeout + time.Minute
	}
	srv.ConnectionFailedCallback = func(conn net.Conn, err error) {
		log.Info("ssh: connection refused", "remote", conn.RemoteAddr().String(), "err", err)
	}
	s.srv = srv
	return s, nil
}

// HostKeyFingerprint is the host key's SHA256 fingerprint, as ssh shows it
// on the first connection (the demo prints it on start).
func (s *SSHServer) HostKeyFingerprint() string {
	return gossh.FingerprintSHA256(s.hostKey.PublicKey())
}

// Serve accepts SSH connections on ln until Shutdown; it returns nil then.
func (s *SSHServer) Serve(ln net.Listener) error {
	err := s.srv.Serve(ln)
	if errors.Is(err, ssh.ErrServerClosed) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("ssh: %w", err)
	}
	return nil
}

// Reload reads the authorized-keys file again (SIGHUP). Sessions running
// stay; the keys read decide the next logins. A file that does not parse
// keeps the keys read before and says which line is wrong.
func (s *SSHServer) Reload() error {
	if s.opts.AuthorizedKeys == "" {
		return nil
	}
	keys, missing, err := readAuthorizedKeys(s.opts.AuthorizedKeys)
	if err != nil {
		return err
	}
	if missing {
		s.log.Warn("ssh: no authorized-keys file: nobody can log in until it exists", "path", s.opts.AuthorizedKeys)
	}
	s.keys.Store(keys)
	s.log.Info("ssh: authorized keys read", "path", s.opts.AuthorizedKeys, "keys", len(keys.names))
	return nil
}

// Shutdown stops accepting connections, ends every session with a message
// and waits for them (at most until ctx ends), then closes what is left.
func (s *SSHServer) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	for _, ss := range s.sessions {
		ss.end("wabook serve is stopping: the session is closed.")
	}
	s.mu.Unlock()
	var err error
	for {
		s.mu.Lock()
		n := len(s.sessions)
		s.mu.Unlock()
		if n == 0 {
			break
		}
		select {
		case <-s.ended:
			continue
		case <-ctx.Done():
			err = fmt.Errorf("ssh: %d sessions still open: %w", n, ctx.Err())
		}
		break
	}
	// Clients keep a connection open after its session ends; nothing else
	// runs on them.
	if cerr := s.srv.Close(); err == nil && cerr != nil && !errors.Is(cerr, ssh.ErrServerClosed) {
		err = fmt.Errorf("ssh: %w", cerr)
	}
	return err
}

// Sessions is how many TUI sessions run now.
func (s *SSHServer) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sessions)
}

// authorize lets in the keys of the authorized-keys file (any key in the
// demo) and remembers the operator's name on the connection.
func (s *SSHServer) authorize(ctx ssh.Context, key ssh.PublicKey) bool {
	if name, ok := s.keys.Load().lookup(key); ok {
		ctx.SetValue(operatorKey{}, name)
		return true
	}
	if s.opts.AcceptAnyKey {
		ctx.SetValue(operatorKey{}, "demo user "+model.Sanitize(ctx.User()))
		return true
	}
	s.log.Info("ssh: unknown key refused", "user", ctx.User(), "remote", ctx.RemoteAddr().String(),
		"key", gossh.FingerprintSHA256(key))
	return false
}

// gate runs before the TUI: it refuses what is not a terminal session and
// the session over the limit, and keeps the count of sessions.
func (s *SSHServer) gate(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		refuse := func(msg string) {
			wish.Fatalln(sess, "wabook: "+msg)
		}
		if _, _, ok := sess.Pty(); !ok {
			refuse("wabook serves its terminal UI: connect with a terminal (ssh -t).")
			return
		}
		if len(sess.Command()) > 0 || sess.Subsystem() != "" {
			refuse("wabook serves its terminal UI only: connect without a command.")
			return
		}
		operator, _ := sess.Context().Value(operatorKey{}).(string)
		ss := &sshSession{operator: operator, remote: sess.RemoteAddr().String(), started: time.Now()}
		ss.lastKey.Store(time.Now().UnixNano())
		s.mu.Lock()
		switch {
		case s.closing:
			s.mu.Unlock()
			refuse("wabook serve is stopping.")
			return
		case len(s.sessions) >= s.opts.MaxSessions:
			s.mu.Unlock()
			s.log.Info("ssh: session refused: too many", "operator", operator, "remote", ss.remote, "max", s.opts.MaxSessions)
			refuse(fmt.Sprintf("%d sessions are open, the most this server allows; try again later.", s.opts.MaxSessions))
			return
		}
		s.sessions[sess] = ss
		s.mu.Unlock()
		s.log.Info("ssh: session started", "operator", operator, "remote", ss.remote)

		next(sess) // the TUI, until it quits or the connection drops

		why := ""
		if p := ss.why.Load(); p != nil {
			why = *p
			// After the TUI has left the alternate screen: the operator
			// reads it in their own terminal. Before the session counts as
			// ended: Shutdown closes the connections once none is open.
			wish.Errorf(sess, "\r\nwabook: %s\r\n", why)
		}
		s.mu.Lock()
		delete(s.sessions, sess)
		if ss.idle != nil {
			ss.idle.Stop()
			ss.idle = nil
		}
		s.mu.Unlock()
		select {
		case s.ended <- struct{}{}:
		default:
		}
		if ss.cancel != nil {
			ss.cancel()
		}
		s.log.Info("ssh: session ended", "operator", operator, "remote", ss.remote,
			"for", time.Since(ss.started).Round(time.Second).String(), "why", why)
	}
}

// program builds one session's TUI: its own UI over the shared service
// and index, its own notices, input that counts as activity, no signal
// handling (the server's signals are serve's).
func (s *SSHServer) program(sess ssh.Session) *tea.Program {
	s.mu.Lock()
	ss := s.sessions[sess]
	s.mu.Unlock()
	if ss == nil {
		return nil // gate refused it
	}
	notices, unsubscribe := s.svc.Subscribe()
	// The UI makes every change with ctx: each is recorded as the
	// operator's (app.WithActor).
	ctx, cancel := context.WithCancel(app.WithActor(sess.Context(), ss.operator))
	ss.cancel = func() { cancel(); unsubscribe() }
	opts := ui.Options{Indexes: s.indexes}
	if s.opts.AcceptAnyKey {
		opts.Banner = "Demo: this server lets in any SSH key."
	}
	m := ui.New(ctx, &sessionService{Service: s.svc, notices: notices}, opts)
	popts := append(bubbletea.MakeOptions(sess),
		tea.WithInput(&activityReader{r: sess, last: &ss.lastKey}),
		tea.WithoutSignalHandler(),
	)
	p := tea.NewProgram(m, popts...)
	s.mu.Lock()
	ss.prog = p
	if s.closing { // Shutdown began between gate and here
		ss.end("wabook serve is stopping: the session is closed.")
	}
	if s.opts.IdleTimeout > 0 {
		ss.idle = time.AfterFunc(s.opts.IdleTimeout, func() { s.endIfIdle(ss) })
	}
	s.mu.Unlock()
	return p
}

// end quits the session's TUI, saying why once it has gone. Called with
// the server's mu held (prog is set under it). Quit waits for the
// program's loop to take the message, which starts only after program
// returns: it goes on its own goroutine (it returns at once once the
// program has ended).
func (ss *sshSession) end(why string) {
	ss.why.CompareAndSwap(nil, &why)
	if ss.prog != nil {
		go ss.prog.Quit()
	}
}

// endIfIdle ends the session when its operator has pressed nothing for
// IdleTimeout; after a key it waits again for what is left. It is the idle
// timer's function: the timer fires when the time would be up since the
// last key it knew of, so nothing polls.
func (s *SSHServer) endIfIdle(ss *sshSession) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ss.idle == nil {
		return // the session is over
	}
	if left := s.opts.IdleTimeout - time.Since(time.Unix(0, ss.lastKey.Load())); left > 0 {
		ss.idle.Reset(left)
		return
	}
	ss.end(fmt.Sprintf("the session is closed after %s without a key.", s.opts.IdleTimeout))
}

// activityReader is the session's input, noting when it last read.
type activityReader struct {
	r    io.Reader
	last *atomic.Int64
}

func (a *activityReader) Read(p []byte) (int, error) {
	n, err := a.r.Read(p)
	if n > 0 {
		a.last.Store(time.Now().UnixNano())
	}
	return n, err
}

// sessionService is the service as one session's UI sees it: the shared
// service with the session's own notices. Who makes the session's changes
// is on the session's context (app.WithActor), not here.
type sessionService struct {
	*app.Service
	notices <-chan app.Notice
}

var _ ui.Service = (*sessionService)(nil)

// Notices is the session's own subscription.
func (s *sessionService) Notices() <-chan app.Notice { return s.notices }

// Acknowledge does nothing: a subscription's notice is read when received.
func (s *sessionService) Acknowledge(app.Notice) {}

// logWriter writes each line it is given to a logger.
type logWriter struct{ log *slog.Logger }

func (w logWriter) Write(p []byte) (int, error) {
	for line := range strings.SplitSeq(strings.TrimRight(string(p), "\n"), "\n") {
		if line != "" {
			w.log.Warn("ssh: " + line)
		}
	}
	return len(p), nil
}
