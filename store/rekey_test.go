package store_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
)

// carolWA is the form WhatsApp knows carol by: her Brazilian mobile without
// the ninth digit the import added.
const carolWA = "551187654321@s.whatsapp.net"

// A check answered with another form of a number the mirror holds: the
// contact moves to WhatsApp's JID (or merges into the contact already
// there) with its name, note and labels, in the one transaction that saves
// the result; the change log tells readers the old JID is gone, and a
// label change waiting for WhatsApp goes to the new JID.
func TestSaveCheckedContactsMovesAnotherFormOfTheNumber(t *testing.T) {
	t.Parallel()

	for _, tt := range []struct {
		name       string
		synced     bool // WhatsApp's form is in the mirror already
		wantLabels []string
		wantPush   string
	}{
		{name: "moved", wantLabels: []string{"Brasil", "Leads"}},
		{name: "merged", synced: true, wantLabels: []string{"VIP", "Brasil", "Leads"}, wantPush: "mari"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			s := open(t)
			if tt.synced {
				if err := s.UpsertContacts(ctx, []model.Contact{{JID: carolWA, Phone: "+551187654321", PushName: "mari", IsWAContact: true}}); err != nil {
					t.Fatal(err)
				}
				if _, err := s.ChangeLabels(ctx, []string{carolWA}, []string{"VIP"}, nil); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := s.SetLabelSync(ctx, true); err != nil {
				t.Fatal(err)
			}
			if _, _, err := s.ImportContacts(ctx, store.ImportBatch{Rows: []store.ImportRow{
				{JID: carol, Phone: "+5511987654321", Name: "Maria Silva", Note: "met in São Paulo", Labels: []string{"Brasil"}},
			}}); err != nil {
				t.Fatal(err)
			}
			mark, err := s.ChangeMark(ctx)
			if err != nil {
				t.Fatal(err)
			}
			n, err := s.SaveCheckedContacts(ctx, []model.Contact{{JID: carolWA, Phone: "+5511987654321", IsWAContact: true}}, []string{"Leads"})
			if err != nil || n != 1 {
				t.Fatalf("SaveCheckedContacts = %d, %v", n, err)
			}
			if n := count(t, s, `SELECT count(*) FROM contacts`); n != 1 {
				t.Errorf("%d contacts after the save: one person must be one contact", n)
			}
			if _, err := s.Contact(ctx, carol); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("the contact is still under the import's JID: %v", err)
			}
			c := mustContact(t, s, carolWA)
			if c.FullName != "Maria Silva" || c.Note != "met in São Paulo" || !slices.Equal(c.Labels, tt.wantLabels) ||
				c.PushName != tt.wantPush || !c.IsWAContact {
				t.Errorf("WhatsApp's contact = name %q note %q labels %v push %q wa %v; want Maria Silva, the note, %v, %q",
					c.FullName, c.Note, c.Labels, c.PushName, c.IsWAContact, tt.wantLabels, tt.wantPush)
			}
			if n := count(t, s, `SELECT count(*) FROM contact_labels WHERE contact_jid = ?`, carol); n != 0 {
				t.Errorf("%d label assignments left on the old JID", n)
			}
			ch, err := s.ContactsChangedSince(ctx, mark, 0)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(ch.Removed, carol) || !slices.ContainsFunc(ch.Contacts, func(c model.Contact) bool { return c.JID == carolWA }) {
				t.Errorf("change log: removed %v, changed %d; want %s removed and %s changed", ch.Removed, len(ch.Contacts), carol, carolWA)
			}
			items, err := s.Outbox(ctx, false)
			if err != nil {
				t.Fatal(err)
			}
			brasil := false
			for _, it := range items {
				if it.JID == carol || it.Chat == carol {
					t.Errorf("outbox change %d still names the old JID: %+v", it.ID, it)
				}
				brasil = brasil || it.Kind == store.OutboxLabelChat && it.Name == "Brasil" && it.JID == carolWA
			}
			if !brasil {
				t.Errorf("the waiting Brasil assignment does not go to %s: %+v", carolWA, items)
			}
		})
	}
}
