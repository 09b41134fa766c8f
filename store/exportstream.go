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
	n := 0
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		// Sized for every contact at once: growing the slices would hold
		// the old and new arrays together, and leave room unused.
		var count int
		if err := tx.QueryRowContext(ctx, `SELECT n FROM contact_counts WHERE hidden = ?`, hidden).Scan(&count); err != nil {
			return err
		}
		keys := newSortKeys(count)
		lists := newPackedLists(count)
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
				lists.add(ranks, gs)
			}
			return nil
		}, `SELECT `+contactNoLists+contactFrom+`WHERE (c.hidden <> 0) = ? ORDER BY c.jid`, hidden)
		if err != nil {
			return err
		}
		m.close()
		order := keys.sorted()
		var r chunkReader
		for from := 0; from < len(order); from += sortedChunk {
			chunk := order[from:min(from+sortedChunk, len(order))]
			cs, err := r.read(ctx, tx, chunk, keys.rowid)
			if err != nil {
				return err
			}
			for i, k := range chunk {
				c := &cs[i]
				lists.set(k, c, m)
				n++
				if err := emit(c); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("store: contacts in order: %w", err)
	}
	return n, nil
}

// chunkReader reads the second pass's contacts a chunk at a time.
type chunkReader struct {
	byRowid []rowidAt
	list    []byte
	out     []model.Contact
}

// rowidAt is a contact's rowid and its place in a chunk.
type rowidAt struct {
	rowid int64
	at    int
}

// read gives the contacts whose rowids are rowid[k] for each k of chunk, in
// chunk's order, good until the next read. It asks for them in rowid order,
// which walks the table's B-tree forward and needs no sorting of the rows.
func (r *chunkReader) read(ctx context.Context, tx *sql.Tx, chunk []uint32, rowid []int64) ([]model.Contact, error) {
	r.byRowid = r.byRowid[:0]
	for i, k := range chunk {
		r.byRowid = append(r.byRowid, rowidAt{rowid[k], i})
	}
	slices.SortFunc(r.byRowid, func(a, b rowidAt) int { return cmp.Compare(a.rowid, b.rowid) })
	r.list = append(r.list[:0], '[')
	for i, p := range r.byRowid {
		if i > 0 {
			r.list = append(r.list, ',')
		}
		r.list = strconv.AppendInt(r.list, p.rowid, 10)
	}
	r.list = append(r.list, ']')
	r.out = slices.Grow(r.out[:0], len(chunk))[:len(chunk)]
	found := 0
	err := eachListedContact(ctx, tx, func(id int64, c *model.Contact) error {
		i, ok := slices.BinarySearchFunc(r.byRowid, id, func(p rowidAt, id int64) int { return cmp.Compare(p.rowid, id) })
		if !ok {
			return fmt.Errorf("contact %d was not asked for", id)
		}
		r.out[r.byRowid[i].at] = *c
		found++
		return nil
	}, `SELECT `+contactNoLists+contactFrom+`WHERE c.rowid IN (SELECT value FROM json_each(?))`, string(r.list))
	if err != nil {
		return nil, err
	}
	if found != len(chunk) {
		return nil, fmt.Errorf("%d of %d contacts read again", found, len(chunk))
	}
	return r.out, nil
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

func newSortKeys(n int) sortKeys {
	return sortKeys{end: make([]uint32, 0, n), rowid: make([]int64, 0, n)}
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
