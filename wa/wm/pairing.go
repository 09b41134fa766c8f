package wm

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.mau.fi/whatsmeow"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/wa"
)

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
	if !strings.HasPrefix(strings.TrimSpace(phone), "+") || !model.AllDigits(digits) || len(digits) < 7 || len(digits) > 15 {
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
