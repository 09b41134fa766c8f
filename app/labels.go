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

// ErrNotSynced wraps the error of a label change that was saved in the
// address book but could not be sent to WhatsApp. The change is kept and
// the label is marked unsynced (model.Label.Unsynced).
var ErrNotSynced = errors.New("saved here but not on WhatsApp")

// settingLabelSync is the settings key of the label sync switch.
const settingLabelSync = "label_sync"

// Undo restores what a change replaced. Nil when there is nothing to undo.
// An Undo can be applied once.
type Undo struct {
	Description string
	apply       func(ctx context.Context) error
}

// UndoChange applies u. Applying it a second time is an error.
func (s *Service) UndoChange(ctx context.Context, u *Undo) error {
	if err := s.writable(ctx); err != nil {
		return err
	}
	if u == nil {
		return errors.New("nothing to undo")
	}
	if u.apply == nil {
		return fmt.Errorf("%s: already undone", u.Description)
	}
	err := u.apply(ctx)
	if err == nil || errors.Is(err, ErrNotSynced) {
		u.apply = nil // done here, if not on WhatsApp
	}
	return err
}

// restoreLabel brings back a deleted (or merged) label with its contacts,
// applies changes in the same transaction, and tells WhatsApp.
func (s *Service) restoreLabel(ctx context.Context, lw store.LabelWithMembers, changes []store.LabelChange) error {
	done, _, err := s.store.ApplyLabelBatch(ctx, store.LabelBatch{Restore: []store.LabelWithMembers{lw}, Changes: changes})
	if err != nil {
		return s.labelError(ctx, lw.Label.Name, err)
	}
	s.notify(DataChanged)
	var errs []error
	if lw.Label.WALabelID != "" {
		if err := s.pushEdited(ctx, lw.Label.ID); err != nil {
			errs = append(errs, err)
		}
	}
	if err := s.pushChats(ctx, done); err != nil {
		errs = append(errs, err)
	}
	return firstOf(errs)
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
			return nil, err
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
// With label sync on, every assignment that changed is sent to WhatsApp; a
// failure keeps the local change and returns an ErrNotSynced error along
// with the Undo.
func (s *Service) ApplyLabels(ctx context.Context, jids []string, add, remove []string) (*Undo, error) {
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
	if err := s.checkNewWALabels(ctx, addN); err != nil {
		return nil, err
	}
	lc, err := s.store.ChangeLabels(ctx, jids, addN, removeN)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("applying labels: %w (%v)", ErrNotFound, err)
		}
		return nil, fmt.Errorf("applying labels: %w", err)
	}
	if lc.Empty() {
		return nil, nil
	}
	s.notify(DataChanged)
	var desc []string
	if len(addN) > 0 {
		desc = append(desc, "add "+strings.Join(addN, ", "))
	}
	if len(removeN) > 0 {
		desc = append(desc, "remove "+strings.Join(removeN, ", "))
	}
	undo := s.labelChangesUndo(strings.Join(desc, ", ")+" on "+plural(len(jids), "contact", "contacts"), lc)
	return undo, s.pushChats(ctx, lc.Changes)
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
		done, deleted, err := s.store.ApplyLabelBatch(ctx, store.LabelBatch{Changes: inv, Delete: del})
		if err != nil {
			return err
		}
		s.notify(DataChanged)
		gone := map[int64]bool{}
		var errs []error
		for _, l := range deleted {
			gone[l.ID] = true
			if err := s.pushDelete(ctx, l); err != nil {
				errs = append(errs, err)
			}
		}
		done = slices.DeleteFunc(done, func(c store.LabelChange) bool { return gone[c.LabelID] })
		if err := s.pushChats(ctx, done); err != nil {
			errs = append(errs, err)
		}
		return firstOf(errs)
	}}
}

// firstOf returns the first error, saying how many more there were, so the
// message stays on one line.
func firstOf(errs []error) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	return fmt.Errorf("%w (and %d more)", errs[0], len(errs)-1)
}

