package cli

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/wa"
	"github.com/wabook/wabook/wa/sim"
)

// lockedBuffer is a bytes.Buffer the test reads while Pair writes it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// heldPairing is the simulated account with a pairing-code request that
// waits until release is closed, as one does while no pairing connection
// can be made.
type heldPairing struct {
	*sim.Backend
	release chan struct{}
}

func (h heldPairing) PairPhone(ctx context.Context, phone string) (string, error) {
	select {
	case <-h.release:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	return h.Backend.PairPhone(ctx, phone)
}

// unpairedEnv is an unpaired simulated account that does not pair by
// itself and shows one QR code only, so the test decides what happens.
func unpairedEnv(t *testing.T, wrap func(*sim.Backend) wa.Backend) (Env, *sim.Backend, *lockedBuffer, *lockedBuffer) {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	unpaired := false
	w := &sim.World{Account: &sim.WorldAccount{Phone: "+14155550100", Paired: &unpaired}}
	be := sim.New(w, sim.WithPairAfter(time.Hour), sim.WithPairCodeInterval(time.Hour))
	var backend wa.Backend = be
	if wrap != nil {
		backend = wrap(be)
	}
	svc := app.New(st, backend, app.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	go svc.Run(ctx)
	t.Cleanup(func() { cancel(); be.Close(); st.Close() })
	out, errOut := &lockedBuffer{}, &lockedBuffer{}
	return Env{Svc: svc, Out: out, Err: errOut}, be, out, errOut
}

// The problems a pairing meets are printed as they happen, one line each,
// whether it waits for a QR code to be scanned or for a pairing code.
func TestPairPrintsConnectionProblems(t *testing.T) {
	t.Parallel()

	problem := func(n int) wa.ConnectionChanged {
		return wa.ConnectionChanged{State: wa.StateReconnecting, Attempt: n,
			Detail: "no connection to WhatsApp (cannot look up web.whatsapp.com); retrying in 4s"}
	}
	for _, tc := range []struct {
		name string
		args []string
		held bool // the code request waits while the problems happen
	}{
		{"QR code", nil, false},
		{"pairing code", []string{"--code", "+1 415 555 0100"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			release := make(chan struct{})
			var wrap func(*sim.Backend) wa.Backend
			if tc.held {
				wrap = func(b *sim.Backend) wa.Backend { return heldPairing{b, release} }
			}
			env, be, out, errOut := unpairedEnv(t, wrap)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- Pair(ctx, env, tc.args) }()
			waitFor(t, func() bool { return env.Svc.Status().Conn == wa.StatePairing })

			for n := 1; n <= 2; n++ {
				be.Inject(problem(n))
				waitFor(t, func() bool { return strings.Count(errOut.String(), "\n") == n })
			}
			want := strings.Repeat(problem(1).Detail+"\n", 2)
			if got := errOut.String(); got != want {
				t.Errorf("stderr:\n%s\nwant:\n%s", got, want)
			}
			if tc.held {
				if strings.Contains(out.String(), "type this code") {
					t.Fatal("a code was printed before WhatsApp gave one")
				}
				close(release)
				waitFor(t, func() bool { return strings.Contains(out.String(), "type this code") })
			}
			cancel()
			if err := <-done; !errors.Is(err, context.Canceled) {
				t.Fatalf("Pair = %v, want it cancelled", err)
			}
		})
	}
}

// unreachablePairing is the simulated account asked for a pairing code
// while WhatsApp cannot be reached: it fails as the whatsmeow adapter does
// (wa/wm TestPairPhoneGivesUpAfterTwoFailedAttempts checks those words).
type unreachablePairing struct{ *sim.Backend }

func (unreachablePairing) PairPhone(context.Context, string) (string, error) {
	return "", errors.New("no connection to WhatsApp (cannot look up web.whatsapp.com)")
}

// A pairing code that cannot be had is one plain line: what failed and
// why, no package prefix.
func TestPairCodeUnreachableSaysSoPlainly(t *testing.T) {
	t.Parallel()

	env, _, out, _ := unpairedEnv(t, func(b *sim.Backend) wa.Backend { return unreachablePairing{b} })
	err := Pair(context.Background(), env, []string{"--code", "+1 415 555 0100", "--timeout", "10s"})
	want := "could not get a pairing code: no connection to WhatsApp (cannot look up web.whatsapp.com)"
	if err == nil || err.Error() != want {
		t.Fatalf("Pair = %v, want %q", err, want)
	}
	if strings.Contains(out.String(), "type this code") {
		t.Errorf("a code was printed:\n%s", out)
	}
}
