package app

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/wa/sim"
)

// oddIDWorld has contacts whose WhatsApp ID is not libphonenumber's normal
// form of their number: a Brazilian mobile WhatsApp knows without its
// ninth digit, a UK number in a range libphonenumber calls invalid; and
// hostile names.
func oddIDWorld() *sim.World {
	return &sim.World{
		Account: &sim.WorldAccount{Phone: "+14155550100", Business: true},
		Contacts: []sim.WorldContact{
			{Phone: "+551187654321", FullName: "Maria Silva", FirstName: "Maria"},
			{Phone: "+447700900123", PushName: "Brit; \"the\" ,Tester\\"},
			{Phone: "+14155550101", FullName: "Ada Lovelace", FirstName: "Ada"},
			{Phone: "+14155550105", FullName: "Eve\u001b]52;c;ZXZpbA==\u0007\u001b[2J\u202egnp.exe"},
			{Phone: "+4915123456789", FullName: "山田 太郎"},
		},
		Labels: []sim.WorldLabel{
			{ID: "1", Name: "Brasil", Color: 1, Chats: []string{"+551187654321"}},
			{ID: "2", Name: "UK, odd", Color: 2, Chats: []string{"+447700900123", "+14155550101"}},
		},
	}
}

// Issue 11, point 3: an export of wabook's own re-imports completely into a
// fresh database, under the same IDs, with the same names and labels, even
// for contacts whose WhatsApp ID libphonenumber would rewrite or refuse,
// and for one saved from a check under WhatsApp's ID with the number
// checked as its phone.
func TestExportImportRoundTripKeepsWhatsAppIDs(t *testing.T) {
	t.Parallel()

	src, _ := worldService(t, oddIDWorld())
	ctx := context.Background()
	if _, err := src.store.SaveCheckedContacts(ctx, []model.Contact{{JID: "551187654322@s.whatsapp.net", Phone: "+5511987654322", IsWAContact: true}}, []string{"Checked"}); err != nil {
		t.Fatal(err)
	}
	note := "line one\nline two; with, commas"
	if _, err := src.EditContact(ctx, "447700900123@s.whatsapp.net", ContactEdit{Note: &note}); err != nil {
		t.Fatal(err)
	}
	want, err := src.store.Contacts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != 6 {
		t.Fatalf("the world has %d contacts, want 6", len(want))
	}
	for _, format := range []string{"csv", "vcf", FormatVCard4} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if n, err := src.ExportContacts(ctx, &buf, format, ""); err != nil || n != len(want) {
				t.Fatalf("exported %d, %v; want %d", n, err, len(want))
			}
			dst, _ := worldService(t, accountWorld())
			p, err := dst.PlanImport(ctx, &buf, "export."+strings.TrimSuffix(format, "4"), "")
			if err != nil {
				t.Fatal(err)
			}
			if p.New != len(want) || p.Invalid != 0 || p.Updated != 0 {
				t.Fatalf("plan %d new, %d updated, %d invalid (%v); want %d new", p.New, p.Updated, p.Invalid, p.Reasons, len(want))
			}
			if _, err := dst.ApplyImport(ctx, p); err != nil {
				t.Fatal(err)
			}
			got, err := dst.store.Contacts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			jids := func(cs []model.Contact) []string {
				out := make([]string, len(cs))
				for i, c := range cs {
					out[i] = c.JID
				}
				slices.Sort(out)
				return out
			}
			if g, w := jids(got), jids(want); !slices.Equal(g, w) {
				t.Fatalf("IDs after the round trip\n%v\nwant\n%v", g, w)
			}
			for _, w := range want {
				g, err := dst.store.Contact(ctx, w.JID)
				if err != nil {
					t.Fatal(err)
				}
				gl, wl := slices.Sorted(slices.Values(g.Labels)), slices.Sorted(slices.Values(w.Labels))
				if g.DisplayName() != model.Clean(w.DisplayName()) || g.Phone != w.Phone || g.Note != w.Note || !slices.Equal(gl, wl) {
					t.Errorf("%s: got %q %s %q %v, want %q %s %q %v", w.JID, g.DisplayName(), g.Phone, g.Note, gl,
						model.Clean(w.DisplayName()), w.Phone, w.Note, wl)
				}
			}
			// The digits of a WhatsApp ID name that contact in the new
			// database too.
			for _, id := range []string{"551187654321", "447700900123", "+55 11 8765-4321", "551187654322", "+55 11 98765-4322"} {
				if _, err := dst.FindContact(ctx, id); err != nil {
					t.Errorf("FindContact(%q): %v", id, err)
				}
			}
		})
	}
}

// The ID column is trusted only when it is a phone-number JID: another
// tool's bare digits (a check-results CSV's contact_id), a LID or garbage
// leave the row to its phone number.
func TestImportTrustsOnlyWhatsAppJIDs(t *testing.T) {
	t.Parallel()

	svc, _ := worldService(t, accountWorld())
	ctx := context.Background()
	text := "contact_id,name,phone\n" +
		"447700900123@c.us,Brit,+44 7700 900123\n" + // invalid for libphonenumber, trusted
		"551187654321@s.whatsapp.net,Maria,+55 11 8765-4321\n" + // kept without the ninth digit
		"551187654323@c.us,Bruno,+55 11 98765-4323\n" + // the phone checked, WhatsApp's ID
		"14155550177,Bare,+1 415 555 0177\n" + // bare digits: the phone decides
		"211111111111111@lid,Lid,+1 415 555 0178\n" +
		"junk@c.us,Junk,+1 415 555 0179\n" +
		"447700900124@c.us,No phone,\n" +
		",Nobody,+44 7700 900125\n" // no ID, a number libphonenumber refuses
	p, err := svc.PlanImport(ctx, bytes.NewBufferString(text), "ids.csv", "")
	if err != nil {
		t.Fatal(err)
	}
	type row struct{ jid, phone string }
	var got []row
	for _, r := range p.rows {
		got = append(got, row{r.JID, r.Phone})
	}
	want := []row{
		{"447700900123@s.whatsapp.net", "+447700900123"},
		{"551187654321@s.whatsapp.net", "+551187654321"},
		{"551187654323@s.whatsapp.net", "+5511987654323"},
		{"14155550177@s.whatsapp.net", "+14155550177"},
		{"14155550178@s.whatsapp.net", "+14155550178"},
		{"14155550179@s.whatsapp.net", "+14155550179"},
		{"447700900124@s.whatsapp.net", "+447700900124"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("rows\n%v\nwant\n%v", got, want)
	}
	if p.Invalid != 1 || len(p.Reasons) != 1 || !strings.Contains(p.Reasons[0], "row 9") {
		t.Errorf("invalid %d %q; want row 9's unknown number refused", p.Invalid, p.Reasons)
	}
}
