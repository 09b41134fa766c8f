package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/wa"
)

func TestAddContact(t *testing.T) {
	ctx := context.Background()
	long := strings.Repeat("y", model.MaxLabelName+1)
	tests := []struct {
		name       string
		existing   []string // labels created first
		in         ContactInput
		wantJID    string
		wantLabels []string
		wantErr    string
	}{
		{"acceptance 2", nil, ContactInput{Name: "Test New", Phone: "+91 95378 51844", Labels: "Test, demo"},
			"919537851844@s.whatsapp.net", []string{"Test", "demo"}, ""},
		{"existing spelling kept", []string{"TEST"}, ContactInput{Name: "Test New", Phone: "+91 95378 51844", Labels: "Test, demo"},
			"919537851844@s.whatsapp.net", []string{"TEST", "demo"}, ""},
		{"national format with the account's region", nil, ContactInput{Name: "Local", Phone: "(415) 555-0177", Internal: true, Note: " hi "},
			"14155550177@s.whatsapp.net", nil, ""},
		{"duplicate labels collapse", nil, ContactInput{Name: "D", Phone: "0091 98100 00001", Labels: "a, A ,, a"},
			"919810000001@s.whatsapp.net", []string{"a"}, ""},
		{"not a number", nil, ContactInput{Name: "X", Phone: "call me", Labels: "New"}, "", nil, "not a number"},
		{"too short", nil, ContactInput{Name: "X", Phone: "12", Labels: "New"}, "", nil, "too short"},
		{"impossible area code", nil, ContactInput{Name: "X", Phone: "+1 123 456 7890"}, "", nil, "phone"},
		{"no phone", nil, ContactInput{Name: "X"}, "", nil, "phone number is needed"},
		{"already there", nil, ContactInput{Name: "Dup", Phone: "+1 415 555 0101", Labels: "New"}, "", nil,
			`+14155550101 is already in the address book as "Ada Lovelace"`},
		{"bad label", nil, ContactInput{Name: "X", Phone: "+91 95378 51844", Labels: "ok, " + long}, "", nil, "too long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, _ := worldService(t, nil)
			for _, l := range tt.existing {
				if _, _, err := svc.CreateLabel(ctx, l, 0); err != nil {
					t.Fatal(err)
				}
			}
			before := labelState(t, svc)
			c, err := svc.AddContact(ctx, tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || strings.Contains(err.Error(), "\n") {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if labelState(t, svc) != before {
					t.Error("a refused contact changed the mirror")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.JID != tt.wantJID || !slices.Equal(c.Labels, tt.wantLabels) || c.Source != model.SourceLocal ||
				c.FullName != model.Sanitize(tt.in.Name) || c.IsInternal != tt.in.Internal || c.Note != strings.TrimSpace(tt.in.Note) {
				t.Errorf("added %+v", c)
			}
			if got, err := svc.FindContact(ctx, tt.in.Phone); err != nil || got.JID != tt.wantJID {
				t.Errorf("FindContact(%q) = %v, %v", tt.in.Phone, got.JID, err)
			}
		})
	}
}

func TestEditContact(t *testing.T) {
	svc, _ := worldService(t, nil)
	ctx := context.Background()
	str := func(s string) *string { return &s }
	yes := true
	tests := []struct {
		name    string
		id      string
		e       ContactEdit
		check   func(c model.Contact) bool
		wantErr string
	}{
		{"note", "+1 415 555 0101", ContactEdit{Name: str("Ada Lovelace"), Note: str("countess\nof Lovelace")},
			func(c model.Contact) bool {
				return c.FullName == "Ada Lovelace" && c.Note == "countess\nof Lovelace" && c.PushName == "ada"
			}, ""},
		{"name from the phone's address book", ada, ContactEdit{Name: str("Changed")}, nil, "address book"},
		{"name of a contact known by push name", "+44 20 7946 0958", ContactEdit{Name: str(" Alan  Turing ")},
			func(c model.Contact) bool { return c.FullName == "Alan Turing" && c.PushName == "Alan T" }, ""},
		{"labels replace", "14155550101", ContactEdit{Labels: str("vip, Friends")},
			func(c model.Contact) bool { return slices.Equal(c.Labels, []string{"VIP", "Friends"}) }, ""},
		{"add and remove", "14155550101@c.us", ContactEdit{AddLabels: "Lead", RemoveLabels: "friends, lead"},
			func(c model.Contact) bool { return slices.Equal(c.Labels, []string{"VIP", "Lead"}) }, ""},
		{"internal", "211111111111111@lid", ContactEdit{Internal: &yes},
			func(c model.Contact) bool { return c.IsInternal && c.FullName == "Ada Lovelace" }, ""},
		{"clear labels", ada, ContactEdit{Labels: str("")}, func(c model.Contact) bool { return len(c.Labels) == 0 }, ""},
		{"unknown", "+1 415 555 0177", ContactEdit{Name: str("x")}, nil, "not in the address book"},
		{"bad label", ada, ContactEdit{Note: str("Changed"), AddLabels: "a,b," + strings.Repeat("z", 80)}, nil, "too long"},
	}
	for _, tt := range tests {
		before := labelState(t, svc)
		c, err := svc.EditContact(ctx, tt.id, tt.e)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: err = %v, want %q", tt.name, err, tt.wantErr)
			}
			if labelState(t, svc) != before {
				t.Errorf("%s: failed edit changed labels", tt.name)
			}
			if c, _ := svc.FindContact(ctx, ada); c.FullName == "Changed" {
				t.Errorf("%s: failed edit changed the name", tt.name)
			}
			continue
		}
		if err != nil || !tt.check(c) {
			t.Errorf("%s: %+v, %v", tt.name, c, err)
		}
	}
}

