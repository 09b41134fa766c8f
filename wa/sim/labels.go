package sim

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/wa"
)

// LabelChat is a label association sent with SendLabelChat.
type LabelChat struct {
	WALabelID string
	ChatJID   string
	Assigned  bool
}

// LabelsSynced reports whether the simulated account's labels have been
// delivered at least once (the sync's labels stage), as the real backend
// reports the "regular" app state.
func (b *Backend) LabelsSynced(ctx context.Context) (bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.labelsSynced, nil
}

var _ wa.LabelSyncReporter = (*Backend)(nil)

// SendLabelEdit records a label change and applies it to the simulated
// account's labels (the next sync shows it). Personal accounts get
// wa.ErrNotBusiness.
func (b *Backend) SendLabelEdit(ctx context.Context, edit wa.LabelEdit) error {
	if err := b.begin(ctx, "SendLabelEdit", map[string]any{"id": edit.WALabelID, "name": edit.Name, "color": edit.Color, "deleted": edit.Deleted}); err != nil {
		return err
	}
	defer b.mu.Unlock()
	if !b.account.Business {
		return wa.ErrNotBusiness
	}
	if edit.WALabelID == "" {
		return errors.New("sim: label edit without a label id")
	}
	if !edit.Deleted {
		if strings.TrimSpace(edit.Name) == "" {
			return errors.New("sim: label edit without a name")
		}
		if edit.Color < 0 || edit.Color > MaxLabelColor {
			return fmt.Errorf("sim: label colour %d: want 0–%d", edit.Color, MaxLabelColor)
		}
	}
	err := b.changeLocked(func() error {
		i := slices.IndexFunc(b.labels, func(l WorldLabel) bool { return l.ID == edit.WALabelID })
		switch {
		case edit.Deleted && i >= 0:
			b.labels = slices.Delete(b.labels, i, i+1)
		case edit.Deleted:
		case i >= 0:
			b.labels[i].Name, b.labels[i].Color = edit.Name, edit.Color
		default:
			b.labels = append(b.labels, WorldLabel{ID: edit.WALabelID, Name: edit.Name, Color: edit.Color})
		}
		return nil
	})
	if err != nil {
		return err
	}
	b.edits = append(b.edits, edit)
	return nil
}

// SendLabelChat records a label association and applies it. The label must
// exist; personal accounts get wa.ErrNotBusiness.
func (b *Backend) SendLabelChat(ctx context.Context, waLabelID, chatJID string, assigned bool) error {
	if err := b.begin(ctx, "SendLabelChat", map[string]any{"id": waLabelID, "chat": chatJID, "assigned": assigned}); err != nil {
		return err
	}
	defer b.mu.Unlock()
	if !b.account.Business {
		return wa.ErrNotBusiness
	}
	chat := strings.TrimSpace(chatJID)
	if !isGroupJID(chat) && !isLID(chat) {
		p, ok := normPhoneOrJID(chat)
		if !ok {
			return fmt.Errorf("sim: label chat %q: not a chat JID", chatJID)
		}
		chat = model.JIDFromPhone(p)
	}
	err := b.changeLocked(func() error {
		i := slices.IndexFunc(b.labels, func(l WorldLabel) bool { return l.ID == waLabelID })
		if i < 0 {
			return fmt.Errorf("sim: unknown label id %q", waLabelID)
		}
		b.labels[i].Chats = setMember(b.labels[i].Chats, chat, assigned)
		return nil
	})
	if err != nil {
		return err
	}
	b.labelChats = append(b.labelChats, LabelChat{WALabelID: waLabelID, ChatJID: chat, Assigned: assigned})
	return nil
}

// SentLabelEdits are the label edits sent so far, in order.
func (b *Backend) SentLabelEdits() []wa.LabelEdit {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.edits)
}

// SentLabelChats are the label associations sent so far, in order.
func (b *Backend) SentLabelChats() []LabelChat {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.labelChats)
}

// setMember adds v to set (when in) or takes it out, once.
func setMember(set []string, v string, in bool) []string {
	i := slices.Index(set, v)
	switch {
	case in && i < 0:
		return append(set, v)
	case !in && i >= 0:
		return slices.Delete(set, i, i+1)
	}
	return set
}

// Labels are the account's labels as WhatsApp holds them now (what was
// sent applied), each with its chats: what a test compares with the
// mirror.
func (b *Backend) Labels() []WorldLabel {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]WorldLabel, len(b.labels))
	for i, l := range b.labels {
		l.Chats = slices.Clone(l.Chats)
		out[i] = l
	}
	return out
}
