package store_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
)

// seed upserts WhatsApp contacts with the given JIDs.
func seed(t *testing.T, s *store.Store, jids ...string) {
	t.Helper()
	cs := make([]model.Contact, len(jids))
	for i, j := range jids {
		cs[i] = model.Contact{JID: j, FullName: "n" + j[:4], IsWAContact: true}
	}
	if err := s.UpsertContacts(ctx, cs); err != nil {
		t.Fatal(err)
	}
}

func TestInsertContact(t *testing.T) {
	t.Parallel()

	s := open(t)
	if _, err := s.CreateLabel(ctx, "VIP", 3); err != nil {
		t.Fatal(err)
	}
	lc, err := s.InsertContact(ctx, model.Contact{JID: dave, FullName: "Dave", Note: "n"}, []string{"vip", "New"})
	if err != nil {
		t.Fatal(err)
	}
	c := mustContact(t, s, dave)
	if c.Source != model.SourceLocal || c.FullName != "Dave" || c.Phone != "+919812345678" || !slices.Equal(c.Labels, []string{"VIP", "New"}) {
		t.Errorf("inserted %+v", c)
	}
	if len(lc.Created) != 1 || lc.Created[0].Name != "New" || len(lc.Changes) != 2 {
		t.Errorf("changes %+v", lc)
	}
	_, err = s.InsertContact(ctx, model.Contact{JID: dave, FullName: "Other"}, []string{"Other label"})
	if !errors.Is(err, store.ErrContactExists) {
		t.Fatalf("second insert: %v, want ErrContactExists", err)
	}
	if c := mustContact(t, s, dave); c.FullName != "Dave" {
		t.Errorf("existing contact changed: %+v", c)
	}
	if _, err := s.LabelByName(ctx, "Other label"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("failed insert created a label: %v", err)
	}
}

func TestUpdateContact(t *testing.T) {
	t.Parallel()

	s := open(t)
	seed(t, s, alice)
	name, note, internal := "Alice L", "likes tea", true
	labels := []string{"A", "B"}
	if _, err := s.UpdateContact(ctx, alice, store.ContactUpdate{FullName: &name, Note: &note, Internal: &internal, Labels: &labels}); err != nil {
		t.Fatal(err)
	}
	c := mustContact(t, s, alice)
	if c.FullName != name || c.Note != note || !c.IsInternal || !slices.Equal(c.Labels, labels) || c.Source != model.SourceWhatsApp {
		t.Errorf("after edit %+v", c)
	}
	lc, err := s.UpdateContact(ctx, alice, store.ContactUpdate{AddLabels: []string{"c"}, RemoveLabels: []string{"a", "missing"}})
	if err != nil {
		t.Fatal(err)
	}
	if c := mustContact(t, s, alice); !slices.Equal(c.Labels, []string{"B", "c"}) || c.FullName != name {
		t.Errorf("after add/remove %+v", c)
	}
	if len(lc.Changes) != 2 || lc.Changes[0].Assigned || !lc.Changes[1].Assigned {
		t.Errorf("changes %+v", lc.Changes)
	}
	if _, err := s.UpdateContact(ctx, bob, store.ContactUpdate{FullName: &name}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown contact: %v", err)
	}
}

