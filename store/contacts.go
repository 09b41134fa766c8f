package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/wabook/wabook/model"
)

// contactCols are the selected columns, in scanContact's order; the query
// must join checks as k.
const contactCols = `c.jid, c.phone, c.lid, c.full_name, c.first_name, c.push_name,
	c.business_name, c.verified_name, c.about, c.avatar_id, c.avatar_url,
	c.is_my_contact, c.is_wa_contact, c.is_blocked, c.is_internal, c.is_business,
	c.note, c.source, c.created_at, c.updated_at, coalesce(k.status, ''), c.hidden, c.block_pending`

const contactFrom = ` FROM contacts c LEFT JOIN checks k ON k.phone = c.phone `

type scanner interface{ Scan(dest ...any) error }

func scanContact(r scanner, c *model.Contact) error {
	var created, updated int64
	err := r.Scan(&c.JID, &c.Phone, &c.LID, &c.FullName, &c.FirstName, &c.PushName,
		&c.BusinessName, &c.VerifiedName, &c.About, &c.AvatarID, &c.AvatarURL,
		&c.IsMyContact, &c.IsWAContact, &c.IsBlocked, &c.IsInternal, &c.IsBusiness,
		&c.Note, &c.Source, &created, &updated, &c.CheckStatus, &c.Hidden, &c.BlockPending)
	if err != nil {
		return err
	}
	c.CreatedAt, c.UpdatedAt = fromUnix(created), fromUnix(updated)
	return nil
}

// contactKey returns the canonical JID for c: c.JID, or derived from c.Phone.
func contactKey(c *model.Contact) (string, error) {
	if strings.TrimSpace(c.JID) == "" && c.Phone != "" {
		return normUserJID(c.Phone)
	}
	return normUserJID(c.JID)
}

// upsertSQL inserts a contact or merges it into the stored row:
// non-empty strings win, empty ones never erase; is_my_contact, is_wa_contact
// and is_business follow the incoming row; is_blocked, is_internal, source and
// created_at are kept. The row is only written (and updated_at bumped) when
// something changes.
var upsertSQL = func() string {
	strCols := []string{"phone", "lid", "full_name", "first_name", "push_name", "business_name",
		"verified_name", "about", "avatar_id", "avatar_url", "note"}
	boolCols := []string{"is_my_contact", "is_wa_contact", "is_business"}
	var set, changed []string
	for _, c := range strCols {
		set = append(set, fmt.Sprintf("%[1]s = CASE WHEN excluded.%[1]s <> '' THEN excluded.%[1]s ELSE contacts.%[1]s END", c))
		changed = append(changed, fmt.Sprintf("(excluded.%[1]s <> '' AND excluded.%[1]s IS NOT contacts.%[1]s)", c))
	}
	for _, c := range boolCols {
		set = append(set, fmt.Sprintf("%[1]s = excluded.%[1]s", c))
		changed = append(changed, fmt.Sprintf("excluded.%[1]s IS NOT contacts.%[1]s", c))
	}
	set = append(set, "updated_at = excluded.updated_at")
	return `INSERT INTO contacts (jid, phone, lid, full_name, first_name, push_name,
	business_name, verified_name, about, avatar_id, avatar_url,
	is_my_contact, is_wa_contact, is_blocked, is_internal, is_business,
	note, source, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (jid) DO UPDATE SET ` + strings.Join(set, ",\n\t") + `
WHERE ` + strings.Join(changed, "\n\tOR ")
}()

