package wm

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mau.fi/whatsmeow"

	"github.com/wabook/wabook/wa"
)

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
