package app

import (
	"context"
	"fmt"
	"slices"
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
	noteQueued(ctx, it.ID)
	s.outboxQueued(ctx)
	return it, nil
}

// WaitChange waits until the outbox change id is no longer pending (done,
// failed after its last attempt, or superseded by a newer change of the
// same thing) and returns it; when ctx ends first it returns the change as
// it stands with ctx's error. ErrNotFound when no change has that id
// (dropped).
func (s *Service) WaitChange(ctx context.Context, id int64) (OutboxItem, error) {
	items, err := s.WaitChanges(ctx, []int64{id})
	if len(items) == 0 {
		return OutboxItem{}, err
	}
	return items[0], err
}

// WaitChanges is WaitChange for several changes (a Receipt's): it returns
// them, in id order, once none is pending, or as they stand with ctx's
// error when ctx ends first. ErrNotFound naming the first id no change
// has.
func (s *Service) WaitChanges(ctx context.Context, ids []int64) ([]OutboxItem, error) {
	var last []OutboxItem
	err := s.Follow(ctx, func(ctx context.Context) (bool, error) {
		items, err := s.store.OutboxItems(ctx, ids)
		if err != nil {
			return false, err
		}
		if len(items) != len(ids) {
			for _, id := range ids {
				if !slices.ContainsFunc(items, func(it OutboxItem) bool { return it.ID == id }) {
					return false, fmt.Errorf("%w: outbox change %d", ErrNotFound, id)
				}
			}
		}
		last = items
		return !slices.ContainsFunc(items, func(it OutboxItem) bool { return it.State == OutboxPending }), nil
	})
	if err != nil && ctx.Err() == nil {
		return nil, err
	}
	return last, err
}