// UpsertContacts merges contacts from WhatsApp (or an import) into the
// mirror in one transaction. Merge rules: empty incoming strings never
// overwrite stored ones; is_my_contact, is_wa_contact and is_business follow
// the incoming value; is_blocked, is_internal, source and created_at are only
// set when the row is new. Labels, Groups and CheckStatus are ignored (see
// AddLabelsByName). A JID that is not a phone-number JID fails the whole call.
func (s *Store) UpsertContacts(ctx context.Context, cs []model.Contact) error {
	if len(cs) == 0 {
		return nil
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, upsertSQL)
		if err != nil {
			return fmt.Errorf("store: upsert contacts: %w", err)
		}
		defer stmt.Close()
		t := now()
		// Insert in key order: B-tree pages are then filled one after the
		// other instead of being revisited at random.
		order := make([]int, len(cs))
		keys := make([]string, len(cs))
		for i := range cs {
			order[i] = i
			if keys[i], err = contactKey(&cs[i]); err != nil {
				return fmt.Errorf("store: upsert contact %d: %w", i, err)
			}
		}
		slices.SortFunc(order, func(a, b int) int {
			if c := strings.Compare(keys[a], keys[b]); c != 0 {
				return c
			}
			return a - b // a JID given twice: later entries merge last
		})
		for n, i := range order {
			c := &cs[i]
			jid := keys[i]
			if n&1023 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			phone := strings.TrimSpace(c.Phone)
			if phone == "" {
				phone = phoneFromJID(jid)
			}
			source := c.Source
			if source == "" {
				source = model.SourceWhatsApp
			}
			created := toUnix(c.CreatedAt)
			if created == 0 {
				created = t
			}
			_, err := stmt.ExecContext(ctx, jid, phone, normLID(c.LID), c.FullName, c.FirstName, c.PushName,
				c.BusinessName, c.VerifiedName, c.About, c.AvatarID, c.AvatarURL,
				b2i(c.IsMyContact), b2i(c.IsWAContact), b2i(c.IsBlocked), b2i(c.IsInternal), b2i(c.IsBusiness),
				c.Note, source, created, t)
			if err != nil {
				return fmt.Errorf("store: upsert contact %s: %w", jid, err)
			}
		}
		return nil
	})
}

// SaveContact writes a locally added or edited contact. A new row takes all
// of c's fields (source defaults to "local"). An existing row gets its
// editable fields overwritten — FullName, FirstName, Note, IsInternal, even
// when empty — and keeps what WhatsApp told us. The contact's labels are set
// to exactly c.Labels (names; missing labels are created, matching ignores
// case), in the same transaction.
func (s *Store) SaveContact(ctx context.Context, c model.Contact) error {
	jid, err := contactKey(&c)
	if err != nil {
		return fmt.Errorf("store: save contact: %w", err)
	}
	phone := strings.TrimSpace(c.Phone)
	if phone == "" {
		phone = phoneFromJID(jid)
	}
	source := c.Source
	if source == "" {
		source = model.SourceLocal
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		t := now()
		created := toUnix(c.CreatedAt)
		if created == 0 {
			created = t
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO contacts (jid, phone, lid, full_name, first_name, push_name,
	business_name, verified_name, about, avatar_id, avatar_url,
	is_my_contact, is_wa_contact, is_blocked, is_internal, is_business,
	note, source, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (jid) DO UPDATE SET
	full_name = excluded.full_name,
	first_name = excluded.first_name,
	note = excluded.note,
	is_internal = excluded.is_internal,
	lid = CASE WHEN excluded.lid <> '' THEN excluded.lid ELSE contacts.lid END,
	updated_at = excluded.updated_at`,
			jid, phone, normLID(c.LID), c.FullName, c.FirstName, c.PushName,
			c.BusinessName, c.VerifiedName, c.About, c.AvatarID, c.AvatarURL,
			b2i(c.IsMyContact), b2i(c.IsWAContact), b2i(c.IsBlocked), b2i(c.IsInternal), b2i(c.IsBusiness),
			c.Note, source, created, t)
		if err != nil {
			return fmt.Errorf("store: save contact %s: %w", jid, err)
		}
		ids, err := ensureLabels(ctx, tx, c.Labels)
		if err != nil {
			return err
		}
		return setContactLabels(ctx, tx, jid, ids)
	})
}

// DeleteContact removes a contact; its label assignments go with it.
// ErrNotFound when there is no such contact.
func (s *Store) DeleteContact(ctx context.Context, jid string) error {
	j, err := normUserJID(jid)
	if err != nil {
		return fmt.Errorf("store: delete contact: %w", err)
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM contacts WHERE jid = ?`, j)
		if err != nil {
			return fmt.Errorf("store: delete contact %s: %w", j, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("store: contact %s: %w", j, ErrNotFound)
		}
		return nil
	})
}

// ensureContact inserts a minimal row for jid (already canonical) if missing.
func ensureContact(ctx context.Context, tx *sql.Tx, jid string, t int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO contacts (jid, phone, source, created_at, updated_at)
VALUES (?, ?, ?, ?, ?) ON CONFLICT (jid) DO NOTHING`, jid, phoneFromJID(jid), model.SourceWhatsApp, t, t)
	if err != nil {
		return fmt.Errorf("store: create contact %s: %w", jid, err)
	}
	return nil
}

// setColumn creates the contact if missing and sets one column.
func (s *Store) setColumn(ctx context.Context, jid, col string, v any) error {
	j, err := normUserJID(jid)
	if err != nil {
		return fmt.Errorf("store: set %s: %w", col, err)
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		t := now()
		if err := ensureContact(ctx, tx, j, t); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE contacts SET `+col+` = ?, updated_at = ? WHERE jid = ? AND `+col+` IS NOT ?`, v, t, j, v)
		if err != nil {
			return fmt.Errorf("store: set %s of %s: %w", col, j, err)
		}
		return nil
	})
}

