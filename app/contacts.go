package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
)

// ErrFromWhatsApp is returned when deleting a contact that WhatsApp gave
// us: the next sync would bring it back, so it can only be hidden.
var ErrFromWhatsApp = errors.New("comes from WhatsApp; it can be hidden, not deleted")

// ErrNameFromPhone is returned by EditContact for a new name on a contact
// whose name comes from the phone's address book.
var ErrNameFromPhone = errors.New("the name comes from the phone's address book (change it there; WhatsApp would put it back here)")

// ContactInput is a contact to add. Labels is a comma-separated list
// (Periskope's semantics: case-insensitive, missing labels are created).
type ContactInput struct {
	Name, Phone, Labels, Note string
	Internal                  bool
}

// ContactEdit changes a contact; nil fields are left as they are. Labels
// replaces the labels; AddLabels and RemoveLabels (comma-separated lists)
// apply after it.
type ContactEdit struct {
	Name, Note, Labels      *string
	Internal                *bool
	AddLabels, RemoveLabels string
}

// cleanName makes a typed name safe and tidy.
func cleanName(s string) string { return model.Clean(s) }

// checkFields checks a typed name, note and label list against the limits
// an import applies too (model.MaxNameBytes, …), after cleaning.
func checkFields(name, note *string, labels []string) error {
	if name != nil {
		if err := model.CheckName(cleanName(*name)); err != nil {
			return fieldError("name", err)
		}
	}
	if note != nil {
		if err := model.CheckNote(cleanNote(*note)); err != nil {
			return fieldError("note", err)
		}
	}
	return fieldError("labels", model.CheckLabelCount(len(labels)))
}

// cleanNote trims a note; line breaks stay.
func cleanNote(s string) string { return strings.TrimSpace(s) }

// parseNewPhone reads a number for a new contact: it must be valid (or made
// valid by a national rule).
func (s *Service) parseNewPhone(in string) (model.Phone, error) {
	if strings.TrimSpace(in) == "" {
		return model.Phone{}, fieldError("phone", errors.New("a phone number is needed"))
	}
	p, err := model.ParsePhone(in, s.Region())
	if err != nil {
		return p, fieldError("phone", fmt.Errorf("phone %q: %v", strings.TrimSpace(in), err))
	}
	if !p.Sendable() {
		return p, fieldError("phone", fmt.Errorf("phone %q: not a valid number for %s", strings.TrimSpace(in), p.Region))
	}
	return p, nil
}

// AddContact adds a contact to the address book: the phone in any format
// (read with Region()), labels created as needed, source "local", one
// transaction. An invalid number or label name is an error and nothing is
// written; so is a number already in the address book. With label sync on,
// the labels are queued for WhatsApp in the same transaction.
func (s *Service) AddContact(ctx context.Context, in ContactInput) (model.Contact, error) {
	ctx = attributed(ctx)
	if err := s.writable(ctx); err != nil {
		return model.Contact{}, err
	}
	p, err := s.parseNewPhone(in.Phone)
	if err != nil {
		return model.Contact{}, err
	}
	labels, err := labelList(in.Labels)
	if err != nil {
		return model.Contact{}, err
	}
	if err := checkFields(&in.Name, &in.Note, labels); err != nil {
		return model.Contact{}, err
	}
	jid := model.JIDFromDigits(p.Digits)
	// The number may be in the mirror under another form of it (WhatsApp's
	// ID without a Brazilian mobile's ninth digit): one person, one contact.
	if ex, err := s.FindContact(ctx, in.Phone); err == nil && ex.JID != jid {
		return model.Contact{}, &existsError{fmt.Sprintf("%s is already in the address book as %q (%s)", p.E164,
			model.Sanitize(ex.DisplayName()), model.ContactID(ex.JID))}
	}
	c := model.Contact{JID: jid, Phone: p.E164, FullName: cleanName(in.Name), Note: cleanNote(in.Note),
		IsInternal: in.Internal, Source: model.SourceLocal}
	lc, err := s.store.InsertContact(ctx, c, labels)
	if errors.Is(err, store.ErrContactExists) {
		ex, cerr := s.store.Contact(ctx, jid)
		if cerr != nil {
			return model.Contact{}, &existsError{fmt.Sprintf("%s is already in the address book", p.E164)}
		}
		hidden := ""
		if ex.Hidden {
			hidden = " (hidden)"
		}
		return model.Contact{}, &existsError{fmt.Sprintf("%s is already in the address book as %q%s", p.E164, model.Sanitize(ex.DisplayName()), hidden)}
	}
	if err != nil {
		return model.Contact{}, err
	}
	return s.contactWritten(ctx, jid, &lc)
}

