package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/wa"
)

// ErrLabelExists is returned when a label name is already taken, ignoring
// case. It is the store's error, so errors.Is matches either.
var ErrLabelExists = store.ErrLabelExists

// settingLabelSync is the settings key of the label sync switch.
const settingLabelSync = "label_sync"

// Undo restores what a change replaced. Nil when there is nothing to undo.
// An Undo can be applied once.
type Undo struct {
	Description string
	// Contacts is how many contacts the change touched: for labels
	// applied to a selection, those that did not already have them (or,
	// removing, that had them).
	Contacts int
	apply    func(ctx context.Context) error
}

// UndoChange applies u. Applying it a second time is an error.
func (s *Service) UndoChange(ctx context.Context, u *Undo) error {
	ctx = attributed(ctx)
	if err := s.writable(ctx); err != nil {
		return err
	}
	if u == nil {
		return errors.New("nothing to undo")
	}
	if u.apply == nil {
		return fmt.Errorf("%s: already undone", u.Description)
	}
	if err := u.apply(ctx); err != nil {
		return err
	}
	u.apply = nil
	return nil
}

// restoreLabel brings back a deleted (or merged) label with its contacts,
// applies changes in the same transaction (queued for WhatsApp with it).
func (s *Service) restoreLabel(ctx context.Context, lw store.LabelWithMembers, changes []store.LabelChange) error {
	if _, _, err := s.store.ApplyLabelBatch(ctx, store.LabelBatch{Restore: []store.LabelWithMembers{lw}, Changes: changes}); err != nil {
		return s.labelError(ctx, lw.Label.Name, err)
	}
	s.labelsChanged(ctx)
	return nil
}

// cleanLabelName normalises a label name and checks it.
func cleanLabelName(name string) (string, error) {
	n := model.NormalizeLabelName(name)
	if err := model.ValidateLabelName(n); err != nil {
		return "", fmt.Errorf("label %q: %w", strings.TrimSpace(name), err)
	}
	return n, nil
}

// labelList turns label input — names, each possibly a comma-separated
// list — into normalised, checked names without duplicates (ignoring case).
func labelList(in ...string) ([]string, error) {
	names := model.SplitLabelList(strings.Join(in, ","))
	for i, n := range names {
		var err error
		if names[i], err = cleanLabelName(n); err != nil {
			return nil, fieldError("labels", err)
		}
	}
	return names, nil
}

// labelError turns store errors about labels into plain words.
func (s *Service) labelError(ctx context.Context, name string, err error) error {
	if errors.Is(err, store.ErrLabelExists) {
		if l, lerr := s.store.LabelByName(ctx, name); lerr == nil {
			return fmt.Errorf("%w: %q", ErrLabelExists, l.Name)
		}
		return fmt.Errorf("%w: %q", ErrLabelExists, name)
	}
	if errors.Is(err, store.ErrInvalidColor) {
		return store.ErrInvalidColor
	}
	return err
}

func (s *Service) labelByID(ctx context.Context, id int64) (model.Label, error) {
	l, err := s.store.Label(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return l, fmt.Errorf("no label with id %d: %w", id, store.ErrNotFound)
	}
	return l, err
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// ApplyLabels adds and removes labels on many contacts in one transaction.
// Names are normalised and may be comma-separated lists; missing labels to
// add are created, existing ones reused ignoring case; a name in both lists
// is added. It returns an Undo that restores each contact's previous labels
// and deletes the labels this call created (nil when nothing changed).
// With label sync on, every assignment that changed is queued for WhatsApp
// in the same transaction (outbox.go).
func (s *Service) ApplyLabels(ctx context.Context, jids []string, add, remove []string) (*Undo, error) {
	ctx = attributed(ctx)
	if err := s.writable(ctx); err != nil {
		return nil, err
	}
	addN, err := labelList(add...)
	if err != nil {
		return nil, err
	}
	removeN, err := labelList(remove...)
	if err != nil {
		return nil, err
	}
	removeN = slices.DeleteFunc(removeN, func(r string) bool {
		return slices.ContainsFunc(addN, func(a string) bool { return model.SameLabelName(a, r) })
	})
	if len(jids) == 0 || len(addN)+len(removeN) == 0 {
		return nil, nil
	}
	lc, err := s.store.ChangeLabels(ctx, jids, addN, removeN)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("applying labels: %w (%v)", ErrNotFound, err)
		}
		return nil, fmt.Errorf("applying labels: %w", err)
	}
	noteQueued(ctx, lc.Queued...)
	if lc.Empty() {
		return nil, nil
	}
	s.labelsChanged(ctx)
	var desc []string
	if len(addN) > 0 {
		desc = append(desc, "add "+strings.Join(addN, ", "))
	}
	if len(removeN) > 0 {
		desc = append(desc, "remove "+strings.Join(removeN, ", "))
	}
	touched := map[string]bool{}
	for _, c := range lc.Changes {
		touched[c.JID] = true
	}
	u := s.labelChangesUndo(strings.Join(desc, ", ")+" on "+plural(len(touched), "contact", "contacts"), lc)
	u.Contacts = len(touched)
	return u, nil
}