func TestChangeLabelsAndBatchUndo(t *testing.T) {
	t.Parallel()

	s := open(t)
	seed(t, s, alice, bob, carol)
	if _, err := s.ChangeLabels(ctx, []string{alice}, []string{"Old"}, nil); err != nil {
		t.Fatal(err)
	}
	before, _ := s.Contacts(ctx)
	lc, err := s.ChangeLabels(ctx, []string{alice, bob}, []string{"New", "old"}, []string{"Old"})
	if err != nil {
		t.Fatal(err)
	}
	// Old is removed then added again on alice (two changes), added on bob;
	// New is created and added to both.
	if len(lc.Created) != 1 || lc.Created[0].Name != "New" {
		t.Errorf("created %+v", lc.Created)
	}
	if got := mustContact(t, s, bob).Labels; !slices.Equal(got, []string{"Old", "New"}) {
		t.Errorf("bob labels %v", got)
	}
	// Unknown contact: nothing changes.
	if _, err := s.ChangeLabels(ctx, []string{carol, "19995550100@s.whatsapp.net"}, []string{"X"}, nil); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown contact: %v", err)
	}
	if _, err := s.LabelByName(ctx, "X"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("label created by a failed change: %v", err)
	}

	inv := make([]store.LabelChange, 0, len(lc.Changes))
	for i := len(lc.Changes) - 1; i >= 0; i-- {
		c := lc.Changes[i]
		inv = append(inv, store.LabelChange{JID: c.JID, LabelID: c.LabelID, Assigned: !c.Assigned})
	}
	done, deleted, err := s.ApplyLabelBatch(ctx, store.LabelBatch{Changes: inv, Delete: []int64{lc.Created[0].ID}})
	if err != nil {
		t.Fatal(err)
	}
	if len(deleted) != 1 || deleted[0].Name != "New" || len(done) != len(inv) {
		t.Errorf("undo did %v, deleted %v", done, deleted)
	}
	after, _ := s.Contacts(ctx)
	if !sameLabels(before, after) {
		t.Errorf("undo did not restore: before %v after %v", before, after)
	}
}

func sameLabels(a, b []model.Contact) bool {
	m := map[string][]string{}
	for _, c := range a {
		m[c.JID] = c.Labels
	}
	if len(a) != len(b) {
		return false
	}
	for _, c := range b {
		if !slices.Equal(m[c.JID], c.Labels) {
			return false
		}
	}
	return true
}

