package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/wa"
)

// The front ends (ui, cli) import app and model only: the backend's words
// they need are re-exported here as aliases, so a Status read in ui is the
// same value the backend reported, with no conversion to drift.
type (
	// Account is the paired WhatsApp account, as the backend reports it.
	Account = wa.Account
	// ConnState is the connection's state in Status.Conn.
	ConnState = wa.ConnState
	// VersionChoice is the WhatsApp Web version announced and its source.
	VersionChoice = wa.VersionChoice
)

// The connection states of Status.Conn.
const (
	StateOffline      = wa.StateOffline
	StateConnecting   = wa.StateConnecting
	StateConnected    = wa.StateConnected
	StateReconnecting = wa.StateReconnecting
	StateLoggedOut    = wa.StateLoggedOut
	StateTempBanned   = wa.StateTempBanned
	StateReplaced     = wa.StateReplaced
	StatePairing      = wa.StatePairing
)

// ErrNoLabel is returned when a name names no label of the mirror.
var ErrNoLabel = errors.New("no such label")

// Connected reports whether the connection to WhatsApp is up.
func (st Status) Connected() bool { return st.Conn == StateConnected }

// Account is the account the backend is paired with now (it may be newer
// than Status().Account, which follows the backend's events).
func (s *Service) Account() Account { return s.backend.Account() }

// Labels returns every label with its contact count, in the mirror's order.
func (s *Service) Labels(ctx context.Context) ([]model.Label, error) {
	return s.store.Labels(ctx)
}

// Groups returns every group the mirror knows, by name.
func (s *Service) Groups(ctx context.Context) ([]model.Group, error) {
	return s.store.Groups(ctx)
}

// LabelByName finds a label by name, ignoring case; ErrNoLabel when none.
func (s *Service) LabelByName(ctx context.Context, name string) (model.Label, error) {
	l, err := s.store.LabelByName(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return l, fmt.Errorf("%w named %q", ErrNoLabel, model.NormalizeLabelName(name))
	}
	return l, err
}

// Logger is the service's log (the log file), for front ends that log on
// their own (serve's access log).
func (s *Service) Logger() *slog.Logger { return s.log }
