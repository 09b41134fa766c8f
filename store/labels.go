package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/wabook/wabook/model"
)

// NormLabelName trims a label name and collapses inner white space.
func NormLabelName(name string) string { return strings.Join(strings.Fields(name), " ") }

// labelFold is the key label names are unique by: normalised and lower-cased
// (Unicode, unlike SQLite's ASCII-only NOCASE).
func labelFold(name string) string { return strings.ToLower(NormLabelName(name)) }

const labelCols = `l.id, l.name, l.color, coalesce(l.wa_label_id, ''), l."order",
	(SELECT count(*) FROM contact_labels cl WHERE cl.label_id = l.id), l.unsynced <> 0, l.wa_pending <> 0`

type queryRower interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

func scanLabel(r scanner, l *model.Label) error {
	return r.Scan(&l.ID, &l.Name, &l.Color, &l.WALabelID, &l.Order, &l.Count, &l.Unsynced, &l.WAPending)
}

// labelWhere returns the label matching where; ErrNotFound when none.
func labelWhere(ctx context.Context, q queryRower, where string, args ...any) (model.Label, error) {
	var l model.Label
	err := scanLabel(q.QueryRowContext(ctx, `SELECT `+labelCols+` FROM labels l WHERE `+where, args...), &l)
	if errors.Is(err, sql.ErrNoRows) {
		return l, ErrNotFound
	}
	if err != nil {
		return l, fmt.Errorf("store: label: %w", err)
	}
	return l, nil
}

func validColor(c int) error {
	if c < 0 || c > 19 {
		return fmt.Errorf("store: %w (got %d)", ErrInvalidColor, c)
	}
	return nil
}

// Labels returns all labels ordered by "order", then name, with Count.
func (s *Store) Labels(ctx context.Context) ([]model.Label, error) {
	return labelsIn(ctx, s.db)
}

func labelsIn(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) ([]model.Label, error) {
	rows, err := q.QueryContext(ctx, `SELECT l.id, l.name, l.color, coalesce(l.wa_label_id, ''), l."order", count(cl.label_id),
	l.unsynced <> 0, l.wa_pending <> 0
FROM labels l LEFT JOIN contact_labels cl ON cl.label_id = l.id
GROUP BY l.id ORDER BY l."order", l.name`)
	if err != nil {
		return nil, fmt.Errorf("store: labels: %w", err)
	}
	defer rows.Close()
	var out []model.Label
	for rows.Next() {
		var l model.Label
		if err := scanLabel(rows, &l); err != nil {
			return nil, fmt.Errorf("store: labels: %w", err)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: labels: %w", err)
	}
	return out, nil
}

// LabelByName finds a label by name, ignoring case and extra spaces.
func (s *Store) LabelByName(ctx context.Context, name string) (model.Label, error) {
	l, err := labelWhere(ctx, s.db, `l.fold = ?`, labelFold(name))
	if errors.Is(err, ErrNotFound) {
		return l, fmt.Errorf("store: label %q: %w", name, ErrNotFound)
	}
	return l, err
}

// createLabel inserts a label at the end of the order. waID "" is none.
func createLabel(ctx context.Context, tx *sql.Tx, name string, color int, waID string) (model.Label, error) {
	n := NormLabelName(name)
	if n == "" {
		return model.Label{}, fmt.Errorf("store: %w", ErrInvalidName)
	}
	if err := validColor(color); err != nil {
		return model.Label{}, err
	}
	if l, err := labelWhere(ctx, tx, `l.fold = ?`, labelFold(n)); err == nil {
		return model.Label{}, fmt.Errorf("store: label %q: %w (as %q)", n, ErrLabelExists, l.Name)
	} else if !errors.Is(err, ErrNotFound) {
		return model.Label{}, err
	}
	var order int
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max("order") + 1, 0) FROM labels`).Scan(&order); err != nil {
		return model.Label{}, fmt.Errorf("store: create label: %w", err)
	}
	var wa any
	if waID != "" {
		wa = waID
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO labels (name, fold, color, wa_label_id, "order") VALUES (?, ?, ?, ?, ?)`,
		n, labelFold(n), color, wa, order)
	if err != nil {
		return model.Label{}, fmt.Errorf("store: create label %q: %w", n, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return model.Label{}, fmt.Errorf("store: create label %q: %w", n, err)
	}
	return model.Label{ID: id, Name: n, Color: color, WALabelID: waID, Order: order}, nil
}

