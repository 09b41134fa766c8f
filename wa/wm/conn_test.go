package wm

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/wabook/wabook/wa"
)

// offline makes every websocket dial go to a closed loopback port, so
// connecting fails at once without touching the internet.
func offline(t *testing.T, b *Backend) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	var d net.Dialer
	b.setHTTPClient(&http.Client{Transport: &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, addr)
		},
	}})
}

// recordBackoff returns a short backoff that records the attempts asked for.
func recordBackoff(b *Backend) func() []int {
	var mu sync.Mutex
	var attempts []int
	b.backoff = func(n int) time.Duration {
		mu.Lock()
		attempts = append(attempts, n)
		mu.Unlock()
		return time.Duration(n) * 20 * time.Millisecond
	}
	return func() []int {
		mu.Lock()
		defer mu.Unlock()
		return append([]int(nil), attempts...)
	}
}

// closeWithin fails the test when Close takes longer than d.
func closeWithin(t *testing.T, b *Backend, d time.Duration) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- b.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Close: %v", err)
		}
	case <-time.After(d):
		t.Fatalf("Close did not return within %s", d)
	}
	// Events is closed; what was not read is dropped.
	timeout := time.After(5 * time.Second)
	for {
		select {
		case _, ok := <-b.Events():
			if !ok {
				return
			}
		case <-timeout:
			t.Fatal("Events not closed after Close")
		}
	}
}

// loopsEnded waits until no connect loop runs: only such a loop reports
// on its own, so what it reported before ending has been queued.
func loopsEnded(t *testing.T, b *Backend) {
	t.Helper()
	waitFor(t, "the connect loops to end", func() bool { return b.loops.Load() == 0 })
}

// loopAsleep waits until one connect loop runs and its session sleeps
// between two attempts: until the wait ends, nothing reports on its own.
func loopAsleep(t *testing.T, b *Backend) {
	t.Helper()
	waitFor(t, "one connect loop asleep", func() bool {
		b.mu.Lock()
		defer b.mu.Unlock()
		return b.loops.Load() == 1 && b.sess != nil && b.sess.waiting
	})
}

func reconnecting(attempt int, wait string) wa.ConnectionChanged {
	return wa.ConnectionChanged{State: wa.StateReconnecting, Attempt: attempt,
		Detail: "no connection to WhatsApp (connection refused); retrying in " + wait}
}

func TestConnectOfflineRetriesWithBackoff(t *testing.T) {
	t.Parallel()

	for _, paired := range []bool{true, false} {
		t.Run(fmt.Sprintf("paired=%v", paired), func(t *testing.T) {
			b, _ := newTestBackend(t, testOpts{unpaired: !paired})
			offline(t, b)
			attempts := recordBackoff(b)
			if err := b.Connect(context.Background()); err != nil {
				t.Fatal(err)
			}
			// (A Connect during the backoff joins the running session and
			// tries at once: TestConnectCutsTheBackoffShort. Here it would race
			// the first failure.)
			expect(t, b,
				wa.ConnectionChanged{State: wa.StateConnecting},
				reconnecting(1, "20ms"),
				reconnecting(2, "40ms"),
				reconnecting(3, "60ms"),
			)
			if got := attempts(); len(got) < 3 || got[0] != 1 || got[1] != 2 || got[2] != 3 {
				t.Fatalf("backoff asked for attempts %v", got)
			}
			closeWithin(t, b, 5*time.Second)
			if err := b.Connect(context.Background()); err != ErrClosed {
				t.Fatalf("Connect after Close: %v", err)
			}
		})
	}
}

