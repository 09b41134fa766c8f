package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/wa"
)

func TestAddContact(t *testing.T) {
	t.Parallel()

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
		// Issue 11 point 9: the import's field limits hold here too.
		{"name at its limit", nil, ContactInput{Name: strings.Repeat("n", model.MaxNameBytes), Phone: "+91 95378 51844"},
			"919537851844@s.whatsapp.net", nil, ""},
		{"name too long", nil, ContactInput{Name: strings.Repeat("n", model.MaxNameBytes+1), Phone: "+91 95378 51844"}, "", nil,
			"name is too long (1001 bytes, at most 1000)"},
		{"note too long", nil, ContactInput{Name: "X", Phone: "+91 95378 51844", Note: strings.Repeat("é", model.MaxNoteBytes/2+1)}, "", nil,
			"note is too long (10002 bytes, at most 10000)"},
		{"too many labels", nil, ContactInput{Name: "X", Phone: "+91 95378 51844", Labels: manyLabels(model.MaxContactLabels + 1)}, "", nil,
			"too many labels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

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
				c.FullName != model.Clean(tt.in.Name) || c.IsInternal != tt.in.Internal || c.Note != strings.TrimSpace(tt.in.Note) {
				t.Errorf("added %+v", c)
			}
			if got, err := svc.FindContact(ctx, tt.in.Phone); err != nil || got.JID != tt.wantJID {
				t.Errorf("FindContact(%q) = %v, %v", tt.in.Phone, got.JID, err)
			}
		})
	}
}

func TestEditContact(t *testing.T) {
	t.Parallel()

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
	t.Parallel()

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
	// Only a query asking for them finds hidden contacts, and only them.
	if len(snap.Hidden) != 1 || snap.Hidden[0].JID != ada || !snap.Hidden[0].Hidden {
		t.Errorf("the snapshot's hidden contacts: %+v", snap.Hidden)
	}
	for query, want := range map[string]int{"is:hidden": 1, "is:hidden ada": 1, "is:hidden bob": 0, "ada": 0, "-is:hidden ada": 0} {
		if got, err := FilterContacts(snap, query); err != nil || len(got) != want || want == 1 && got[0].JID != ada {
			t.Errorf("FilterContacts(%q) = %d contacts, %v; want %d", query, len(got), err, want)
		}
	}
	buf.Reset()
	if n, err := svc.ExportContacts(ctx, &buf, "csv", "is:hidden"); err != nil || n != 1 || !strings.Contains(buf.String(), "Ada") {
		t.Errorf("export of is:hidden: %d, %v", n, err)
	}
	if err := svc.HideContact(ctx, ada, false); err != nil {
		t.Fatal(err)
	}
	if snap, _ := svc.Snapshot(ctx); !slices.ContainsFunc(snap.Contacts, func(c model.Contact) bool { return c.JID == ada }) {
		t.Error("unhidden contact missing")
	}
}

// TestSetBlocked: a block is queued (the contact shows it pending, its
// is_blocked unchanged) and only WhatsApp's confirmation changes is_blocked;
// a refusal is retried, and after outboxMaxAttempts the change is failed
// and the mirror keeps what WhatsApp last confirmed.
func TestSetBlocked(t *testing.T) {
	t.Parallel()

	svc, be := worldService(t, nil)
	ctx := context.Background()
	contact := func(jid string) model.Contact {
		t.Helper()
		c, err := svc.store.Contact(ctx, jid)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	tests := []struct {
		name     string
		id       string
		block    bool
		failures int  // WhatsApp refuses this many times
		want     bool // is_blocked and on the sim's blocklist afterwards
		pending  int  // block_pending afterwards
		state    string
	}{
		{"block", "+1 415 555 0104", true, 0, true, 0, OutboxDone},
		{"unblock refused once", grace, false, 1, false, 0, OutboxDone},
		{"block refused for good", "14155550104@c.us", true, outboxMaxAttempts, false, 1, OutboxFailed},
	}
	// The sim also tells the service of each block change by an event,
	// applied by the event loop after the outbox has its answer. settled
	// waits until every event queued so far is applied: a marker (a push
	// name) injected behind them reaches the mirror last.
	marks := 0
	settled := func(name string) model.Contact {
		t.Helper()
		marks++
		mark := fmt.Sprintf("mark %d", marks)
		be.Inject(wa.PushNameChanged{JID: "14155550101@s.whatsapp.net", PushName: mark})
		for deadline := time.Now().Add(5 * time.Second); contact("14155550101@s.whatsapp.net").PushName != mark; time.Sleep(2 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: the events before the marker were never applied", name)
			}
		}
		return contact(grace)
	}
	for _, tt := range tests {
		before := settled(tt.name)
		for range tt.failures {
			be.FailNext("SetBlocked", errors.New("403"))
		}
		if err := svc.SetBlocked(ctx, tt.id, tt.block); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		// Queued, not sent: is_blocked has not moved, the block is pending.
		if c := contact(grace); c.IsBlocked != before.IsBlocked || c.BlockPending != map[bool]int{true: 1, false: -1}[tt.block] {
			t.Errorf("%s: queued: is_blocked %v (was %v), block_pending %d", tt.name, c.IsBlocked, before.IsBlocked, c.BlockPending)
		}
		items := deliver(t, svc)
		last := items[len(items)-1]
		if last.State != tt.state || last.Attempts != tt.failures {
			t.Errorf("%s: outbox change %+v, want %s after %d refusals", tt.name, last, tt.state, tt.failures)
		}
		c := contact(grace)
		if tt.pending == 0 {
			c = settled(tt.name)
		}
		if c.IsBlocked != tt.want || c.BlockPending != tt.pending {
			t.Errorf("%s: is_blocked %v block_pending %d, want %v %d", tt.name, c.IsBlocked, c.BlockPending, tt.want, tt.pending)
		}
		if got := slices.Contains(be.Blocked(), grace); got != tt.want {
			t.Errorf("%s: on the sim's blocklist = %v, want %v", tt.name, got, tt.want)
		}
	}
	// Dropping the failed block leaves the contact as WhatsApp has it.
	failed, _ := svc.Outbox(ctx, false)
	if len(failed) != 1 {
		t.Fatalf("outbox = %+v, want the failed block", failed)
	}
	if _, err := svc.DropOutbox(ctx, failed[0].ID); err != nil {
		t.Fatal(err)
	}
	if c := contact(grace); c.IsBlocked || c.BlockPending != 0 {
		t.Errorf("after drop: is_blocked %v block_pending %d", c.IsBlocked, c.BlockPending)
	}
	// A number not in the address book can be blocked too.
	if err := svc.SetBlocked(ctx, "+1 415 555 0102", true); err != nil {
		t.Fatal(err)
	}
	deliver(t, svc)
	if !slices.Contains(be.Blocked(), "14155550102@s.whatsapp.net") {
		t.Error("stranger not blocked on WhatsApp")
	}
	eventually(t, "the stranger's block echoed into the mirror", func() bool {
		c, err := svc.store.Contact(ctx, "14155550102@s.whatsapp.net")
		return err == nil && c.IsBlocked
	})
}