// CreateLabel adds a local label. The name is trimmed and must be unique
// ignoring case (ErrLabelExists); color is 0..19.
func (s *Store) CreateLabel(ctx context.Context, name string, color int) (model.Label, error) {
	var l model.Label
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		var err error
		if l, err = createLabel(ctx, tx, name, color, ""); err != nil {
			return err
		}
		return queueLabels(ctx, tx, []int64{l.ID}, nil, nil)
	})
	return l, err
}

// nextColor picks colours for labels created implicitly, in palette order.
func nextColor(ctx context.Context, tx *sql.Tx) (int, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM labels`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: labels: %w", err)
	}
	return n % 20, nil
}

// ensureLabels returns the ids of the labels named, creating missing ones.
// Empty names are skipped; duplicates (ignoring case) collapse.
func ensureLabels(ctx context.Context, tx *sql.Tx, names []string) ([]int64, error) {
	seen := map[string]bool{}
	var ids []int64
	for _, name := range names {
		f := labelFold(name)
		if f == "" || seen[f] {
			continue
		}
		seen[f] = true
		l, err := labelWhere(ctx, tx, `l.fold = ?`, f)
		if errors.Is(err, ErrNotFound) {
			var color int
			if color, err = nextColor(ctx, tx); err != nil {
				return nil, err
			}
			l, err = createLabel(ctx, tx, name, color, "")
		}
		if err != nil {
			return nil, err
		}
		ids = append(ids, l.ID)
	}
	return ids, nil
}

// requireLabels fails with ErrNotFound unless every id names a label.
func requireLabels(ctx context.Context, tx *sql.Tx, ids []int64) error {
	for _, id := range ids {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM labels WHERE id = ?`, id).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: label %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: label %d: %w", id, err)
		}
	}
	return nil
}