// Connect while the session sleeps a long backoff between two attempts
// ("connect again" on the Account screen) tries once at once, in the same
// loop. A try by hand is not an automatic attempt: it does not grow the
// backoff (a failure waits again the wait that was due, under the same
// attempt number), and the automatic attempt it cut short keeps its
// number. Both places that wait are covered: wabook's own retry loop, and
// the wait after one of whatsmeow's automatic reconnects failed.
func TestConnectCutsTheBackoffShort(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		name string
		// start makes the session fail its first attempt and sleep.
		start     func(t *testing.T, b *Backend)
		firstFail string
	}{
		{"retry loop", func(t *testing.T, b *Backend) {
			if err := b.Connect(context.Background()); err != nil {
				t.Fatal(err)
			}
			expect(t, b, wa.ConnectionChanged{State: wa.StateConnecting})
		}, "connection refused"},
		{"after a failed automatic reconnect", func(t *testing.T, b *Backend) {
			startSession(b)
			if b.autoReconnectHook(errors.New("websocket closed")) {
				t.Fatal("the hook let whatsmeow go on retrying")
			}
		}, "websocket closed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, _ := newTestBackend(t, testOpts{})
			offline(t, b)
			var mu sync.Mutex
			var asked []int
			// The wait after attempt 1 is an hour until the test
			// shortens it; every later one is an hour.
			firstWait := time.Hour
			b.backoff = func(n int) time.Duration {
				mu.Lock()
				defer mu.Unlock()
				asked = append(asked, n)
				if n == 1 {
					return firstWait
				}
				return time.Hour
			}
			tc.start(t, b)
			expect(t, b, wa.ConnectionChanged{State: wa.StateReconnecting, Attempt: 1,
				Detail: "no connection to WhatsApp (" + tc.firstFail + "); retrying in 1h0m0s"})
			for range 2 {
				if err := b.Connect(context.Background()); err != nil {
					t.Fatal(err)
				}
				expect(t, b,
					wa.ConnectionChanged{State: wa.StateConnecting, Detail: "trying again now"},
					reconnecting(1, "1h0m0s"))
				if n := b.loops.Load(); n != 1 {
					t.Fatalf("%d connect loops run, want 1", n)
				}
			}
			// The automatic attempt the tries by hand cut short comes
			// when the wait that was due has passed, as attempt 2.
			mu.Lock()
			firstWait = 20 * time.Millisecond
			mu.Unlock()
			if err := b.Connect(context.Background()); err != nil {
				t.Fatal(err)
			}
			expect(t, b,
				wa.ConnectionChanged{State: wa.StateConnecting, Detail: "trying again now"},
				reconnecting(1, "20ms"),
				reconnecting(2, "1h0m0s"))
			mu.Lock()
			got := fmt.Sprint(asked)
			mu.Unlock()
			if got != "[1 1 1 1 2]" {
				t.Errorf("backoff asked for attempts %s, want [1 1 1 1 2]", got)
			}
			// Nothing else tries: attempt 2 sleeps its hour, in the one loop.
			loopAsleep(t, b)
			expectNothingMore(t, b)
			closeWithin(t, b, 5*time.Second)
		})
	}
}

func TestConnectStopsWithContextAndDisconnect(t *testing.T) {
	t.Parallel()

	b, _ := newTestBackend(t, testOpts{})
	offline(t, b)
	recordBackoff(b)
	ctx, cancel := context.WithCancel(context.Background())
	if err := b.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	expect(t, b, wa.ConnectionChanged{State: wa.StateConnecting}, reconnecting(1, "20ms"))
	cancel()
	for {
		ev := next(t, b)
		if ev == (wa.ConnectionChanged{State: wa.StateOffline, Detail: "stopped trying to connect"}) {
			break
		}
		if cc, ok := ev.(wa.ConnectionChanged); !ok || cc.State != wa.StateReconnecting {
			t.Fatalf("unexpected %#v", ev)
		}
	}
	loopsEnded(t, b)
	expectNothingMore(t, b)

	// A new session, ended by Disconnect.
	if err := b.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	expect(t, b, wa.ConnectionChanged{State: wa.StateConnecting}, reconnecting(1, "20ms"))
	b.Disconnect()
	for {
		ev := next(t, b)
		if ev == (wa.ConnectionChanged{State: wa.StateOffline}) {
			break
		}
		if cc, ok := ev.(wa.ConnectionChanged); !ok || cc.State != wa.StateReconnecting {
			t.Fatalf("unexpected %#v", ev)
		}
	}
	loopsEnded(t, b)
	expectNothingMore(t, b)
	b.Disconnect() // nothing running: no event
	expectNothingMore(t, b)
}

