// The contact list's orders read from the database: a page at either end
// of an order (ContactPage) and the contacts in an order, a batch at a
// time (EachInOrder). They let the list answer the last contact, a sort
// and a search before its own index of the whole book is built
// (ui/window.go); the orders are the index's (ui/index.go sortedOrder),
// ties included, which contactpage_test.go checks.
package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/wabook/wabook/model"
)

// Order is an order of the contact list. Each ends on the name order:
// sort_name (named contacts first, by their display name with ASCII
// letters lowered, then those known only by number), then the JID.
type Order int

const (
	OrderName   Order = iota
	OrderRecent       // most recently updated first
	OrderChats        // most groups first
	OrderPhone        // by phone number as stored
	orders
)

// orderIndexesMigration is migration 15: the list's orders read along
// indexes, ties broken by JID as the list's own index breaks them
// (ui/index.go): by name, most recently updated first, by phone. The name
// index replaces contacts_sort (hidden, sort_name), which it extends.
const orderIndexesMigration = `
CREATE INDEX contacts_name_order ON contacts(hidden, sort_name, jid);
DROP INDEX contacts_sort;
CREATE INDEX contacts_recent_order ON contacts(hidden, updated_at DESC, sort_name, jid);
CREATE INDEX contacts_phone_order ON contacts(hidden, phone, sort_name, jid);
`

// chatsExpr is how many groups a contact is in, by its JID or its LID:
// the count ui's index keeps from the contact's Groups. No index serves it
// (a trigger-kept column would make every group change write contacts);
// an order by it sorts the whole book, which at 1 000 000 contacts takes
// seconds (BenchmarkContactPage), run in the background by the list.
const chatsExpr = `(SELECT count(DISTINCT g.group_jid) FROM group_members g WHERE g.member IN (c.jid, nullif(c.lid, '')))`

// orderBy is an order's ORDER BY, and its reverse. Name, recent and phone
// are read along indexes (migration 15); chats is not.
func (o Order) orderBy(reverse bool) string {
	asc, desc := "ASC", "DESC"
	if reverse {
		asc, desc = desc, asc
	}
	name := `c.sort_name ` + asc + `, c.jid ` + asc
	switch o {
	case OrderRecent:
		return `c.updated_at ` + desc + `, ` + name
	case OrderChats:
		return chatsExpr + ` ` + desc + `, ` + name
	case OrderPhone:
		return `c.phone ` + asc + `, ` + name
	}
	return name
}

func (o Order) valid() error {
	if o < 0 || o >= orders {
		return fmt.Errorf("store: no contact order %d", int(o))
	}
	return nil
}

// ContactPage returns the first n contacts that are not hidden in order o
// (with last, the last n, still in order o), each with its labels, groups
// and check status as ContactsByJID fills them, and how many contacts are
// not hidden. Name, recent and phone pages are read along an index, in
// time that does not grow with the book; chats sorts the book.
func (s *Store) ContactPage(ctx context.Context, o Order, last bool, n int) ([]model.Contact, int, error) {
	if err := o.valid(); err != nil {
		return nil, 0, err
	}
	var out []model.Contact
	var total int
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT n FROM contact_counts WHERE hidden = 0`).Scan(&total); err != nil {
			return err
		}
		jids, err := queryStrings(ctx, tx, `SELECT c.jid FROM contacts c WHERE c.hidden = 0 ORDER BY `+o.orderBy(last)+` LIMIT ?`, n)
		if err != nil {
			return err
		}
		if last {
			slices.Reverse(jids)
		}
		ranks, err := labelRanks(ctx, tx)
		if err != nil {
			return err
		}
		out, err = readContactBatch(ctx, tx, jids, ranks, nil)
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("store: contact page: %w", err)
	}
	return out, total, nil
}

// EachInOrder hands fn the contacts that are hidden (or, without hidden,
// not hidden) in order o, whole as ContactsByJID reads them, until fn
// returns false or an error, in one read transaction; the contact fn gets
// is reused, fn copies what it keeps. The rows stream in
// the order; each batch of contactsByJIDBatch gets its labels and groups
// with two queries, so the first contact comes without reading every
// assignment of the book, and a caller that stops early (a search that
// has its page) reads little more than what it used.
func (s *Store) EachInOrder(ctx context.Context, o Order, hidden bool, fn func(c *model.Contact) (bool, error)) error {
	if err := o.valid(); err != nil {
		return err
	}
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		ranks, err := labelRanks(ctx, tx)
		if err != nil {
			return err
		}
		batch := make([]model.Contact, 0, contactsByJIDBatch)
		flush := func() error {
			if _, err := fillJoins(ctx, tx, batch, ranks); err != nil {
				return err
			}
			for i := range batch {
				if more, err := fn(&batch[i]); !more || err != nil {
					return cmp.Or(err, errStop)
				}
			}
			batch = batch[:0]
			return nil
		}
		err = eachRow(ctx, tx, func(rows *sql.Rows) error {
			var row string
			if err := rows.Scan(&row); err != nil {
				return err
			}
			batch = append(batch, model.Contact{})
			if err := unpackOrRead(ctx, tx, row, &batch[len(batch)-1]); err != nil {
				return err
			}
			if len(batch) == cap(batch) {
				return flush()
			}
			return nil
		}, `SELECT `+packedContact+contactFrom+`WHERE c.hidden = ? ORDER BY `+o.orderBy(false), hidden)
		if err == nil {
			err = flush()
		}
		if errors.Is(err, errStop) {
			return nil
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("store: contacts in order: %w", err)
	}
	return nil
}

// errStop ends a read its reader has had enough of.
var errStop = errors.New("stop")
