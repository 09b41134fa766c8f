package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wabook/wabook/model"
)

// orderBook is a book whose orders are known: names equal but for case
// (ties broken by JID, which the order of insertion is not), names whose first letter SQLite's lower() leaves
// as it is (É, é), a name that is a phone number (a named contact all the
// same), one known only by number, a hidden contact, three update times,
// a phone two contacts share, groups by JID and by LID.
func orderBook(t *testing.T) *Store {
	t.Helper()
	ctx := context.Background()
	s, err := Open(filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	c := func(n, name, phone string) model.Contact {
		return model.Contact{JID: "141555501" + n + "@s.whatsapp.net", FullName: name, Phone: phone}
	}
	batches := [][]model.Contact{
		{c("01", "Zoe", "+14155550102"), {JID: "14155550104@s.whatsapp.net", LID: "77@lid", FullName: "Émile", Phone: "+14155550104"},
			c("07", "+14155550107", "+14155550107"), c("08", "Aaron", "+14155550108"), c("09", "adam", "+14155550100")},
		{c("02", "adam", "+14155550102"), c("03", "Adam", "+14155550103")},
		{c("05", "ébène", "+14155550105"), c("06", "", "+14155550106")},
	}
	for k, b := range batches {
		at := time.Date(2026, 1, 1+k, 0, 0, 0, 0, time.UTC)
		s.SetClock(func() time.Time { return at })
		if err := s.UpsertContacts(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetHidden(ctx, "14155550108@s.whatsapp.net", true); err != nil {
		t.Fatal(err)
	}
	err = s.ReplaceGroups(ctx, []model.Group{
		{JID: "1@g.us", Name: "One", Participants: []string{"14155550102@s.whatsapp.net", "14155550105@s.whatsapp.net"}},
		{JID: "2@g.us", Name: "Two", Participants: []string{"14155550105@s.whatsapp.net", "77@lid"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// ids are the two digits that tell orderBook's contacts apart.
func ids(cs []model.Contact) string {
	var out []string
	for _, c := range cs {
		out = append(out, strings.TrimSuffix(c.JID, "@s.whatsapp.net")[9:])
	}
	return strings.Join(out, " ")
}

// Every order of the list reads the same from either end and a batch at
// a time: the contacts not hidden in the order's key, then by name as
// sort_name has it (named first, ASCII letters lowered, other bytes as
// they are), then by JID; a hidden contact only among the hidden.
func TestContactOrders(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := orderBook(t)
	want := map[Order]string{
		OrderName:   "07 02 03 09 01 04 05 06",
		OrderRecent: "05 06 02 03 07 09 01 04",
		OrderChats:  "05 02 04 07 03 09 01 06",
		OrderPhone:  "09 02 01 03 04 05 06 07",
	}
	for o := OrderName; o < orders; o++ {
		var all []model.Contact
		err := s.EachInOrder(ctx, o, false, func(c *model.Contact) (bool, error) {
			all = append(all, *c)
			return true, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(all); got != want[o] {
			t.Errorf("order %d: %s, want %s", o, got, want[o])
		}
		first, total, err := s.ContactPage(ctx, o, false, 3)
		if err != nil || total != 8 {
			t.Fatalf("order %d: first page of %d, %v", o, total, err)
		}
		last, _, err := s.ContactPage(ctx, o, true, 3)
		if err != nil {
			t.Fatal(err)
		}
		w := strings.Fields(want[o])
		if got := ids(first); got != strings.Join(w[:3], " ") {
			t.Errorf("order %d: first page %s, want the start of %s", o, got, want[o])
		}
		if got := ids(last); got != strings.Join(w[len(w)-3:], " ") {
			t.Errorf("order %d: last page %s, want the end of %s", o, got, want[o])
		}
		var hidden []model.Contact
		if err := s.EachInOrder(ctx, o, true, func(c *model.Contact) (bool, error) {
			hidden = append(hidden, *c)
			return true, nil
		}); err != nil || ids(hidden) != "08" {
			t.Errorf("order %d: hidden %s, %v; want 08 alone", o, ids(hidden), err)
		}
	}
	// A page's contacts are whole: their groups, by JID and by LID.
	page, _, err := s.ContactPage(ctx, OrderChats, false, 3)
	if err != nil {
		t.Fatal(err)
	}
	if g := page[0].Groups; !slices.Equal(g, []string{"1@g.us", "2@g.us"}) {
		t.Errorf("ébène's groups %q", g)
	}
	if g := page[2].Groups; !slices.Equal(g, []string{"2@g.us"}) {
		t.Errorf("Émile's groups (by LID) %q", g)
	}
	if _, _, err := s.ContactPage(ctx, Order(9), false, 3); err == nil {
		t.Error("an order that does not exist read a page")
	}
}

// A reader that stops early stops the read: fn is not called again.
func TestEachInOrderStops(t *testing.T) {
	t.Parallel()
	s := orderBook(t)
	n := 0
	err := s.EachInOrder(context.Background(), OrderName, false, func(c *model.Contact) (bool, error) {
		n++
		return n < 2, nil
	})
	if err != nil || n != 2 {
		t.Errorf("read %d contacts after asking to stop at 2, %v", n, err)
	}
}

// The orders are read along indexes, not by sorting the book; chats
// sorts (no index can serve a count of groups).
func TestContactOrdersUseIndexes(t *testing.T) {
	t.Parallel()
	s := orderBook(t)
	for o := OrderName; o < orders; o++ {
		for _, q := range []string{
			`SELECT c.jid FROM contacts c WHERE c.hidden = 0 ORDER BY ` + o.orderBy(false) + ` LIMIT 3`,
			`SELECT c.jid FROM contacts c WHERE c.hidden = 0 ORDER BY ` + o.orderBy(true) + ` LIMIT 3`,
			`SELECT ` + packedContact + contactFrom + `WHERE c.hidden = 1 ORDER BY ` + o.orderBy(false),
		} {
			var plan []string
			err := eachRow(context.Background(), s.db, func(rows *sql.Rows) error {
				var id, parent, notused int
				var detail string
				if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
					return err
				}
				plan = append(plan, detail)
				return nil
			}, `EXPLAIN QUERY PLAN `+q)
			if err != nil {
				t.Fatal(err)
			}
			sorts := strings.Contains(strings.Join(plan, "; "), "TEMP B-TREE")
			if sorts != (o == OrderChats) {
				t.Errorf("order %d: %s: %q", o, q, plan)
			}
		}
	}
}
