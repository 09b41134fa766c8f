package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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

// The number FirstPage gives is the number of contacts not hidden after
// every kind of write: new rows (sync, add, import), hiding and showing,
// removal, deletion, a rollback; and the hidden ones are counted apart.
func TestFirstPageCountFollowsEveryWrite(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	s := openTemp(t)
	check := func(step string) {
		t.Helper()
		var shown, hidden int
		if err := s.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM contacts WHERE hidden = 0),
			(SELECT count(*) FROM contacts WHERE hidden <> 0)`).Scan(&shown, &hidden); err != nil {
			t.Fatal(err)
		}
		_, total, err := s.FirstPage(ctx, 1)
		if err != nil || total != shown {
			t.Fatalf("%s: FirstPage says %d contacts (%v), the table holds %d", step, total, err, shown)
		}
		var kept int
		if err := s.db.QueryRowContext(ctx, `SELECT n FROM contact_counts WHERE hidden = 1`).Scan(&kept); err != nil || kept != hidden {
			t.Fatalf("%s: %d hidden kept (%v), the table holds %d", step, kept, err, hidden)
		}
		if n, err := s.BookSize(ctx); err != nil || n != shown+hidden {
			t.Fatalf("%s: BookSize says %d (%v), the table holds %d", step, n, err, shown+hidden)
		}
		labels, err := s.Labels(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range labels {
			var n int
			if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM contact_labels WHERE label_id = ?`, l.ID).Scan(&n); err != nil || n != l.Count {
				t.Fatalf("%s: label %s counts %d, carried by %d (%v)", step, l.Name, l.Count, n, err)
			}
		}
	}
	check("empty")
	jid := func(i int) string { return fmt.Sprintf("1415555%04d@s.whatsapp.net", i) }
	var cs []model.Contact
	for i := range 20 {
		cs = append(cs, model.Contact{JID: jid(i), FullName: fmt.Sprintf("Person %d", i)})
	}
	if err := s.UpsertContacts(ctx, cs); err != nil {
		t.Fatal(err)
	}
	check("sync")
	if err := s.UpsertContacts(ctx, cs[:5]); err != nil { // again: no new row
		t.Fatal(err)
	}
	check("sync again")
	if _, err := s.InsertContact(ctx, model.Contact{Phone: "+14155559999", FullName: "Added"}, nil); err != nil {
		t.Fatal(err)
	}
	check("add")
	if _, _, err := s.ImportContacts(ctx, ImportBatch{Rows: []ImportRow{
		{JID: "14155558888@s.whatsapp.net", Phone: "+14155558888", Name: "Imported"},
		{JID: jid(1), Phone: "+14155550001", Name: "Known"},
	}}); err != nil {
		t.Fatal(err)
	}
	check("import")
	if err := s.SetHidden(ctx, jid(1), true); err != nil {
		t.Fatal(err)
	}
	if err := s.SetHidden(ctx, jid(1), true); err != nil { // hidden already
		t.Fatal(err)
	}
	check("hide")
	if _, err := s.SetHiddenMany(ctx, []string{jid(2), jid(3), jid(1)}, true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetHiddenMany(ctx, []string{jid(3)}, false); err != nil {
		t.Fatal(err)
	}
	check("hide and show many")
	if _, _, err := s.RemoveContacts(ctx, []string{jid(4), "14155559999@s.whatsapp.net", jid(2)}, model.SourceLocal); err != nil {
		t.Fatal(err)
	}
	check("remove")
	if err := s.DeleteContact(ctx, jid(2)); err != nil { // a hidden one
		t.Fatal(err)
	}
	if err := s.DeleteContact(ctx, jid(5)); err != nil {
		t.Fatal(err)
	}
	check("delete")
	if _, err := s.ChangeLabels(ctx, []string{jid(6), jid(7), jid(8), jid(9)}, []string{"VIP", "Lead"}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ChangeLabels(ctx, []string{jid(6)}, nil, []string{"VIP"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReplaceLabels(ctx, []string{jid(7)}, []string{"Paid"}); err != nil {
		t.Fatal(err)
	}
	check("label changes")
	if err := s.DeleteContact(ctx, jid(8)); err != nil { // its labels go with it
		t.Fatal(err)
	}
	check("a labelled contact deleted")
	vip, err := s.LabelByName(ctx, "VIP")
	if err != nil {
		t.Fatal(err)
	}
	lead, err := s.LabelByName(ctx, "Lead")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.MergeLabel(ctx, vip.ID, lead.ID); err != nil {
		t.Fatal(err)
	}
	check("merge")
	paid, err := s.LabelByName(ctx, "Paid")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteLabelWithMembers(ctx, paid.ID); err != nil {
		t.Fatal(err)
	}
	check("label deleted")
	if err := s.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM contacts`); err != nil {
			return err
		}
		return errors.New("rolled back")
	}); err == nil {
		t.Fatal("the transaction did not fail")
	}
	check("rollback")
}

// A database written before the count was kept (schema 12) gets it from
// the rows it holds.
func TestContactCountsMigrationCountsExistingRows(t *testing.T) {
	t.Parallel()

	path := filepath.Join(t.TempDir(), "v12.db")
	writeDB(t, path, append(slices.Clone(migrations[:12]),
		`CREATE TABLE wabook_version (version INTEGER NOT NULL)`,
		`INSERT INTO wabook_version VALUES (12)`,
		`INSERT INTO contacts (jid, phone, source, created_at, updated_at, hidden) VALUES
			('14155550101@s.whatsapp.net', '+14155550101', 'whatsapp', 1, 1, 0),
			('14155550102@s.whatsapp.net', '+14155550102', 'whatsapp', 1, 1, 0),
			('14155550103@s.whatsapp.net', '+14155550103', 'whatsapp', 1, 1, 1)`)...)
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, total, err := s.FirstPage(context.Background(), 10); err != nil || total != 2 {
		t.Fatalf("after the migration FirstPage says %d contacts (%v), want 2", total, err)
	}
	var hidden int
	if err := s.db.QueryRow(`SELECT n FROM contact_counts WHERE hidden = 1`).Scan(&hidden); err != nil || hidden != 1 {
		t.Fatalf("hidden count %d (%v), want 1", hidden, err)
	}
}

// GroupNamesOf gives the named groups only, in GroupNames' order, without
// members.
func TestGroupNamesOfGivesTheNamedGroups(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	s := openTemp(t)
	if err := s.ReplaceGroups(ctx, []model.Group{
		{JID: "1@g.us", Name: "Zeta", Participants: []string{"14155550101@s.whatsapp.net"}},
		{JID: "2@g.us", Name: "Alpha"},
		{JID: "3@g.us", Name: "Mid"},
	}); err != nil {
		t.Fatal(err)
	}
	got, err := s.GroupNamesOf(ctx, []string{"1@g.us", "2@g.us", "9@g.us", "1@g.us"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, g := range got {
		if g.Participants != nil {
			t.Errorf("%s carries members", g.Name)
		}
		names = append(names, g.Name)
	}
	if !slices.Equal(names, []string{"Alpha", "Zeta"}) {
		t.Errorf("groups %q, want Alpha and Zeta", names)
	}
	if got, err := s.GroupNamesOf(ctx, nil); err != nil || len(got) != 0 {
		t.Errorf("no JIDs: %v, %v", got, err)
	}
}
