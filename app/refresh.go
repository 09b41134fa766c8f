package app

import (
	"context"
	"fmt"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
)

// Mark says how much of the mirror's changes a reader has seen: what
// Snapshot and ChangesSince return, for the next ChangesSince. The zero
// Mark has seen nothing.
type Mark = store.ChangeMark

// Changes is what changed in the mirror after a Mark.
type Changes struct {
	// Mark is the mark to ask from next time.
	Mark Mark
	// Contacts are the contacts added or changed, as Snapshot has them;
	// Removed the JIDs of those deleted or hidden.
	Contacts []model.Contact
	Removed  []string
	// Hidden are the contacts among Removed that are hidden, not deleted,
	// as Snapshot's Hidden has them.
	Hidden []model.Contact
	// Labels (every label, with counts) when LabelsChanged; Groups (every
	// group by name, as in Snapshot) when GroupsChanged.
	Labels        []model.Label
	LabelsChanged bool
	Groups        []model.Group
	GroupsChanged bool
	// Rebuild: more contacts changed than the limit asked (a whole-book
	// sync, a big import), or the change log cannot say; nothing else is
	// filled but Mark: take a Snapshot instead.
	Rebuild bool
	// RowsRead is how many rows the read took from the database.
	RowsRead int
}

// Empty reports whether nothing changed.
func (c *Changes) Empty() bool {
	return !c.Rebuild && len(c.Contacts) == 0 && len(c.Removed) == 0 && len(c.Hidden) == 0 && !c.LabelsChanged && !c.GroupsChanged
}

// ChangesSince reads only what changed in the mirror after since (from
// Snapshot or an earlier ChangesSince), whoever wrote it: this process,
// another UI, a script. With more than limit changed contacts (limit <= 0:
// no limit) it reads nothing and says Rebuild. Its cost follows the number
// of changes, not the size of the book (store.ContactsChangedSince).
func (s *Service) ChangesSince(ctx context.Context, since Mark, limit int) (*Changes, error) {
	ch, err := s.store.ContactsChangedSince(ctx, since, limit)
	if err != nil {
		return nil, fmt.Errorf("reading what changed: %w", err)
	}
	return &Changes{
		Mark:     ch.Mark,
		Contacts: ch.Changed, Removed: ch.Removed, Hidden: ch.Hidden,
		Labels: ch.Labels, LabelsChanged: ch.LabelsChanged,
		Groups: ch.Groups, GroupsChanged: ch.GroupsChanged,
		Rebuild:  ch.TooMany,
		RowsRead: ch.RowsRead,
	}, nil
}
