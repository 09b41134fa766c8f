package store

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wabook/wabook/model"
)

// The first page is the start of the whole list in name order: named
// contacts case-insensitively, then contacts known only by number; hidden
// ones left out.
func TestFirstPageIsTheStartOfTheNameOrder(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	s, err := Open(filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	contacts := []model.Contact{
		{JID: "14155550101@s.whatsapp.net", FullName: "zoe"},
		{JID: "14155550102@s.whatsapp.net", PushName: "Adam"},
		{JID: "14155550103@s.whatsapp.net"},
		{JID: "14155550104@s.whatsapp.net", BusinessName: "bakery"},
		{JID: "14155550105@s.whatsapp.net", FirstName: "Carl", PushName: "aaa"},
		{JID: "14155550106@s.whatsapp.net", FullName: "Hidden Person"},
	}
	if err := s.UpsertContacts(ctx, contacts); err != nil {
		t.Fatal(err)
	}
	if err := s.SetHidden(ctx, "14155550106@s.whatsapp.net", true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateLabel(ctx, "VIP", 1); err != nil {
		t.Fatal(err)
	}
	if err := s.AddLabelsByName(ctx, map[string][]string{"14155550102@s.whatsapp.net": {"VIP"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.ReplaceGroups(ctx, []model.Group{{JID: "1@g.us", Name: "Team", Participants: []string{"14155550102@s.whatsapp.net"}}}); err != nil {
		t.Fatal(err)
	}
	page, total, err := s.FirstPage(ctx, 4)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range page {
		names = append(names, c.DisplayName())
	}
	if want := []string{"Adam", "bakery", "Carl", "zoe"}; !slices.Equal(names, want) || total != 5 {
		t.Errorf("first page %q of %d, want %q of 5", names, total, want)
	}
	if !slices.Equal(page[0].Labels, []string{"VIP"}) || !slices.Equal(page[0].Groups, []string{"1@g.us"}) {
		t.Errorf("Adam's labels %q, groups %q", page[0].Labels, page[0].Groups)
	}
	all, _, _ := s.FirstPage(ctx, 100)
	if len(all) != 5 || !strings.HasPrefix(all[4].DisplayName(), "+1415555010") {
		t.Errorf("the number-only contact is not last: %v", all)
	}
	groups, err := s.GroupNames(ctx)
	if err != nil || len(groups) != 1 || groups[0].Name != "Team" || groups[0].Participants != nil {
		t.Errorf("group names: %+v, %v", groups, err)
	}
}
