package storetest_test

import (
	"context"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"testing"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/store/storetest"
)

var e164 = regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)

func TestGenerateDeterministicAndRealistic(t *testing.T) {
	t.Parallel()

	cs, gs, ls := storetest.Generate(3000, 60, 50, 7)
	cs2, gs2, ls2 := storetest.Generate(3000, 60, 50, 7)
	if !reflect.DeepEqual(cs, cs2) || !reflect.DeepEqual(gs, gs2) || !reflect.DeepEqual(ls, ls2) {
		t.Fatal("same seed, different data")
	}
	if cs3, _, _ := storetest.Generate(3000, 60, 50, 8); reflect.DeepEqual(cs, cs3) {
		t.Fatal("different seeds, same data")
	}
	if len(cs) != 3000 || len(gs) != 60 || len(ls) != 50 {
		t.Fatalf("sizes %d %d %d", len(cs), len(gs), len(ls))
	}

	labelSet := map[string]bool{}
	for _, l := range ls {
		if labelSet[l.Name] || l.Color < 0 || l.Color > 19 {
			t.Errorf("bad label %+v", l)
		}
		labelSet[l.Name] = true
	}
	phones, lids := map[string]bool{}, map[string]bool{}
	countries := map[string]bool{}
	labelled := 0
	for _, c := range cs {
		if !e164.MatchString(c.Phone) || phones[c.Phone] || c.JID != model.JIDFromPhone(c.Phone) {
			t.Fatalf("bad or duplicate phone/JID: %q %q", c.Phone, c.JID)
		}
		phones[c.Phone] = true
		countries[c.Phone[:3]] = true
		if c.LID != "" {
			if !model.IsLID(c.LID) || lids[c.LID] {
				t.Fatalf("bad or duplicate LID %q", c.LID)
			}
			lids[c.LID] = true
		}
		if len(c.Labels) > 3 {
			t.Errorf("%d labels on one contact", len(c.Labels))
		}
		if len(c.Labels) > 0 {
			labelled++
		}
		for _, l := range c.Labels {
			if !labelSet[l] {
				t.Errorf("unknown label %q", l)
			}
		}
		if c.DisplayName() == c.JID {
			t.Errorf("contact without any name or phone: %+v", c)
		}
	}
	if len(countries) < 6 {
		t.Errorf("phones from only %d country prefixes", len(countries))
	}
	if labelled < len(cs)/3 || labelled == len(cs) {
		t.Errorf("%d of %d contacts labelled", labelled, len(cs))
	}
	lidMembers, total := 0, 0
	for _, g := range gs {
		if !model.IsGroupJID(g.JID) || g.Name == "" || g.ParticipantCount != len(g.Participants) {
			t.Errorf("bad group %+v", g)
		}
		if n := len(g.Participants); n < 30 || n > 70 {
			t.Errorf("group of %d", n)
		}
		total += len(g.Participants)
		for _, m := range g.Participants {
			if model.IsLID(m) {
				lidMembers++
				if !lids[m] {
					t.Errorf("participant LID %q matches no contact", m)
				}
			}
		}
	}
	if lidMembers == 0 {
		t.Error("no participant is a LID")
	}
	if avg := total / len(gs); avg < 40 || avg > 60 {
		t.Errorf("average group size %d, want about 50", avg)
	}
}

func TestPopulate(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	cs, gs, ls := storetest.Generate(2000, 40, 12, 3)
	s, err := store.Open(filepath.Join(t.TempDir(), "wabook.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := storetest.Populate(ctx, s, cs, gs, ls); err != nil {
		t.Fatal(err)
	}
	got, err := s.Contacts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(cs) {
		t.Fatalf("%d contacts, want %d", len(got), len(cs))
	}
	stored, _ := s.Labels(ctx)
	if len(stored) != len(ls) {
		t.Fatalf("%d labels, want %d", len(stored), len(ls))
	}
	rank := map[string]int{}
	for i, l := range ls {
		rank[l.Name] = i
		if stored[i].Name != l.Name || stored[i].Color != l.Color {
			t.Errorf("label %d = %+v, want %+v", i, stored[i], l)
		}
	}
	// Which groups each contact should see.
	byKey := map[string]string{}
	for _, c := range cs {
		byKey[c.JID] = c.JID
		if c.LID != "" {
			byKey[c.LID] = c.JID
		}
	}
	wantGroups := map[string][]string{}
	for _, g := range gs {
		for _, m := range g.Participants {
			if j, ok := byKey[m]; ok && !slices.Contains(wantGroups[j], g.JID) {
				wantGroups[j] = append(wantGroups[j], g.JID)
			}
		}
	}
	in := map[string]model.Contact{}
	for _, c := range cs {
		in[c.JID] = c
	}
	for i, c := range got {
		w := in[c.JID]
		wl := slices.Clone(w.Labels)
		slices.SortFunc(wl, func(a, b string) int { return rank[a] - rank[b] })
		if !slices.Equal(c.Labels, wl) {
			t.Errorf("%s labels = %q, want %q", c.JID, c.Labels, wl)
		}
		wg := wantGroups[c.JID]
		slices.Sort(wg)
		if !slices.Equal(c.Groups, wg) {
			t.Errorf("%s groups = %q, want %q", c.JID, c.Groups, wg)
		}
		if c.FullName != w.FullName || c.PushName != w.PushName || c.LID != w.LID || c.IsBlocked != w.IsBlocked ||
			c.IsBusiness != w.IsBusiness || c.IsMyContact != w.IsMyContact || c.Source != w.Source ||
			c.CreatedAt.Unix() != w.CreatedAt.Unix() {
			t.Errorf("%s read back as %+v, want %+v", c.JID, c, w)
		}
		if i%50 == 0 { // the bulk reader agrees with the single one
			one, err := s.Contact(ctx, c.JID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(normalise(one), normalise(c)) {
				t.Errorf("Contact and Contacts disagree:\n%+v\n%+v", one, c)
			}
		}
	}
}

// normalise makes nil and empty slices compare equal.
func normalise(c model.Contact) model.Contact {
	if len(c.Labels) == 0 {
		c.Labels = nil
	}
	if len(c.Groups) == 0 {
		c.Groups = nil
	}
	return c
}