// SetPushName sets the name the contact gave itself, creating a minimal row
// when the contact is unknown.
func (s *Store) SetPushName(ctx context.Context, jid, name string) error {
	return s.setColumn(ctx, jid, "push_name", name)
}

// SetBlocked marks a contact blocked or not, creating a minimal row when the
// contact is unknown.
func (s *Store) SetBlocked(ctx context.Context, jid string, blocked bool) error {
	return s.setColumn(ctx, jid, "is_blocked", b2i(blocked))
}

// ReplaceBlocklist makes exactly jids blocked, in one transaction: missing
// contacts are created, everyone else is unblocked. LIDs are mapped through
// contacts.lid; a LID no contact carries is skipped.
func (s *Store) ReplaceBlocklist(ctx context.Context, jids []string) error {
	return s.withTx(ctx, func(tx *sql.Tx) error {
		want := make(map[string]bool, len(jids))
		for _, raw := range jids {
			if lid := normLID(raw); lid != "" {
				j, err := jidByLID(ctx, tx, lid)
				if errors.Is(err, ErrNotFound) {
					continue
				}
				if err != nil {
					return err
				}
				want[j] = true
				continue
			}
			j, err := normUserJID(raw)
			if err != nil {
				return fmt.Errorf("store: blocklist: %w", err)
			}
			want[j] = true
		}
		rows, err := tx.QueryContext(ctx, `SELECT jid FROM contacts WHERE is_blocked <> 0`)
		if err != nil {
			return fmt.Errorf("store: blocklist: %w", err)
		}
		var unblock []string
		have := map[string]bool{}
		for rows.Next() {
			var j string
			if err := rows.Scan(&j); err != nil {
				rows.Close()
				return fmt.Errorf("store: blocklist: %w", err)
			}
			have[j] = true
			if !want[j] {
				unblock = append(unblock, j)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: blocklist: %w", err)
		}
		t := now()
		for _, j := range unblock {
			if _, err := tx.ExecContext(ctx, `UPDATE contacts SET is_blocked = 0, updated_at = ? WHERE jid = ?`, t, j); err != nil {
				return fmt.Errorf("store: blocklist: %w", err)
			}
		}
		for j := range want {
			if have[j] {
				continue
			}
			if err := ensureContact(ctx, tx, j, t); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE contacts SET is_blocked = 1, updated_at = ? WHERE jid = ?`, t, j); err != nil {
				return fmt.Errorf("store: blocklist: %w", err)
			}
		}
		return nil
	})
}

// SetAbout sets the contact's about text and profile picture, creating a
// minimal row when the contact is unknown. Empty values clear.
func (s *Store) SetAbout(ctx context.Context, jid, about, avatarID, avatarURL string) error {
	j, err := normUserJID(jid)
	if err != nil {
		return fmt.Errorf("store: set about: %w", err)
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		t := now()
		if err := ensureContact(ctx, tx, j, t); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE contacts SET about = ?, avatar_id = ?, avatar_url = ?, updated_at = ?
WHERE jid = ? AND (about IS NOT ? OR avatar_id IS NOT ? OR avatar_url IS NOT ?)`,
			about, avatarID, avatarURL, t, j, about, avatarID, avatarURL)
		if err != nil {
			return fmt.Errorf("store: set about of %s: %w", j, err)
		}
		return nil
	})
}

// jidByLID is the phone JID of the contact carrying lid (most recently
// updated when several do).
func jidByLID(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, lid string) (string, error) {
	var j string
	err := q.QueryRowContext(ctx, `SELECT jid FROM contacts WHERE lid = ? ORDER BY updated_at DESC, jid LIMIT 1`, lid).Scan(&j)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("store: contact with LID %s: %w", lid, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("store: contact by LID: %w", err)
	}
	return j, nil
}

// Contact returns one contact with its labels, groups and check status.
// A LID is looked up as ContactByLID. ErrNotFound when unknown.
func (s *Store) Contact(ctx context.Context, jid string) (model.Contact, error) {
	if lid := normLID(jid); lid != "" {
		return s.ContactByLID(ctx, lid)
	}
	j, err := normUserJID(jid)
	if err != nil {
		return model.Contact{}, fmt.Errorf("store: contact: %w", err)
	}
	return s.contactWhere(ctx, `c.jid = ?`, j)
}

// ContactByLID returns the contact whose LID is lid. ErrNotFound when none.
func (s *Store) ContactByLID(ctx context.Context, lid string) (model.Contact, error) {
	l := normLID(lid)
	if l == "" {
		return model.Contact{}, fmt.Errorf("store: contact with LID %q: %w", lid, ErrNotFound)
	}
	return s.contactWhere(ctx, `c.lid = ? ORDER BY c.updated_at DESC, c.jid LIMIT 1`, l)
}

// ContactByPhone returns the contact whose phone is e164 ("+5511987654321"),
// the most recently changed one when several are. A contact's phone can
// differ from its JID's digits: one saved from a check keeps the number
// checked under the ID WhatsApp answered with. ErrNotFound when none.
func (s *Store) ContactByPhone(ctx context.Context, e164 string) (model.Contact, error) {
	p := strings.TrimSpace(e164)
	if p == "" {
		return model.Contact{}, fmt.Errorf("store: contact with phone %q: %w", e164, ErrNotFound)
	}
	return s.contactWhere(ctx, `c.phone = ? ORDER BY c.updated_at DESC, c.jid LIMIT 1`, p)
}

func (s *Store) contactWhere(ctx context.Context, where string, arg any) (model.Contact, error) {
	var c model.Contact
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		err := scanContact(tx.QueryRowContext(ctx, `SELECT `+contactCols+contactFrom+`WHERE `+where, arg), &c)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: contact %v: %w", arg, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: contact %v: %w", arg, err)
		}
		c.Labels, err = queryStrings(ctx, tx, `SELECT l.name FROM contact_labels cl JOIN labels l ON l.id = cl.label_id
WHERE cl.contact_jid = ? ORDER BY l."order", l.name`, c.JID)
		if err != nil {
			return fmt.Errorf("store: contact labels: %w", err)
		}
		members := []any{c.JID}
		q := `SELECT DISTINCT group_jid FROM group_members WHERE member = ?`
		if c.LID != "" {
			q = `SELECT DISTINCT group_jid FROM group_members WHERE member IN (?, ?)`
			members = append(members, c.LID)
		}
		c.Groups, err = queryStrings(ctx, tx, q+` ORDER BY group_jid`, members...)
		if err != nil {
			return fmt.Errorf("store: contact groups: %w", err)
		}
		return nil
	})
	return c, err
}

