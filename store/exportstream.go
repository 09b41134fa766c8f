package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"github.com/wabook/wabook/model"
)

// contactWithLists selects a contact's rowid, its packed fields
// (packedContact), and its labels (in label order) and groups (by JID) as
// JSON arrays: one row holds all an export writes of a contact, so the
// export never holds the book (fillLabels and fillGroups read the same
// lists for the whole book at once).
const contactWithLists = `c.rowid, ` + packedContact + `,
	(SELECT json_group_array(name) FROM (SELECT l.name FROM contact_labels cl JOIN labels l ON l.id = cl.label_id
		WHERE cl.contact_jid = c.jid ORDER BY l."order", l.name)),
	(SELECT json_group_array(group_jid) FROM (SELECT DISTINCT group_jid FROM group_members
		WHERE member IN (c.jid, nullif(c.lid, '')) ORDER BY group_jid))`

// contactNoLists selects what contactWithLists does, without the lists:
// for a first pass whose keys do not need them.
const contactNoLists = `c.rowid, ` + packedContact + `, '[]', '[]'`

// sortedChunk is how many contacts the second pass of ContactsSorted reads
// with one query.
const sortedChunk = 2_000

// ContactsSorted reads the contacts, the hidden ones when hidden and
// otherwise those not hidden, each with its labels, groups and check
// status, in one read transaction and two passes that never hold the whole
// book: the first gives every contact to key, which returns its sort key,
// or false to leave it out (keyLists: key looks at the contact's labels or
// groups, which the first pass otherwise leaves out); the second gives the
// kept contacts to emit in key order, equal keys in table order. Memory
// grows with the keys kept, not with the contacts. It returns how many
// contacts emit was given.
func (s *Store) ContactsSorted(ctx context.Context, hidden, keyLists bool, key func(c *model.Contact) (string, bool), emit func(c *model.Contact) error) (int, error) {
	var keys sortKeys
	n := 0
	first := contactNoLists
	if keyLists {
		first = contactWithLists
	}
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		err := eachListedContact(ctx, tx, func(rowid int64, c *model.Contact) error {
			if k, ok := key(c); ok {
				keys.add(k, rowid)
			}
			return nil
		}, `SELECT `+first+contactFrom+`WHERE (c.hidden <> 0) = ? ORDER BY c.rowid`, hidden)
		if err != nil {
			return err
		}
		order := keys.sorted()
		var list []byte
		for from := 0; from < len(order); from += sortedChunk {
			list = list[:0]
			list = append(list, '[')
			for i, k := range order[from:min(from+sortedChunk, len(order))] {
				if i > 0 {
					list = append(list, ',')
				}
				list = strconv.AppendInt(list, keys.rowid[k], 10)
			}
			list = append(list, ']')
			err := eachListedContact(ctx, tx, func(_ int64, c *model.Contact) error {
				n++
				return emit(c)
			}, `SELECT `+contactWithLists+` FROM json_each(?) j JOIN contacts c ON c.rowid = j.value
LEFT JOIN checks k ON k.phone = c.phone ORDER BY j.key`, string(list))
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("store: contacts in order: %w", err)
	}
	return n, nil
}

// eachListedContact runs query, which selects contactWithLists, and gives f
// each contact.
func eachListedContact(ctx context.Context, tx *sql.Tx, f func(rowid int64, c *model.Contact) error, query string, args ...any) error {
	return eachRow(ctx, tx, func(rows *sql.Rows) error {
		var rowid int64
		var packed sql.NullString
		var labels, groups string
		if err := rows.Scan(&rowid, &packed, &labels, &groups); err != nil {
			return err
		}
		var c model.Contact
		if !packed.Valid || !unpackContact(packed.String, &c) {
			// A field holding the packing separator: read the row the
			// ordinary way.
			err := scanContact(tx.QueryRowContext(ctx, `SELECT `+contactCols+contactFrom+`WHERE c.rowid = ?`, rowid), &c)
			if err != nil {
				return err
			}
		}
		if err := jsonList(labels, &c.Labels); err != nil {
			return err
		}
		if err := jsonList(groups, &c.Groups); err != nil {
			return err
		}
		return f(rowid, &c)
	}, query, args...)
}

// jsonList reads a JSON array of strings; an empty one leaves *to nil, as
// Contacts does.
func jsonList(list string, to *[]string) error {
	if list == "" || list == "[]" {
		return nil
	}
	return json.Unmarshal([]byte(list), to)
}

// sortKeys are the sort keys of the contacts an export keeps, in one byte
// arena (a string header per contact would double their size), and their
// rowids.
type sortKeys struct {
	arena []byte
	end   []uint32 // key i is arena[end[i-1]:end[i]]
	rowid []int64
}

func (k *sortKeys) add(key string, rowid int64) {
	k.arena = append(k.arena, key...)
	k.end = append(k.end, uint32(len(k.arena)))
	k.rowid = append(k.rowid, rowid)
}

func (k *sortKeys) key(i uint32) []byte {
	from := uint32(0)
	if i > 0 {
		from = k.end[i-1]
	}
	return k.arena[from:k.end[i]]
}

// sorted gives the positions of the keys in key order; equal keys keep the
// order they were added in.
func (k *sortKeys) sorted() []uint32 {
	order := make([]uint32, len(k.rowid))
	for i := range order {
		order[i] = uint32(i)
	}
	slices.SortStableFunc(order, func(a, b uint32) int { return bytes.Compare(k.key(a), k.key(b)) })
	return order
}
