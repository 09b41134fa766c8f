// The account: pairing by phone number, logging out, taking the connection
// over from another wabook.
package app

import (
	"context"
	"fmt"
	"time"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/wa"
)

// PairPhone asks WhatsApp for a code to type on the phone whose number is
// given in any format.
func (s *Service) PairPhone(ctx context.Context, phone string) (string, error) {
	if err := s.writable(ctx); err != nil {
		return "", err
	}
	p, err := model.ParsePhone(phone, s.Region())
	if err != nil {
		return "", fmt.Errorf("%q: %w", phone, err)
	}
	var pc wa.PhoneCode
	if pp, ok := s.backend.(wa.PhoneCodePairer); ok {
		pc, err = pp.PairPhoneCode(ctx, p.E164)
	} else {
		pc.Code, err = s.backend.PairPhone(ctx, p.E164)
	}
	if err != nil {
		return "", fmt.Errorf("could not get a pairing code: %w", err)
	}
	if pc.Expires.IsZero() {
		// Asked on a pairing connection just opened, at best.
		pc.Expires = time.Now().Add(wa.PairingWindow)
	}
	s.updateStatus(func(st *Status) { st.PhoneCode, st.PhoneCodeExpires, st.PairError = pc.Code, pc.Expires, "" })
	return pc.Code, nil
}

// Logout ends the WhatsApp session. The mirror stays.
func (s *Service) Logout(ctx context.Context) error {
	if err := s.writable(ctx); err != nil {
		return err
	}
	if err := s.backend.Logout(ctx); err != nil {
		return fmt.Errorf("logging out: %w", err)
	}
	s.updateStatus(func(st *Status) {
		st.Conn, st.Synced, st.PairCode = wa.StateLoggedOut, false, ""
		st.Account = s.backend.Account()
	})
	return nil
}

// TakeOver is called by a process that has just taken the WhatsApp
// connection over from another wabook, before it connects: the session is
// read from the database again (that one may have paired or logged out
// meanwhile) and the status shows the account it left.
func (s *Service) TakeOver(ctx context.Context) error {
	if r, ok := s.backend.(wa.Reloader); ok {
		if err := r.Reload(ctx); err != nil {
			return err
		}
	}
	s.updateStatus(func(st *Status) { st.Account = s.backend.Account() })
	return nil
}

// AccountInfo is what the Account screen shows besides the live Status:
// where wabook keeps its files, what the mirror holds, when it last synced
// and the app state's health, as `wabook doctor` reports them.
type AccountInfo struct {
	DBPath  string
	LogPath string // "" when wabook logs nowhere
	// LastSync is when a sync with WhatsApp last completed (zero: never).
	LastSync time.Time
	Counts   MirrorCounts
	AppState DoctorAppState
}

// MirrorCounts is how much the mirror holds: contacts shown and hidden,
// blocked, groups, labels.
type MirrorCounts = store.MirrorCounts

// AccountInfo reads the Account screen's facts. It only reads: the
// database and the backend's device store.
func (s *Service) AccountInfo(ctx context.Context) (AccountInfo, error) {
	info := AccountInfo{DBPath: s.store.Path(), LogPath: s.logPath}
	c, err := s.store.Counts(ctx)
	if err != nil {
		return info, err
	}
	info.Counts = c
	last, err := s.store.Setting(ctx, keyLastSync)
	if err != nil {
		return info, err
	}
	if last != "" {
		// A time that does not parse shows as never: doctor prints it as
		// it is.
		info.LastSync, _ = time.Parse(time.RFC3339, last)
	}
	info.AppState = s.appStateHealth(ctx)
	return info, nil
}
