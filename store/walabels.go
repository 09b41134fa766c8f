package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/wabook/wabook/model"
)

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
	name = model.LabelNameFromWhatsApp(name)
	if name == "" {
		name = "Label " + waID
	}
	color = ((color % 20) + 20) % 20

	l, err := labelWhere(ctx, tx, `l.wa_label_id = ?`, waID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return l, err
	}
	exists := err == nil
	other, err := labelWhere(ctx, tx, `l.fold = ?`, model.LabelFold(name))
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
		name, model.LabelFold(name), color, l.ID); err != nil {
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
	chat, group, err := parseLabelChat(chatJID, waChat)
	if err != nil {
		return err
	}
	if group {
		return nil
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		t := s.now()
		jid := chat.jid
		if chat.lid != "" {
			var err error
			if jid, err = jidByLID(ctx, tx, chat.lid); err != nil {
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
				ON CONFLICT (contact_jid, label_id) DO UPDATE SET wa_chat = excluded.wa_chat`, jid, l.ID, chat.form)
		} else {
			_, err = tx.ExecContext(ctx, `DELETE FROM contact_labels WHERE contact_jid = ? AND label_id = ?`, jid, l.ID)
		}
		if err != nil {
			return fmt.Errorf("store: label chat %s: %w", jid, err)
		}
		return nil
	})
}
