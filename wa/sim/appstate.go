package sim

import (
	"context"
	"errors"

	"github.com/wabook/wabook/wa"
)

// ErrNotConnected is returned by FullResync without a connection.
var ErrNotConnected = errors.New("sim: not connected")

var _ wa.FullResyncer = (*Backend)(nil)

// FullResync sends the account's contacts and labels again, as a full
// app-state resync of a real account does, then AppStateResynced. It needs
// a connection; FailNext("FullResync", err) makes it fail.
func (b *Backend) FullResync(ctx context.Context) error {
	if err := b.begin(ctx, "FullResync", nil); err != nil {
		return err
	}
	defer b.mu.Unlock()
	if b.state != wa.StateConnected {
		return ErrNotConnected
	}
	evs := b.stageEventsLocked("contacts")
	evs = append(evs, b.stageEventsLocked("labels")...)
	b.queueLocked(append(evs, wa.AppStateResynced{})...)
	return nil
}
