package sim

import (
	"context"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/wabook/wabook/wa"
)

// Connect starts a session in the background: ConnectionChanged
// (connecting), pairing when unpaired (ConnectionChanged pairing, PairCode
// every pair-code interval, PairSucceeded after pair_after_ms), then
// ConnectionChanged (connected) and the full sync ending in SyncCompleted.
// The session outlives ctx; Disconnect, Logout or Close end it. Connect on a
// running session does nothing.
func (b *Backend) Connect(ctx context.Context) error {
	if err := b.enter(ctx, "Connect", nil, false); err != nil {
		return err
	}
	defer b.mu.Unlock()
	b.startLocked(false)
	return nil
}

// startLocked starts a session unless one runs; b.mu must be held.
func (b *Backend) startLocked(phoneMode bool) {
	if b.cancel != nil {
		return
	}
	b.gen++
	sctx, cancel := context.WithCancel(context.Background())
	b.cancel = cancel
	b.phoneReq = make(chan struct{}, 1)
	if phoneMode {
		b.phoneReq <- struct{}{}
	}
	b.state = wa.StateConnecting
	b.queueLocked(wa.ConnectionChanged{State: wa.StateConnecting})
	gen, phoneReq := b.gen, b.phoneReq
	b.sessions.Go(func() { b.run(sctx, gen, phoneReq) })
}

// endLocked ends the running session; b.mu must be held.
func (b *Backend) endLocked() {
	b.gen++
	if b.cancel != nil {
		b.cancel()
		b.cancel = nil
	}
	b.phoneReq = nil
}

func (b *Backend) run(ctx context.Context, gen int, phoneReq chan struct{}) {
	b.mu.Lock()
	paired := b.paired
	b.mu.Unlock()
	if !paired && !b.pair(ctx, gen, phoneReq) {
		return
	}
	if !b.step(gen, func() []wa.Event {
		b.state = wa.StateConnected
		return []wa.Event{wa.ConnectionChanged{State: wa.StateConnected}}
	}) {
		return
	}
	b.sync(ctx, gen)
}

// pair shows QR codes until the account pairs itself. A phone pairing
// request (PairPhone) stops the codes and restarts the wait.
func (b *Backend) pair(ctx context.Context, gen int, phoneReq chan struct{}) bool {
	phoneMode := false
	select {
	case <-phoneReq:
		phoneMode = true
	default:
	}
	ok := b.step(gen, func() []wa.Event {
		b.state = wa.StatePairing
		evs := []wa.Event{wa.ConnectionChanged{State: wa.StatePairing}}
		if !phoneMode {
			evs = append(evs, wa.PairCode{Code: qrCode(), Timeout: b.codeEvery})
		}
		return evs
	})
	if !ok {
		return false
	}
	deadline := time.NewTimer(b.pairAfter)
	defer deadline.Stop()
	rotate := time.NewTicker(b.codeEvery)
	defer rotate.Stop()
	for {
		select {
		case <-ctx.Done():
			return false
		case <-phoneReq:
			phoneMode = true
			deadline.Reset(b.pairAfter)
		case <-rotate.C:
			if !phoneMode && !b.step(gen, func() []wa.Event {
				return []wa.Event{wa.PairCode{Code: qrCode(), Timeout: b.codeEvery}}
			}) {
				return false
			}
		case <-deadline.C:
			return b.step(gen, func() []wa.Event {
				b.paired = true
				return []wa.Event{wa.PairSucceeded{Account: b.accountLocked()}}
			})
		}
	}
}

// qrCode makes a QR text shaped like WhatsApp's: ref,noiseKey,identityKey,
// advSecret (about 230 characters).
func qrCode() string {
	part := func(n int) string {
		buf := make([]byte, n)
		for i := range buf {
			buf[i] = byte(rand.UintN(256))
		}
		return base64.StdEncoding.EncodeToString(buf)
	}
	return "2@" + part(68) + "," + part(32) + "," + part(32) + "," + part(32)
}

// pairingAlphabet is the alphabet of WhatsApp's pairing codes.
const pairingAlphabet = "123456789ABCDEFGHJKLMNPQRSTVWXYZ"

// Disconnect ends the session, keeping the pairing, and reports offline.
func (b *Backend) Disconnect() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	running := b.cancel != nil
	b.endLocked()
	if running || b.state != wa.StateOffline {
		b.state = wa.StateOffline
		b.queueLocked(wa.ConnectionChanged{State: wa.StateOffline})
	}
}

// PairPhone returns a pairing code ("ABCD-EFGH") for phone and pairs the
// account pair_after_ms later, starting a session when none runs. The code
// stops the QR codes of a running session.
func (b *Backend) PairPhone(ctx context.Context, phone string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if _, ok := ParsePhone(phone); !ok {
		return "", fmt.Errorf("sim: pair phone %q: %s", phone, notPhone)
	}
	if err := b.enter(ctx, "PairPhone", map[string]any{"phone": phone}, false); err != nil {
		return "", err
	}
	defer b.mu.Unlock()
	if b.paired {
		return "", ErrAlreadyPaired
	}
	if b.cancel == nil {
		b.startLocked(true)
	} else {
		select {
		case b.phoneReq <- struct{}{}:
		default:
		}
	}
	var code [9]byte
	for i := range code {
		code[i] = pairingAlphabet[rand.IntN(len(pairingAlphabet))]
	}
	code[4] = '-'
	return string(code[:]), nil
}

// Logout ends the session and unpairs the account: LoggedOut, then
// ConnectionChanged (logged out). The next Connect pairs again.
func (b *Backend) Logout(ctx context.Context) error {
	if err := b.enter(ctx, "Logout", nil, false); err != nil {
		return err
	}
	defer b.mu.Unlock()
	if !b.paired {
		return wa.ErrNotPaired
	}
	b.endLocked()
	b.paired = false
	b.state = wa.StateLoggedOut
	b.queueLocked(wa.LoggedOut{Reason: "logged out"}, wa.ConnectionChanged{State: wa.StateLoggedOut})
	return nil
}
