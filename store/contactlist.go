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

// jidByLID is the phone JID of the contact carrying lid (the most recently
// updated when several do); ErrNotFound when none. The blocklist and
// WhatsApp's label chats map a LID to the contact through it.
func jidByLID(ctx context.Context, q queryRower, lid string) (string, error) {
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
		if err = rowErr(err, fmt.Sprintf("contact %v", arg)); err != nil {
			return err
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

// ContactCount is the number of contacts.
func (s *Store) ContactCount(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM contacts`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count contacts: %w", err)
	}
	return n, nil
}

// BookSize is how many contacts the mirror holds, hidden ones included,
// read from the counts triggers keep (migration 13): no scan, so a reader
// may size itself before a whole read (ui's index builder).
func (s *Store) BookSize(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT coalesce(sum(n), 0) FROM contact_counts`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: counting contacts: %w", err)
	}
	return n, nil
}

// MirrorCounts is how much the mirror holds, for the Account screen.
type MirrorCounts struct {
	Contacts int // shown in the list (not hidden)
	Hidden   int
	Blocked  int
	Groups   int
	Labels   int
}

// Counts counts what the mirror holds, in one read.
func (s *Store) Counts(ctx context.Context) (MirrorCounts, error) {
	var c MirrorCounts
	err := s.db.QueryRowContext(ctx, `SELECT
		(SELECT coalesce(sum(n), 0) FROM contact_counts WHERE hidden = 0),
		(SELECT coalesce(sum(n), 0) FROM contact_counts WHERE hidden <> 0),
		(SELECT count(*) FROM contacts WHERE is_blocked <> 0),
		(SELECT count(*) FROM "groups"),
		(SELECT count(*) FROM labels)`).Scan(&c.Contacts, &c.Hidden, &c.Blocked, &c.Groups, &c.Labels)
	if err != nil {
		return MirrorCounts{}, fmt.Errorf("store: counting the mirror: %w", err)
	}
	return c, nil
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
	c.created_at || x'1f' || c.updated_at || x'1f' || c.changed_by_ms || x'1f' || c.changed_by`

const packedFields = 19

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
	changedMS, err4 := strconv.ParseInt(f[17], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || err4 != nil {
		return false
	}
	*c = model.Contact{
		JID: f[0], Phone: f[1], LID: f[2], FullName: f[3], FirstName: f[4], PushName: f[5],
		BusinessName: f[6], VerifiedName: f[7], About: f[8], AvatarID: f[9], AvatarURL: f[10],
		Note: f[11], Source: f[12], CheckStatus: f[13],
		IsMyContact: flags&1 != 0, IsWAContact: flags&2 != 0, IsBlocked: flags&4 != 0,
		IsInternal: flags&8 != 0, IsBusiness: flags&16 != 0, Hidden: flags&32 != 0,
		CreatedAt: fromUnix(created), UpdatedAt: fromUnix(updated),
		LastChangedBy: f[18], LastChangedAt: fromUnixMilli(changedMS),
	}
	switch {
	case flags&64 != 0:
		c.BlockPending = 1
	case flags&128 != 0:
		c.BlockPending = -1
	}
	return true
}

// unpackOrRead fills c from a packedContact row, or, when the row does not
// unpack (a field holds the separator), reads the contact by its columns
// in tx: in its place, for the readers that stream in an order.
func unpackOrRead(ctx context.Context, tx *sql.Tx, row string, c *model.Contact) error {
	if unpackContact(row, c) {
		return nil
	}
	jid, _, _ := strings.Cut(row, "\x1f")
	*c = model.Contact{}
	if err := scanContact(tx.QueryRowContext(ctx, `SELECT `+contactCols+contactFrom+`WHERE c.jid = ?`, jid), c); err != nil {
		return fmt.Errorf("contact %s: %w", jid, err)
	}
	return nil
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

		var odd []string // JIDs of rows that did not unpack
		err := eachPacked(ctx, tx, func(row string) {
			out = append(out, model.Contact{})
			if !unpackContact(row, &out[len(out)-1]) {
				out = out[:len(out)-1]
				jid, _, _ := strings.Cut(row, "\x1f")
				odd = append(odd, jid)
			}
		}, `SELECT `+packedContact+contactFrom+where)
		if err != nil {
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
	lastJID, last := "", -1 // rows come grouped by contact_jid
	err = eachPacked(ctx, tx, func(row string) {
		jid, id, ok := splitLabelRow(row)
		if !ok {
			return
		}
		if jid != lastJID {
			lastJID, last = jid, -1
			if i, ok := idx.get(jid); ok {
				last = i
			}
		}
		if l, ok := labels[id]; ok && last >= 0 {
			out[last].Labels = append(out[last].Labels, l.name)
		}
	}, `SELECT contact_jid || x'1f' || label_id FROM contact_labels`)
	if err != nil {
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
	var cur string
	return eachPacked(ctx, tx, func(row string) {
		g, m, ok := strings.Cut(row, "\x1f") // group JIDs never contain \x1f
		if !ok {
			return
		}
		if g != cur {
			cur = strings.Clone(g) // one string per group, not per row
		}
		i, ok := idx.get(m)
		if !ok {
			return
		}
		gs := out[i].Groups
		if len(gs) > 0 && gs[len(gs)-1] == cur {
			return
		}
		out[i].Groups = append(gs, cur)
	}, `SELECT group_jid || x'1f' || member FROM group_members ORDER BY group_jid`)
}

// eachPacked runs query, which selects one text column (a packed row, for
// the reason given at packedContact), and calls f with each row's value.
func eachPacked(ctx context.Context, tx *sql.Tx, f func(row string), query string, args ...any) error {
	return eachRow(ctx, tx, func(rows *sql.Rows) error {
		var row string
		if err := rows.Scan(&row); err != nil {
			return err
		}
		f(row)
		return nil
	}, query, args...)
}

// splitLabelRow unpacks a "contact_jid \x1f label_id" row; ok is false
// when row is not one.
func splitLabelRow(row string) (jid string, id int64, ok bool) {
	k := strings.LastIndexByte(row, 0x1f)
	if k < 0 {
		return "", 0, false
	}
	id, err := strconv.ParseInt(row[k+1:], 10, 64)
	if err != nil {
		return "", 0, false
	}
	return row[:k], id, true
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

// contactCols are the selected columns, in scanContact's order; the query
// must join checks as k.
const contactCols = `c.jid, c.phone, c.lid, c.full_name, c.first_name, c.push_name,
	c.business_name, c.verified_name, c.about, c.avatar_id, c.avatar_url,
	c.is_my_contact, c.is_wa_contact, c.is_blocked, c.is_internal, c.is_business,
	c.note, c.source, c.created_at, c.updated_at, coalesce(k.status, ''), c.hidden, c.block_pending,
	c.changed_by, c.changed_by_ms`

const contactFrom = ` FROM contacts c LEFT JOIN checks k ON k.phone = c.phone `

type scanner interface{ Scan(dest ...any) error }

func scanContact(r scanner, c *model.Contact) error {
	var created, updated, changedMS int64
	err := r.Scan(&c.JID, &c.Phone, &c.LID, &c.FullName, &c.FirstName, &c.PushName,
		&c.BusinessName, &c.VerifiedName, &c.About, &c.AvatarID, &c.AvatarURL,
		&c.IsMyContact, &c.IsWAContact, &c.IsBlocked, &c.IsInternal, &c.IsBusiness,
		&c.Note, &c.Source, &created, &updated, &c.CheckStatus, &c.Hidden, &c.BlockPending,
		&c.LastChangedBy, &changedMS)
	if err != nil {
		return err
	}
	c.CreatedAt, c.UpdatedAt = fromUnix(created), fromUnix(updated)
	c.LastChangedAt = fromUnixMilli(changedMS)
	return nil
}