func TestPairingSessionsUseFreshClients(t *testing.T) {
	t.Parallel()

	b, _ := newTestBackend(t, testOpts{unpaired: true})
	offline(t, b)
	recordBackoff(b)
	if err := b.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	first := b.cli()
	expect(t, b, wa.ConnectionChanged{State: wa.StateConnecting}, reconnecting(1, "20ms"))
	b.Disconnect()
	if err := b.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	if second := b.cli(); second == first || second.Store != first.Store {
		t.Fatal("a new pairing session must use a new client on the same unpaired device")
	}
	closeWithin(t, b, 5*time.Second)
}

func TestDefaultBackoff(t *testing.T) {
	t.Parallel()

	for attempt, base := range map[int]time.Duration{
		1: 2 * time.Second, 2: 4 * time.Second, 3: 8 * time.Second, 6: 64 * time.Second,
		7: 2 * time.Minute, 50: 2 * time.Minute,
	} {
		for range 20 {
			d := DefaultBackoff(attempt)
			if d < base-base/10 || d > base+base/10 {
				t.Fatalf("DefaultBackoff(%d) = %v, want %v ±10%%", attempt, d, base)
			}
		}
	}
}

// startSession installs a session as Connect would, without connecting.
func startSession(b *Backend) *session {
	ctx, cancel := context.WithCancel(b.ctx)
	s := &session{ctx: ctx, cancel: cancel, qrReady: make(chan struct{}), wake: make(chan struct{}, 1)}
	b.mu.Lock()
	s.handlerCtx, _ = b.shieldLocked(ctx)
	b.sess = s
	b.mu.Unlock()
	return s
}

func TestPairingByQR(t *testing.T) {
	t.Parallel()

	b, _ := newTestBackend(t, testOpts{unpaired: true})
	s := startSession(b)
	ch := make(chan whatsmeow.QRChannelItem, 8)
	done := make(chan struct{})
	go func() { b.watchQR(s, b.client, ch); close(done) }()

	ch <- whatsmeow.QRChannelItem{Event: whatsmeow.QRChannelEventCode, Code: "2@first", Timeout: 60 * time.Second}
	ch <- whatsmeow.QRChannelItem{Event: whatsmeow.QRChannelEventCode, Code: "2@second", Timeout: 20 * time.Second}
	expect(t, b,
		wa.ConnectionChanged{State: wa.StatePairing},
		wa.PairCode{Code: "2@first", Timeout: 60 * time.Second},
		wa.PairCode{Code: "2@second", Timeout: 20 * time.Second},
	)
	select {
	case <-s.qrReady:
	default:
		t.Fatal("qrReady not closed after the first code")
	}

	// whatsmeow stores the identity, then reports success.
	jid := types.NewADJID(ownPhone, 0, 7)
	b.client.Store.ID = &jid
	b.client.Store.PushName = "Acme"
	ch <- whatsmeow.QRChannelSuccess
	close(ch)
	expect(t, b,
		wa.PairSucceeded{Account: wa.Account{JID: ownPhone + "@s.whatsapp.net", Phone: "+" + ownPhone,
			PushName: "Acme", Paired: true, Platform: "whatsapp", Device: ownPhone + ":7@s.whatsapp.net"}},
		wa.ConnectionChanged{State: wa.StateConnecting},
	)
	<-done
}