func requireContact(ctx context.Context, q queryRower, jid string) error {
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM contacts WHERE jid = ?`, jid).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: contact %s: %w", jid, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: contact %s: %w", jid, err)
	}
	return nil
}

// setContactLabels replaces the label set of an existing contact.
func setContactLabels(ctx context.Context, tx *sql.Tx, jid string, ids []int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM contact_labels WHERE contact_jid = ?`, jid); err != nil {
		return fmt.Errorf("store: set labels of %s: %w", jid, err)
	}
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO contact_labels (contact_jid, label_id) VALUES (?, ?)`, jid, id); err != nil {
			return fmt.Errorf("store: set labels of %s: %w", jid, err)
		}
	}
	return nil
}

// UpsertWALabel mirrors a WhatsApp Business label: the label with that
// wa_label_id is updated; else a label with the same name (ignoring case) and
// no WhatsApp id adopts it; else one is created. An empty name becomes
// "Label <id>"; a colour outside 0..19 is wrapped into it. If the name is
// taken by a label mirroring another WhatsApp label, " (<id>)" is appended.
// Renaming onto a local label of the same name merges that label into this one.
func (s *Store) UpsertWALabel(ctx context.Context, waLabelID, name string, color int) (model.Label, error) {
	var l model.Label
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		var err error
		l, err = upsertWALabel(ctx, tx, waLabelID, name, color)
		return err
	})
	return l, err
}

func upsertWALabel(ctx context.Context, tx *sql.Tx, waID, name string, color int) (model.Label, error) {
	if waID == "" {
		return model.Label{}, errors.New("store: empty WhatsApp label id")
	}
	// Names from WhatsApp follow the same rules as ours: no control codes,
	// and no commas, which separate label lists.
	name = NormLabelName(strings.ReplaceAll(model.NormalizeLabelName(name), ",", " "))
	if name == "" {
		name = "Label " + waID
	}
	color = ((color % 20) + 20) % 20

	l, err := labelWhere(ctx, tx, `l.wa_label_id = ?`, waID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return l, err
	}
	exists := err == nil
	other, err := labelWhere(ctx, tx, `l.fold = ?`, labelFold(name))
	if err != nil && !errors.Is(err, ErrNotFound) {
		return l, err
	}
	clash := err == nil && (!exists || other.ID != l.ID)

	if !exists {
		if clash && other.WALabelID == "" {
			// Adopt the local label of the same name.
			if _, err := tx.ExecContext(ctx, `UPDATE labels SET wa_label_id = ?, name = ?, color = ?, wa_pending = 0 WHERE id = ?`,
				waID, name, color, other.ID); err != nil {
				return l, fmt.Errorf("store: label %q: %w", name, err)
			}
			other.WALabelID, other.Name, other.Color = waID, name, color
			return other, nil
		}
		if clash {
			name += " (" + waID + ")"
		}
		return createLabel(ctx, tx, name, color, waID)
	}

	if clash {
		if other.WALabelID == "" {
			// Merge the local label into the mirrored one.
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO contact_labels (contact_jid, label_id)
SELECT contact_jid, ? FROM contact_labels WHERE label_id = ?`, l.ID, other.ID); err != nil {
				return l, fmt.Errorf("store: merge label %q: %w", other.Name, err)
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM labels WHERE id = ?`, other.ID); err != nil {
				return l, fmt.Errorf("store: merge label %q: %w", other.Name, err)
			}
		} else {
			name += " (" + waID + ")"
		}
	}
	// WhatsApp has the label: an id chosen here is confirmed.
	if _, err := tx.ExecContext(ctx, `UPDATE labels SET name = ?, fold = ?, color = ?, wa_pending = 0 WHERE id = ?`,
		name, labelFold(name), color, l.ID); err != nil {
		return l, fmt.Errorf("store: update label %q: %w", name, err)
	}
	return labelWhere(ctx, tx, `l.id = ?`, l.ID)
}

// DeleteWALabel deletes the label mirroring a WhatsApp label; nothing
// happens when there is none.
func (s *Store) DeleteWALabel(ctx context.Context, waLabelID string) error {
	return s.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM labels WHERE wa_label_id = ?`, waLabelID); err != nil {
			return fmt.Errorf("store: delete label %s: %w", waLabelID, err)
		}
		return nil
	})
}

// RenameLabel renames a label; the new name must not be taken by another
// label, ignoring case (ErrLabelExists).
func (s *Store) RenameLabel(ctx context.Context, id int64, name string) error {
	n := NormLabelName(name)
	if n == "" {
		return fmt.Errorf("store: %w", ErrInvalidName)
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		if err := requireLabels(ctx, tx, []int64{id}); err != nil {
			return err
		}
		other, err := labelWhere(ctx, tx, `l.fold = ? AND l.id <> ?`, labelFold(n), id)
		if err == nil {
			return fmt.Errorf("store: label %q: %w (as %q)", n, ErrLabelExists, other.Name)
		}
		if !errors.Is(err, ErrNotFound) {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE labels SET name = ?, fold = ? WHERE id = ?`, n, labelFold(n), id); err != nil {
			return fmt.Errorf("store: rename label %d: %w", id, err)
		}
		return queueLabels(ctx, tx, []int64{id}, nil, nil)
	})
}

// SetLabelColor sets a label's colour, 0..19 (ErrInvalidColor).
func (s *Store) SetLabelColor(ctx context.Context, id int64, color int) error {
	if err := validColor(color); err != nil {
		return err
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE labels SET color = ? WHERE id = ?`, color, id)
		if err != nil {
			return fmt.Errorf("store: label %d colour: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("store: label %d: %w", id, ErrNotFound)
		}
		return queueLabels(ctx, tx, []int64{id}, nil, nil)
	})
}

