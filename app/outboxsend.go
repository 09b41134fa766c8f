package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/wa"
)

// What each kind of outbox change sends to WhatsApp (app/outbox.go runs
// the sender).

// sendOutboxItem sends it; sent is false when there was nothing to send
// (a label deleted before it ever reached WhatsApp).
func (s *Service) sendOutboxItem(ctx context.Context, it store.OutboxItem) (sent bool, err error) {
	switch it.Kind {
	case store.OutboxBlock:
		return true, s.backend.SetBlocked(ctx, it.JID, it.Flag)
	case store.OutboxLabelEdit:
		waID, err := s.outboxWALabelID(ctx, it)
		if err != nil || waID == "" {
			return false, err // deleted since; its deletion is queued after
		}
		l, err := s.store.Label(ctx, it.LabelID)
		if errors.Is(err, store.ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		return true, s.backend.SendLabelEdit(ctx, wa.LabelEdit{WALabelID: waID, Name: l.Name, Color: l.Color})
	case store.OutboxLabelDelete:
		waID, err := s.outboxWALabelID(ctx, it)
		if err != nil || waID == "" {
			return false, err // never reached WhatsApp: nothing to delete there
		}
		return true, s.backend.SendLabelEdit(ctx, wa.LabelEdit{WALabelID: waID, Name: it.Name, Color: it.Color, Deleted: true})
	case store.OutboxLabelChat:
		l, err := s.store.Label(ctx, it.LabelID)
		if errors.Is(err, store.ErrNotFound) {
			return false, nil // deleted since: its chats went with it
		}
		if err != nil {
			return false, err
		}
		if l.WALabelID == "" || l.WAPending {
			// Its creation failed or was dropped: a chat put on a label
			// WhatsApp does not have would be lost there unseen.
			return false, fmt.Errorf("label %q is not on WhatsApp: its creation did not go through (see wabook outbox): %w", l.Name, errOutboxPermanent)
		}
		waID, err := s.outboxWALabelID(ctx, it) // recorded, for the list
		if err != nil || waID == "" {
			return false, err
		}
		chat := it.JID
		if it.Chat != "" {
			chat = it.Chat // the form WhatsApp named the chat in
		}
		return true, s.backend.SendLabelChat(ctx, waID, chat, it.Flag)
	}
	return false, fmt.Errorf("unknown outbox change %q: %w", it.Kind, errOutboxPermanent)
}

// outboxWALabelID is the WhatsApp label id change it is sent with: the one
// it carries (once recorded it never changes), else the one
// store.OutboxWALabelID chooses and records — a write transaction, which
// under load waits its turn for SQLite's one writer, so not taken per
// change when not needed.
func (s *Service) outboxWALabelID(ctx context.Context, it store.OutboxItem) (string, error) {
	if it.WALabelID != "" {
		return it.WALabelID, nil
	}
	return s.store.OutboxWALabelID(ctx, it.ID)
}
