package wm

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"

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

// How a wait between two connect attempts ended.
type waitEnd int

const (
	waitElapsed      waitEnd = iota // the backoff passed
	waitWoken                       // Connect asked to try now
	waitSessionEnded                // the session ended
	waitCtxEnded                    // the caller's context ended
)

// retryWait sleeps delay before the next attempt of s. A Connect during
// the sleep cuts it short (wakeLocked): a user who presses "connect
// again" after a minute-long backoff wants an attempt now, not a second
// loop beside the sleeping one.
func (b *Backend) retryWait(ctx context.Context, s *session, delay time.Duration) waitEnd {
	t := time.NewTimer(delay)
	defer func() {
		t.Stop()
		b.mu.Lock()
		s.waiting = false
		b.mu.Unlock()
	}()
	select {
	case <-t.C:
		return waitElapsed
	case <-s.wake:
		return waitWoken
	case <-s.ctx.Done():
		return waitSessionEnded
	case <-ctx.Done():
		return waitCtxEnded
	}
}

// wakeLocked makes s, when it sleeps between two attempts, try once now;
// that try does not count as an attempt, so the attempt count and the
// backoff after a failure stay where they were. A session in the middle of an attempt is left alone: it is trying
// already.
func (b *Backend) wakeLocked(s *session) {
	if !s.waiting {
		return
	}
	s.waiting = false
	select {
	case s.wake <- struct{}{}:
	default:
	}
	b.emitLocked(wa.ConnectionChanged{State: wa.StateConnecting, Detail: "trying again now"})
}

// autoReconnectHook is called by whatsmeow when one of its automatic
// reconnects fails. wabook takes over with its own backoff, so the waits
// and attempts are the ones the status bar shows.
func (b *Backend) autoReconnectHook(err error) bool {
	b.mu.Lock()
	s, cli := b.sess, b.client
	if b.closed || s == nil || s.ctx.Err() != nil {
		b.mu.Unlock()
		return false
	}
	next := b.attempt + 1
	b.mu.Unlock()
	b.log.Warnf("Reconnecting to WhatsApp failed: %v", err)
	go b.connectLoopAfterFailure(s, cli, next, err)
	return false
}

// connectLoopAfterFailure reports a failed reconnect, waits the backoff and
// hands over to connectLoop.
func (b *Backend) connectLoopAfterFailure(s *session, cli *whatsmeow.Client, attempt int, err error) {
	delay, ok := b.announceRetry(s, attempt, err)
	if !ok {
		return
	}
	next := attempt + 1
	switch b.retryWait(s.ctx, s, delay) {
	case waitSessionEnded, waitCtxEnded:
		return
	case waitWoken:
		next = attempt // as in connectLoop: a try by hand takes no number
	}
	b.connectLoop(s.ctx, s, cli, next)
}

// announceRetry reports a failed attempt and the wait before the next one.
// It returns false when the session is over (replaced or closed) and
// nothing should be retried.
func (b *Backend) announceRetry(s *session, attempt int, err error) (time.Duration, bool) {
	delay := b.backoff(attempt)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.sess != s || b.closed {
		return 0, false
	}
	b.attempt = attempt
	s.lastErr = errWords(err)
	s.failures++
	if s.failed != nil {
		close(s.failed)
	}
	s.failed = make(chan struct{})
	// From here a Connect wakes the wait; a wake left from an earlier
	// wait that ended by itself must not cut this one short.
	s.waiting = true
	select {
	case <-s.wake:
	default:
	}
	b.emitLocked(wa.ConnectionChanged{
		State:   wa.StateReconnecting,
		Attempt: attempt,
		Detail:  fmt.Sprintf("no connection to WhatsApp (%s); retrying in %s", s.lastErr, roundDelay(delay)),
	})
	return delay, true
}

// watchQR turns the QR channel into pairing events.
func (b *Backend) watchQR(s *session, cli *whatsmeow.Client, ch <-chan whatsmeow.QRChannelItem) {
	first := true
	for {
		var item whatsmeow.QRChannelItem
		var ok bool
		select {
		case item, ok = <-ch:
		case <-s.ctx.Done():
			return
		}
		if !ok {
			return
		}
		switch item.Event {
		case whatsmeow.QRChannelEventCode:
			s.qrOnce.Do(func() { close(s.qrReady) })
			b.mu.Lock()
			if b.sess == s && !b.closed {
				if first {
					b.emitLocked(wa.ConnectionChanged{State: wa.StatePairing})
					first = false
				}
				if !s.phone {
					b.emitLocked(wa.PairCode{Code: item.Code, Timeout: item.Timeout})
				}
			}
			b.mu.Unlock()
		case whatsmeow.QRChannelSuccess.Event:
			// whatsmeow wrote the identity before sending this item.
			b.refreshAccount(cli)
			b.emit(wa.PairSucceeded{Account: b.Account()}, wa.ConnectionChanged{State: wa.StateConnecting})
			go b.afterPair(s, cli)
		case whatsmeow.QRChannelClientOutdated.Event:
			go b.clientOutdated(s, cli, true)
			return
		case whatsmeow.QRChannelScannedWithoutMultidevice.Event:
			b.emit(wa.PairFailed{Reason: "the phone scanned the code but cannot link devices; update WhatsApp on the phone and scan again"})
		default:
			reason := pairFailure(item)
			b.log.Warnf("Pairing ended: %s", reason)
			if b.endSession(s) {
				b.emit(wa.PairFailed{Reason: reason}, wa.ConnectionChanged{State: wa.StateOffline, Detail: reason})
			}
			return
		}
	}
}