// CreateLabel creates a label. The name is normalised and must be unique
// ignoring case (ErrLabelExists); color is a palette index 0–19, or
// negative for the next palette colour. The Undo deletes it. With label
// sync on it is created on WhatsApp too (an ErrNotSynced error, with the
// label and the Undo, when that fails).
func (s *Service) CreateLabel(ctx context.Context, name string, color int) (model.Label, *Undo, error) {
	if err := s.writable(ctx); err != nil {
		return model.Label{}, nil, err
	}
	n, err := cleanLabelName(name)
	if err != nil {
		return model.Label{}, nil, err
	}
	if s.syncing() {
		if err := s.newWALabelAllowed(ctx); err != nil {
			return model.Label{}, nil, fmt.Errorf("creating label %q: %w", n, err)
		}
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
	s.notify(DataChanged)
	undo := &Undo{Description: "create " + l.Name, apply: func(ctx context.Context) error {
		lw, err := s.store.DeleteLabelWithMembers(ctx, l.ID)
		if err != nil {
			return err
		}
		s.notify(DataChanged)
		return s.pushDelete(ctx, lw.Label)
	}}
	if !s.syncing() {
		return l, undo, nil
	}
	err = s.pushLabel(ctx, l.ID)
	if fresh, ferr := s.store.Label(ctx, l.ID); ferr == nil {
		l = fresh
	}
	return l, undo, err
}

// RenameLabel renames a label. When another label already has the name
// (ignoring case) it fails with ErrLabelExists, unless merge is set: then
// the contacts of id get the other label and id is deleted, in one
// transaction. The Undo restores the old name, or the merged label with its
// contacts.
func (s *Service) RenameLabel(ctx context.Context, id int64, name string, merge bool) (*Undo, error) {
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
	s.notify(DataChanged)
	undo := &Undo{Description: fmt.Sprintf("rename %s to %s", old.Name, n), apply: func(ctx context.Context) error {
		if err := s.store.RenameLabel(ctx, id, old.Name); err != nil {
			return s.labelError(ctx, old.Name, err)
		}
		s.notify(DataChanged)
		return s.pushEdited(ctx, id)
	}}
	return undo, s.pushEdited(ctx, id)
}

func (s *Service) mergeLabel(ctx context.Context, from, into model.Label) (*Undo, error) {
	lw, added, err := s.store.MergeLabel(ctx, from.ID, into.ID)
	if err != nil {
		return nil, err
	}
	s.notify(DataChanged)
	inv := make([]store.LabelChange, len(added))
	for i, c := range added {
		inv[i] = store.LabelChange{JID: c.JID, LabelID: c.LabelID, Assigned: false, WAChat: c.WAChat}
	}
	undo := &Undo{Description: fmt.Sprintf("merge %s into %s", from.Name, into.Name), apply: func(ctx context.Context) error {
		return s.restoreLabel(ctx, lw, inv)
	}}
	var errs []error
	if err := s.pushChats(ctx, added); err != nil {
		errs = append(errs, err)
	}
	if err := s.pushDelete(ctx, lw.Label); err != nil {
		errs = append(errs, err)
	}
	return undo, firstOf(errs)
}

// SetLabelColor sets a label's palette colour (0–19). The Undo restores
// the old one.
func (s *Service) SetLabelColor(ctx context.Context, id int64, color int) (*Undo, error) {
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
	s.notify(DataChanged)
	undo := &Undo{Description: "colour of " + old.Name, apply: func(ctx context.Context) error {
		if err := s.store.SetLabelColor(ctx, id, old.Color); err != nil {
			return err
		}
		s.notify(DataChanged)
		return s.pushEdited(ctx, id)
	}}
	return undo, s.pushEdited(ctx, id)
}

// DeleteLabel deletes a label; its contacts lose it. The Undo recreates it
// (same id, name, colour and WhatsApp id) with its contacts.
func (s *Service) DeleteLabel(ctx context.Context, id int64) (*Undo, error) {
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
	s.notify(DataChanged)
	undo := &Undo{Description: "delete " + lw.Label.Name, apply: func(ctx context.Context) error {
		return s.restoreLabel(ctx, lw, nil)
	}}
	return undo, s.pushDelete(ctx, lw.Label)
}

// LabelSyncEnabled reports whether local label changes are sent to
// WhatsApp (the "label_sync" setting; off by default). They are only sent
// on a WhatsApp Business account.
func (s *Service) LabelSyncEnabled() bool {
	v, err := s.store.Setting(context.Background(), settingLabelSync)
	return err == nil && v == "on"
}

// SetLabelSync turns label sync on or off. Turning it on needs a WhatsApp
// Business account (an error wrapping wa.ErrNotBusiness otherwise).
func (s *Service) SetLabelSync(ctx context.Context, on bool) error {
	if err := s.writable(ctx); err != nil {
		return err
	}
	v := "off"
	if on {
		if !s.backend.Account().IsBusiness {
			return fmt.Errorf("label sync: %w", wa.ErrNotBusiness)
		}
		v = "on"
	}
	if err := s.store.SetSetting(ctx, settingLabelSync, v); err != nil {
		return err
	}
	s.notify(DataChanged)
	return nil
}

// ResyncLabels sends every label marked unsynced to WhatsApp again — its
// name, colour and contacts — and clears the mark of those that went
// through. It returns how many did. Labels taken off contacts while the
// change failed are not taken off on WhatsApp.
func (s *Service) ResyncLabels(ctx context.Context) (int, error) {
	if err := s.writable(ctx); err != nil {
		return 0, err
	}
	if !s.syncing() {
		return 0, errors.New("label sync is off (or this is not a WhatsApp Business account)")
	}
	labels, err := s.store.Labels(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, l := range labels {
		if !l.Unsynced {
			continue
		}
		if err := s.pushLabel(ctx, l.ID); err != nil {
			errs = append(errs, err)
			continue
		}
		members, err := s.store.LabelMembers(ctx, l.ID)
		if err != nil {
			return n, err
		}
		changes := make([]store.LabelChange, len(members))
		for i, j := range members {
			changes[i] = store.LabelChange{JID: j, LabelID: l.ID, Assigned: true}
		}
		if err := s.pushChats(ctx, changes); err != nil {
			errs = append(errs, err)
			continue
		}
		if err := s.store.SetLabelUnsynced(ctx, l.ID, false); err != nil {
			return n, err
		}
		n++
	}
	s.notify(DataChanged)
	return n, firstOf(errs)
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

// pushEdited sends a label's name and colour when syncing.
func (s *Service) pushEdited(ctx context.Context, id int64) error {
	if !s.syncing() {
		return nil
	}
	return s.pushLabel(ctx, id)
}

// newWALabelAllowed refuses to send a new WhatsApp label before WhatsApp
// has sent the account's own labels (wa.ErrLabelsNotSynced): the new
// label's id is picked after the largest id known, so on a fresh pairing it
// would reuse "1" and overwrite a built-in label. Backends that cannot tell
// are trusted.
func (s *Service) newWALabelAllowed(ctx context.Context) error {
	r, ok := s.backend.(wa.LabelSyncReporter)
	if !ok {
		return nil
	}
	synced, err := r.LabelsSynced(ctx)
	if err != nil {
		return fmt.Errorf("cannot tell whether WhatsApp has sent this account's labels yet: %w", err)
	}
	if !synced {
		return fmt.Errorf("%w: a new label now could overwrite one of them; wait until the first sync has finished (see the Account screen) and try again", wa.ErrLabelsNotSynced)
	}
	return nil
}

// checkNewWALabels refuses, before anything is written, to assign labels
// (names) that would have to be created on WhatsApp while that is not
// allowed yet (newWALabelAllowed): names of no label yet, or of labels not
// on WhatsApp.
func (s *Service) checkNewWALabels(ctx context.Context, names []string) error {
	if len(names) == 0 || !s.syncing() {
		return nil
	}
	for _, n := range names {
		l, err := s.store.LabelByName(ctx, n)
		switch {
		case errors.Is(err, store.ErrNotFound) || (err == nil && l.WALabelID == ""):
			if err := s.newWALabelAllowed(ctx); err != nil {
				return fmt.Errorf("label %q: %w", n, err)
			}
		case err != nil:
			return err
		}
	}
	return nil
}

// pushLabel sends a label's name and colour to WhatsApp, giving it a
// WhatsApp id first when it has none. A failure marks it unsynced; so does
// a label that would be new on WhatsApp while new labels are not allowed
// yet (newWALabelAllowed), without sending anything.
func (s *Service) pushLabel(ctx context.Context, id int64) error {
	if l, err := s.store.Label(ctx, id); err != nil {
		return err
	} else if l.WALabelID == "" {
		if err := s.newWALabelAllowed(ctx); err != nil {
			return s.notSynced(ctx, l, err)
		}
	}
	waID, err := s.store.EnsureWALabelID(ctx, id)
	if err != nil {
		return err
	}
	l, err := s.store.Label(ctx, id)
	if err != nil {
		return err
	}
	if err := s.backend.SendLabelEdit(ctx, wa.LabelEdit{WALabelID: waID, Name: l.Name, Color: l.Color}); err != nil {
		return s.notSynced(ctx, l, err)
	}
	return nil
}

// pushDelete deletes a label on WhatsApp when syncing and it mirrors one.
func (s *Service) pushDelete(ctx context.Context, l model.Label) error {
	if l.WALabelID == "" || !s.syncing() {
		return nil
	}
	if err := s.backend.SendLabelEdit(ctx, wa.LabelEdit{WALabelID: l.WALabelID, Name: l.Name, Color: l.Color, Deleted: true}); err != nil {
		return fmt.Errorf("label %q: %w: %w", l.Name, ErrNotSynced, err)
	}
	return nil
}

// pushChats sends label assignments to WhatsApp when syncing, creating
// labels there first when they have no WhatsApp id. After a failure the
// label is marked unsynced and its remaining assignments are not sent.
func (s *Service) pushChats(ctx context.Context, changes []store.LabelChange) error {
	if len(changes) == 0 || !s.syncing() {
		return nil
	}
	labels := map[int64]model.Label{}
	failed := map[int64]bool{}
	var errs []error
	for _, c := range changes {
		if failed[c.LabelID] {
			continue
		}
		l, ok := labels[c.LabelID]
		if !ok {
			var err error
			if l, err = s.store.Label(ctx, c.LabelID); errors.Is(err, store.ErrNotFound) {
				failed[c.LabelID] = true // deleted meanwhile: nothing to send
				continue
			} else if err != nil {
				return err
			}
			if l.WALabelID == "" {
				if err := s.pushLabel(ctx, l.ID); err != nil {
					failed[l.ID] = true
					errs = append(errs, err)
					continue
				}
				if l, err = s.store.Label(ctx, l.ID); err != nil {
					return err
				}
			}
			labels[c.LabelID] = l
		}
		// The form WhatsApp named the chat in when it reported the
		// assignment: a removal in another form does not match it.
		chat := c.JID
		if c.WAChat != "" {
			chat = c.WAChat
		}
		if err := s.backend.SendLabelChat(ctx, l.WALabelID, chat, c.Assigned); err != nil {
			failed[l.ID] = true
			errs = append(errs, s.notSynced(ctx, l, err))
		}
	}
	return firstOf(errs)
}

// notSynced marks a label unsynced and wraps err in ErrNotSynced.
func (s *Service) notSynced(ctx context.Context, l model.Label, err error) error {
	if merr := s.store.SetLabelUnsynced(ctx, l.ID, true); merr != nil {
		s.log.Error("marking a label unsynced", "label", l.ID, "err", merr)
	}
	s.notify(DataChanged)
	return fmt.Errorf("label %q: %w: %w", l.Name, ErrNotSynced, err)
}