func queryStrings(ctx context.Context, tx *sql.Tx, q string, args ...any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// ContactCount is the number of contacts.
func (s *Store) ContactCount(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM contacts`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count contacts: %w", err)
	}
	return n, nil
}

// packedContact selects a contact as one text value, its fields joined by
// \x1f. modernc.org/sqlite pays a mutex round trip for every column of every
// row, so one column instead of 21 makes Contacts about twice as fast. A field
// containing \x1f itself is detected by unpackContact and the row is read
// again the ordinary way.
const packedContact = `c.jid || x'1f' || c.phone || x'1f' || c.lid || x'1f' || c.full_name || x'1f' ||
	c.first_name || x'1f' || c.push_name || x'1f' || c.business_name || x'1f' || c.verified_name || x'1f' ||
	c.about || x'1f' || c.avatar_id || x'1f' || c.avatar_url || x'1f' || c.note || x'1f' || c.source || x'1f' ||
	coalesce(k.status, '') || x'1f' ||
	((c.is_my_contact <> 0) | ((c.is_wa_contact <> 0) << 1) | ((c.is_blocked <> 0) << 2) |
	 ((c.is_internal <> 0) << 3) | ((c.is_business <> 0) << 4) | ((c.hidden <> 0) << 5) |
	 ((c.block_pending > 0) << 6) | ((c.block_pending < 0) << 7)) || x'1f' ||
	c.created_at || x'1f' || c.updated_at`

const packedFields = 17

// unpackContact fills c from a packedContact value; false when the value
// does not split into exactly the expected fields.
func unpackContact(row string, c *model.Contact) bool {
	var f [packedFields]string
	for i := 0; i < packedFields-1; i++ {
		j := strings.IndexByte(row, 0x1f)
		if j < 0 {
			return false
		}
		f[i], row = row[:j], row[j+1:]
	}
	if strings.IndexByte(row, 0x1f) >= 0 {
		return false
	}
	f[packedFields-1] = row
	flags, err1 := strconv.Atoi(f[14])
	created, err2 := strconv.ParseInt(f[15], 10, 64)
	updated, err3 := strconv.ParseInt(f[16], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return false
	}
	*c = model.Contact{
		JID: f[0], Phone: f[1], LID: f[2], FullName: f[3], FirstName: f[4], PushName: f[5],
		BusinessName: f[6], VerifiedName: f[7], About: f[8], AvatarID: f[9], AvatarURL: f[10],
		Note: f[11], Source: f[12], CheckStatus: f[13],
		IsMyContact: flags&1 != 0, IsWAContact: flags&2 != 0, IsBlocked: flags&4 != 0,
		IsInternal: flags&8 != 0, IsBusiness: flags&16 != 0, Hidden: flags&32 != 0,
		CreatedAt: fromUnix(created), UpdatedAt: fromUnix(updated),
	}
	switch {
	case flags&64 != 0:
		c.BlockPending = 1
	case flags&128 != 0:
		c.BlockPending = -1
	}
	return true
}

// Contacts returns every contact not hidden (see SetHidden) with Labels (in
// label order), Groups (shared groups, matched by phone JID or LID) and
// CheckStatus, in table order (the caller sorts). It runs four whole-table
// queries in one read transaction and joins them in memory.
func (s *Store) Contacts(ctx context.Context) ([]model.Contact, error) {
	return s.contacts(ctx, false)
}

// AllContacts is Contacts including hidden contacts.
func (s *Store) AllContacts(ctx context.Context) ([]model.Contact, error) {
	return s.contacts(ctx, true)
}

func (s *Store) contacts(ctx context.Context, withHidden bool) ([]model.Contact, error) {
	where := ` WHERE c.hidden = 0`
	if withHidden {
		where = ``
	}
	var out []model.Contact
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM contacts c`+where).Scan(&n); err != nil {
			return fmt.Errorf("store: contacts: %w", err)
		}
		out = make([]model.Contact, 0, n)

		rows, err := tx.QueryContext(ctx, `SELECT `+packedContact+contactFrom+where)
		if err != nil {
			return fmt.Errorf("store: contacts: %w", err)
		}
		var odd []string // JIDs of rows that did not unpack
		for rows.Next() {
			var row string
			if err := rows.Scan(&row); err != nil {
				rows.Close()
				return fmt.Errorf("store: contacts: %w", err)
			}
			out = append(out, model.Contact{})
			if !unpackContact(row, &out[len(out)-1]) {
				out = out[:len(out)-1]
				jid, _, _ := strings.Cut(row, "\x1f")
				odd = append(odd, jid)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: contacts: %w", err)
		}
		for _, jid := range odd {
			var c model.Contact
			err := scanContact(tx.QueryRowContext(ctx, `SELECT `+contactCols+contactFrom+`WHERE c.jid = ?`, jid), &c)
			if err != nil {
				return fmt.Errorf("store: contact %s: %w", jid, err)
			}
			out = append(out, c)
		}

		idx := newJIDIndex(len(out))
		for i := range out {
			idx.put(out[i].JID, i)
			if out[i].LID != "" {
				idx.put(out[i].LID, i)
			}
		}

		if err := fillLabels(ctx, tx, out, idx); err != nil {
			return fmt.Errorf("store: contacts: labels: %w", err)
		}
		if err := fillGroups(ctx, tx, out, idx); err != nil {
			return fmt.Errorf("store: contacts: groups: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// rankedLabel is a label's name and its place in the label order.
type rankedLabel struct {
	name string
	rank int
}

// labelRanks reads every label's name and place in the label order, by id.
func labelRanks(ctx context.Context, tx *sql.Tx) (map[int64]rankedLabel, error) {
	labels := map[int64]rankedLabel{}
	rows, err := tx.QueryContext(ctx, `SELECT id, name FROM labels ORDER BY "order", name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		labels[id] = rankedLabel{name, len(labels)}
	}
	return labels, rows.Err()
}

// fillLabels sets the Labels of out from contact_labels, in label order.
func fillLabels(ctx context.Context, tx *sql.Tx, out []model.Contact, idx *jidIndex) error {
	labels, err := labelRanks(ctx, tx)
	if err != nil || len(labels) == 0 {
		return err
	}
	rank := make(map[string]int, len(labels))
	for _, l := range labels {
		rank[l.name] = l.rank
	}

	// One packed column per row, for the reason given at packedContact.
	rows, err := tx.QueryContext(ctx, `SELECT contact_jid || x'1f' || label_id FROM contact_labels`)
	if err != nil {
		return err
	}
	defer rows.Close()
	lastJID, last := "", -1 // rows come grouped by contact_jid
	for rows.Next() {
		var row string
		if err := rows.Scan(&row); err != nil {
			return err
		}
		k := strings.LastIndexByte(row, 0x1f)
		if k < 0 {
			continue
		}
		id, err := strconv.ParseInt(row[k+1:], 10, 64)
		if err != nil {
			continue
		}
		if jid := row[:k]; jid != lastJID {
			lastJID, last = jid, -1
			if i, ok := idx.get(jid); ok {
				last = i
			}
		}
		if l, ok := labels[id]; ok && last >= 0 {
			out[last].Labels = append(out[last].Labels, l.name)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for i := range out {
		if len(out[i].Labels) > 1 {
			slices.SortFunc(out[i].Labels, func(a, b string) int { return rank[a] - rank[b] })
		}
	}
	return nil
}

// fillGroups sets the Groups of out from group_members, whose members are
// phone JIDs or LIDs. Rows come in primary-key order (group_jid, member), so
// a contact listed by both its JID and its LID in one group is met twice in a
// row and counted once.
func fillGroups(ctx context.Context, tx *sql.Tx, out []model.Contact, idx *jidIndex) error {
	rows, err := tx.QueryContext(ctx, `SELECT group_jid || x'1f' || member FROM group_members ORDER BY group_jid`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var cur string
	for rows.Next() {
		var row string
		if err := rows.Scan(&row); err != nil {
			return err
		}
		g, m, ok := strings.Cut(row, "\x1f") // group JIDs never contain \x1f
		if !ok {
			continue
		}
		if g != cur {
			cur = strings.Clone(g) // one string per group, not per row
		}
		i, ok := idx.get(m)
		if !ok {
			continue
		}
		gs := out[i].Groups
		if len(gs) > 0 && gs[len(gs)-1] == cur {
			continue
		}
		out[i].Groups = append(gs, cur)
	}
	return rows.Err()
}

// jidIndex maps phone JIDs and LIDs to contact positions. Keys are the
// JID's digits with one bit for the server, in a map of integers: several
// times faster than string keys for 100 000 contacts. Anything else falls
// back to a string map.
type jidIndex struct {
	num map[uint64]int
	str map[string]int
}

func newJIDIndex(n int) *jidIndex {
	return &jidIndex{num: make(map[uint64]int, n+n/3), str: map[string]int{}}
}

// numKey packs "digits@s.whatsapp.net" or "digits@lid" (at most 18 digits).
func numKey(jid string) (uint64, bool) {
	at := strings.IndexByte(jid, '@')
	if at <= 0 || at > 18 {
		return 0, false
	}
	var tag uint64
	switch jid[at+1:] {
	case model.UserServer:
	case model.LIDServer:
		tag = 1
	default:
		return 0, false
	}
	var n uint64
	for i := 0; i < at; i++ {
		c := jid[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	if jid[0] == '0' { // leading zeros would collide with shorter numbers
		return 0, false
	}
	return n<<1 | tag, true
}

func (x *jidIndex) put(jid string, i int) {
	if k, ok := numKey(jid); ok {
		x.num[k] = i
		return
	}
	x.str[jid] = i
}

func (x *jidIndex) get(jid string) (int, bool) {
	if k, ok := numKey(jid); ok {
		i, ok := x.num[k]
		return i, ok
	}
	i, ok := x.str[jid]
	return i, ok
}