// pairFailure puts a terminal QR channel item in plain words.
func pairFailure(item whatsmeow.QRChannelItem) string {
	switch item.Event {
	case whatsmeow.QRChannelTimeout.Event:
		return "the code was not used in time (or the connection dropped); connect again for a new code"
	case whatsmeow.QRChannelErrUnexpectedEvent.Event:
		return "pairing was interrupted by an unexpected answer from WhatsApp; try again"
	case whatsmeow.QRChannelEventError:
		if item.Error != nil {
			return "pairing failed: " + item.Error.Error()
		}
		return "pairing failed"
	}
	return "pairing ended: " + item.Event
}

// afterPair makes sure the session comes up after pairing: WhatsApp closes
// the pairing socket and whatsmeow reconnects once, without retries.
func (b *Backend) afterPair(s *session, cli *whatsmeow.Client) {
	t := time.NewTimer(30 * time.Second)
	defer t.Stop()
	select {
	case <-t.C:
	case <-s.ctx.Done():
		return
	}
	if b.current(s) && !cli.IsLoggedIn() {
		b.connectLoop(s.ctx, s, cli, 1)
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

// PairPhone asks for a pairing code for phone (E.164) to type on that
// phone, connecting first when needed. QR codes stop once a code was
// asked for. The code looks like "ABCD-EFGH".
func (b *Backend) PairPhone(ctx context.Context, phone string) (string, error) {
	pc, err := b.PairPhoneCode(ctx, phone)
	return pc.Code, err
}

var _ wa.PhoneCodePairer = (*Backend)(nil)

// PairPhoneCode is PairPhone with the code's expiry. A pairing code lives
// as long as the pairing connection it was asked on, which whatsmeow closes
// after its last QR code (PROTOCOL.md, "Pairing"): a code asked for on a
// connection with less than pairCodeMinLife left is asked for on a fresh
// connection instead, so the user has time to type it. When two connect
// attempts in a row fail while it waits for the pairing connection, it
// gives up with the last one's reason: without a network every attempt
// fails at once, and waiting out pairWait through the backoff would only
// keep the user staring at a spinner. Its errors carry no package prefix:
// the app shows them as they are ("could not get a pairing code: …").
func (b *Backend) PairPhoneCode(ctx context.Context, phone string) (wa.PhoneCode, error) {
	if err := ctx.Err(); err != nil {
		return wa.PhoneCode{}, err
	}
	digits := strings.TrimPrefix(strings.TrimSpace(phone), "+")
	if !strings.HasPrefix(strings.TrimSpace(phone), "+") || !allDigits(digits) || len(digits) < 7 || len(digits) > 15 {
		return wa.PhoneCode{}, fmt.Errorf("%q is not an international number (+digits)", phone)
	}
	if b.paired() {
		return wa.PhoneCode{}, ErrAlreadyPaired
	}
	s, err := b.startWith(ctx, true)
	if err != nil {
		return wa.PhoneCode{}, err
	}
	wait := time.NewTimer(b.pairWait)
	defer wait.Stop()
	for fresh := false; ; fresh = true {
		if err := b.waitPairSocket(ctx, s, wait.C); err != nil {
			return wa.PhoneCode{}, err
		}
		b.mu.Lock()
		cli, deadline, now := b.client, s.qrDeadline, b.now()
		b.mu.Unlock()
		if !fresh && !deadline.IsZero() && deadline.Sub(now) < pairCodeMinLife {
			b.log.Infof("The pairing connection closes in %s; asking for the code on a fresh one", deadline.Sub(now).Round(time.Second))
			b.endSession(s)
			if s, err = b.startWith(ctx, true); err != nil {
				return wa.PhoneCode{}, err
			}
			continue
		}
		code, err := b.pairCode(ctx, cli, "+"+digits)
		if err != nil {
			return wa.PhoneCode{}, fmt.Errorf("WhatsApp did not give one: %w", err)
		}
		return wa.PhoneCode{Code: code, Expires: deadline}, nil
	}
}

// pairFailuresToGiveUp is how many connect attempts in a row may fail
// while PairPhone waits for the pairing connection: one failure can be a
// blip, a second one right after it means the network is not there.
const pairFailuresToGiveUp = 2

// waitPairSocket waits until s shows its first QR code (its pairing
// connection is up). It fails when ctx ends, s ends, timeout fires, or
// pairFailuresToGiveUp connect attempts of s fail meanwhile.
func (b *Backend) waitPairSocket(ctx context.Context, s *session, timeout <-chan time.Time) error {
	b.mu.Lock()
	base := s.failures
	if s.failed == nil {
		s.failed = make(chan struct{})
	}
	failed := s.failed
	b.mu.Unlock()
	for {
		select {
		case <-s.qrReady:
			return nil
		case <-ctx.Done():
			return b.pairUnreached(s, ctx.Err())
		case <-s.ctx.Done():
			return errors.New("pairing stopped before a code could be asked for")
		case <-timeout:
			return b.pairUnreached(s, nil)
		case <-failed:
			select {
			case <-s.qrReady: // a code came meanwhile: the socket is up
				return nil
			default:
			}
			b.mu.Lock()
			n := s.failures - base
			failed = s.failed
			b.mu.Unlock()
			if n >= pairFailuresToGiveUp {
				return b.pairUnreached(s, nil)
			}
		}
	}
}

// pairUnreached is PairPhone's error when no pairing connection came up
// (cause: the caller's context ended first). It carries why the last
// attempt of s failed: "could not reach WhatsApp" alone hides a DNS
// failure the user can fix.
func (b *Backend) pairUnreached(s *session, cause error) error {
	b.mu.Lock()
	why := s.lastErr
	b.mu.Unlock()
	if why == "" {
		if cause != nil {
			return cause
		}
		return errors.New("could not reach WhatsApp")
	}
	msg := "no connection to WhatsApp (" + why + ")"
	if cause != nil {
		return fmt.Errorf("%s: %w", msg, cause)
	}
	return errors.New(msg)
}

// connectClient opens cli's connection; ctx is what whatsmeow hands to
// every incoming handler.
func connectClient(ctx context.Context, cli *whatsmeow.Client) error { return cli.ConnectContext(ctx) }

// askPairCode asks WhatsApp for a pairing code on cli's connection.
func askPairCode(ctx context.Context, cli *whatsmeow.Client, phone string) (string, error) {
	return cli.PairPhone(ctx, phone, true, whatsmeow.PairClientChrome, PairDisplayName)
}

// qrCodesLife is how long whatsmeow keeps a pairing connection that was
// given n QR codes: 60 s for the code shown while six remain, 20 s for each
// other, then it disconnects (PROTOCOL.md, "Pairing").
func qrCodesLife(n int) time.Duration {
	d := time.Duration(n) * 20 * time.Second
	if n >= 6 {
		d += 40 * time.Second
	}
	return d
}

// Logout unlinks the device on WhatsApp and deletes the session locally,
// connecting first when needed, then reports LoggedOut and
// ConnectionChanged (logged out). When WhatsApp cannot be reached nothing is
// deleted and the error says so.
func (b *Backend) Logout(ctx context.Context) error {
	if err := b.begin(ctx); err != nil {
		return err
	}
	cli := b.cli()
	if !cli.IsLoggedIn() {
		if _, err := b.start(ctx); err != nil {
			return err
		}
		cli = b.cli()
		if !waitLoggedIn(ctx, cli, logoutWait) {
			if err := ctx.Err(); err != nil {
				return err
			}
			return errors.New("wm: log out: could not reach WhatsApp; nothing was changed")
		}
	}
	if err := cli.Logout(ctx); err != nil {
		return fmt.Errorf("wm: log out: %w", err)
	}
	b.loggedOutHere()
	return nil
}

// loggedOutHere is what Logout does once WhatsApp confirmed it
// (forgetAccount, the session cancelled at once).
func (b *Backend) loggedOutHere() { b.forgetAccount("logged out", true) }

// forgetAccount is what a logout leaves, from wabook or from the phone:
// whatsmeow has deleted the device, its app state with it, so the resync
// mark goes. The detached session's shield may still run out of time up
// to appStateWait later, and the save it cuts fails; neither may mark the
// logged-out account again. The epoch moves on under the lock the session
// is detached under, before the clear: a mark checked against the old
// epoch is written (under markMu) before the clear, any later one is
// dropped. cancelNow: wabook's own Logout ends the session at once; after
// a logout from the phone whatsmeow may still be cleaning up with the
// session's context, which the next Connect or Close cancels.
func (b *Backend) forgetAccount(reason string, cancelNow bool) {
	b.mu.Lock()
	var cancels []context.CancelFunc
	if cancelNow {
		cancels = b.detachLocked()
	} else {
		b.detachLaterLocked()
	}
	b.stopTimersLocked()
	b.loggedOut = true
	b.markEpoch++
	b.mu.Unlock()
	for _, c := range cancels {
		c()
	}
	b.clearResyncMark()
	b.emit(wa.LoggedOut{Reason: reason}, wa.ConnectionChanged{State: wa.StateLoggedOut, Detail: reason})
}

// waitLoggedIn waits until cli is connected and logged in, ctx ends or
// wait has passed.
func waitLoggedIn(ctx context.Context, cli *whatsmeow.Client, wait time.Duration) bool {
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for !cli.IsLoggedIn() {
		select {
		case <-tick.C:
		case <-deadline.C:
			return false
		case <-ctx.Done():
			return false
		}
	}
	return true
}

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

// roundDelay makes a wait readable: whole seconds from 1 s up.
func roundDelay(d time.Duration) time.Duration {
	if d >= time.Second {
		return d.Round(time.Second)
	}
	return d.Round(10 * time.Millisecond)
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
