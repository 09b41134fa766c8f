package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"

	"github.com/wabook/wabook/model"
)

// ContactsSorted reads the contacts, the hidden ones when hidden and
// otherwise those not hidden, each with its labels, groups and check
// status, in one read transaction that never holds the whole book: it
// gives every contact to key, which returns its sort key, or false to
// leave it out, then gives the kept contacts to emit in key order, equal
// keys in table (rowid) order. Neither keeps c. The contacts are read once,
// in JID order, so that their labels and groups come from whole-table
// reads in the same order (listMerge), and sorted in runs of runBytes
// (runSorter). It returns how many contacts emit was given.
func (s *Store) ContactsSorted(ctx context.Context, hidden bool, key func(c *model.Contact) (string, bool), emit func(c *model.Contact) error) (int, error) {
	n := 0
	sorter := runSorter{dir: s.tempDir(), limit: cmp.Or(s.exportRun, runBytes)}
	defer sorter.close()
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		m, err := newListMerge(ctx, tx)
		if err != nil {
			return err
		}
		defer m.close()
		sorter.labels, sorter.groups = m.byRank, m.groups
		var labelBuf, groupBuf []string
		return eachPackedContact(ctx, tx, func(rowid int64, c *model.Contact) error {
			ranks, gs, err := m.lists(c.JID, c.LID)
			if err != nil {
				return err
			}
			labelBuf, groupBuf = names(labelBuf[:0], ranks, m.byRank), names(groupBuf[:0], gs, m.groups)
			c.Labels, c.Groups = labelBuf, groupBuf
			if k, ok := key(c); ok {
				return sorter.add(k, rowid, c, ranks, gs)
			}
			return nil
		}, `SELECT c.rowid, `+packedContact+contactFrom+`WHERE (c.hidden <> 0) = ? ORDER BY c.jid`, hidden)
	})
	if err == nil {
		err = sorter.each(func(c *model.Contact, ranks, groups []int32) error {
			if n%4096 == 0 && ctx.Err() != nil { // the merge reads no database to notice
				return ctx.Err()
			}
			c.Labels, c.Groups = names(nil, ranks, sorter.labels), names(nil, groups, sorter.groups)
			n++
			return emit(c)
		})
	}
	if err != nil {
		return n, fmt.Errorf("store: contacts in order: %w", err)
	}
	return n, nil
}

// eachPackedContact runs query, which selects a rowid and a packedContact,
// and gives f each contact, without its labels and groups.
func eachPackedContact(ctx context.Context, tx *sql.Tx, f func(rowid int64, c *model.Contact) error, query string, args ...any) error {
	return eachRow(ctx, tx, func(rows *sql.Rows) error {
		var rowid int64
		var packed sql.NullString
		if err := rows.Scan(&rowid, &packed); err != nil {
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
		return f(rowid, &c)
	}, query, args...)
}
