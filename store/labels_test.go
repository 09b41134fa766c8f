package store_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
)

func labelNames(t *testing.T, s *store.Store, jid string) []string {
	t.Helper()
	return mustContact(t, s, jid).Labels
}

func TestCreateLabelUniqueIgnoringCase(t *testing.T) {
	t.Parallel()

	s := open(t)
	for _, n := range []string{"VIP", "Ärzte", "New customer"} {
		if _, err := s.CreateLabel(ctx, n, 0); err != nil {
			t.Fatalf("CreateLabel(%q): %v", n, err)
		}
	}
	tests := []struct {
		name  string
		color int
		want  error
	}{
		{"vip", 0, store.ErrLabelExists},
		{" VIP ", 0, store.ErrLabelExists},
		{"Vip", 5, store.ErrLabelExists},
		{"ÄRZTE", 0, store.ErrLabelExists},
		{"ärzte", 0, store.ErrLabelExists},
		{"new   CUSTOMER", 0, store.ErrLabelExists},
		{"", 0, store.ErrInvalidName},
		{"   ", 0, store.ErrInvalidName},
		{"Gold", -1, store.ErrInvalidColor},
		{"Gold", 20, store.ErrInvalidColor},
		{"Gold", 19, nil},
		{"VIP customers", 0, nil},
	}
	for _, tt := range tests {
		_, err := s.CreateLabel(ctx, tt.name, tt.color)
		if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
			t.Errorf("CreateLabel(%q, %d) = %v, want %v", tt.name, tt.color, err, tt.want)
		}
	}
	ls, err := s.Labels(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 5 {
		t.Errorf("%d labels, want 5: %+v", len(ls), ls)
	}
	l, err := s.LabelByName(ctx, "  new customer")
	if err != nil || l.Name != "New customer" {
		t.Errorf("LabelByName = %+v, %v", l, err)
	}
	if _, err := s.LabelByName(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LabelByName(nope) = %v, want ErrNotFound", err)
	}
}

func TestLabelsOrderCountRenameColor(t *testing.T) {
	t.Parallel()

	s := open(t)
	if err := s.UpsertContacts(ctx, []model.Contact{{JID: alice}, {JID: bob}}); err != nil {
		t.Fatal(err)
	}
	b, _ := s.CreateLabel(ctx, "Beta", 1)
	a, _ := s.CreateLabel(ctx, "alpha", 2)
	if err := s.AssignLabels(ctx, []string{alice, bob}, []int64{a.ID}, nil); err != nil {
		t.Fatal(err)
	}
	ls, _ := s.Labels(ctx)
	if len(ls) != 2 || ls[0].Name != "Beta" || ls[1].Name != "alpha" || ls[0].Count != 0 || ls[1].Count != 2 {
		t.Errorf("Labels() = %+v", ls)
	}
	if ls[1].Order <= ls[0].Order {
		t.Errorf("orders %d, %d not increasing", ls[0].Order, ls[1].Order)
	}
	if err := s.RenameLabel(ctx, a.ID, "Alpha"); err != nil {
		t.Errorf("rename to own name in other case: %v", err)
	}
	if err := s.RenameLabel(ctx, a.ID, "BETA"); !errors.Is(err, store.ErrLabelExists) {
		t.Errorf("rename onto another label: %v, want ErrLabelExists", err)
	}
	if err := s.RenameLabel(ctx, 999, "x"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("rename unknown: %v, want ErrNotFound", err)
	}
	if err := s.SetLabelColor(ctx, b.ID, 19); err != nil {
		t.Error(err)
	}
	if err := s.SetLabelColor(ctx, b.ID, 20); !errors.Is(err, store.ErrInvalidColor) {
		t.Errorf("colour 20: %v, want ErrInvalidColor", err)
	}
	if err := s.SetLabelColor(ctx, 999, 1); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("colour of unknown: %v", err)
	}
	got, _ := s.LabelByName(ctx, "beta")
	if got.Color != 19 {
		t.Errorf("colour = %d, want 19", got.Color)
	}
	if got, _ := s.LabelByName(ctx, "ALPHA"); got.Name != "Alpha" {
		t.Errorf("name = %q, want Alpha", got.Name)
	}
}