// contactWritten is the end of a write of one contact: front ends told,
// the label changes it queued noted on ctx's receipt and handed to the
// outbox, and the contact read back as it now is.
func (s *Service) contactWritten(ctx context.Context, jid string, lc *store.LabelChanges) (model.Contact, error) {
	s.notify(DataChanged)
	c, err := s.store.Contact(ctx, jid)
	if err != nil {
		return model.Contact{}, err
	}
	noteQueued(ctx, lc.Queued...)
	if !lc.Empty() {
		s.outboxQueued(ctx)
	}
	return c, nil
}

// EditContact changes a contact's name, note, internal flag and labels in
// one transaction. id is anything FindContact accepts. Label names are
// checked before anything is written.
func (s *Service) EditContact(ctx context.Context, id string, e ContactEdit) (model.Contact, error) {
	ctx = attributed(ctx)
	if err := s.writable(ctx); err != nil {
		return model.Contact{}, err
	}
	c, err := s.FindContact(ctx, id)
	if err != nil {
		return model.Contact{}, err
	}
	var u store.ContactUpdate
	if err := checkFields(e.Name, e.Note, nil); err != nil {
		return model.Contact{}, err
	}
	if e.Name != nil {
		n := cleanName(*e.Name)
		// The phone's address book owns this name: the next sync would put
		// it back. Say so rather than keep an edit that silently reverts.
		if n != c.FullName && c.Source == model.SourceWhatsApp && c.FullName != "" {
			return model.Contact{}, fieldError("name", fmt.Errorf("%w: %q", ErrNameFromPhone, c.FullName))
		}
		u.FullName = &n
	}
	if e.Note != nil {
		n := cleanNote(*e.Note)
		u.Note = &n
	}
	u.Internal = e.Internal
	if e.Labels != nil {
		l, err := labelList(*e.Labels)
		if err != nil {
			return model.Contact{}, err
		}
		if err := model.CheckLabelCount(len(l)); err != nil {
			return model.Contact{}, fieldError("labels", err)
		}
		u.Labels = &l
	}
	if u.AddLabels, err = labelList(e.AddLabels); err != nil {
		return model.Contact{}, err
	}
	if u.RemoveLabels, err = labelList(e.RemoveLabels); err != nil {
		return model.Contact{}, err
	}
	u.RemoveLabels = slices.DeleteFunc(u.RemoveLabels, func(r string) bool {
		return slices.ContainsFunc(u.AddLabels, func(a string) bool { return model.SameLabelName(a, r) })
	})
	lc, err := s.store.UpdateContact(ctx, c.JID, u)
	if err != nil {
		return model.Contact{}, err
	}
	return s.contactWritten(ctx, c.JID, &lc)
}

// DeleteContact removes a contact that was added here or imported. A
// contact from WhatsApp gives an ErrFromWhatsApp error: hide it instead
// (HideContact). jid is anything FindContact accepts.
func (s *Service) DeleteContact(ctx context.Context, jid string) error {
	if err := s.writable(ctx); err != nil {
		return err
	}
	c, err := s.FindContact(ctx, jid)
	if err != nil {
		return err
	}
	if c.Source != model.SourceLocal && c.Source != model.SourceImport {
		return fmt.Errorf("%q %w", model.Sanitize(c.DisplayName()), ErrFromWhatsApp)
	}
	if err := s.store.DeleteContact(ctx, c.JID); err != nil {
		return err
	}
	s.notify(DataChanged)
	return nil
}

// HideContact hides a contact from the contact list, exports and
// Snapshot (or shows it again). FindContact still finds it.
func (s *Service) HideContact(ctx context.Context, jid string, hidden bool) error {
	ctx = attributed(ctx)
	if err := s.writable(ctx); err != nil {
		return err
	}
	c, err := s.FindContact(ctx, jid)
	if err != nil {
		return err
	}
	if err := s.store.SetHidden(ctx, c.JID, hidden); err != nil {
		return err
	}
	s.notify(DataChanged)
	return nil
}

// HiddenContacts returns the hidden contacts.
func (s *Service) HiddenContacts(ctx context.Context) ([]model.Contact, error) {
	all, err := s.store.AllContacts(ctx)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(c model.Contact) bool { return !c.Hidden }), nil
}

// SetBlocked queues a block or unblock of a contact for WhatsApp (the
// outbox, outbox.go): the contact shows it pending (BlockPending) and its
// IsBlocked follows once WhatsApp confirms. jid is anything FindContact
// accepts; a phone number not in the address book can be blocked too.
func (s *Service) SetBlocked(ctx context.Context, jid string, blocked bool) error {
	_, err := s.QueueBlock(ctx, jid, blocked)
	return err
}

