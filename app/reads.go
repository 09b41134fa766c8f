// Reading the mirror for the front ends: the whole book, its first page, one
// contact by any form of its ID.
package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
)

// Snapshot is everything the contact list needs, read in one go.
type Snapshot struct {
	// Groups carry no Participants: a contact's Groups say where it is.
	// Contacts are those not hidden; Hidden the hidden ones (few: a query
	// with is:hidden shows them, model.Query.WantsHidden).
	Contacts []model.Contact
	Hidden   []model.Contact
	Labels   []model.Label
	Groups   []model.Group
	// Mark is where ChangesSince takes over from (FirstPage leaves it
	// zero).
	Mark Mark
}

// Snapshot reads the whole mirror: every contact with its labels and groups,
// the labels, and the groups by name (members are on each contact already).
func (s *Service) Snapshot(ctx context.Context) (*Snapshot, error) {
	// The mark first: what changes during the reads is read again by the
	// next ChangesSince, rather than missed.
	mark, err := s.store.ChangeMark(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the change mark: %w", err)
	}
	contacts, err := s.store.AllContacts(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading contacts: %w", err)
	}
	snap := &Snapshot{Mark: mark}
	snap.Contacts, snap.Hidden = splitHidden(contacts)
	if err := s.readLabelsAndGroups(ctx, snap, false); err != nil {
		return nil, err
	}
	return snap, nil
}

// readLabelsAndGroups reads into snap what the whole book and its first
// page both carry besides contacts: every label and the group names, of
// every group, or with onlyTheirs of the groups snap's contacts are in (a
// page: time that does not grow with the groups).
func (s *Service) readLabelsAndGroups(ctx context.Context, snap *Snapshot, onlyTheirs bool) error {
	var err error
	if snap.Labels, err = s.store.Labels(ctx); err != nil {
		return fmt.Errorf("reading labels: %w", err)
	}
	if !onlyTheirs {
		snap.Groups, err = s.store.GroupNames(ctx)
	} else {
		var jids []string
		seen := map[string]bool{}
		for i := range snap.Contacts {
			for _, g := range snap.Contacts[i].Groups {
				if !seen[g] {
					seen[g] = true
					jids = append(jids, g)
				}
			}
		}
		snap.Groups, err = s.store.GroupNamesOf(ctx, jids)
	}
	if err != nil {
		return fmt.Errorf("reading groups: %w", err)
	}
	return nil
}

// ReadBook reads the whole mirror as Snapshot does, but hands fn each
// contact, hidden ones too, instead of returning them: the Snapshot it
// returns has the labels, the groups and the Mark, and no contacts. The
// contact fn gets is reused for the next (fn copies what it keeps), so a
// reader that keeps a compact copy (ui's index) never holds the whole book
// as model.Contacts. An error from fn stops the read and is returned.
func (s *Service) ReadBook(ctx context.Context, fn func(c *model.Contact) error) (*Snapshot, error) {
	mark, err := s.store.ChangeMark(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the change mark: %w", err)
	}
	if err := s.store.EachContact(ctx, fn); err != nil {
		return nil, fmt.Errorf("reading contacts: %w", err)
	}
	snap := &Snapshot{Mark: mark}
	if err := s.readLabelsAndGroups(ctx, snap, false); err != nil {
		return nil, err
	}
	return snap, nil
}

// ContactsByJID reads the contacts jids names, whole, in that order; a JID
// that names no contact (any more) is left out. Its cost follows the
// number of JIDs, not the size of the book: a front end that keeps only
// the list's compact rows reads the contacts of a page through it.
func (s *Service) ContactsByJID(ctx context.Context, jids []string) ([]model.Contact, error) {
	cs, err := s.store.ContactsByJID(ctx, jids)
	if err != nil {
		return nil, fmt.Errorf("reading contacts: %w", err)
	}
	return cs, nil
}

// BookSize is how many contacts the mirror holds, hidden ones included,
// without reading them: a front end sizes its copy of the book by it.
func (s *Service) BookSize(ctx context.Context) (int, error) {
	n, err := s.store.BookSize(ctx)
	if err != nil {
		return 0, fmt.Errorf("counting contacts: %w", err)
	}
	return n, nil
}

// LastCheck is the last answer about phone (E.164) kept in the check
// cache, however old, with when it came; zero when it was never checked.
// The detail view says it with its date: the contact reads carry only its
// status, since a number checked again with the same answer is no change
// of the contact.
func (s *Service) LastCheck(ctx context.Context, phone string) (model.CheckResult, error) {
	r, err := s.store.Check(ctx, phone)
	if errors.Is(err, store.ErrNotFound) {
		return model.CheckResult{}, nil
	}
	if err != nil {
		return model.CheckResult{}, fmt.Errorf("reading the last check: %w", err)
	}
	return r, nil
}

// splitHidden sets the hidden contacts apart, in place: one read of the
// table serves both lists, and the contacts not hidden, nearly all, are
// not copied before the first hidden one.
func splitHidden(all []model.Contact) (visible, hidden []model.Contact) {
	n := 0
	for i := range all {
		if all[i].Hidden {
			hidden = append(hidden, all[i])
			continue
		}
		if n != i {
			all[n] = all[i]
		}
		n++
	}
	clear(all[n:]) // the copies in hidden are the ones kept
	return all[:n], hidden
}

// FirstPage reads just enough for the contact list's first frame: the first
// n contacts in name order, every label, the groups those contacts are in
// (enough to name their chats and to match a group: search on them), and
// the number of contacts. Its time does not grow with the address book
// (BenchmarkFirstPage); Snapshot then reads the rest.
func (s *Service) FirstPage(ctx context.Context, n int) (*Snapshot, int, error) {
	return s.ContactPage(ctx, OrderName, false, n)
}

// FindContact resolves an ID — a phone number in any format, a JID, a LID or
// "<digits>@c.us" — to a contact of the mirror. Digits that are a WhatsApp
// ID in the mirror ("551187654321", "+55 11 8765-4321") name that contact
// before libphonenumber reads them: WhatsApp's IDs are not always the
// number's normal form (a Brazilian mobile without its ninth digit). A
// number not found as a JID is looked up as a contact's phone, which a
// contact saved from a check keeps in the form that was checked, and in
// the form it was written in before a national rule changed it.
func (s *Service) FindContact(ctx context.Context, id string) (model.Contact, error) {
	if d, ok := model.WhatsAppIDDigits(id); ok {
		c, err := s.store.Contact(ctx, model.JIDFromDigits(d))
		if err == nil || !errors.Is(err, store.ErrNotFound) {
			return c, err
		}
	}
	jid, err := model.ParseContactID(id, s.Region())
	if err != nil {
		return model.Contact{}, err
	}
	var c model.Contact
	if model.IsLID(jid) {
		c, err = s.store.ContactByLID(ctx, jid)
	} else {
		c, err = s.store.Contact(ctx, jid)
		if errors.Is(err, store.ErrNotFound) && model.JIDServer(jid) == model.UserServer {
			c, err = s.store.ContactByPhone(ctx, "+"+model.JIDUser(jid))
		}
		if errors.Is(err, store.ErrNotFound) {
			// The other form WhatsApp may know the number by (a Brazilian
			// mobile without its ninth digit).
			if ph, perr := model.ParsePhone(id, s.Region()); perr == nil && ph.OtherForm() != "" {
				c, err = s.store.Contact(ctx, model.JIDFromDigits(ph.OtherForm()))
			}
		}
	}
	if errors.Is(err, store.ErrNotFound) {
		return model.Contact{}, fmt.Errorf("%w: %q is not in the address book", ErrNotFound, id)
	}
	return c, err
}