// labelChangesUndo reverts lc: assignments flipped back in reverse order,
// created labels deleted.
func (s *Service) labelChangesUndo(desc string, lc store.LabelChanges) *Undo {
	inv := make([]store.LabelChange, len(lc.Changes))
	for i, c := range lc.Changes {
		inv[len(inv)-1-i] = store.LabelChange{JID: c.JID, LabelID: c.LabelID, Assigned: !c.Assigned, WAChat: c.WAChat}
	}
	var del []int64
	for _, l := range lc.Created {
		del = append(del, l.ID)
	}
	return &Undo{Description: desc, apply: func(ctx context.Context) error {
		if _, _, err := s.store.ApplyLabelBatch(ctx, store.LabelBatch{Changes: inv, Delete: del}); err != nil {
			return err
		}
		s.labelsChanged(ctx)
		return nil
	}}
}

// CreateLabel creates a label. The name is normalised and must be unique
// ignoring case (ErrLabelExists); color is a palette index 0–19, or
// negative for the next palette colour. The Undo deletes it. With label
// sync on its creation is queued for WhatsApp.
func (s *Service) CreateLabel(ctx context.Context, name string, color int) (model.Label, *Undo, error) {
	ctx = attributed(ctx)
	if err := s.writable(ctx); err != nil {
		return model.Label{}, nil, err
	}
	n, err := cleanLabelName(name)
	if err != nil {
		return model.Label{}, nil, err
	}
	if color < 0 {
		labels, err := s.store.Labels(ctx)
		if err != nil {
			return model.Label{}, nil, err
		}
		color = len(labels) % model.LabelColors
	}
	l, err := s.store.CreateLabel(ctx, n, color)
	if err != nil {
		return model.Label{}, nil, s.labelError(ctx, n, err)
	}
	s.labelsChanged(ctx)
	undo := &Undo{Description: "create " + l.Name, apply: func(ctx context.Context) error {
		if _, err := s.store.DeleteLabelWithMembers(ctx, l.ID); err != nil {
			return err
		}
		s.labelsChanged(ctx)
		return nil
	}}
	return l, undo, nil
}

// RenameLabel renames a label. When another label already has the name
// (ignoring case) it fails with ErrLabelExists, unless merge is set: then
// the contacts of id get the other label and id is deleted, in one
// transaction. The Undo restores the old name, or the merged label with its
// contacts.
func (s *Service) RenameLabel(ctx context.Context, id int64, name string, merge bool) (*Undo, error) {
	ctx = attributed(ctx)
	if err := s.writable(ctx); err != nil {
		return nil, err
	}
	n, err := cleanLabelName(name)
	if err != nil {
		return nil, err
	}
	old, err := s.labelByID(ctx, id)
	if err != nil {
		return nil, err
	}
	other, err := s.store.LabelByName(ctx, n)
	switch {
	case err == nil && other.ID != id:
		if !merge {
			return nil, fmt.Errorf("%w: %q", ErrLabelExists, other.Name)
		}
		return s.mergeLabel(ctx, old, other)
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return nil, err
	}
	if old.Name == n {
		return nil, nil
	}
	if err := s.store.RenameLabel(ctx, id, n); err != nil {
		return nil, s.labelError(ctx, n, err)
	}
	s.labelsChanged(ctx)
	undo := &Undo{Description: fmt.Sprintf("rename %s to %s", old.Name, n), apply: func(ctx context.Context) error {
		if err := s.store.RenameLabel(ctx, id, old.Name); err != nil {
			return s.labelError(ctx, old.Name, err)
		}
		s.labelsChanged(ctx)
		return nil
	}}
	return undo, nil
}

func (s *Service) mergeLabel(ctx context.Context, from, into model.Label) (*Undo, error) {
	lw, added, err := s.store.MergeLabel(ctx, from.ID, into.ID)
	if err != nil {
		return nil, err
	}
	s.labelsChanged(ctx)
	inv := make([]store.LabelChange, len(added))
	for i, c := range added {
		inv[i] = store.LabelChange{JID: c.JID, LabelID: c.LabelID, Assigned: false, WAChat: c.WAChat}
	}
	undo := &Undo{Description: fmt.Sprintf("merge %s into %s", from.Name, into.Name), apply: func(ctx context.Context) error {
		return s.restoreLabel(ctx, lw, inv)
	}}
	return undo, nil
}

// SetLabelColor sets a label's palette colour (0–19). The Undo restores
// the old one.
func (s *Service) SetLabelColor(ctx context.Context, id int64, color int) (*Undo, error) {
	ctx = attributed(ctx)
	if err := s.writable(ctx); err != nil {
		return nil, err
	}
	if color < 0 || color >= model.LabelColors {
		return nil, s.labelError(ctx, "", store.ErrInvalidColor)
	}
	old, err := s.labelByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if old.Color == color {
		return nil, nil
	}
	if err := s.store.SetLabelColor(ctx, id, color); err != nil {
		return nil, s.labelError(ctx, old.Name, err)
	}
	s.labelsChanged(ctx)
	undo := &Undo{Description: "colour of " + old.Name, apply: func(ctx context.Context) error {
		if err := s.store.SetLabelColor(ctx, id, old.Color); err != nil {
			return err
		}
		s.labelsChanged(ctx)
		return nil
	}}
	return undo, nil
}