func TestAssignLabels(t *testing.T) {
	t.Parallel()

	s := open(t)
	if err := s.UpsertContacts(ctx, []model.Contact{{JID: alice}, {JID: bob}, {JID: carol}}); err != nil {
		t.Fatal(err)
	}
	vip, _ := s.CreateLabel(ctx, "VIP", 0)
	lead, _ := s.CreateLabel(ctx, "Lead", 1)
	paid, _ := s.CreateLabel(ctx, "Paid", 2)

	steps := []struct {
		name        string
		jids        []string
		add, remove []int64
		wantErr     error
		want        map[string][]string
	}{
		{"add two to two", []string{alice, bob}, []int64{vip.ID, lead.ID}, nil, nil,
			map[string][]string{alice: {"VIP", "Lead"}, bob: {"VIP", "Lead"}, carol: nil}},
		{"add again is a no-op", []string{alice}, []int64{vip.ID}, nil, nil,
			map[string][]string{alice: {"VIP", "Lead"}}},
		{"add and remove", []string{alice, carol}, []int64{paid.ID}, []int64{lead.ID}, nil,
			map[string][]string{alice: {"VIP", "Paid"}, bob: {"VIP", "Lead"}, carol: {"Paid"}}},
		{"in both lists ends assigned", []string{bob}, []int64{lead.ID}, []int64{lead.ID}, nil,
			map[string][]string{bob: {"VIP", "Lead"}}},
		{"unknown contact changes nothing", []string{carol, dave}, []int64{vip.ID}, nil, store.ErrNotFound,
			map[string][]string{carol: {"Paid"}}},
		{"unknown label changes nothing", []string{carol}, []int64{vip.ID, 999}, nil, store.ErrNotFound,
			map[string][]string{carol: {"Paid"}}},
	}
	for _, st := range steps {
		err := s.AssignLabels(ctx, st.jids, st.add, st.remove)
		if !errors.Is(err, st.wantErr) || (st.wantErr == nil && err != nil) {
			t.Errorf("%s: err = %v, want %v", st.name, err, st.wantErr)
		}
		for jid, want := range st.want {
			if got := labelNames(t, s, jid); !slices.Equal(got, want) {
				t.Errorf("%s: %s labels = %q, want %q", st.name, jid, got, want)
			}
		}
	}
	if err := s.SetContactLabels(ctx, alice, []int64{lead.ID}); err != nil {
		t.Fatal(err)
	}
	if got := labelNames(t, s, alice); !slices.Equal(got, []string{"Lead"}) {
		t.Errorf("after SetContactLabels: %q", got)
	}
	if err := s.SetContactLabels(ctx, dave, []int64{lead.ID}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetContactLabels(unknown contact) = %v", err)
	}
	if err := s.SetContactLabels(ctx, alice, []int64{999}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetContactLabels(unknown label) = %v", err)
	}
}

func TestDeleteLabelCascades(t *testing.T) {
	t.Parallel()

	s := open(t)
	if err := s.SaveContact(ctx, model.Contact{JID: alice, Labels: []string{"VIP", "Lead"}}); err != nil {
		t.Fatal(err)
	}
	vip, _ := s.LabelByName(ctx, "VIP")
	if err := s.DeleteLabel(ctx, vip.ID); err != nil {
		t.Fatal(err)
	}
	if got := labelNames(t, s, alice); !slices.Equal(got, []string{"Lead"}) {
		t.Errorf("labels after delete = %q", got)
	}
	if n := count(t, s, `SELECT count(*) FROM contact_labels WHERE label_id = ?`, vip.ID); n != 0 {
		t.Errorf("%d assignments left", n)
	}
	if err := s.DeleteLabel(ctx, vip.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second delete = %v, want ErrNotFound", err)
	}
}

func TestUpsertWALabel(t *testing.T) {
	t.Parallel()

	s := open(t)
	local, _ := s.CreateLabel(ctx, "New customer", 0)
	if err := s.SaveContact(ctx, model.Contact{JID: alice, Labels: []string{"Paid"}}); err != nil {
		t.Fatal(err)
	}

	// Same name, no WhatsApp id yet: adopted.
	l, err := s.UpsertWALabel(ctx, "1", "new customer", 4)
	if err != nil {
		t.Fatal(err)
	}
	if l.ID != local.ID || l.WALabelID != "1" || l.Color != 4 || l.Name != "new customer" {
		t.Errorf("adopt = %+v, want id %d", l, local.ID)
	}
	// Matched by id: renamed and recoloured.
	l, err = s.UpsertWALabel(ctx, "1", "Customers", 5)
	if err != nil || l.ID != local.ID || l.Name != "Customers" || l.Color != 5 {
		t.Errorf("rename by id = %+v, %v", l, err)
	}
	// New id, new name: created.
	l2, err := s.UpsertWALabel(ctx, "2", "Pending", 25)
	if err != nil || l2.ID == local.ID || l2.WALabelID != "2" || l2.Color != 5 {
		t.Errorf("create = %+v, %v (colour 25 wraps to 5)", l2, err)
	}
	// New id whose name is taken by another mirrored label: suffixed.
	l3, err := s.UpsertWALabel(ctx, "3", "PENDING", 1)
	if err != nil || l3.Name != "PENDING (3)" {
		t.Errorf("clash = %+v, %v", l3, err)
	}
	// Renamed onto a local label: the local one is merged in.
	l4, err := s.UpsertWALabel(ctx, "2", "paid", 1)
	if err != nil || l4.ID != l2.ID || l4.Name != "paid" {
		t.Errorf("merge = %+v, %v", l4, err)
	}
	if got := labelNames(t, s, alice); !slices.Equal(got, []string{"paid"}) {
		t.Errorf("alice labels after merge = %q", got)
	}
	// Empty name gets a placeholder.
	if l, err := s.UpsertWALabel(ctx, "9", "  ", 0); err != nil || l.Name != "Label 9" {
		t.Errorf("empty name = %+v, %v", l, err)
	}
	ls, _ := s.Labels(ctx)
	if len(ls) != 4 {
		t.Errorf("%d labels, want 4: %+v", len(ls), ls)
	}

	if err := s.DeleteWALabel(ctx, "2"); err != nil {
		t.Fatal(err)
	}
	if got := labelNames(t, s, alice); len(got) != 0 {
		t.Errorf("alice labels after DeleteWALabel = %q", got)
	}
	if err := s.DeleteWALabel(ctx, "does-not-exist"); err != nil {
		t.Errorf("DeleteWALabel(unknown) = %v", err)
	}
}

