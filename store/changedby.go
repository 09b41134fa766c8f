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
// label writes that change whose contacts carry a label
// (DeleteLabelWithMembers and MergeLabel: the label's contacts;
// ApplyLabelBatch, which undoes: the contacts it relabels and those of the
// labels it deletes). RenameLabel and SetLabelColor record it on the label
// alone (markLabel): a label may have thousands of contacts, and writing
// each would log each as changed for every reader of the change log
// (model.LastChange shows it with the contact's own). A context without it
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

// labelChangedMigration is migration 14: who renamed or recoloured a
// label through wabook, when (milliseconds) and which of the two
// (model.LabelRenamed, model.LabelRecoloured). Its own file: migrations.go
// would pass 500 lines.
const labelChangedMigration = `
ALTER TABLE labels ADD COLUMN changed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE labels ADD COLUMN changed_by_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE labels ADD COLUMN changed_how TEXT NOT NULL DEFAULT '';
`

// markLabel records ctx's author, the store's time and how (a
// model.Label.Change) on label id, inside tx. Nothing when ctx carries no
// author. It changes no name or order, so it logs no contact as changed
// (migration 8's labels_log_update): readers re-read the labels alone.
func (s *Store) markLabel(ctx context.Context, tx *sql.Tx, id int64, how string) error {
	who, ok := ChangedBy(ctx)
	if !ok {
		return nil
	}
	_, err := tx.ExecContext(ctx, `UPDATE labels SET changed_by = ?, changed_by_ms = ?, changed_how = ? WHERE id = ?`,
		who, s.clock().UnixMilli(), how, id)
	if err != nil {
		return fmt.Errorf("store: record who changed label %d: %w", id, err)
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
