package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/wabook/wabook/model"
)

// TestWithActorRecordedByEachWrite: every contact write records the
// context's actor and when on each contact it changed; a context without
// one records the local OS user.
func TestWithActorRecordedByEachWrite(t *testing.T) {
	t.Parallel()

	svc, _ := worldService(t, nil)
	as := func(who string) context.Context { return WithActor(context.Background(), who) }
	const ada = "14155550101@s.whatsapp.net"
	check := func(step, jid, want string, since time.Time) {
		t.Helper()
		c, err := svc.store.Contact(context.Background(), jid)
		if err != nil {
			t.Fatal(err)
		}
		if c.LastChangedBy != want || c.LastChangedAt.Before(since.Truncate(time.Millisecond)) || c.LastChangedAt.After(time.Now()) {
			t.Errorf("%s: %s changed by %q at %v, want %q since %v", step, jid, c.LastChangedBy, c.LastChangedAt, want, since)
		}
	}
	if ActorOf(as(" ci ")) != "ci" || ActorOf(context.Background()) != "" {
		t.Fatalf("ActorOf: %q, %q", ActorOf(as(" ci ")), ActorOf(context.Background()))
	}

	start := time.Now()
	local, err := svc.AddContact(as("ana"), ContactInput{Name: "Local", Phone: "+1 415 555 0177"})
	if err != nil {
		t.Fatal(err)
	}
	check("AddContact", local.JID, "ana", start)
	if local.LastChangedBy != "ana" {
		t.Errorf("AddContact returned a contact changed by %q", local.LastChangedBy)
	}

	note := "met at the fair"
	start = time.Now()
	if _, err := svc.EditContact(as("bo"), ada, ContactEdit{Note: &note}); err != nil {
		t.Fatal(err)
	}
	check("EditContact", ada, "bo", start)

	start = time.Now()
	if _, err := svc.ApplyLabels(as("cy"), []string{ada, local.JID}, []string{"Tagged"}, nil); err != nil {
		t.Fatal(err)
	}
	check("ApplyLabels", ada, "cy", start)
	check("ApplyLabels", local.JID, "cy", start)

	start = time.Now()
	if err := svc.ReplaceLabels(as("di"), []string{local.JID}, ""); err != nil {
		t.Fatal(err)
	}
	check("ReplaceLabels", local.JID, "di", start)
	check("ReplaceLabels left alone", ada, "cy", time.Time{})

	start = time.Now()
	if _, _, err := svc.RemoveContacts(as("hu"), []string{ada}); err != nil {
		t.Fatal(err)
	}
	check("RemoveContacts (hidden)", ada, "hu", start)

	start = time.Now()
	if err := svc.HideContact(as("ed"), ada, false); err != nil {
		t.Fatal(err)
	}
	check("HideContact", ada, "ed", start)

	start = time.Now()
	_, undo, err := svc.SetHiddenUndoable(as("fe"), []string{ada}, true)
	if err != nil {
		t.Fatal(err)
	}
	check("SetHiddenUndoable", ada, "fe", start)
	start = time.Now()
	if err := svc.UndoChange(as("gu"), undo); err != nil {
		t.Fatal(err)
	}
	check("UndoChange", ada, "gu", start)

	start = time.Now()
	if err := svc.SetBlocked(as("io"), local.JID, true); err != nil {
		t.Fatal(err)
	}
	check("SetBlocked", local.JID, "io", start)

	// No actor: the local user.
	start = time.Now()
	if _, err := svc.EditContact(context.Background(), local.JID, ContactEdit{Note: &note}); err != nil {
		t.Fatal(err)
	}
	check("EditContact without an actor", local.JID, LocalActor(), start)
	if LocalActor() == "" {
		t.Error("LocalActor is empty")
	}
}

// TestWithActorRecordedByImportsAndLabelWrites: an import, and the label
// writes that change whose contacts carry a label (merge, delete, and
// their undos), record the context's actor on each contact they change,
// and only on those; a rename or recolour records it on the label alone
// (model.LastChange shows it with a contact's own).
func TestWithActorRecordedByImportsAndLabelWrites(t *testing.T) {
	t.Parallel()

	svc, _ := worldService(t, nil)
	ctx := context.Background()
	as := func(who string) context.Context { return WithActor(ctx, who) }
	const alan, zed = "442079460958@s.whatsapp.net", "14155550177@s.whatsapp.net"
	by := func(jid string) string {
		t.Helper()
		c, err := svc.store.Contact(ctx, jid)
		if err != nil {
			t.Fatal(err)
		}
		return c.LastChangedBy
	}
	expect := func(step string, want map[string]string) {
		t.Helper()
		for jid, who := range want {
			if got := by(jid); got != who {
				t.Errorf("%s: %s changed by %q, want %q", step, jid, got, who)
			}
		}
	}
	labelID := func(name string) int64 {
		t.Helper()
		labels, err := svc.Labels(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range labels {
			if l.Name == name {
				return l.ID
			}
		}
		t.Fatalf("no label %q in %+v", name, labels)
		return 0
	}

	labelBy := func(step, name, who, how string) {
		t.Helper()
		l, err := svc.store.LabelByName(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if l.ChangedBy != who || l.Change != how || l.ChangedAt.IsZero() {
			t.Errorf("%s: label %s changed by %q (%q at %v), want %q (%q)", step, name, l.ChangedBy, l.Change, l.ChangedAt, who, how)
		}
	}

	p, err := svc.PlanImport(ctx, strings.NewReader("name,phone\nZed,+14155550177\nAda L,+14155550101\n"), "people.csv", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ApplyImport(as("im"), p); err != nil {
		t.Fatal(err)
	}
	expect("import", map[string]string{zed: "im", ada: "im", grace: "", alan: ""})

	if _, err := svc.RenameLabel(as("re"), labelID("New customer"), "Customers", false); err != nil {
		t.Fatal(err)
	}
	expect("rename", map[string]string{ada: "im", alan: "", grace: "", zed: "im"})
	labelBy("rename", "Customers", "re", model.LabelRenamed)

	if _, err := svc.SetLabelColor(as("co"), labelID("VIP"), 5); err != nil {
		t.Fatal(err)
	}
	expect("colour", map[string]string{grace: "", ada: "im"})
	labelBy("colour", "VIP", "co", model.LabelRecoloured)

	merge, err := svc.RenameLabel(as("me"), labelID("VIP"), "customers", true)
	if err != nil {
		t.Fatal(err)
	}
	expect("merge", map[string]string{grace: "me", ada: "im", alan: ""})
	if err := svc.UndoChange(as("un"), merge); err != nil {
		t.Fatal(err)
	}
	expect("merge undone", map[string]string{grace: "un", ada: "im"})

	del, err := svc.DeleteLabel(as("de"), labelID("Customers"))
	if err != nil {
		t.Fatal(err)
	}
	expect("delete", map[string]string{ada: "de", alan: "de", grace: "un"})
	if err := svc.UndoChange(as("ud"), del); err != nil {
		t.Fatal(err)
	}
	expect("delete undone", map[string]string{ada: "ud", alan: "ud", grace: "un"})

	if _, err := svc.RenameLabel(ctx, labelID("VIP"), "Very important", false); err != nil {
		t.Fatal(err)
	}
	expect("rename without an actor", map[string]string{grace: "un", ada: "ud"})
	labelBy("rename without an actor", "Very important", LocalActor(), model.LabelRenamed)
}