func TestDeleteAndHideContact(t *testing.T) {
	svc, _ := worldService(t, nil)
	ctx := context.Background()
	if _, err := svc.AddContact(ctx, ContactInput{Name: "Temp", Phone: "+91 98100 00002"}); err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteContact(ctx, "+91 98100 00002"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.FindContact(ctx, "+91 98100 00002"); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleted contact still found: %v", err)
	}
	err := svc.DeleteContact(ctx, ada)
	if !errors.Is(err, ErrFromWhatsApp) || !strings.Contains(err.Error(), `"Ada Lovelace" comes from WhatsApp; it can be hidden, not deleted`) {
		t.Fatalf("deleting a WhatsApp contact: %v", err)
	}
	if err := svc.HideContact(ctx, ada, true); err != nil {
		t.Fatal(err)
	}
	snap, _ := svc.Snapshot(ctx)
	if slices.ContainsFunc(snap.Contacts, func(c model.Contact) bool { return c.JID == ada }) {
		t.Error("hidden contact in the snapshot")
	}
	if c, err := svc.FindContact(ctx, "+1 415 555 0101"); err != nil || !c.Hidden {
		t.Errorf("hidden contact not found by FindContact: %+v, %v", c, err)
	}
	if h, _ := svc.HiddenContacts(ctx); len(h) != 1 || h[0].JID != ada {
		t.Errorf("HiddenContacts = %v", h)
	}
	var buf strings.Builder
	if _, err := svc.ExportContacts(ctx, &buf, "csv", ""); err != nil || strings.Contains(buf.String(), "Ada") {
		t.Errorf("hidden contact exported: %v", err)
	}
	if err := svc.HideContact(ctx, ada, false); err != nil {
		t.Fatal(err)
	}
	if snap, _ := svc.Snapshot(ctx); !slices.ContainsFunc(snap.Contacts, func(c model.Contact) bool { return c.JID == ada }) {
		t.Error("unhidden contact missing")
	}
}

