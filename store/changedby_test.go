package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
)

// changedBy reads a contact's author the two ways the store reads
// contacts (Contact: one row; Contacts: the packed whole-table read) and
// fails when they differ.
func changedBy(t *testing.T, s *store.Store, jid string) (string, time.Time) {
	t.Helper()
	c := mustContact(t, s, jid)
	all, err := s.AllContacts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(all, func(x model.Contact) bool { return x.JID == jid })
	if i < 0 {
		t.Fatalf("%s not in AllContacts", jid)
	}
	if all[i].LastChangedBy != c.LastChangedBy || !all[i].LastChangedAt.Equal(c.LastChangedAt) {
		t.Fatalf("AllContacts says %q at %v, Contact %q at %v", all[i].LastChangedBy, all[i].LastChangedAt, c.LastChangedBy, c.LastChangedAt)
	}
	return c.LastChangedBy, c.LastChangedAt
}

func TestChangedByRecordedOnEachContactWrite(t *testing.T) {
	t.Parallel()

	s := open(t)
	at := time.UnixMilli(1_780_000_000_123)
	s.SetClock(func() time.Time { return at })
	seed(t, s, alice, bob, carol)
	// WhatsApp's sync (no author on the context) records nobody.
	if who, when := changedBy(t, s, alice); who != "" || !when.IsZero() {
		t.Fatalf("synced contact has an author: %q at %v", who, when)
	}

	step := func(who string, do func() error, want ...string) {
		t.Helper()
		at = at.Add(time.Second)
		if err := do(); err != nil {
			t.Fatalf("%s: %v", who, err)
		}
		for _, j := range want {
			if got, when := changedBy(t, s, j); got != who || !when.Equal(at) {
				t.Errorf("%s: %s changed by %q at %v, want %q at %v", who, j, got, when, who, at)
			}
		}
	}
	name, note := "Alice L", "met at the fair"
	step("ci", func() error {
		_, err := s.UpdateContact(store.WithChangedBy(ctx, "ci"), alice, store.ContactUpdate{FullName: &name, Note: &note})
		return err
	}, alice)
	step("ana", func() error {
		_, err := s.InsertContact(store.WithChangedBy(ctx, "ana"), model.Contact{JID: dave, FullName: "Dave"}, []string{"New"})
		return err
	}, dave)
	step("bo", func() error {
		_, err := s.ChangeLabels(store.WithChangedBy(ctx, "bo"), []string{alice, bob, carol}, []string{"New"}, nil)
		return err
	}, alice, bob, carol)
	// dave had "New" already: the label change changed nothing on him.
	if who, _ := changedBy(t, s, dave); who != "ana" {
		t.Errorf("dave changed by %q after a label change that did not touch him, want ana", who)
	}
	step("cy", func() error {
		_, err := s.ReplaceLabels(store.WithChangedBy(ctx, "cy"), []string{bob}, nil)
		return err
	}, bob)
	step("di", func() error { return s.SetHidden(store.WithChangedBy(ctx, "di"), carol, true) }, carol)
	step("ed", func() error {
		_, err := s.SetHiddenMany(store.WithChangedBy(ctx, "ed"), []string{carol, alice}, false)
		return err
	}, carol)
	step("fe", func() error {
		_, _, err := s.RemoveContacts(store.WithChangedBy(ctx, "fe"), []string{bob}, model.SourceLocal)
		return err
	}, bob)
	step("gu", func() error {
		_, err := s.QueueBlock(store.WithChangedBy(ctx, "gu"), alice, true)
		return err
	}, alice)

	// A sync afterwards leaves the author alone.
	seed(t, s, alice)
	if who, _ := changedBy(t, s, alice); who != "gu" {
		t.Errorf("after a sync alice changed by %q, want gu", who)
	}
	// An author with a field separator in it is read back whole (the
	// packed read falls back to the ordinary one).
	step("odd\x1fname", func() error { return s.SetHidden(store.WithChangedBy(ctx, "odd\x1fname"), alice, true) }, alice)
}