func TestSetWALabelChat(t *testing.T) {
	t.Parallel()

	s := open(t)
	if err := s.UpsertContacts(ctx, []model.Contact{{JID: bob, LID: bobLID}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpsertWALabel(ctx, "5", "VIP", 2); err != nil {
		t.Fatal(err)
	}
	// Through the LID.
	if err := s.SetWALabelChat(ctx, "5", bobLID, "", true); err != nil {
		t.Fatal(err)
	}
	if got := labelNames(t, s, bob); !slices.Equal(got, []string{"VIP"}) {
		t.Errorf("bob labels = %q", got)
	}
	// A phone JID with no contact yet: the contact is created.
	if err := s.SetWALabelChat(ctx, "5", "14155550101:12@s.whatsapp.net", "", true); err != nil {
		t.Fatal(err)
	}
	if got := labelNames(t, s, alice); !slices.Equal(got, []string{"VIP"}) {
		t.Errorf("alice labels = %q", got)
	}
	// An unknown label gets a placeholder.
	if err := s.SetWALabelChat(ctx, "77", alice, "", true); err != nil {
		t.Fatal(err)
	}
	if got := labelNames(t, s, alice); !slices.Equal(got, []string{"VIP", "Label 77"}) {
		t.Errorf("alice labels = %q", got)
	}
	if l, err := s.LabelByName(ctx, "label 77"); err != nil || l.WALabelID != "77" {
		t.Errorf("placeholder = %+v, %v", l, err)
	}
	// Unassign through the LID.
	if err := s.SetWALabelChat(ctx, "5", bobLID, "", false); err != nil {
		t.Fatal(err)
	}
	if got := labelNames(t, s, bob); len(got) != 0 {
		t.Errorf("bob labels after unassign = %q", got)
	}
	// A LID nobody carries.
	if err := s.SetWALabelChat(ctx, "5", "999999@lid", "", true); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown LID = %v, want ErrNotFound", err)
	}
	// Group chats are not contacts.
	if err := s.SetWALabelChat(ctx, "5", "120363000000000001@g.us", "", true); err != nil {
		t.Errorf("group chat = %v", err)
	}
	if n, _ := s.ContactCount(ctx); n != 2 {
		t.Errorf("%d contacts, want 2", n)
	}
}

func TestAddLabelsByName(t *testing.T) {
	t.Parallel()

	s := open(t)
	if err := s.UpsertContacts(ctx, []model.Contact{{JID: alice}, {JID: bob}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateLabel(ctx, "VIP", 0); err != nil {
		t.Fatal(err)
	}
	err := s.AddLabelsByName(ctx, map[string][]string{alice: {"vip", "Lead"}, bob: {"LEAD"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := labelNames(t, s, alice); !slices.Equal(got, []string{"VIP", "Lead"}) {
		t.Errorf("alice = %q", got)
	}
	if got := labelNames(t, s, bob); !slices.Equal(got, []string{"Lead"}) {
		t.Errorf("bob = %q", got)
	}
	if err := s.AddLabelsByName(ctx, map[string][]string{dave: {"X"}}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown contact = %v", err)
	}
	if _, err := s.LabelByName(ctx, "X"); !errors.Is(err, store.ErrNotFound) {
		t.Error("a failed call left a label behind")
	}
}
