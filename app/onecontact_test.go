package app

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
)

// Issue 11, point 2: an import keeps "+55 11 8765-4321" as +5511987654321
// (ninth digit added), WhatsApp answers the check with 551187654321; saving
// the valid numbers keeps one contact, under WhatsApp's ID, with the
// imported name, labels and note.
func TestSaveValidKeepsOnePersonOneContact(t *testing.T) {
	t.Parallel()

	e := newCheckEnv(t, checkWorld(), fastConfig(), newFakeClock(t0))
	e.svc.StartChecker(e.ctx)
	ctx := e.ctx
	p, err := e.svc.PlanImport(ctx, strings.NewReader("name,phone,labels,note\nMaria Silva,+55 11 8765-4321,Brasil,met in São Paulo\n"), "br.csv", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ApplyImport(ctx, p); err != nil {
		t.Fatal(err)
	}
	imported := model.JIDFromPhone(numRewritten)
	if _, err := e.st.Contact(ctx, imported); err != nil {
		t.Fatalf("the import did not store %s: %v", imported, err)
	}
	before, _ := e.st.ContactCount(ctx)

	job, rs := e.check(t, []string{"+55 11 8765-4321"}, CheckOptions{})
	if rs[0].Status != model.CheckValid || rs[0].WAID != waRewritten {
		t.Fatalf("check = %+v; want valid with wa_id %s", rs[0], waRewritten)
	}
	if n, err := e.svc.SaveValidAsContacts(ctx, job.ID, []string{"Leads"}); err != nil || n != 1 {
		t.Fatalf("SaveValidAsContacts = %d, %v", n, err)
	}
	if after, _ := e.st.ContactCount(ctx); after != before {
		t.Errorf("%d contacts after saving, %d before: the same person was saved twice", after, before)
	}
	if _, err := e.st.Contact(ctx, imported); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the contact is still under the import's form %s: %v", imported, err)
	}
	c, err := e.svc.FindContact(ctx, waRewritten)
	if err != nil {
		t.Fatal(err)
	}
	if c.JID != model.JIDFromDigits(waRewritten) || c.FullName != "Maria Silva" || c.Note != "met in São Paulo" ||
		!slices.Equal(c.Labels, []string{"Brasil", "Leads"}) || !c.IsWAContact {
		t.Errorf("contact = %s %q %q %v wa=%v; want WhatsApp's ID with the imported name, note, labels",
			c.JID, c.FullName, c.Note, c.Labels, c.IsWAContact)
	}
	// The check result still shows on the contact (joined by the number
	// checked), and the number as typed finds it.
	if c.CheckStatus != model.CheckValid {
		t.Errorf("check status %q, want valid", c.CheckStatus)
	}
	if got, err := e.svc.FindContact(ctx, "+55 11 98765-4321"); err != nil || got.JID != c.JID {
		t.Errorf("FindContact(+55 11 98765-4321) = %s, %v", got.JID, err)
	}
}

// Issue 11, point 3: the digits of a WhatsApp ID in the mirror name that
// contact in every command taking an ID, even where libphonenumber would
// read them as another number (the ninth digit) or call them invalid.
func TestFindContactByWhatsAppIDDigits(t *testing.T) {
	t.Parallel()

	svc, _ := worldService(t, oddIDWorld())
	ctx := context.Background()
	for _, tt := range []struct{ id, jid string }{
		{"551187654321", "551187654321@s.whatsapp.net"},
		{"+551187654321", "551187654321@s.whatsapp.net"},
		{"+55 11 8765-4321", "551187654321@s.whatsapp.net"},
		{"551187654321@c.us", "551187654321@s.whatsapp.net"},
		{"447700900123", "447700900123@s.whatsapp.net"},
		{"+44 7700 900123", "447700900123@s.whatsapp.net"},
		{"(415) 555-0101", "14155550101@s.whatsapp.net"},
	} {
		c, err := svc.FindContact(ctx, tt.id)
		if err != nil || c.JID != tt.jid {
			t.Errorf("FindContact(%q) = %q, %v; want %s", tt.id, c.JID, err, tt.jid)
		}
	}
	// Show, edit and the rest go through FindContact: an edit by the digits
	// changes that contact.
	note := "found by its digits"
	if c, err := svc.EditContact(ctx, "551187654321", ContactEdit{Note: &note}); err != nil || c.JID != "551187654321@s.whatsapp.net" || c.Note != note {
		t.Errorf("EditContact(551187654321) = %s %q, %v", c.JID, c.Note, err)
	}
	// The number with its ninth digit is the same person WhatsApp knows
	// without it (one person, one contact).
	if c, err := svc.FindContact(ctx, "5511987654321"); err != nil || c.JID != "551187654321@s.whatsapp.net" {
		t.Errorf("FindContact(5511987654321) = %q, %v; want WhatsApp's 551187654321", c.JID, err)
	}
	if _, err := svc.FindContact(ctx, "5511987650000"); !errors.Is(err, ErrNotFound) {
		t.Errorf("FindContact(5511987650000) = %v; want not found (no contact has that ID, phone or other form)", err)
	}
}

// The import side of one person, one contact: WhatsApp knows the contact as
// 551187654321 (no ninth digit); a file with "+55 11 8765-4321" updates it
// instead of adding 5511987654321.
func TestImportUpdatesTheContactWhatsAppKnowsWithoutTheNinthDigit(t *testing.T) {
	t.Parallel()

	svc, _ := worldService(t, oddIDWorld())
	ctx := context.Background()
	before, _ := svc.store.ContactCount(ctx)
	p, err := svc.PlanImport(ctx, strings.NewReader("name,phone,labels,note\nMaria S,+55 11 8765-4321,Família,from the old phone\n"), "br.csv", "")
	if err != nil {
		t.Fatal(err)
	}
	if p.New != 0 || p.Updated != 1 {
		t.Errorf("plan %d new, %d updated; want the contact updated", p.New, p.Updated)
	}
	if _, err := svc.ApplyImport(ctx, p); err != nil {
		t.Fatal(err)
	}
	if after, _ := svc.store.ContactCount(ctx); after != before {
		t.Errorf("%d contacts after the import, %d before", after, before)
	}
	c, err := svc.FindContact(ctx, "551187654321")
	if err != nil || c.Note != "from the old phone" || !slices.Contains(c.Labels, "Família") {
		t.Errorf("WhatsApp's contact after the import: %+v, %v", c, err)
	}

	// Written with the ninth digit, it is still the contact WhatsApp knows
	// without it: updated, not added, and found by that form too.
	p, err = svc.PlanImport(ctx, strings.NewReader("name,phone,labels\nMaria S,+55 11 98765-4321,Cliente\n"), "br9.csv", "")
	if err != nil {
		t.Fatal(err)
	}
	if p.New != 0 || p.Updated != 1 {
		t.Errorf("plan with the ninth digit: %d new, %d updated; want the contact updated", p.New, p.Updated)
	}
	if _, err := svc.ApplyImport(ctx, p); err != nil {
		t.Fatal(err)
	}
	if after, _ := svc.store.ContactCount(ctx); after != before {
		t.Errorf("%d contacts after the import with the ninth digit, %d before", after, before)
	}
	if c, err := svc.FindContact(ctx, "+55 11 98765-4321"); err != nil || c.JID != "551187654321@s.whatsapp.net" || !slices.Contains(c.Labels, "Cliente") {
		t.Errorf("found by the ninth-digit form: %+v, %v", c, err)
	}
}
