package wm

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"syscall"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/socket"

	"github.com/wabook/wabook/wa"
)

// Connect starts connecting in the background and returns at once:
// ConnectionChanged (connecting); when unpaired, ConnectionChanged (pairing)
// and a PairCode per QR code, then PairSucceeded or PairFailed; then
// ConnectionChanged (connected) and the sync. When WhatsApp cannot be
// reached it reports ConnectionChanged (reconnecting) with the attempt and
// the wait, and retries with backoff until ctx ends, Disconnect, Logout or
// Close. A connection once made lives on (whatsmeow reconnects it) until
// Disconnect, Logout or Close. Connect on a running session starts no
// other; when that session is waiting between two attempts it tries once
// at once (ConnectionChanged (connecting), "trying again now").
func (b *Backend) Connect(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	_, err := b.start(ctx)
	return err
}

// start returns the running session, starting one when none runs.
func (b *Backend) start(ctx context.Context) (*session, error) { return b.startWith(ctx, false) }

// startWith is start; phone marks the session as pairing by code (no QR
// codes reported), before its first code can arrive.
func (b *Backend) startWith(ctx context.Context, phone bool) (*session, error) {
	if b.readOnly {
		return nil, errReadOnly
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, ErrClosed
	}
	if b.sess != nil {
		if phone {
			b.sess.phone = true
		}
		b.wakeLocked(b.sess)
		return b.sess, nil
	}
	for _, c := range b.stale {
		c()
	}
	b.stale = nil
	if b.loggedOut || !b.acct.Paired {
		// Pairing starts on a fresh client: a QR channel left by an
		// earlier session would otherwise still listen, and disconnect
		// the new socket when its own context ends. After a logout
		// whatsmeow has deleted the device, so a new one is made.
		dev := b.client.Store
		if b.loggedOut || dev.Initialized {
			dev = b.container.NewDevice()
		}
		old := b.client
		go func() { // not under b.mu: whatsmeow may be inside b.handle
			old.RemoveEventHandlers()
			old.Disconnect()
		}()
		b.client = b.newClient(dev)
		b.acct = wa.Account{Platform: "whatsapp"}
		b.loggedOut = false
	}
	sctx, cancel := context.WithCancel(b.ctx)
	s := &session{ctx: sctx, cancel: cancel, qrReady: make(chan struct{}), phone: phone, wake: make(chan struct{}, 1)}
	s.handlerCtx, _ = b.shieldLocked(sctx)
	b.sess = s
	b.attempt = 0
	b.emitLocked(wa.ConnectionChanged{State: wa.StateConnecting})
	go b.connectLoop(ctx, s, b.client, 1)
	return s, nil
}

// current reports whether s is still the running session.
func (b *Backend) current(s *session) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return !b.closed && b.sess == s
}

// detachLocked forgets the running session and returns the cancel
// functions to call (outside the lock) to stop it.
func (b *Backend) detachLocked() []context.CancelFunc {
	out := b.stale
	b.stale = nil
	if b.sess != nil {
		out = append(out, b.sess.cancel)
		b.sess = nil
	}
	return out
}

// endSession stops s when it is the running session: its retry loop ends
// and the socket closes. It reports whether s was current.
func (b *Backend) endSession(s *session) bool {
	b.mu.Lock()
	if b.sess != s || s == nil {
		b.mu.Unlock()
		return false
	}
	b.sess = nil
	cli := b.client
	b.mu.Unlock()
	s.cancel()
	cli.Disconnect()
	return true
}

// detachSession forgets the running session after a permanent failure
// (logged out, banned, replaced) without cancelling it at once: whatsmeow
// may still be cleaning up with its context. The next Connect or Close
// cancels it.
func (b *Backend) detachSession() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.detachLaterLocked()
}

// detachLaterLocked is detachSession with b.mu held.
func (b *Backend) detachLaterLocked() {
	if b.sess != nil {
		b.stale = append(b.stale, b.sess.cancel)
		b.sess = nil
	}
}

// connectLoop connects cli, retrying with backoff from attempt first until
// it succeeds, ctx ends or the session ends.
func (b *Backend) connectLoop(ctx context.Context, s *session, cli *whatsmeow.Client, first int) {
	b.loops.Add(1)
	defer b.loops.Add(-1)
	var qrWatched bool
	for attempt := first; ; attempt++ {
		if s.ctx.Err() != nil || !b.current(s) {
			return
		}
		if !b.paired() && !qrWatched {
			ch, err := cli.GetQRChannel(s.ctx)
			if err != nil {
				b.log.Warnf("Getting the QR channel failed: %v", err)
				if b.endSession(s) {
					b.emit(wa.PairFailed{Reason: "could not start pairing: " + err.Error()},
						wa.ConnectionChanged{State: wa.StateOffline})
				}
				return
			}
			qrWatched = true
			go b.watchQR(s, cli, ch)
		}
		if !b.announceVersion(s) {
			return
		}
		// whatsmeow hands this context to every incoming handler; it
		// outlives the session until no app-state save is in the middle.
		err := b.connect(s.handlerCtx, cli)
		if err == nil || errors.Is(err, whatsmeow.ErrAlreadyConnected) {
			return
		}
		if s.ctx.Err() != nil {
			return
		}
		b.log.Warnf("Connecting to WhatsApp failed (attempt %d): %v", attempt, err)
		delay, ok := b.announceRetry(s, attempt, err)
		if !ok {
			return
		}
		switch b.retryWait(ctx, s, delay) {
		case waitWoken:
			// A try by hand is not one of the automatic attempts: the
			// attempt it cut short keeps its number, and should the try
			// fail the wait is again the one that was due, not the
			// next, longer one.
			attempt--
		case waitSessionEnded:
			return
		case waitCtxEnded:
			if b.endSession(s) {
				b.emit(wa.ConnectionChanged{State: wa.StateOffline, Detail: "stopped trying to connect"})
			}
			return
		}
	}
}

// Disconnect drops the connection but keeps the session, and reports
// offline.
func (b *Backend) Disconnect() {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return
	}
	running := b.sess != nil
	cancels := b.detachLocked()
	b.stopTimersLocked()
	cli := b.client
	b.mu.Unlock()
	for _, c := range cancels {
		c()
	}
	cli.Disconnect()
	b.mu.Lock()
	if running || b.state != wa.StateOffline {
		b.emitLocked(wa.ConnectionChanged{State: wa.StateOffline})
	}
	b.mu.Unlock()
}

// connectClient opens cli's connection; ctx is what whatsmeow hands to
// every incoming handler.
func connectClient(ctx context.Context, cli *whatsmeow.Client) error { return cli.ConnectContext(ctx) }

// setHTTPClient makes whatsmeow open its websocket through h (tests point
// it at a closed loopback port).
func (b *Backend) setHTTPClient(h *http.Client) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.wsHTTP = h
	b.client.SetWebsocketHTTPClient(h)
	b.client.SetPreLoginHTTPClient(h)
}

// errWords says in a few words why a connection failed.
func errWords(err error) string {
	var dnsErr *net.DNSError
	var status socket.ErrWithStatusCode
	switch {
	case err == nil:
		return "unknown error"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH):
		return "network unreachable"
	case errors.As(err, &dnsErr):
		return "cannot look up " + dnsErr.Name
	case errors.Is(err, context.DeadlineExceeded), isTimeout(err):
		return "timed out"
	case errors.As(err, &status):
		return fmt.Sprintf("server answered HTTP %d", status.StatusCode)
	}
	s := err.Error()
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	return s
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