func TestPairingFailures(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		item   whatsmeow.QRChannelItem
		reason string
	}{
		{whatsmeow.QRChannelTimeout, "the code was not used in time (or the connection dropped); connect again for a new code"},
		{whatsmeow.QRChannelErrUnexpectedEvent, "pairing was interrupted by an unexpected answer from WhatsApp; try again"},
		{whatsmeow.QRChannelItem{Event: whatsmeow.QRChannelEventError, Error: whatsmeow.ErrPairInvalidDeviceSignature},
			"pairing failed: invalid device signature in pair success message"},
	} {
		t.Run(tc.item.Event, func(t *testing.T) {
			b, _ := newTestBackend(t, testOpts{unpaired: true})
			s := startSession(b)
			ch := make(chan whatsmeow.QRChannelItem, 2)
			ch <- tc.item
			close(ch)
			b.watchQR(s, b.client, ch)
			expect(t, b,
				wa.PairFailed{Reason: tc.reason},
				wa.ConnectionChanged{State: wa.StateOffline, Detail: tc.reason},
			)
			if s.ctx.Err() == nil {
				t.Fatal("session still running after a failed pairing")
			}
		})
	}
}

func TestPairPhoneAndLogoutPreconditions(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	b, _ := newTestBackend(t, testOpts{})
	if _, err := b.PairPhone(ctx, "+14155550100"); err != ErrAlreadyPaired {
		t.Fatalf("PairPhone on a paired account: %v", err)
	}
	u, _ := newTestBackend(t, testOpts{unpaired: true})
	for _, bad := range []string{"14155550100", "+1 415", "+12", "+1415abc0100"} {
		if _, err := u.PairPhone(ctx, bad); err == nil || !strings.Contains(err.Error(), "not an international number") {
			t.Errorf("PairPhone(%q): %v", bad, err)
		}
	}
	if err := u.Logout(ctx); err != wa.ErrNotPaired {
		t.Fatalf("Logout unpaired: %v", err)
	}
	// Offline, PairPhone gives up when its context does.
	offline(t, u)
	recordBackoff(u)
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	if _, err := u.PairPhone(short, "+14155550100"); err == nil {
		t.Fatal("PairPhone offline: no error")
	}
	closeWithin(t, u, 5*time.Second)
	if _, err := u.PairPhone(ctx, "+14155550100"); err != ErrClosed {
		t.Fatalf("PairPhone after Close: %v", err)
	}
}

func TestCloseIsSafe(t *testing.T) {
	t.Parallel()

	b, _ := newTestBackend(t, testOpts{})
	b.handle(&events.Connected{}) // work queued for the worker
	closeWithin(t, b, 5*time.Second)
	if err := b.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	// Late whatsmeow events and calls neither panic nor block.
	b.handle(&events.Connected{})
	b.handle(&events.PushName{JID: pn("14155550101"), NewPushName: "x"})
	b.handle(&events.Contact{JID: pn("14155550101")})
	b.Disconnect()
	if _, err := b.CheckNumbers(context.Background(), []string{"+14155550101"}); err != ErrClosed {
		t.Fatalf("CheckNumbers after Close: %v", err)
	}
	if err := b.Logout(context.Background()); err != ErrClosed {
		t.Fatalf("Logout after Close: %v", err)
	}
}

func TestLogFile(t *testing.T) {
	t.Parallel()

	db := openDB(t)
	path := filepath.Join(t.TempDir(), "logs", "whatsmeow.log")
	b, err := New(context.Background(), db, Options{LogPath: path})
	if err != nil {
		t.Fatal(err)
	}
	b.log.Warnf("hello %s", "log")
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("log file mode %v, want 0600", fi.Mode().Perm())
	}
	data, _ := os.ReadFile(path)
	if !strings.Contains(string(data), "hello log") {
		t.Errorf("log file: %q", data)
	}
}

func TestNewLoadsSavedDevice(t *testing.T) {
	t.Parallel()

	db := openDB(t)
	savePairedDevice(t, db, false)
	b, err := New(context.Background(), db, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if a := b.Account(); !a.Paired || a.JID != ownPhone+"@s.whatsapp.net" {
		t.Fatalf("Account() = %#v", a)
	}
	if _, err := New(context.Background(), nil, Options{}); err == nil {
		t.Fatal("New(nil db): no error")
	}
}
