package app

import (
	"context"
	"fmt"
)

// QueueBlock is SetBlocked returning the change it queued, so that a
// caller holding the connection can wait for WhatsApp's answer to it
// (WaitChange): serve's WAHA block routes (serve/waha.go) do.
func (s *Service) QueueBlock(ctx context.Context, jid string, blocked bool) (OutboxItem, error) {
	ctx = attributed(ctx)
	if err := s.writable(ctx); err != nil {
		return OutboxItem{}, err
	}
	target, name, err := s.blockTarget(ctx, jid)
	if err != nil {
		return OutboxItem{}, err
	}
	verb := "blocking"
	if !blocked {
		verb = "unblocking"
	}
	it, err := s.store.QueueBlock(ctx, target, blocked)
	if err != nil {
		return OutboxItem{}, fmt.Errorf("%s %s: %w", verb, name, err)
	}
	s.notify(DataChanged)
	s.outboxQueued(ctx)
	return it, nil
}

// WaitChange waits until the outbox change id is no longer pending (done,
// failed after its last attempt, or superseded by a newer change of the
// same thing) and returns it; when ctx ends first it returns the change as
// it stands with ctx's error. ErrNotFound when no change has that id
// (dropped).
func (s *Service) WaitChange(ctx context.Context, id int64) (OutboxItem, error) {
	var last OutboxItem
	err := s.Follow(ctx, func(ctx context.Context) (bool, error) {
		items, err := s.store.OutboxItems(ctx, []int64{id})
		if err != nil {
			return false, err
		}
		if len(items) == 0 {
			return false, fmt.Errorf("%w: outbox change %d", ErrNotFound, id)
		}
		last = items[0]
		return last.State != OutboxPending, nil
	})
	if err != nil && ctx.Err() == nil {
		return OutboxItem{}, err
	}
	return last, err
}