// TestChangedByRolledBackWithItsChange: the author is written in the
// change's transaction, so a change that fails leaves the old author.
func TestChangedByRolledBackWithItsChange(t *testing.T) {
	t.Parallel()

	s := open(t)
	seed(t, s, alice)
	if err := s.SetHidden(store.WithChangedBy(ctx, "first"), alice, true); err != nil {
		t.Fatal(err)
	}
	// The outbox refuses what is queued: a block fails and leaves no
	// author of its own.
	if _, err := s.DB().ExecContext(ctx, `CREATE TRIGGER refuse BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'refused'); END`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.QueueBlock(store.WithChangedBy(ctx, "second"), alice, true); err == nil {
		t.Fatal("QueueBlock succeeded with the outbox refusing")
	}
	if who, _ := changedBy(t, s, alice); who != "first" {
		t.Errorf("after a failed change alice changed by %q, want first", who)
	}
	// With label sync on a label change writes the author, then queues
	// the assignment for WhatsApp, which fails: the author goes back too.
	if _, err := s.SetLabelSync(ctx, true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ChangeLabels(store.WithChangedBy(ctx, "third"), []string{alice}, []string{"VIP"}, nil); err == nil {
		t.Fatal("ChangeLabels succeeded with the outbox refusing")
	}
	if who, _ := changedBy(t, s, alice); who != "first" {
		t.Errorf("after a failed label change alice changed by %q, want first", who)
	}
}

// An import records its author on every row it writes, new or existing,
// in its upsert; one without an author (none on the context) leaves an
// existing row's author as it was and gives a new row none.
func TestImportRecordsItsAuthor(t *testing.T) {
	t.Parallel()

	s := open(t)
	at := time.UnixMilli(1_780_000_000_123)
	s.SetClock(func() time.Time { return at })
	seed(t, s, alice, bob)
	row := func(jid string) store.ImportRow { return store.ImportRow{JID: jid, Name: "Imported"} }
	if _, _, err := s.ImportContacts(store.WithChangedBy(ctx, "im"), store.ImportBatch{Rows: []store.ImportRow{row(alice), row(dave)}}); err != nil {
		t.Fatal(err)
	}
	for _, j := range []string{alice, dave} {
		if who, when := changedBy(t, s, j); who != "im" || !when.Equal(at) {
			t.Errorf("%s changed by %q at %v, want im at %v", j, who, when, at)
		}
	}
	if who, _ := changedBy(t, s, bob); who != "" {
		t.Errorf("bob, not imported, changed by %q", who)
	}
	first := at
	at = at.Add(time.Minute)
	if _, _, err := s.ImportContacts(ctx, store.ImportBatch{Rows: []store.ImportRow{row(alice), row(carol)}}); err != nil {
		t.Fatal(err)
	}
	if who, when := changedBy(t, s, alice); who != "im" || !when.Equal(first) {
		t.Errorf("after an import without an author, alice changed by %q at %v, want im at %v", who, when, first)
	}
	if who, when := changedBy(t, s, carol); who != "" || !when.IsZero() {
		t.Errorf("carol, imported without an author: %q at %v", who, when)
	}
}

// A rename or recolour records its author on the label, not on the
// contacts carrying it: their own authors stay, and the change log gets no
// contact for a recolour (a rename changes the names each shows, and logs
// them once). Delete and merge, which change whose contacts carry a
// label, still record the author on each.
func TestLabelRenameAndRecolourRecordedOnTheLabel(t *testing.T) {
	t.Parallel()

	s := open(t)
	at := time.UnixMilli(1_780_000_000_123)
	s.SetClock(func() time.Time { return at })
	seed(t, s, alice, bob, carol)
	if _, err := s.ChangeLabels(store.WithChangedBy(ctx, "tagger"), []string{alice, bob}, []string{"VIP"}, nil); err != nil {
		t.Fatal(err)
	}
	tagged := at
	vip, err := s.LabelByName(ctx, "VIP")
	if err != nil {
		t.Fatal(err)
	}
	if vip.ChangedBy != "" || !vip.ChangedAt.IsZero() {
		t.Fatalf("a new label has an author: %+v", vip)
	}
	label := func(id int64) model.Label {
		t.Helper()
		ls, err := s.Labels(ctx)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(ls, func(l model.Label) bool { return l.ID == id })
		if i < 0 {
			t.Fatalf("label %d gone: %+v", id, ls)
		}
		one, err := s.Label(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if one.ChangedBy != ls[i].ChangedBy || !one.ChangedAt.Equal(ls[i].ChangedAt) || one.Change != ls[i].Change {
			t.Fatalf("Label says %+v, Labels %+v", one, ls[i])
		}
		return one
	}
	mark := func() store.ChangeMark {
		t.Helper()
		m, err := s.ChangeMark(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	membersKept := func(step string) {
		t.Helper()
		for _, j := range []string{alice, bob} {
			if who, when := changedBy(t, s, j); who != "tagger" || !when.Equal(tagged) {
				t.Errorf("%s: %s changed by %q at %v, want tagger at %v", step, j, who, when, tagged)
			}
		}
	}

	at = at.Add(time.Second)
	m0 := mark()
	if err := s.SetLabelColor(store.WithChangedBy(ctx, "painter"), vip.ID, 7); err != nil {
		t.Fatal(err)
	}
	if l := label(vip.ID); l.ChangedBy != "painter" || !l.ChangedAt.Equal(at) || l.Change != model.LabelRecoloured || l.Color != 7 {
		t.Errorf("after the recolour: %+v", l)
	}
	if m1 := mark(); m1.Contacts != m0.Contacts || m1.Labels == m0.Labels {
		t.Errorf("a recolour moved the change log from %+v to %+v: want the labels' counter only", m0, m1)
	}
	membersKept("recolour")

	at = at.Add(time.Second)
	m0 = mark()
	if err := s.RenameLabel(store.WithChangedBy(ctx, "namer"), vip.ID, "Very important"); err != nil {
		t.Fatal(err)
	}
	if l := label(vip.ID); l.ChangedBy != "namer" || !l.ChangedAt.Equal(at) || l.Change != model.LabelRenamed {
		t.Errorf("after the rename: %+v", l)
	}
	if m1 := mark(); m1.Contacts-m0.Contacts != 2 {
		t.Errorf("a rename of a label of 2 contacts logged %d contact changes, want 2", m1.Contacts-m0.Contacts)
	}
	membersKept("rename")

	// Without an author (WhatsApp's sync), the label's author stays.
	if err := s.SetLabelColor(ctx, vip.ID, 8); err != nil {
		t.Fatal(err)
	}
	if l := label(vip.ID); l.ChangedBy != "namer" {
		t.Errorf("a change without an author replaced the label's: %+v", l)
	}

	at = at.Add(time.Second)
	if _, err := s.DeleteLabelWithMembers(store.WithChangedBy(ctx, "remover"), vip.ID); err != nil {
		t.Fatal(err)
	}
	for _, j := range []string{alice, bob} {
		if who, when := changedBy(t, s, j); who != "remover" || !when.Equal(at) {
			t.Errorf("delete: %s changed by %q at %v, want remover", j, who, when)
		}
	}
	if who, _ := changedBy(t, s, carol); who != "" {
		t.Errorf("carol, without the label, changed by %q", who)
	}
}
