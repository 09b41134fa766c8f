package store_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
)

const (
	alice = "14155550101@s.whatsapp.net"
	bob   = "447700900123@s.whatsapp.net"
	carol = "5511987654321@s.whatsapp.net"
	dave  = "919812345678@s.whatsapp.net"

	bobLID = "211111111111111@lid"
)

func mustContact(t *testing.T, s *store.Store, jid string) model.Contact {
	t.Helper()
	c, err := s.Contact(ctx, jid)
	if err != nil {
		t.Fatalf("Contact(%s): %v", jid, err)
	}
	return c
}

func TestUpsertContactsMergeRules(t *testing.T) {
	t.Parallel()

	full := model.Contact{
		JID: alice, Phone: "+14155550101", LID: "100000000000001@lid",
		FullName: "Alice Liddell", FirstName: "Alice", PushName: "Ali", BusinessName: "Wonderland Ltd",
		VerifiedName: "Wonderland", About: "Curiouser", AvatarID: "123", AvatarURL: "https://pps/1",
		IsMyContact: true, IsWAContact: true, IsBusiness: true, IsBlocked: true, IsInternal: true,
		Note: "met at the tea party", Source: model.SourceImport,
	}
	tests := []struct {
		name     string
		incoming model.Contact
		check    func(t *testing.T, got model.Contact)
	}{
		{
			name:     "empty strings keep stored values",
			incoming: model.Contact{JID: alice},
			check: func(t *testing.T, got model.Contact) {
				want := full
				want.IsMyContact, want.IsWAContact, want.IsBusiness = false, false, false
				if got.FullName != want.FullName || got.FirstName != want.FirstName || got.PushName != want.PushName ||
					got.BusinessName != want.BusinessName || got.VerifiedName != want.VerifiedName || got.About != want.About ||
					got.AvatarID != want.AvatarID || got.AvatarURL != want.AvatarURL || got.LID != want.LID ||
					got.Note != want.Note || got.Phone != want.Phone {
					t.Errorf("strings were erased: %+v", got)
				}
			},
		},
		{
			name:     "non-empty strings overwrite",
			incoming: model.Contact{JID: alice, FullName: "Alice L.", PushName: "A", About: "Late", LID: "100000000000002@lid", Note: "new note"},
			check: func(t *testing.T, got model.Contact) {
				if got.FullName != "Alice L." || got.PushName != "A" || got.About != "Late" || got.LID != "100000000000002@lid" || got.Note != "new note" {
					t.Errorf("not overwritten: %+v", got)
				}
				if got.FirstName != "Alice" {
					t.Errorf("FirstName = %q, want kept", got.FirstName)
				}
			},
		},
		{
			name:     "bools follow incoming except blocked and internal",
			incoming: model.Contact{JID: alice, IsMyContact: false, IsWAContact: false, IsBusiness: false, IsBlocked: false, IsInternal: false},
			check: func(t *testing.T, got model.Contact) {
				if got.IsMyContact || got.IsWAContact || got.IsBusiness {
					t.Errorf("bools not overwritten: %+v", got)
				}
				if !got.IsBlocked || !got.IsInternal {
					t.Errorf("blocked/internal changed: blocked=%v internal=%v", got.IsBlocked, got.IsInternal)
				}
			},
		},
		{
			name:     "source and created_at kept",
			incoming: model.Contact{JID: alice, Source: model.SourceLocal, CreatedAt: time.Unix(42, 0)},
			check: func(t *testing.T, got model.Contact) {
				if got.Source != model.SourceImport {
					t.Errorf("Source = %q, want kept %q", got.Source, model.SourceImport)
				}
				if got.CreatedAt.Unix() != 1000 {
					t.Errorf("CreatedAt = %v, want kept", got.CreatedAt)
				}
			},
		},
		{
			name:     "legacy c.us JID merges into the same row",
			incoming: model.Contact{JID: "14155550101@c.us", PushName: "Legacy"},
			check: func(t *testing.T, got model.Contact) {
				if got.PushName != "Legacy" {
					t.Errorf("PushName = %q", got.PushName)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			s := open(t)
			if err := s.UpsertContacts(ctx, []model.Contact{full}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.DB().Exec(`UPDATE contacts SET created_at = 1000, updated_at = 1000`); err != nil {
				t.Fatal(err)
			}
			if err := s.UpsertContacts(ctx, []model.Contact{tt.incoming}); err != nil {
				t.Fatal(err)
			}
			if n, _ := s.ContactCount(ctx); n != 1 {
				t.Fatalf("%d contacts, want 1", n)
			}
			got := mustContact(t, s, alice)
			tt.check(t, got)
			if got.UpdatedAt.Unix() == 1000 {
				t.Error("updated_at not bumped on change")
			}
		})
	}
}

func TestUpsertContactsNewRow(t *testing.T) {
	t.Parallel()

	s := open(t)
	err := s.UpsertContacts(ctx, []model.Contact{
		{JID: alice, IsBlocked: true, IsInternal: true},
		{JID: bob, LID: bobLID, Source: model.SourceImport},
		{Phone: "+5511987654321", PushName: "Carol"}, // JID derived from the phone
	})
	if err != nil {
		t.Fatal(err)
	}
	a := mustContact(t, s, alice)
	if a.Phone != "+14155550101" {
		t.Errorf("Phone = %q, want derived +14155550101", a.Phone)
	}
	if a.Source != model.SourceWhatsApp {
		t.Errorf("Source = %q, want whatsapp", a.Source)
	}
	if !a.IsBlocked || !a.IsInternal {
		t.Error("a new row should take blocked/internal from the input")
	}
	if a.CreatedAt.IsZero() || a.UpdatedAt.IsZero() {
		t.Error("timestamps not set")
	}
	if b := mustContact(t, s, bob); b.Source != model.SourceImport || b.LID != bobLID {
		t.Errorf("bob = %+v", b)
	}
	if c := mustContact(t, s, carol); c.PushName != "Carol" {
		t.Errorf("carol = %+v", c)
	}
	b, err := s.ContactByLID(ctx, bobLID)
	if err != nil || b.JID != bob {
		t.Errorf("ContactByLID = %q, %v", b.JID, err)
	}
	if b, err := s.Contact(ctx, "211111111111111:4@lid"); err != nil || b.JID != bob {
		t.Errorf("Contact(LID with device) = %q, %v", b.JID, err)
	}
	if _, err := s.ContactByLID(ctx, "999@lid"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown LID: %v, want ErrNotFound", err)
	}
	if _, err := s.Contact(ctx, dave); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown contact: %v, want ErrNotFound", err)
	}
}

func TestUpsertContactsUnchangedKeepsUpdatedAt(t *testing.T) {
	t.Parallel()

	s := open(t)
	c := model.Contact{JID: alice, FullName: "Alice", IsWAContact: true}
	if err := s.UpsertContacts(ctx, []model.Contact{c}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().Exec(`UPDATE contacts SET updated_at = 1000`); err != nil {
		t.Fatal(err)
	}
	if err := s.UpsertContacts(ctx, []model.Contact{c, {JID: alice}}[:1]); err != nil {
		t.Fatal(err)
	}
	if got := mustContact(t, s, alice); got.UpdatedAt.Unix() != 1000 {
		t.Errorf("updated_at = %v, want untouched", got.UpdatedAt)
	}
}

func TestUpsertContactsBadJIDChangesNothing(t *testing.T) {
	t.Parallel()

	s := open(t)
	err := s.UpsertContacts(ctx, []model.Contact{{JID: alice}, {JID: "120363000000000001@g.us"}})
	if !errors.Is(err, store.ErrInvalidJID) {
		t.Fatalf("err = %v, want ErrInvalidJID", err)
	}
	if n, _ := s.ContactCount(ctx); n != 0 {
		t.Errorf("%d contacts written, want 0 (one transaction)", n)
	}
}

func TestSaveContact(t *testing.T) {
	t.Parallel()

	s := open(t)
	if _, err := s.CreateLabel(ctx, "VIP", 3); err != nil {
		t.Fatal(err)
	}
	// Insert: all fields, labels matched ignoring case or created.
	err := s.SaveContact(ctx, model.Contact{
		JID: alice, FullName: "Alice", FirstName: "Al", Note: "n", IsInternal: true,
		Labels: []string{"vip", "  New   customer ", "NEW CUSTOMER"},
	})
	if err != nil {
		t.Fatal(err)
	}
	a := mustContact(t, s, alice)
	if a.Source != model.SourceLocal || a.FullName != "Alice" || !a.IsInternal {
		t.Errorf("inserted = %+v", a)
	}
	if !slices.Equal(a.Labels, []string{"VIP", "New customer"}) {
		t.Errorf("labels = %q", a.Labels)
	}
	if ls, _ := s.Labels(ctx); len(ls) != 2 {
		t.Errorf("%d labels, want 2", len(ls))
	}

	// WhatsApp data arrives; then an edit overwrites only editable fields.
	if err := s.SetPushName(ctx, alice, "Ali"); err != nil {
		t.Fatal(err)
	}
	err = s.SaveContact(ctx, model.Contact{JID: alice, FullName: "Alice Liddell", Labels: []string{"New customer"}})
	if err != nil {
		t.Fatal(err)
	}
	a = mustContact(t, s, alice)
	if a.FullName != "Alice Liddell" || a.FirstName != "" || a.Note != "" || a.IsInternal {
		t.Errorf("editable fields not overwritten: %+v", a)
	}
	if a.PushName != "Ali" || a.Source != model.SourceLocal {
		t.Errorf("non-editable fields changed: %+v", a)
	}
	if !slices.Equal(a.Labels, []string{"New customer"}) {
		t.Errorf("labels = %q", a.Labels)
	}
}

func TestMinimalRows(t *testing.T) {
	t.Parallel()

	s := open(t)
	if err := s.SetPushName(ctx, alice, "Ali"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetBlocked(ctx, bob, true); err != nil {
		t.Fatal(err)
	}
	if err := s.SetAbout(ctx, carol, "Busy", "42", "https://pps/42"); err != nil {
		t.Fatal(err)
	}
	if a := mustContact(t, s, alice); a.PushName != "Ali" || a.Phone != "+14155550101" || a.Source != model.SourceWhatsApp {
		t.Errorf("alice = %+v", a)
	}
	if b := mustContact(t, s, bob); !b.IsBlocked {
		t.Error("bob not blocked")
	}
	if c := mustContact(t, s, carol); c.About != "Busy" || c.AvatarID != "42" || c.AvatarURL != "https://pps/42" {
		t.Errorf("carol = %+v", c)
	}
	if err := s.SetBlocked(ctx, bob, false); err != nil {
		t.Fatal(err)
	}
	if b := mustContact(t, s, bob); b.IsBlocked {
		t.Error("bob still blocked")
	}
	if err := s.SetPushName(ctx, "120363000000000001@g.us", "x"); !errors.Is(err, store.ErrInvalidJID) {
		t.Errorf("group JID: %v, want ErrInvalidJID", err)
	}
}

func TestReplaceBlocklist(t *testing.T) {
	t.Parallel()

	s := open(t)
	err := s.UpsertContacts(ctx, []model.Contact{
		{JID: alice, IsBlocked: true}, {JID: bob, LID: bobLID}, {JID: carol, IsBlocked: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	// carol stays, alice is unblocked, bob (by LID) and dave (new) are blocked;
	// an unknown LID is skipped.
	if err := s.ReplaceBlocklist(ctx, []string{carol, bobLID, dave, "999999@lid"}); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{alice: false, bob: true, carol: true, dave: true}
	for jid, blocked := range want {
		if c := mustContact(t, s, jid); c.IsBlocked != blocked {
			t.Errorf("%s blocked = %v, want %v", jid, c.IsBlocked, blocked)
		}
	}
	if n, _ := s.ContactCount(ctx); n != 4 {
		t.Errorf("%d contacts, want 4", n)
	}
	if err := s.ReplaceBlocklist(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, `SELECT count(*) FROM contacts WHERE is_blocked <> 0`); n != 0 {
		t.Errorf("%d still blocked after empty list", n)
	}
}

func TestContactsDerivedFields(t *testing.T) {
	t.Parallel()

	s := open(t)
	err := s.UpsertContacts(ctx, []model.Contact{
		{JID: alice, FullName: "Alice"},
		{JID: bob, LID: bobLID, FullName: "Bob"},
		{JID: carol, FullName: "Carol"},
		// A separator inside a field must not confuse the bulk reader.
		{JID: dave, FullName: "Dave\x1fthe\x1fodd", Note: "\x1f"},
	})
	if err != nil {
		t.Fatal(err)
	}
	// Label order: "order" column, so Zeta (created first) before Alpha.
	zeta, _ := s.CreateLabel(ctx, "Zeta", 1)
	alpha, _ := s.CreateLabel(ctx, "Alpha", 2)
	if err := s.AssignLabels(ctx, []string{alice, dave}, []int64{alpha.ID, zeta.ID}, nil); err != nil {
		t.Fatal(err)
	}
	const (
		g1 = "120363000000000001@g.us"
		g2 = "120363000000000002@g.us"
		g3 = "120363000000000003@g.us"
	)
	err = s.ReplaceGroups(ctx, []model.Group{
		{JID: g1, Name: "One", Participants: []string{alice, bobLID}}, // bob by LID only
		{JID: g2, Name: "Two", Participants: []string{bob, bobLID}},   // bob twice: one group
		{JID: g3, Name: "Three", Participants: []string{"16505550000@s.whatsapp.net", dave}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutCheck(ctx, model.CheckResult{Phone: "+5511987654321", Status: model.CheckValid, WAID: "5511987654321"}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutCheck(ctx, model.CheckResult{Phone: "+14155550101", Status: model.CheckInvalid}); err != nil {
		t.Fatal(err)
	}

	want := map[string]struct {
		labels, groups []string
		check          string
		name           string
	}{
		alice: {[]string{"Zeta", "Alpha"}, []string{g1}, model.CheckInvalid, "Alice"},
		bob:   {nil, []string{g1, g2}, "", "Bob"},
		carol: {nil, nil, model.CheckValid, "Carol"},
		dave:  {[]string{"Zeta", "Alpha"}, []string{g3}, "", "Dave\x1fthe\x1fodd"},
	}
	all, err := s.Contacts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(want) {
		t.Fatalf("Contacts() returned %d, want %d", len(all), len(want))
	}
	for _, c := range all {
		w, ok := want[c.JID]
		if !ok {
			t.Errorf("unexpected contact %s", c.JID)
			continue
		}
		one := mustContact(t, s, c.JID)
		for name, got := range map[string]model.Contact{"Contacts": c, "Contact": one} {
			if !slices.Equal(got.Labels, w.labels) {
				t.Errorf("%s: %s labels = %q, want %q", name, c.JID, got.Labels, w.labels)
			}
			if !slices.Equal(got.Groups, w.groups) {
				t.Errorf("%s: %s groups = %q, want %q", name, c.JID, got.Groups, w.groups)
			}
			if got.CheckStatus != w.check {
				t.Errorf("%s: %s check = %q, want %q", name, c.JID, got.CheckStatus, w.check)
			}
			if got.FullName != w.name {
				t.Errorf("%s: %s name = %q, want %q", name, c.JID, got.FullName, w.name)
			}
			if got.Phone == "" || got.Source != model.SourceWhatsApp || got.CreatedAt.IsZero() {
				t.Errorf("%s: %s fields not read back: %+v", name, c.JID, got)
			}
		}
		if !one.CreatedAt.Equal(c.CreatedAt) || one.LID != c.LID || one.Note != c.Note {
			t.Errorf("%s: Contacts and Contact disagree: %+v vs %+v", c.JID, c, one)
		}
	}
}

func TestContactsRoundTripAllFields(t *testing.T) {
	t.Parallel()

	s := open(t)
	in := model.Contact{
		JID: alice, Phone: "+14155550101", LID: "100000000000001@lid",
		FullName: "Alice Liddell", FirstName: "Alice", PushName: "Ali 🌸", BusinessName: "Wonderland Ltd",
		VerifiedName: "Wonderland", About: "Curiouser", AvatarID: "123", AvatarURL: "https://pps/1?x=1&y=2",
		IsMyContact: true, IsWAContact: true, IsBusiness: true, IsBlocked: true, IsInternal: true,
		Note: "multi\nline", Source: model.SourceImport,
		CreatedAt: time.Unix(1700000000, 0), UpdatedAt: time.Unix(1700000001, 0),
	}
	if err := s.UpsertContacts(ctx, []model.Contact{in}); err != nil {
		t.Fatal(err)
	}
	all, err := s.Contacts(ctx)
	if err != nil || len(all) != 1 {
		t.Fatalf("Contacts() = %d, %v", len(all), err)
	}
	got := all[0]
	in.UpdatedAt = got.UpdatedAt // set by the store
	if got.CreatedAt.Unix() != in.CreatedAt.Unix() {
		t.Errorf("CreatedAt = %v, want %v", got.CreatedAt, in.CreatedAt)
	}
	got.CreatedAt = in.CreatedAt
	if got.JID != in.JID || got.Phone != in.Phone || got.LID != in.LID || got.FullName != in.FullName ||
		got.FirstName != in.FirstName || got.PushName != in.PushName || got.BusinessName != in.BusinessName ||
		got.VerifiedName != in.VerifiedName || got.About != in.About || got.AvatarID != in.AvatarID ||
		got.AvatarURL != in.AvatarURL || got.IsMyContact != in.IsMyContact || got.IsWAContact != in.IsWAContact ||
		got.IsBusiness != in.IsBusiness || got.IsBlocked != in.IsBlocked || got.IsInternal != in.IsInternal ||
		got.Note != in.Note || got.Source != in.Source {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, in)
	}
}

func TestDeleteContactCascades(t *testing.T) {
	t.Parallel()

	s := open(t)
	if err := s.SaveContact(ctx, model.Contact{JID: alice, Labels: []string{"VIP"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveContact(ctx, model.Contact{JID: bob, Labels: []string{"VIP"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteContact(ctx, alice); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, `SELECT count(*) FROM contact_labels WHERE contact_jid = ?`, alice); n != 0 {
		t.Errorf("%d label assignments left for a deleted contact", n)
	}
	l, err := s.LabelByName(ctx, "vip")
	if err != nil || l.Count != 1 {
		t.Errorf("label after delete: %+v, %v; want count 1", l, err)
	}
	if err := s.DeleteContact(ctx, alice); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second delete: %v, want ErrNotFound", err)
	}
}
