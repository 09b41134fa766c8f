package wm

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/wabook/wabook/wa"
)

func TestQRCodesLife(t *testing.T) {
	t.Parallel()

	// 60 s for the code shown while six remain, 20 s for every other
	// one (PROTOCOL.md, "Pairing").
	for n, want := range map[int]time.Duration{6: 160 * time.Second, 1: 20 * time.Second, 7: 180 * time.Second, 0: 0} {
		if got := qrCodesLife(n); got != want {
			t.Errorf("qrCodesLife(%d) = %s, want %s", n, got, want)
		}
	}
}

// waitPairingSocket waits until the current client of b is not old and
// has tried to connect (its QR channel is then listening), and returns it.
func waitPairingSocket(t *testing.T, b *Backend, old *whatsmeow.Client) *whatsmeow.Client {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case ev := <-b.Events():
			if cc, ok := ev.(wa.ConnectionChanged); ok && cc.State == wa.StateReconnecting {
				if cli := b.cli(); cli != old {
					return cli
				}
			}
		case <-deadline:
			t.Fatal("the pairing connection was not attempted")
		}
	}
}

// showQR makes cli's connection receive WhatsApp's pairing refs, as
// whatsmeow dispatches them (six codes, like WhatsApp sends).
func showQR(cli *whatsmeow.Client) {
	//nolint:staticcheck // the event a pair-device node produces, without a server
	cli.DangerousInternals().DispatchEvent(&events.QR{Codes: []string{"2@a", "2@b", "2@c", "2@d", "2@e", "2@f"}})
}

func TestPairPhoneCodeOnFreshConnectionWhenLate(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		name    string
		elapsed time.Duration // since the first QR code when the code is asked for
		fresh   bool
	}{
		{"early", 30 * time.Second, false},
		{"late", 100 * time.Second, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, _ := newTestBackend(t, testOpts{unpaired: true})
			offline(t, b)
			recordBackoff(b)
			clock := fakeClock(b)
			var mu sync.Mutex
			var asked []*whatsmeow.Client
			b.pairCode = func(ctx context.Context, cli *whatsmeow.Client, phone string) (string, error) {
				mu.Lock()
				defer mu.Unlock()
				asked = append(asked, cli)
				return "ABCD-EFGH", nil
			}

			if err := b.Connect(context.Background()); err != nil {
				t.Fatal(err)
			}
			first := waitPairingSocket(t, b, nil)
			showQR(first)
			start := clock.now()
			clock.advance(tc.elapsed)

			type result struct {
				pc  wa.PhoneCode
				err error
			}
			done := make(chan result, 1)
			go func() {
				pc, err := b.PairPhoneCode(context.Background(), "+14155550100")
				done <- result{pc, err}
			}()
			used := first
			if tc.fresh {
				used = waitPairingSocket(t, b, first)
				showQR(used)
			}
			var r result
			select {
			case r = <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("PairPhoneCode did not return")
			}
			if r.err != nil {
				t.Fatal(r.err)
			}
			wantExpiry := start.Add(160 * time.Second)
			if tc.fresh {
				wantExpiry = clock.now().Add(160 * time.Second)
			}
			if r.pc.Code != "ABCD-EFGH" || !r.pc.Expires.Equal(wantExpiry) {
				t.Fatalf("PairPhoneCode = %+v, want the code valid until %s", r.pc, wantExpiry)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(asked) != 1 || asked[0] != used {
				t.Fatalf("code asked on %d connections (fresh one: %v)", len(asked), tc.fresh)
			}
			if tc.fresh && first.IsConnected() {
				t.Fatal("the old pairing connection is still open")
			}
		})
	}
}