// TestSetBlocked is acceptance 6 on the service side: the backend first,
// the mirror only when it accepts.
func TestSetBlocked(t *testing.T) {
	svc, be := worldService(t, nil)
	ctx := context.Background()
	blocked := func(jid string) bool {
		c, err := svc.Store().Contact(ctx, jid)
		if err != nil {
			t.Fatal(err)
		}
		return c.IsBlocked
	}
	tests := []struct {
		name    string
		id      string
		block   bool
		fail    error
		want    bool // is_blocked and on the sim's blocklist afterwards
		wantErr bool
	}{
		{"block", "+1 415 555 0104", true, nil, true, false},
		{"unblock fails", grace, false, errors.New("network down"), true, true},
		{"unblock", grace, false, nil, false, false},
		{"block fails", "14155550104@c.us", true, errors.New("403"), false, true},
	}
	// settle waits until the backend's events so far (BlockChanged echoes)
	// are applied: events are applied in order, so a marker will do.
	marks := 0
	settle := func() {
		marks++
		mark := fmt.Sprintf("mark %d", marks)
		be.Inject(wa.PushNameChanged{JID: alan, PushName: mark})
		eventually(t, mark, func() bool {
			c, err := svc.Store().Contact(ctx, alan)
			return err == nil && c.PushName == mark
		})
	}
	for _, tt := range tests {
		if tt.fail != nil {
			be.FailNext("SetBlocked", tt.fail)
		}
		err := svc.SetBlocked(ctx, tt.id, tt.block)
		settle()
		if (err != nil) != tt.wantErr || (tt.fail != nil && !errors.Is(err, tt.fail)) {
			t.Errorf("%s: err = %v", tt.name, err)
		}
		if got := blocked(grace); got != tt.want {
			t.Errorf("%s: is_blocked = %v, want %v", tt.name, got, tt.want)
		}
		if got := slices.Contains(be.Blocked(), grace); got != tt.want {
			t.Errorf("%s: on the sim's blocklist = %v, want %v", tt.name, got, tt.want)
		}
	}
	// A number not in the address book can be blocked too.
	if err := svc.SetBlocked(ctx, "+1 415 555 0102", true); err != nil {
		t.Fatal(err)
	}
	if !blocked("14155550102@s.whatsapp.net") {
		t.Error("stranger not blocked in the mirror")
	}
}

func TestRefreshProfile(t *testing.T) {
	svc, be := worldService(t, nil)
	ctx := context.Background()
	if err := svc.Store().SetAbout(ctx, ada, "", "", ""); err != nil {
		t.Fatal(err)
	}
	be.FailNext("UserInfo", errors.New("timeout"))
	if _, err := svc.RefreshProfile(ctx, ada); err == nil {
		t.Fatal("no error from a failing backend")
	}
	if c, _ := svc.FindContact(ctx, ada); c.About != "" {
		t.Error("mirror changed after a failure")
	}
	c, err := svc.RefreshProfile(ctx, "+1 415 555 0101")
	if err != nil || c.About != "Hey there!" {
		t.Errorf("RefreshProfile = %q, %v", c.About, err)
	}
	if _, err := svc.RefreshProfile(ctx, "+1 415 555 0177"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown contact: %v", err)
	}
	if _, err := svc.Store().Contact(ctx, ada); errors.Is(err, store.ErrNotFound) {
		t.Error("lost ada")
	}
}

func TestHideContactUndoable(t *testing.T) {
	svc, _ := worldService(t, nil)
	ctx := context.Background()
	const ada = "14155550101@s.whatsapp.net"
	undo, err := svc.HideContactUndoable(ctx, ada)
	if err != nil {
		t.Fatal(err)
	}
	visible := func() bool {
		snap, err := svc.Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range snap.Contacts {
			if c.JID == ada {
				return true
			}
		}
		return false
	}
	if visible() {
		t.Fatal("hidden contact still listed")
	}
	if err := svc.UndoChange(ctx, undo); err != nil {
		t.Fatal(err)
	}
	if !visible() {
		t.Error("undo did not show the contact again")
	}
}