// DeleteLabel deletes a label and its assignments. ErrNotFound when unknown.
func (s *Store) DeleteLabel(ctx context.Context, id int64) error {
	return s.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM labels WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("store: delete label %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("store: label %d: %w", id, ErrNotFound)
		}
		return nil
	})
}

// SetContactLabels replaces a contact's labels with labelIDs. ErrNotFound
// when the contact or one of the labels is unknown.
func (s *Store) SetContactLabels(ctx context.Context, jid string, labelIDs []int64) error {
	j, err := normUserJID(jid)
	if err != nil {
		return fmt.Errorf("store: set labels: %w", err)
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		if err := requireContact(ctx, tx, j); err != nil {
			return err
		}
		if err := requireLabels(ctx, tx, labelIDs); err != nil {
			return err
		}
		return setContactLabels(ctx, tx, j, labelIDs)
	})
}

// AssignLabels adds and removes labels on many contacts in one transaction
// (removals first, so a label in both lists ends up assigned). ErrNotFound,
// and nothing changed, when a contact or label is unknown.
func (s *Store) AssignLabels(ctx context.Context, jids []string, add []int64, remove []int64) error {
	norm := make([]string, len(jids))
	for i, j := range jids {
		n, err := normUserJID(j)
		if err != nil {
			return fmt.Errorf("store: assign labels: %w", err)
		}
		norm[i] = n
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		if err := requireLabels(ctx, tx, add); err != nil {
			return err
		}
		if err := requireLabels(ctx, tx, remove); err != nil {
			return err
		}
		exists, err := tx.PrepareContext(ctx, `SELECT 1 FROM contacts WHERE jid = ?`)
		if err != nil {
			return fmt.Errorf("store: assign labels: %w", err)
		}
		defer exists.Close()
		del, err := tx.PrepareContext(ctx, `DELETE FROM contact_labels WHERE contact_jid = ? AND label_id = ?`)
		if err != nil {
			return fmt.Errorf("store: assign labels: %w", err)
		}
		defer del.Close()
		ins, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO contact_labels (contact_jid, label_id) VALUES (?, ?)`)
		if err != nil {
			return fmt.Errorf("store: assign labels: %w", err)
		}
		defer ins.Close()
		for _, j := range norm {
			var one int
			if err := exists.QueryRowContext(ctx, j).Scan(&one); errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("store: contact %s: %w", j, ErrNotFound)
			} else if err != nil {
				return fmt.Errorf("store: assign labels: %w", err)
			}
			for _, id := range remove {
				if _, err := del.ExecContext(ctx, j, id); err != nil {
					return fmt.Errorf("store: assign labels: %w", err)
				}
			}
			for _, id := range add {
				if _, err := ins.ExecContext(ctx, j, id); err != nil {
					return fmt.Errorf("store: assign labels: %w", err)
				}
			}
		}
		return nil
	})
}

// AddLabelsByName adds labels, by name, to many contacts in one transaction,
// creating missing labels (ignoring case). Existing assignments are kept.
// ErrNotFound, and nothing changed, when a contact is unknown. A new label
// takes the spelling of the first JID (in order) that names it.
func (s *Store) AddLabelsByName(ctx context.Context, byJID map[string][]string) error {
	if len(byJID) == 0 {
		return nil
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		ids := map[string]int64{} // fold -> id
		ls, err := tx.QueryContext(ctx, `SELECT fold, id FROM labels`)
		if err != nil {
			return fmt.Errorf("store: add labels: %w", err)
		}
		for ls.Next() {
			var f string
			var id int64
			if err := ls.Scan(&f, &id); err != nil {
				ls.Close()
				return fmt.Errorf("store: add labels: %w", err)
			}
			ids[f] = id
		}
		ls.Close()
		if err := ls.Err(); err != nil {
			return fmt.Errorf("store: add labels: %w", err)
		}
		exists, err := tx.PrepareContext(ctx, `SELECT 1 FROM contacts WHERE jid = ?`)
		if err != nil {
			return fmt.Errorf("store: add labels: %w", err)
		}
		defer exists.Close()
		ins, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO contact_labels (contact_jid, label_id) VALUES (?, ?)`)
		if err != nil {
			return fmt.Errorf("store: add labels: %w", err)
		}
		defer ins.Close()
		// In JID order, so which spelling creates a new label ("Lead" or
		// "LEAD") does not depend on map iteration.
		jids := slices.Sorted(maps.Keys(byJID))
		for _, jid := range jids {
			names := byJID[jid]
			j, err := normUserJID(jid)
			if err != nil {
				return fmt.Errorf("store: add labels: %w", err)
			}
			var one int
			if err := exists.QueryRowContext(ctx, j).Scan(&one); errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("store: contact %s: %w", j, ErrNotFound)
			} else if err != nil {
				return fmt.Errorf("store: add labels: %w", err)
			}
			for _, name := range names {
				f := labelFold(name)
				if f == "" {
					continue
				}
				id, ok := ids[f]
				if !ok {
					color, err := nextColor(ctx, tx)
					if err != nil {
						return err
					}
					l, err := createLabel(ctx, tx, name, color, "")
					if err != nil {
						return err
					}
					id = l.ID
					ids[f] = id
				}
				if _, err := ins.ExecContext(ctx, j, id); err != nil {
					return fmt.Errorf("store: add labels: %w", err)
				}
			}
		}
		return nil
	})
}