func TestRefreshProfile(t *testing.T) {
	t.Parallel()

	svc, be := worldService(t, nil)
	ctx := context.Background()
	if err := svc.store.SetAbout(ctx, ada, "", "", ""); err != nil {
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
	if _, err := svc.store.Contact(ctx, ada); errors.Is(err, store.ErrNotFound) {
		t.Error("lost ada")
	}
}

// A selection is removed in one go: contacts added here are deleted, those
// from WhatsApp hidden, and undo shows the hidden ones again; hiding and
// showing many is undoable too; a reader of the changes gets the hidden
// contacts whole.
func TestRemoveAndHideMany(t *testing.T) {
	t.Parallel()

	svc, _ := worldService(t, nil)
	ctx := context.Background()
	temp, err := svc.AddContact(ctx, ContactInput{Name: "Temp", Phone: "+91 98100 00002"})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := svc.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	state := func() (visible, hidden []string) {
		s, err := svc.Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range s.Contacts {
			visible = append(visible, c.JID)
		}
		for _, c := range s.Hidden {
			hidden = append(hidden, c.JID)
		}
		slices.Sort(hidden)
		return visible, hidden
	}

	res, undo, err := svc.RemoveContacts(ctx, []string{ada, grace, temp.JID})
	if err != nil || res != (Removed{Deleted: 1, Hidden: 2}) || undo == nil {
		t.Fatalf("RemoveContacts = %+v, %v, %v", res, undo, err)
	}
	visible, hidden := state()
	if slices.Contains(visible, temp.JID) || slices.Contains(visible, ada) || !slices.Equal(hidden, []string{ada, grace}) {
		t.Errorf("after removing: visible %v, hidden %v", visible, hidden)
	}
	if _, err := svc.FindContact(ctx, temp.JID); !errors.Is(err, ErrNotFound) {
		t.Errorf("the contact added here is not deleted: %v", err)
	}
	ch, err := svc.ChangesSince(ctx, snap.Mark, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.Hidden) != 2 || !slices.Contains(ch.Removed, ada) || !slices.Contains(ch.Removed, temp.JID) || ch.Empty() {
		t.Errorf("changes: hidden %d, removed %v", len(ch.Hidden), ch.Removed)
	}
	if err := svc.UndoChange(ctx, undo); err != nil {
		t.Fatal(err)
	}
	if _, hidden := state(); len(hidden) != 0 {
		t.Errorf("undo left %v hidden", hidden)
	}

	n, undo, err := svc.SetHiddenUndoable(ctx, []string{ada, grace}, true)
	if err != nil || n != 2 || undo == nil || undo.Description != "hide 2 contacts" {
		t.Fatalf("SetHiddenUndoable = %d, %+v, %v", n, undo, err)
	}
	n, show, err := svc.SetHiddenUndoable(ctx, []string{ada}, false)
	if err != nil || n != 1 || show == nil {
		t.Fatalf("showing one again = %d, %v", n, err)
	}
	if _, hidden := state(); !slices.Equal(hidden, []string{grace}) {
		t.Errorf("hidden %v, want only grace", hidden)
	}
	if err := svc.UndoChange(ctx, show); err != nil {
		t.Fatal(err)
	}
	if _, hidden := state(); !slices.Equal(hidden, []string{ada, grace}) {
		t.Errorf("after undoing the show: hidden %v", hidden)
	}
	if n, undo, err := svc.SetHiddenUndoable(ctx, []string{ada}, true); n != 0 || undo != nil || err != nil {
		t.Errorf("hiding a hidden contact: %d, %v, %v", n, undo, err)
	}
}

func TestHideContactUndoable(t *testing.T) {
	t.Parallel()

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
