package store_test

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/store/storetest"
)

// streamBook is a generated book with what the bulk readers must get
// right besides: a contact whose fields hold the packed rows' separator, a
// member known by LID only and by both forms in one group, hidden
// contacts, check answers.
func streamBook(t *testing.T) *store.Store {
	t.Helper()
	s := open(t)
	cs, gs, ls := storetest.Generate(1500, 40, 25, 7)
	odd := model.Contact{JID: "14155550999@s.whatsapp.net", Phone: "+14155550999", LID: "100000000000999@lid", FullName: "Odd\x1fname", Note: "\x1f"}
	cs = append(cs, odd)
	gs = append(gs, model.Group{JID: "120363000000099999@g.us", Name: "Odd ones", Participants: []string{odd.LID, odd.JID, cs[3].JID}})
	if err := storetest.Populate(ctx, s, cs, gs, ls); err != nil {
		t.Fatal(err)
	}
	if err := s.SetHidden(ctx, cs[5].JID, true); err != nil {
		t.Fatal(err)
	}
	if err := s.PutCheck(ctx, model.CheckResult{Phone: cs[9].Phone, Status: model.CheckValid, WAID: model.JIDUser(cs[9].JID)}); err != nil {
		t.Fatal(err)
	}
	oddLabel, err := s.CreateLabel(ctx, "Odd label", 3)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AssignLabels(ctx, []string{odd.JID, cs[3].JID}, []int64{oddLabel.ID}, nil); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestEachContactReadsWhatAllContactsReads(t *testing.T) {
	t.Parallel()
	s := streamBook(t)
	all, err := s.AllContacts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := make(map[string]model.Contact, len(all))
	for _, c := range all {
		want[c.JID] = c
	}
	seen := map[string]bool{}
	var withLabels, withGroups, hidden int
	err = s.EachContact(ctx, func(c *model.Contact) error {
		w, ok := want[c.JID]
		if !ok || seen[c.JID] {
			t.Fatalf("EachContact handed %s (known %v, twice %v)", c.JID, ok, seen[c.JID])
		}
		seen[c.JID] = true
		if !storetest.SameContact(*c, w) {
			t.Errorf("EachContact: %+v\nAllContacts: %+v", *c, w)
		}
		withLabels += min(1, len(c.Labels))
		withGroups += min(1, len(c.Groups))
		if c.Hidden {
			hidden++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != len(all) || withLabels == 0 || withGroups == 0 || hidden != 1 {
		t.Fatalf("%d of %d contacts, %d with labels, %d with groups, %d hidden", len(seen), len(all), withLabels, withGroups, hidden)
	}

	stop := errors.New("enough")
	n := 0
	err = s.EachContact(ctx, func(*model.Contact) error {
		n++
		if n == 10 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 10 {
		t.Fatalf("after fn's error at the 10th: %v, %d calls", err, n)
	}
}

func TestContactsByJIDReadsInTheOrderAsked(t *testing.T) {
	t.Parallel()
	s := streamBook(t)
	all, err := s.AllContacts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	r.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	// More than one batch, an unknown JID among them.
	var jids []string
	for _, c := range all[:900] {
		jids = append(jids, c.JID)
	}
	jids = slices.Insert(jids, 450, "19995550000@s.whatsapp.net")
	got, err := s.ContactsByJID(ctx, jids)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 900 {
		t.Fatalf("%d contacts for 900 known JIDs", len(got))
	}
	for i, c := range got {
		if !storetest.SameContact(c, all[i]) {
			t.Fatalf("%d: ContactsByJID %+v\nAllContacts %+v", i, c, all[i])
		}
	}
	if got, err := s.ContactsByJID(ctx, nil); err != nil || len(got) != 0 {
		t.Fatalf("no JIDs: %v, %v", got, err)
	}
}