// TestAccountWhilePairing: Account() is read (by the UI, the app) while
// whatsmeow writes the device's identity on its own goroutine during
// pairing; run with -race. Afterwards it shows the paired account.
func TestAccountWhilePairing(t *testing.T) {
	t.Parallel()

	b, _ := newTestBackend(t, testOpts{unpaired: true})
	cli := b.cli()
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 2 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
					_ = b.Account()
					_ = b.paired()
				}
			}
		}()
	}
	// What whatsmeow's handlePair does on its goroutine: write the
	// identity, then dispatch PairSuccess to the handlers.
	jid := types.NewADJID(ownPhone, 0, 9)
	paired := make(chan struct{})
	go func() {
		defer close(paired)
		cli.Store.ID = &jid
		cli.Store.BusinessName = "Acme Inc"
		cli.Store.Platform = "smba"
		cli.Store.PushName = "Acme"
		//nolint:staticcheck // dispatching as whatsmeow does after pairing
		cli.DangerousInternals().DispatchEvent(&events.PairSuccess{ID: jid, BusinessName: "Acme Inc", Platform: "smba"})
	}()
	<-paired
	time.Sleep(20 * time.Millisecond)
	close(stop)
	readers.Wait()
	want := wa.Account{JID: ownPhone + "@s.whatsapp.net", Phone: "+" + ownPhone, PushName: "Acme",
		IsBusiness: true, Paired: true, Platform: "smba", Device: ownPhone + ":9@s.whatsapp.net"}
	if got := b.Account(); got != want {
		t.Fatalf("Account() after pairing = %+v, want %+v", got, want)
	}
}

// PairPhone without a connection to WhatsApp fails with the reason the
// connect attempts failed, whether its own wait or the caller's context
// runs out first.
func TestPairPhoneSaysWhyWhatsAppCannotBeReached(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		name     string
		pairWait time.Duration
		ctxWait  time.Duration
		cause    error // what the error wraps, nil for none
	}{
		{"its own wait ends", 300 * time.Millisecond, time.Hour, nil},
		{"the caller's context ends", time.Hour, 300 * time.Millisecond, context.DeadlineExceeded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b, _ := newTestBackend(t, testOpts{unpaired: true})
			offline(t, b)
			b.backoff = func(int) time.Duration { return time.Hour }
			b.pairWait = tc.pairWait
			ctx, cancel := context.WithTimeout(context.Background(), tc.ctxWait)
			defer cancel()
			_, err := b.PairPhoneCode(ctx, "+14155550100")
			if err == nil {
				t.Fatal("PairPhoneCode succeeded offline")
			}
			want := "no connection to WhatsApp (connection refused)"
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q lacks %q", err, want)
			}
			if tc.cause != nil && !errors.Is(err, tc.cause) {
				t.Errorf("error %q does not wrap %v", err, tc.cause)
			}
		})
	}
}

// PairPhone gives up as soon as two connect attempts in a row fail while
// it waits for the pairing connection, with the last one's reason in
// words for people (no package prefix), instead of waiting out pairWait
// through the backoff.
func TestPairPhoneGivesUpAfterTwoFailedAttempts(t *testing.T) {
	t.Parallel()

	b, _ := newTestBackend(t, testOpts{unpaired: true})
	offline(t, b)
	const firstWait = 200 * time.Millisecond
	var mu sync.Mutex
	var asked []int
	b.backoff = func(n int) time.Duration {
		mu.Lock()
		asked = append(asked, n)
		mu.Unlock()
		return firstWait
	}
	b.pairWait = time.Hour
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	_, err := b.PairPhoneCode(ctx, "+14155550100")
	took := time.Since(start)
	mu.Lock()
	failures := len(asked)
	mu.Unlock()
	if err == nil {
		t.Fatal("PairPhoneCode succeeded offline")
	}
	if want := "no connection to WhatsApp (connection refused)"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	if errors.Is(err, context.DeadlineExceeded) || took >= 5*time.Second {
		t.Errorf("gave up after %s only because the caller's context ended", took)
	}
	if took < firstWait || failures < 2 {
		t.Errorf("gave up after %s and %d failed attempts; want the second failure, after the %s wait", took, failures, firstWait)
	}
	closeWithin(t, b, 5*time.Second)
}