func (s *Service) blockTarget(ctx context.Context, id string) (jid, name string, err error) {
	c, err := s.FindContact(ctx, id)
	if err == nil {
		return c.JID, model.Sanitize(c.DisplayName()), nil
	}
	if !errors.Is(err, ErrNotFound) {
		return "", "", err
	}
	j, perr := model.ParseContactID(id, s.Region())
	if perr != nil || model.JIDServer(j) != model.UserServer {
		return "", "", err
	}
	return j, "+" + model.JIDUser(j), nil
}

// RefreshProfile fetches the contact's about text and profile picture URL
// from WhatsApp, stores them and returns the fresh contact.
func (s *Service) RefreshProfile(ctx context.Context, jid string) (model.Contact, error) {
	if err := s.writable(ctx); err != nil {
		return model.Contact{}, err
	}
	c, err := s.FindContact(ctx, jid)
	if err != nil {
		return model.Contact{}, err
	}
	name := model.Sanitize(c.DisplayName())
	infos, err := s.backend.UserInfo(ctx, []string{c.JID})
	if err != nil {
		return model.Contact{}, fmt.Errorf("fetching the profile of %s: %w", name, err)
	}
	info, ok := infos[c.JID]
	if !ok {
		return model.Contact{}, fmt.Errorf("fetching the profile of %s: not on WhatsApp", name)
	}
	url, err := s.backend.ProfilePictureURL(ctx, c.JID)
	if err != nil {
		return model.Contact{}, fmt.Errorf("fetching the profile picture of %s: %w", name, err)
	}
	avatarID := info.AvatarID
	if url == "" {
		avatarID = ""
	}
	if err := s.store.SetAbout(ctx, c.JID, info.About, avatarID, url); err != nil {
		return model.Contact{}, err
	}
	s.notify(DataChanged)
	return s.store.Contact(ctx, c.JID)
}

// SetHiddenUndoable hides contacts (or shows them again) in one
// transaction and returns how many it changed and the Undo that takes
// exactly those back. jids are JIDs; one no longer in the mirror is passed
// over.
func (s *Service) SetHiddenUndoable(ctx context.Context, jids []string, hidden bool) (int, *Undo, error) {
	ctx = attributed(ctx)
	if err := s.writable(ctx); err != nil {
		return 0, nil, err
	}
	changed, err := s.store.SetHiddenMany(ctx, jids, hidden)
	if err != nil {
		return 0, nil, err
	}
	if len(changed) == 0 {
		return 0, nil, nil
	}
	s.notify(DataChanged)
	verb := "hide"
	if !hidden {
		verb = "show again"
	}
	return len(changed), &Undo{
		Description: verb + " " + plural(len(changed), "contact", "contacts"),
		apply: func(ctx context.Context) error {
			_, err := s.store.SetHiddenMany(ctx, changed, !hidden)
			if err == nil {
				s.notify(DataChanged)
			}
			return err
		},
	}, nil
}

// Removed is what RemoveContacts did.
type Removed struct {
	Deleted int // added here or imported: gone
	Hidden  int // from WhatsApp: hidden, since the next sync would bring them back
}

// RemoveContacts deletes the contacts added here or imported and hides
// those from WhatsApp (DeleteContact, HideContact), all in one
// transaction, and returns the Undo that shows the hidden ones again (nil
// when none was hidden: a deletion cannot be undone). jids are JIDs; one
// no longer in the mirror is passed over.
func (s *Service) RemoveContacts(ctx context.Context, jids []string) (Removed, *Undo, error) {
	ctx = attributed(ctx)
	if err := s.writable(ctx); err != nil {
		return Removed{}, nil, err
	}
	deleted, hidden, err := s.store.RemoveContacts(ctx, jids, model.SourceLocal, model.SourceImport)
	if err != nil {
		return Removed{}, nil, err
	}
	res := Removed{Deleted: len(deleted), Hidden: len(hidden)}
	if len(deleted)+len(hidden) > 0 {
		s.notify(DataChanged)
	}
	if len(hidden) == 0 {
		return res, nil, nil
	}
	return res, &Undo{
		Description: "hide " + plural(len(hidden), "contact", "contacts"),
		apply: func(ctx context.Context) error {
			_, err := s.store.SetHiddenMany(ctx, hidden, false)
			if err == nil {
				s.notify(DataChanged)
			}
			return err
		},
	}, nil
}

// HideContactUndoable hides a contact and returns the Undo that shows it
// again: the contact list has no other way back to a hidden contact.
func (s *Service) HideContactUndoable(ctx context.Context, jid string) (*Undo, error) {
	c, err := s.FindContact(ctx, jid)
	if err != nil {
		return nil, err
	}
	if err := s.HideContact(ctx, c.JID, true); err != nil {
		return nil, err
	}
	return &Undo{
		Description: "hide " + model.Sanitize(c.DisplayName()),
		apply:       func(ctx context.Context) error { return s.HideContact(ctx, c.JID, false) },
	}, nil
}
