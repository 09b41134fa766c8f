package store

import (
	"context"
	"database/sql"
	"fmt"
)

// changedByKey is where WithChangedBy leaves who makes the writes of a
// context.
type changedByKey struct{}

// WithChangedBy marks ctx's writes as made by who: the contact writes that
// take a context (InsertContact, UpdateContact, SetHidden, SetHiddenMany,
// RemoveContacts, ChangeLabels, ReplaceLabels, QueueBlock, ImportContacts)
// record who and the store's time on each contact they change
// (changed_by, changed_by_ms), in the change's own transaction; so do the
// label writes on each contact whose labels, as shown, they change
// (RenameLabel and SetLabelColor: the label's contacts; DeleteLabelWithMembers
// and MergeLabel: the label's contacts; ApplyLabelBatch, which undoes:
// the contacts it relabels and those of the labels it deletes). A context without it
// records nothing: WhatsApp's sync is nobody's change here. app.WithActor
// is how the rest of wabook sets it.
func WithChangedBy(ctx context.Context, who string) context.Context {
	return context.WithValue(ctx, changedByKey{}, who)
}

// ChangedBy is what WithChangedBy put on ctx; ok is false when nothing was.
func ChangedBy(ctx context.Context) (who string, ok bool) {
	who, ok = ctx.Value(changedByKey{}).(string)
	return who, ok
}

// markChanged records ctx's author (ChangedBy) and the store's time, in
// milliseconds, on the contacts jids (canonical), inside tx. Nothing when
// ctx carries no author.
func (s *Store) markChanged(ctx context.Context, tx *sql.Tx, jids ...string) error {
	who, ok := ChangedBy(ctx)
	if !ok || len(jids) == 0 {
		return nil
	}
	st, err := tx.PrepareContext(ctx, `UPDATE contacts SET changed_by = ?, changed_by_ms = ? WHERE jid = ?`)
	if err != nil {
		return fmt.Errorf("store: record the change's author: %w", err)
	}
	defer st.Close()
	ms := s.clock().UnixMilli()
	for _, j := range jids {
		if _, err := st.ExecContext(ctx, who, ms, j); err != nil {
			return fmt.Errorf("store: record the change's author on %s: %w", j, err)
		}
	}
	return nil
}

// markLabelMembers is markChanged for every contact carrying label id,
// in one statement (a label may have thousands). Before a delete: after
// it the label has none.
func (s *Store) markLabelMembers(ctx context.Context, tx *sql.Tx, id int64) error {
	who, ok := ChangedBy(ctx)
	if !ok {
		return nil
	}
	_, err := tx.ExecContext(ctx, `UPDATE contacts SET changed_by = ?, changed_by_ms = ?
WHERE jid IN (SELECT contact_jid FROM contact_labels WHERE label_id = ?)`, who, s.clock().UnixMilli(), id)
	if err != nil {
		return fmt.Errorf("store: record the change's author on label %d's contacts: %w", id, err)
	}
	return nil
}

// changedJIDs are the contacts lc's assignments changed, each once.
func changedJIDs(lc *LabelChanges) []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range lc.Changes {
		if !seen[c.JID] {
			seen[c.JID] = true
			out = append(out, c.JID)
		}
	}
	return out
}
