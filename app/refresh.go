package app

import (
	"context"
	"fmt"

	"github.com/wabook/wabook/store"
)

// Mark says how much of the mirror's changes a reader has seen: what
// Snapshot and ChangesSince return, for the next ChangesSince. The zero
// Mark has seen nothing.
type Mark = store.ChangeMark

// Changes is what changed in the mirror after a Mark; Rebuild says take a
// Snapshot instead.
type Changes = store.ContactChanges

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
	return ch, nil
}
