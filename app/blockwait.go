package app

import (
	"context"
	"fmt"
	"slices"

	"github.com/wabook/wabook/wa"
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
// failed after its last attempt, superseded by a newer change of the same
// thing, or gone) and returns it; when ctx ends first it returns the
// change as it stands with ctx's error. ErrNotFound when no change has
// that id (dropped: wabook outbox drop; or replaced by label sync's retry).
func (s *Service) WaitChange(ctx context.Context, id int64) (OutboxItem, error) {
	items, err := s.WaitChanges(ctx, []int64{id})
	if len(items) == 0 {
		if err == nil {
			err = fmt.Errorf("%w: outbox change %d", ErrNotFound, id)
		}
		return OutboxItem{}, err
	}
	return items[0], err
}

// WaitChanges is WaitChange for several changes (a Receipt's): it returns
// them, in id order, once none is pending, or as they stand with ctx's
// error when ctx ends first. A change no longer in the outbox (dropped
// after it failed, replaced by label sync's retry) is settled, as a
// superseded one is: it is left out, and the rest are waited for.
func (s *Service) WaitChanges(ctx context.Context, ids []int64) ([]OutboxItem, error) {
	items, _, err := s.waitChanges(ctx, ids, false)
	return items, err
}

// WaitChangesSending is WaitChanges for the process that sends the outbox
// (serve): it also returns, with why in plain words, as soon as the
// pending ones cannot be sent now (OutboxStuck), rather than wait for a
// deadline nothing sending could meet.
func (s *Service) WaitChangesSending(ctx context.Context, ids []int64) ([]OutboxItem, string, error) {
	return s.waitChanges(ctx, ids, true)
}

func (s *Service) waitChanges(ctx context.Context, ids []int64, sending bool) ([]OutboxItem, string, error) {
	var last []OutboxItem
	var why string
	err := s.Follow(ctx, func(ctx context.Context) (bool, error) {
		items, err := s.store.OutboxItems(ctx, ids)
		if err != nil {
			return false, err
		}
		last = items
		if sending {
			why = s.OutboxStuck(ctx, items)
		}
		return why != "" || !slices.ContainsFunc(items, func(it OutboxItem) bool { return it.State == OutboxPending }), nil
	})
	if err != nil && ctx.Err() == nil {
		return nil, "", err
	}
	return last, why, err
}

// OutboxStuck says why the pending changes among items cannot be sent by
// this process now, "" when they can (or none is pending): it has no
// connection to WhatsApp, or they include label changes and WhatsApp has
// not sent the account's own labels yet (runOutbox holds those back).
func (s *Service) OutboxStuck(ctx context.Context, items []OutboxItem) string {
	var labels, pending bool
	for _, it := range items {
		if it.State == OutboxPending {
			pending = true
			labels = labels || it.IsLabel()
		}
	}
	if !pending {
		return ""
	}
	if st := s.Status().Conn; st != wa.StateConnected {
		return fmt.Sprintf("not connected to WhatsApp (%s): they are sent once the connection is back", st)
	}
	if labels {
		if ready, why := s.labelsReady(ctx); !ready {
			return why
		}
	}
	return ""
}
