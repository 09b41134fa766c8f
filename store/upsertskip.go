package store

import (
	"context"
	"database/sql"
	"strings"

	"github.com/wabook/wabook/model"
)

// A sync brings the whole book back, nearly all of it unchanged. upsertSQL
// writes nothing for an unchanged row, but the statement is still run once
// a contact, and at 100 000 contacts those runs are most of the sync's
// time. For a large upsert, the stored values upsertSQL compares are read
// first (storedForUpsert), and only the contacts that are new or would change a
// row are given to upsertSQL. The comparison below applies upsertSQL's own
// rules; a row it cannot read exactly (a field holding \x1f) goes through
// upsertSQL, which decides.

// skipCheckFrom is the size of upsert from which the stored rows are read
// first: below it, one pass over the table costs more than it saves.
const skipCheckFrom = 1_000

// upsertStored packs what upsertSQL compares of a stored row, after its
// JID: the string columns in upsertSQL's order, then the flags it sets.
const upsertStored = `jid || x'1f' || phone || x'1f' || lid || x'1f' || full_name || x'1f' || first_name || x'1f' ||
	push_name || x'1f' || business_name || x'1f' || verified_name || x'1f' || about || x'1f' || avatar_id || x'1f' ||
	avatar_url || x'1f' || note || x'1f' || is_my_contact || x'1f' || is_wa_contact || x'1f' || is_business`

const upsertStoredFields = 15 // the JID and 14 values

// storedForUpsert reads the packed values of the stored contacts among
// keys (JIDs, sorted), by JID: one pass over the table when keys are a
// large part of it, by key otherwise. A sync arrives in events of 1 000
// contacts (wa/sim, wa/wm), each its own upsert: reading the whole table
// for each of them made a sync of n contacts cost n²/1 000 row reads.
func storedForUpsert(ctx context.Context, tx *sql.Tx, keys []string) (map[string]string, error) {
	var rows int
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(sum(n), 0) FROM contact_counts`).Scan(&rows); err != nil {
		return nil, err
	}
	stored := make(map[string]string, len(keys))
	add := func(row string) {
		jid, rest, ok := strings.Cut(row, "\x1f")
		if ok {
			stored[jid] = rest
		}
	}
	if len(keys)*keyedReadCost >= rows {
		return stored, eachPacked(ctx, tx, add, `SELECT `+upsertStored+` FROM contacts`)
	}
	for len(keys) > 0 {
		batch := keys[:min(len(keys), keyedBatch)]
		keys = keys[len(batch):]
		in, args := inList(batch)
		if err := eachPacked(ctx, tx, add, `SELECT `+upsertStored+` FROM contacts WHERE jid IN `+in, args...); err != nil {
			return nil, err
		}
	}
	return stored, nil
}

// keyedReadCost is about how many rows one pass over the table reads in
// the time of one read by key; keyedBatch how many keys one such read
// asks for.
const (
	keyedReadCost = 4
	keyedBatch    = 500
)

// upsertChangesNothing reports whether upsertSQL, given c (whose phone and
// LID are already in their stored forms), would leave the stored row
// (packed, without its JID) as it is: every non-empty string equal to the
// stored one, every flag equal.
func upsertChangesNothing(stored, phone, lid string, c *model.Contact) bool {
	in := [upsertStoredFields - 1]string{phone, lid, c.FullName, c.FirstName, c.PushName, c.BusinessName,
		c.VerifiedName, c.About, c.AvatarID, c.AvatarURL, c.Note, flag(c.IsMyContact), flag(c.IsWAContact), flag(c.IsBusiness)}
	const stringCols = 11 // the first 11: an empty one never overwrites
	for i := range in {
		v, rest, found := strings.Cut(stored, "\x1f")
		if found != (i < len(in)-1) {
			return false // a field holding \x1f: let upsertSQL decide
		}
		stored = rest
		if (i >= stringCols || in[i] != "") && in[i] != v {
			return false
		}
	}
	return true
}

func flag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}
