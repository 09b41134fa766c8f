package store

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"github.com/wabook/wabook/model"
)

// contactNoLists selects a contact's rowid, its packed fields
// (packedContact) and two empty lists, for eachListedContact: ContactsSorted
// reads the labels and groups apart (listMerge).
const contactNoLists = `c.rowid, ` + packedContact + `, '[]', '[]'`

// sortedChunk is how many contacts the second pass of ContactsSorted reads
// with one query.
const sortedChunk = 2_000

// ContactsSorted reads the contacts, the hidden ones when hidden and
// otherwise those not hidden, each with its labels, groups and check
// status, in one read transaction and two passes that never hold the whole
// book: the first gives every contact to key, which returns its sort key,
// or false to leave it out; the second gives the kept contacts to emit in
// key order, equal keys in table (rowid) order. Neither keeps c. Memory
// grows with the keys kept (and their label and group numbers), not with
// the contacts. It returns how many contacts emit was given.
//
// The first pass reads the contacts in JID order, so that their labels and
// groups come from whole-table reads in the same order (listMerge); the
// second reads the kept contacts by rowid, sortedChunk at a time, without
// their lists, which the first pass kept as numbers.
func (s *Store) ContactsSorted(ctx context.Context, hidden bool, key func(c *model.Contact) (string, bool), emit func(c *model.Contact) error) (int, error) {
	var keys sortKeys
	var labels, groups packedLists
	n := 0
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		m, err := newListMerge(ctx, tx)
		if err != nil {
			return err
		}
		defer m.close()
		var labelBuf, groupBuf []string
		err = eachListedContact(ctx, tx, func(rowid int64, c *model.Contact) error {
			ranks, gs, err := m.lists(ctx, tx, c.JID, c.LID)
			if err != nil {
				return err
			}
			labelBuf, groupBuf = names(labelBuf[:0], ranks, m.byRank), names(groupBuf[:0], gs, m.groups)
			c.Labels, c.Groups = labelBuf, groupBuf
			if k, ok := key(c); ok {
				keys.add(k, rowid)
				labels.add(ranks)
				groups.add(gs)
			}
			return nil
		}, `SELECT `+contactNoLists+contactFrom+`WHERE (c.hidden <> 0) = ? ORDER BY c.jid`, hidden)
		if err != nil {
			return err
		}
		m.close()
		order := keys.sorted()
		var list []byte
		for from := 0; from < len(order); from += sortedChunk {
			chunk := order[from:min(from+sortedChunk, len(order))]
			list = list[:0]
			list = append(list, '[')
			for i, k := range chunk {
				if i > 0 {
					list = append(list, ',')
				}
				list = strconv.AppendInt(list, keys.rowid[k], 10)
			}
			list = append(list, ']')
			i := 0
			err := eachListedContact(ctx, tx, func(_ int64, c *model.Contact) error {
				k := chunk[i]
				i++
				c.Labels = names(nil, labels.at(k), m.byRank)
				c.Groups = names(nil, groups.at(k), m.groups)
				n++
				return emit(c)
			}, `SELECT `+contactNoLists+` FROM json_each(?) j JOIN contacts c ON c.rowid = j.value
LEFT JOIN checks k ON k.phone = c.phone ORDER BY j.key`, string(list))
			if err != nil {
				return err
			}
			if i != len(chunk) {
				return fmt.Errorf("%d of %d contacts read again", i, len(chunk))
			}
		}
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("store: contacts in order: %w", err)
	}
	return n, nil
}

// eachListedContact runs query, which selects a rowid, a packedContact and
// its labels and groups as JSON arrays, and gives f each contact.
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

// sorted gives the positions of the keys in key order, equal keys in rowid
// order.
func (k *sortKeys) sorted() []uint32 {
	order := make([]uint32, len(k.rowid))
	for i := range order {
		order[i] = uint32(i)
	}
	slices.SortFunc(order, func(a, b uint32) int {
		return cmp.Or(bytes.Compare(k.key(a), k.key(b)), cmp.Compare(k.rowid[a], k.rowid[b]))
	})
	return order
}