func TestDeleteMergeRestoreLabel(t *testing.T) {
	t.Parallel()

	s := open(t)
	seed(t, s, alice, bob, carol)
	if _, err := s.ChangeLabels(ctx, []string{alice, bob}, []string{"Lead"}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ChangeLabels(ctx, []string{bob, carol}, []string{"Customer"}, nil); err != nil {
		t.Fatal(err)
	}
	lead, _ := s.LabelByName(ctx, "lead")
	cust, _ := s.LabelByName(ctx, "customer")
	if _, err := s.UpsertWALabel(ctx, "7", "Lead", lead.Color); err != nil { // adopts the local label
		t.Fatal(err)
	}
	lead, _ = s.LabelByName(ctx, "lead")

	lw, added, err := s.MergeLabel(ctx, lead.ID, cust.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(lw.Members, []string{alice, bob}) || len(added) != 1 || added[0].JID != alice {
		t.Errorf("merge: %+v, added %+v", lw, added)
	}
	if got := mustContact(t, s, alice).Labels; !slices.Equal(got, []string{"Customer"}) {
		t.Errorf("alice after merge %v", got)
	}
	// Undo the merge: restore Lead as it was, take Customer off alice.
	done, _, err := s.ApplyLabelBatch(ctx, store.LabelBatch{Restore: []store.LabelWithMembers{lw},
		Changes: []store.LabelChange{{JID: alice, LabelID: cust.ID}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(done) != 3 {
		t.Errorf("restore did %+v", done)
	}
	back, err := s.Label(ctx, lead.ID)
	if err != nil || back.Name != "Lead" || back.WALabelID != "7" || back.Color != lead.Color || back.Order != lead.Order || back.Count != 2 {
		t.Errorf("restored %+v, %v (was %+v)", back, err, lead)
	}
	if got := mustContact(t, s, alice).Labels; !slices.Equal(got, []string{"Lead"}) {
		t.Errorf("alice after undo %v", got)
	}
	// Restoring over a taken name fails and changes nothing.
	lw2, err := s.DeleteLabelWithMembers(ctx, lead.ID)
	if err != nil || len(lw2.Members) != 2 {
		t.Fatalf("delete: %+v %v", lw2, err)
	}
	if _, err := s.CreateLabel(ctx, "LEAD", 0); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.ApplyLabelBatch(ctx, store.LabelBatch{Restore: []store.LabelWithMembers{lw2}}); !errors.Is(err, store.ErrLabelExists) {
		t.Errorf("restore over a taken name: %v", err)
	}
	if _, err := s.DeleteLabelWithMembers(ctx, 999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("delete unknown: %v", err)
	}
}

func TestEnsureWALabelIDAndUnsynced(t *testing.T) {
	t.Parallel()

	s := open(t)
	for _, w := range []struct{ id, name string }{{"2", "A"}, {"11", "B"}, {"x9", "C"}} {
		if _, err := s.UpsertWALabel(ctx, w.id, w.name, 0); err != nil {
			t.Fatal(err)
		}
	}
	l, _ := s.CreateLabel(ctx, "Local", 1)
	id, err := s.EnsureWALabelID(ctx, l.ID)
	if err != nil || id != "12" {
		t.Errorf("new id %q, %v; want 12", id, err)
	}
	if again, _ := s.EnsureWALabelID(ctx, l.ID); again != "12" {
		t.Errorf("second call gave %q", again)
	}
	if err := s.SetLabelUnsynced(ctx, l.ID, true); err != nil {
		t.Fatal(err)
	}
	ls, _ := s.Labels(ctx)
	for _, x := range ls {
		if x.Unsynced != (x.ID == l.ID) {
			t.Errorf("label %q unsynced = %v", x.Name, x.Unsynced)
		}
	}
	if got, _ := s.Label(ctx, l.ID); !got.Unsynced || got.WALabelID != "12" {
		t.Errorf("Label = %+v", got)
	}
}

func TestHiddenContacts(t *testing.T) {
	t.Parallel()

	s := open(t)
	seed(t, s, alice, bob)
	if err := s.SetHidden(ctx, alice, true); err != nil {
		t.Fatal(err)
	}
	visible, _ := s.Contacts(ctx)
	all, _ := s.AllContacts(ctx)
	if len(visible) != 1 || visible[0].JID != bob || len(all) != 2 {
		t.Errorf("visible %d, all %d", len(visible), len(all))
	}
	if c := mustContact(t, s, alice); !c.Hidden {
		t.Errorf("Contact(alice).Hidden = false")
	}
	for _, c := range all {
		if c.Hidden != (c.JID == alice) {
			t.Errorf("%s hidden = %v", c.JID, c.Hidden)
		}
	}
	if err := s.SetHidden(ctx, alice, false); err != nil {
		t.Fatal(err)
	}
	if visible, _ := s.Contacts(ctx); len(visible) != 2 {
		t.Errorf("after unhide: %d visible", len(visible))
	}
	if err := s.SetHidden(ctx, carol, true); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("hide unknown: %v", err)
	}
}

// A selection is hidden, shown again, or removed (deleted where it was
// added here, hidden where it comes from WhatsApp) in one go; each call
// says which contacts it changed, passing over those already so and those
// gone.
func TestHideAndRemoveMany(t *testing.T) {
	t.Parallel()

	s := open(t)
	seed(t, s, alice, bob)
	if _, err := s.InsertContact(ctx, model.Contact{JID: dave, FullName: "Dave"}, nil); err != nil {
		t.Fatal(err)
	}
	visible := func() []string {
		cs, err := s.Contacts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range cs {
			out = append(out, c.JID)
		}
		slices.Sort(out)
		return out
	}
	steps := []struct {
		name              string
		do                func() ([]string, []string, error)
		deleted, affected []string
		visible           []string
	}{
		{"hide two", func() ([]string, []string, error) {
			ch, err := s.SetHiddenMany(ctx, []string{alice, bob}, true)
			return nil, ch, err
		}, nil, []string{alice, bob}, []string{dave}},
		{"show again, one unknown", func() ([]string, []string, error) {
			ch, err := s.SetHiddenMany(ctx, []string{alice, bob, dave, carol}, false)
			return nil, ch, err
		}, nil, []string{alice, bob}, []string{bob, dave, alice}},
		{"remove", func() ([]string, []string, error) {
			return s.RemoveContacts(ctx, []string{alice, dave, carol}, model.SourceLocal, model.SourceImport)
		}, []string{dave}, []string{alice}, []string{bob}},
		{"remove again", func() ([]string, []string, error) {
			return s.RemoveContacts(ctx, []string{alice, dave}, model.SourceLocal, model.SourceImport)
		}, nil, nil, []string{bob}},
	}
	for _, st := range steps {
		deleted, affected, err := st.do()
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if !slices.Equal(deleted, st.deleted) || !slices.Equal(affected, st.affected) {
			t.Errorf("%s: deleted %v, hidden or shown %v; want %v, %v", st.name, deleted, affected, st.deleted, st.affected)
		}
		want := slices.Sorted(slices.Values(st.visible))
		if got := visible(); !slices.Equal(got, want) {
			t.Errorf("%s: visible %v, want %v", st.name, got, want)
		}
	}
	if c := mustContact(t, s, alice); !c.Hidden {
		t.Error("alice, from WhatsApp, is not hidden")
	}
}

func TestImportContacts(t *testing.T) {
	t.Parallel()

	s := open(t)
	if err := s.UpsertContacts(ctx, []model.Contact{
		{JID: alice, FullName: "Alice WA", PushName: "ali", IsWAContact: true, IsMyContact: true},
		{JID: bob, PushName: "bobby", IsWAContact: true},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateContact(ctx, alice, store.ContactUpdate{Note: ptr("met in 2020")}); err != nil {
		t.Fatal(err)
	}
	rows := []store.ImportRow{
		{JID: alice, Name: "Alice CSV", Note: "new note", Labels: []string{"Import"}},
		{JID: bob, Name: "Bob CSV", Note: "", Labels: []string{"import", "B"}},
		{JID: carol, Phone: "+5511987654321", Name: "Carol", Note: "n", Labels: nil},
	}
	st, lc, err := s.ImportContacts(ctx, store.ImportBatch{Rows: rows, Labels: []string{"Batch"}})
	if err != nil {
		t.Fatal(err)
	}
	if st.New != 1 || st.Updated != 2 {
		t.Errorf("stats %+v", st)
	}
	if len(lc.Created) != 3 {
		t.Errorf("created %+v", lc.Created)
	}
	tests := []struct {
		jid, full, note, source string
		labels                  []string
	}{
		{alice, "Alice WA", "met in 2020\nnew note", model.SourceWhatsApp, []string{"Batch", "Import"}},
		{bob, "Bob CSV", "", model.SourceWhatsApp, []string{"Batch", "Import", "B"}},
		{carol, "Carol", "n", model.SourceImport, []string{"Batch"}},
	}
	for _, tt := range tests {
		c := mustContact(t, s, tt.jid)
		if c.FullName != tt.full || c.Note != tt.note || c.Source != tt.source || !slices.Equal(c.Labels, tt.labels) {
			t.Errorf("%s: %q %q %q %v; want %q %q %q %v", tt.jid, c.FullName, c.Note, c.Source, c.Labels, tt.full, tt.note, tt.source, tt.labels)
		}
	}
	if c := mustContact(t, s, alice); c.PushName != "ali" || !c.IsMyContact || !c.IsWAContact {
		t.Errorf("WhatsApp fields lost: %+v", c)
	}
	// Importing the same note again does not repeat it.
	if _, _, err := s.ImportContacts(ctx, store.ImportBatch{Rows: rows[:1]}); err != nil {
		t.Fatal(err)
	}
	if c := mustContact(t, s, alice); c.Note != "met in 2020\nnew note" {
		t.Errorf("note after re-import %q", c.Note)
	}
	// A failing hook rolls everything back.
	boom := errors.New("boom")
	_, _, err = s.ImportContacts(ctx, store.ImportBatch{Rows: []store.ImportRow{{JID: dave, Name: "Dave"}}, Labels: []string{"Z"},
		BeforeCommit: func() error { return boom }})
	if !errors.Is(err, boom) {
		t.Fatalf("hook error: %v", err)
	}
	if _, err := s.Contact(ctx, dave); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("rolled-back import left a contact: %v", err)
	}
	if _, err := s.LabelByName(ctx, "Z"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("rolled-back import left a label: %v", err)
	}
	ex, err := s.ExistingJIDs(ctx, []string{alice, dave, carol})
	if err != nil || !ex[alice] || ex[dave] || !ex[carol] || len(ex) != 2 {
		t.Errorf("ExistingJIDs = %v, %v", ex, err)
	}
}

func ptr[T any](v T) *T { return &v }
