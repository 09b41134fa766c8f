package app

import (
	"context"
	"fmt"
	"testing"

	"github.com/wabook/wabook/model"
)

// A search through the database stops after its scan limit: the matches
// it found are the first ones, said to be at least that many, and the
// page is the one a search without the limit starts with.
func TestSearchContactsStopsAtItsLimit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc := serviceOn(t, t.TempDir()+"/w.db")
	var cs []model.Contact
	for i := range 40 {
		name := fmt.Sprintf("Person %02d", i)
		if i%4 == 0 {
			name += " Tagged"
		}
		cs = append(cs, model.Contact{JID: fmt.Sprintf("141555501%02d@s.whatsapp.net", i), Phone: fmt.Sprintf("+141555501%02d", i), FullName: name})
	}
	if err := svc.store.UpsertContacts(ctx, cs); err != nil {
		t.Fatal(err)
	}
	whole, err := svc.SearchContacts(ctx, OrderName, "tagged", 100)
	if err != nil || !whole.Complete || whole.Matched != 10 || whole.Scanned != 40 {
		t.Fatalf("without a limit: %+v, %v", whole, err)
	}
	svc.searchLimit = 20
	part, err := svc.SearchContacts(ctx, OrderName, "tagged", 100)
	if err != nil || part.Complete || part.Matched != 5 || part.Scanned != 20 {
		t.Fatalf("with a limit of 20: matched %d, complete %v, scanned %d, %v", part.Matched, part.Complete, part.Scanned, err)
	}
	for i, c := range part.Page.Contacts {
		if c.JID != whole.Page.Contacts[i].JID {
			t.Errorf("match %d: %s, without the limit %s", i, c.JID, whole.Page.Contacts[i].JID)
		}
	}
}
