package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/wa"
)

// ErrNoFullResync is returned by FullResync when the backend cannot fetch
// the app state again.
var ErrNoFullResync = errors.New("this WhatsApp backend cannot resync contacts and labels")

// SettingsKV keeps a backend's marks (wa.KV) in the mirror's settings
// table, so they survive a restart and `wabook doctor` can read them.
func SettingsKV(st *store.Store) wa.KV { return settingsKV{st} }

type settingsKV struct{ st *store.Store }

func (k settingsKV) Get(ctx context.Context, key string) (string, error) {
	return k.st.Setting(ctx, key)
}

func (k settingsKV) Set(ctx context.Context, key, value string) error {
	return k.st.SetSetting(ctx, key, value)
}

// FullResync fetches the account's contacts and labels again from scratch
// (WhatsApp's critical_unblock_low and regular app state), connecting
// first when needed, and returns once what it brought is in the mirror.
// It repairs an app state whose saved copy no longer matches WhatsApp's.
func (s *Service) FullResync(ctx context.Context) error {
	if err := s.writable(ctx); err != nil {
		return err
	}
	r, ok := s.backend.(wa.FullResyncer)
	if !ok {
		return ErrNoFullResync
	}
	if err := s.SyncOnce(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	before := s.resyncs
	s.mu.Unlock()
	s.updateStatus(func(st *Status) { st.Resyncing = true })
	err := r.FullResync(ctx)
	if err != nil {
		s.updateStatus(func(st *Status) { st.Resyncing = false })
		return fmt.Errorf("full resync of contacts and labels: %w", err)
	}
	// The backend sent what the resync brought, then AppStateResynced:
	// once that is applied, so is the rest.
	return s.waitApplied(ctx, func() bool { return s.resyncs > before })
}

// waitApplied waits until cond (read under s.mu) holds.
func (s *Service) waitApplied(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		ok, changed := cond(), s.applied
		s.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("waiting for the resync to reach the address book: %w", ctx.Err())
		}
	}
}

// applyAppState keeps the app-state health in the status.
func (s *Service) applyAppState(ev wa.Event) {
	s.mu.Lock()
	switch e := ev.(type) {
	case wa.AppStateProblem:
		s.status.AppStateProblem, s.status.NeedsFullResync = e.Problem, e.NeedsFullResync
	case wa.AppStateResynced:
		s.status.AppStateProblem, s.status.NeedsFullResync, s.status.Resyncing = "", false, false
		s.resyncs++
		close(s.applied)
		s.applied = make(chan struct{})
	}
	s.mu.Unlock()
	s.notify(StatusChanged)
}