// SetWALabelChat mirrors a WhatsApp label being put on or taken off a chat.
// chatJID may be a phone JID (a minimal contact is created when assigning)
// or a LID, mapped through contacts.lid (ErrNotFound when no contact has it).
// Group chats are ignored. An unknown label gets a placeholder named
// "Label <id>" carrying the WhatsApp id. waChat is the form WhatsApp named
// the chat in (a phone JID or a LID; "" means chatJID's form): it is kept
// with the assignment (contact_labels.wa_chat) so that taking the label off
// is sent to WhatsApp in the same form (LabelChange.WAChat).
func (s *Store) SetWALabelChat(ctx context.Context, waLabelID, chatJID, waChat string, assigned bool) error {
	if waLabelID == "" {
		return errors.New("store: empty WhatsApp label id")
	}
	if model.IsGroupJID(strings.TrimSpace(chatJID)) {
		return nil
	}
	lid := normLID(chatJID)
	var jid string
	if lid == "" {
		var err error
		if jid, err = normUserJID(chatJID); err != nil {
			return fmt.Errorf("store: label chat: %w", err)
		}
	}
	form := lid
	if form == "" {
		form = jid
	}
	if strings.TrimSpace(waChat) != "" {
		if form = normLID(waChat); form == "" {
			var err error
			if form, err = normUserJID(waChat); err != nil {
				return fmt.Errorf("store: label chat as WhatsApp named it: %w", err)
			}
		}
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		t := now()
		if lid != "" {
			var err error
			if jid, err = jidByLID(ctx, tx, lid); err != nil {
				return err
			}
		} else if assigned {
			if err := ensureContact(ctx, tx, jid, t); err != nil {
				return err
			}
		}
		l, err := labelWhere(ctx, tx, `l.wa_label_id = ?`, waLabelID)
		if errors.Is(err, ErrNotFound) {
			if !assigned {
				return nil
			}
			l, err = upsertWALabel(ctx, tx, waLabelID, "", 0)
		}
		if err != nil {
			return err
		}
		if assigned {
			_, err = tx.ExecContext(ctx, `INSERT INTO contact_labels (contact_jid, label_id, wa_chat) VALUES (?, ?, ?)
				ON CONFLICT (contact_jid, label_id) DO UPDATE SET wa_chat = excluded.wa_chat`, jid, l.ID, form)
		} else {
			_, err = tx.ExecContext(ctx, `DELETE FROM contact_labels WHERE contact_jid = ? AND label_id = ?`, jid, l.ID)
		}
		if err != nil {
			return fmt.Errorf("store: label chat %s: %w", jid, err)
		}
		return nil
	})
}