// DeleteLabel deletes a label; its contacts lose it. The Undo recreates it
// (same id, name, colour and WhatsApp id) with its contacts.
func (s *Service) DeleteLabel(ctx context.Context, id int64) (*Undo, error) {
	ctx = attributed(ctx)
	if err := s.writable(ctx); err != nil {
		return nil, err
	}
	lw, err := s.store.DeleteLabelWithMembers(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("no label with id %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	s.labelsChanged(ctx)
	undo := &Undo{Description: "delete " + lw.Label.Name, apply: func(ctx context.Context) error {
		return s.restoreLabel(ctx, lw, nil)
	}}
	return undo, nil
}

// LabelSyncEnabled reports whether local label changes are sent to
// WhatsApp (the "label_sync" setting; off by default). They are only sent
// on a WhatsApp Business account.
func (s *Service) LabelSyncEnabled() bool {
	v, err := s.store.Setting(context.Background(), store.SettingLabelSync)
	return err == nil && v == "on"
}

// SetLabelSync turns label sync on or off. Turning it on needs a WhatsApp
// Business account (an error wrapping wa.ErrNotBusiness otherwise) and
// queues every local label and its chats for WhatsApp, so what was
// labelled before reaches WhatsApp too; it returns how many changes that
// queued.
func (s *Service) SetLabelSync(ctx context.Context, on bool) (int, error) {
	if err := s.writable(ctx); err != nil {
		return 0, err
	}
	if on && !s.backend.Account().IsBusiness {
		return 0, fmt.Errorf("label sync: %w", wa.ErrNotBusiness)
	}
	n, err := s.store.SetLabelSync(ctx, on)
	if err != nil {
		return 0, err
	}
	s.labelsChanged(ctx)
	return n, nil
}

// ResyncLabels queues every label marked unsynced for WhatsApp again — its
// name, colour and chats — and puts its failed changes back in the queue.
// It returns how many labels it queued.
func (s *Service) ResyncLabels(ctx context.Context) (int, error) {
	if err := s.writable(ctx); err != nil {
		return 0, err
	}
	if !s.syncing() {
		return 0, errors.New("label sync is off (or this is not a WhatsApp Business account)")
	}
	n, err := s.store.RequeueUnsyncedLabels(ctx)
	if err != nil {
		return 0, err
	}
	s.labelsChanged(ctx)
	return n, nil
}

// OwnsConnection reports whether this process holds the lock on the
// WhatsApp connection for its database (see AcquireLock).
func (s *Service) OwnsConnection() bool {
	pid, alive := lockHolder(LockPath(s.store.Path()))
	return alive && pid == os.Getpid()
}

// syncing reports whether label changes go to WhatsApp.
func (s *Service) syncing() bool {
	return s.backend.Account().IsBusiness && s.LabelSyncEnabled()
}

// labelsChanged tells front ends and the outbox sender that labels (and
// possibly the outbox) changed.
func (s *Service) labelsChanged(ctx context.Context) {
	s.notify(DataChanged)
	s.outboxQueued(ctx)
}

// ReplaceLabels gives each contact exactly the labels of list (a
// comma-separated list: missing labels created, existing ones reused
// ignoring case; "" takes every label off), in one transaction. ids are
// anything FindContact accepts; every one is resolved first, so an
// unknown ID (ErrNotFound, naming it) or a bad label name (a FieldError)
// changes nothing. With label sync on, what changed is queued for WhatsApp
// in the same transaction.
func (s *Service) ReplaceLabels(ctx context.Context, ids []string, list string) error {
	ctx = attributed(ctx)
	if err := s.writable(ctx); err != nil {
		return err
	}
	names, err := labelList(list)
	if err != nil {
		return err
	}
	if err := model.CheckLabelCount(len(names)); err != nil {
		return fieldError("labels", err)
	}
	jids := make([]string, 0, len(ids))
	for _, id := range ids {
		c, err := s.FindContact(ctx, id)
		if err != nil {
			return err
		}
		jids = append(jids, c.JID)
	}
	if len(jids) == 0 {
		return nil
	}
	lc, err := s.store.ReplaceLabels(ctx, jids, names)
	if errors.Is(err, store.ErrNotFound) {
		// Removed by another process since FindContact.
		return fmt.Errorf("replacing labels: %w (%v)", ErrNotFound, err)
	}
	if err != nil {
		return fmt.Errorf("replacing labels: %w", err)
	}
	noteQueued(ctx, lc.Queued...)
	if !lc.Empty() {
		s.labelsChanged(ctx)
	}
	return nil
}
