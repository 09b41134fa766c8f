package store_test

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/store/storetest"
)

// openTwo opens the same database file twice, as two processes would.
func openTwo(t *testing.T) (a, b *store.Store) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "w.db")
	a, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	b, err = store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return a, b
}

// byJID is the visible contacts keyed by JID, with times dropped (a
// contact's times are seconds, both sides read the same rows).
func byJID(cs []model.Contact) map[string]model.Contact {
	out := make(map[string]model.Contact, len(cs))
	for _, c := range cs {
		if len(c.Labels) == 0 {
			c.Labels = nil
		}
		if len(c.Groups) == 0 {
			c.Groups = nil
		}
		out[c.JID] = c
	}
	return out
}

// Every kind of change another handle makes — a contact written, edited,
// hidden, deleted, blocked; its labels assigned, renamed (case only too),
// deleted; its groups joined by phone JID or by LID, left; its check
// result — is in the change set, and the old read plus the change set is
// exactly what a whole new read returns. A group rename changes no
// contact, only the groups.
func TestContactsChangedSinceMatchesAWholeRead(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	cs, gs, ls := storetest.Generate(300, 20, 8, 7)
	const lid = "99000000000001@lid"
	cs[5].LID = lid
	type step struct {
		name string
		do   func(t *testing.T, b *store.Store)
		// wantChanged / wantRemoved: JIDs the change set must hold
		// (at least); labels, groups: whether those must be re-read.
		wantChanged, wantRemoved []string
		// wantHidden: JIDs that must be among Hidden, as AllContacts reads them.
		wantHidden     []string
		labels, groups bool
	}
	jid := func(i int) string { return cs[i].JID }
	labelID := func(t *testing.T, b *store.Store, name string) int64 {
		l, err := b.LabelByName(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		return l.ID
	}
	members := func(t *testing.T, b *store.Store, name string) []string {
		m, err := b.LabelMembers(ctx, labelID(t, b, name))
		if err != nil || len(m) == 0 {
			t.Fatalf("label %q has members %v, %v; the test needs some", name, m, err)
		}
		return m
	}
	var renamed []string // members of the label renamed, read before
	steps := []step{
		{name: "nothing", do: func(*testing.T, *store.Store) {}},
		{name: "new contact", do: func(t *testing.T, b *store.Store) {
			if err := b.UpsertContacts(ctx, []model.Contact{{JID: "14155550999@s.whatsapp.net", FullName: "Newcomer"}}); err != nil {
				t.Fatal(err)
			}
		}, wantChanged: []string{"14155550999@s.whatsapp.net"}},
		{name: "push name", do: func(t *testing.T, b *store.Store) {
			if err := b.SetPushName(ctx, jid(1), "Pushy"); err != nil {
				t.Fatal(err)
			}
		}, wantChanged: []string{jid(1)}},
		{name: "blocked", do: func(t *testing.T, b *store.Store) {
			if err := b.SetBlocked(ctx, jid(2), true); err != nil {
				t.Fatal(err)
			}
		}, wantChanged: []string{jid(2)}},
		{name: "hidden", do: func(t *testing.T, b *store.Store) {
			if err := b.SetHidden(ctx, jid(3), true); err != nil {
				t.Fatal(err)
			}
		}, wantRemoved: []string{jid(3)}, wantHidden: []string{jid(3)}},
		{name: "deleted", do: func(t *testing.T, b *store.Store) {
			if err := b.DeleteContact(ctx, jid(4)); err != nil {
				t.Fatal(err)
			}
		}, wantRemoved: []string{jid(4)}},
		{name: "labels assigned", do: func(t *testing.T, b *store.Store) {
			if _, err := b.ChangeLabels(ctx, []string{jid(6), jid(7)}, []string{ls[0].Name, "Brand new"}, nil); err != nil {
				t.Fatal(err)
			}
		}, wantChanged: []string{jid(6), jid(7)}, labels: true},
		{name: "label renamed", do: func(t *testing.T, b *store.Store) {
			renamed = members(t, b, ls[1].Name)
			if err := b.RenameLabel(ctx, labelID(t, b, ls[1].Name), "Renamed"); err != nil {
				t.Fatal(err)
			}
		}, labels: true},
		{name: "label renamed, case only", do: func(t *testing.T, b *store.Store) {
			renamed = members(t, b, "Renamed")
			if err := b.RenameLabel(ctx, labelID(t, b, "Renamed"), "RENAMED"); err != nil {
				t.Fatal(err)
			}
		}, labels: true},
		{name: "label colour", do: func(t *testing.T, b *store.Store) {
			renamed = nil
			if err := b.SetLabelColor(ctx, labelID(t, b, ls[2].Name), 19); err != nil {
				t.Fatal(err)
			}
		}, labels: true},
		{name: "label deleted", do: func(t *testing.T, b *store.Store) {
			renamed = members(t, b, ls[3].Name)
			if err := b.DeleteLabel(ctx, labelID(t, b, ls[3].Name)); err != nil {
				t.Fatal(err)
			}
		}, labels: true},
		{name: "group joined by JID and by LID", do: func(t *testing.T, b *store.Store) {
			renamed = nil
			g := model.Group{JID: "120363000000999999@g.us", Name: "New group", Participants: []string{jid(8), lid}}
			if err := b.UpsertGroup(ctx, g); err != nil {
				t.Fatal(err)
			}
		}, wantChanged: []string{jid(8), jid(5)}, groups: true},
		{name: "group renamed", do: func(t *testing.T, b *store.Store) {
			if err := b.UpsertGroup(ctx, model.Group{JID: "120363000000999999@g.us", Name: "Renamed group"}); err != nil {
				t.Fatal(err)
			}
		}, groups: true},
		{name: "group left", do: func(t *testing.T, b *store.Store) {
			if err := b.DeleteGroup(ctx, "120363000000999999@g.us"); err != nil {
				t.Fatal(err)
			}
		}, wantChanged: []string{jid(8), jid(5)}, groups: true},
		{name: "check result", do: func(t *testing.T, b *store.Store) {
			if err := b.PutCheck(ctx, model.CheckResult{Phone: cs[9].Phone, Status: model.CheckValid, CheckedAt: time.Now()}); err != nil {
				t.Fatal(err)
			}
		}, wantChanged: []string{jid(9)}},
		{name: "the same check result again", do: func(t *testing.T, b *store.Store) {
			if err := b.PutCheck(ctx, model.CheckResult{Phone: cs[9].Phone, Status: model.CheckValid, CheckedAt: time.Now().Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "blocklist replaced", do: func(t *testing.T, b *store.Store) {
			if err := b.ReplaceBlocklist(ctx, []string{jid(10)}); err != nil {
				t.Fatal(err)
			}
		}, wantChanged: []string{jid(10), jid(2)}},
		{name: "import", do: func(t *testing.T, b *store.Store) {
			rows := []store.ImportRow{{JID: jid(11), Phone: cs[11].Phone, Name: "Imported", Note: "from a file"}, {JID: "14155550998@s.whatsapp.net", Phone: "+14155550998", Name: "Fresh"}}
			if _, _, err := b.ImportContacts(ctx, store.ImportBatch{Rows: rows, Labels: []string{"Imported"}}); err != nil {
				t.Fatal(err)
			}
		}, wantChanged: []string{jid(11), "14155550998@s.whatsapp.net"}, labels: true},
	}

	a, b := openTwo(t)
	if err := storetest.Populate(ctx, a, cs, gs, ls); err != nil {
		t.Fatal(err)
	}
	mark, err := a.ChangeMark(ctx)
	if err != nil {
		t.Fatal(err)
	}
	old, err := a.Contacts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	have := byJID(old)
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			st.do(t, b)
			ch, err := a.ContactsChangedSince(ctx, mark, 0)
			if err != nil {
				t.Fatal(err)
			}
			if ch.Rebuild {
				t.Fatal("Rebuild without a limit")
			}
			changed := map[string]bool{}
			for _, c := range ch.Contacts {
				changed[c.JID] = true
			}
			removed := map[string]bool{}
			for _, j := range ch.Removed {
				removed[j] = true
			}
			for _, j := range st.wantChanged {
				if !changed[j] {
					t.Errorf("%s is not among the changed contacts %v", j, slices.Sorted(maps.Keys(changed)))
				}
			}
			for _, j := range renamed { // hidden ones carry labels too
				if !changed[j] && !removed[j] {
					t.Errorf("%s is not among the changed contacts %v", j, slices.Sorted(maps.Keys(changed)))
				}
			}
			for _, j := range st.wantRemoved {
				if !removed[j] {
					t.Errorf("%s is not among the removed %v", j, ch.Removed)
				}
			}
			if len(st.wantHidden) > 0 {
				all, err := a.AllContacts(ctx)
				if err != nil {
					t.Fatal(err)
				}
				whole, got := byJID(all), byJID(ch.Hidden)
				for _, j := range st.wantHidden {
					if c, ok := got[j]; !ok || !reflect.DeepEqual(c, whole[j]) || !removed[j] {
						t.Errorf("%s among the hidden: %+v (removed: %v); AllContacts reads %+v", j, c, removed[j], whole[j])
					}
				}
			}
			for _, c := range ch.Hidden {
				if !c.Hidden {
					t.Errorf("%s is among the hidden but not hidden", c.JID)
				}
			}
			if len(st.wantChanged)+len(st.wantRemoved)+len(renamed) == 0 && len(ch.Contacts)+len(ch.Removed) > 0 {
				t.Errorf("changed %v, removed %v; want nothing", slices.Sorted(maps.Keys(changed)), ch.Removed)
			}
			if ch.LabelsChanged != st.labels || ch.GroupsChanged != st.groups {
				t.Errorf("labels changed %v, groups changed %v; want %v, %v", ch.LabelsChanged, ch.GroupsChanged, st.labels, st.groups)
			}
			// A row per change, and per label and group of a changed
			// contact (a group twice when it lists both its JID and LID);
			// a hidden one's labels and groups are read and dropped.
			most := len(ch.Contacts) + 40*len(ch.Removed)
			for _, c := range ch.Contacts {
				most += len(c.Labels) + 2*len(c.Groups)
			}
			if ch.RowsRead < len(ch.Contacts)+len(ch.Removed) || ch.RowsRead > most {
				t.Errorf("read %d rows for %d changes; want at most %d", ch.RowsRead, len(ch.Contacts)+len(ch.Removed), most)
			}

			for _, j := range ch.Removed {
				delete(have, j)
			}
			maps.Copy(have, byJID(ch.Contacts))
			all, err := a.Contacts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if want := byJID(all); !reflect.DeepEqual(have, want) {
				for j, c := range want {
					if !reflect.DeepEqual(have[j], c) {
						t.Errorf("after the changes %s is\n%+v\nwhole read:\n%+v", j, have[j], c)
					}
				}
				for j := range have {
					if _, ok := want[j]; !ok {
						t.Errorf("%s is still there after the changes", j)
					}
				}
				t.FailNow()
			}
			if ch.LabelsChanged {
				labels, err := a.Labels(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(ch.Labels, labels) {
					t.Errorf("labels %+v, want %+v", ch.Labels, labels)
				}
			}
			if ch.GroupsChanged {
				groups, err := a.GroupNames(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(ch.Groups, groups) {
					t.Errorf("groups %+v, want %+v", ch.Groups, groups)
				}
			}
			if ch.Mark.Contacts < mark.Contacts {
				t.Errorf("mark went back from %d to %d", mark.Contacts, ch.Mark.Contacts)
			}
			mark = ch.Mark
			again, err := a.ContactsChangedSince(ctx, mark, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(again.Contacts)+len(again.Removed) != 0 || again.LabelsChanged || again.GroupsChanged || again.RowsRead != 0 {
				t.Errorf("asked again from the new mark: %+v", again)
			}
		})
	}
}

// Above the limit nothing is read but the count; a mark from a newer log
// than the database's (a database restored from a copy) asks for a whole
// read too.
func TestContactsChangedSinceTooMany(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	a, b := openTwo(t)
	mark, err := a.ChangeMark(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cs, _, _ := storetest.Generate(50, 0, 0, 3)
	if err := b.UpsertContacts(ctx, cs); err != nil {
		t.Fatal(err)
	}
	ch, err := a.ContactsChangedSince(ctx, mark, 49)
	if err != nil {
		t.Fatal(err)
	}
	if !ch.Rebuild || len(ch.Contacts) != 0 || ch.RowsRead != 0 {
		t.Errorf("50 changes with a limit of 49: too many %v, %d contacts, %d rows read", ch.Rebuild, len(ch.Contacts), ch.RowsRead)
	}
	if ch, err = a.ContactsChangedSince(ctx, mark, 50); err != nil || ch.Rebuild || len(ch.Contacts) != 50 {
		t.Fatalf("50 changes with a limit of 50: %v, too many %v, %d contacts", err, ch.Rebuild, len(ch.Contacts))
	}
	ahead := ch.Mark
	ahead.Contacts += 10
	if ch, err = a.ContactsChangedSince(ctx, ahead, 0); err != nil || !ch.Rebuild {
		t.Fatalf("a mark ahead of the log: %v, too many %v", err, ch.Rebuild)
	}
}

// The acceptance case: another handle on the file adds 1 000 contacts one
// by one to a 100 000-contact book; the refresh reads those 1 000 rows and
// nothing of the other 100 000.
func TestContactsChangedSinceReadsOnlyTheChanges(t *testing.T) {
	t.Parallel()

	if testing.Short() {
		t.Skip("writes a 100 000-contact book")
	}
	ctx := context.Background()
	a, b := openTwo(t)
	cs, gs, ls := storetest.Generate(100_000, 2_000, 50, 1)
	if err := storetest.Populate(ctx, a, cs, gs, ls); err != nil {
		t.Fatal(err)
	}
	mark, err := a.ChangeMark(ctx)
	if err != nil {
		t.Fatal(err)
	}
	added := map[string]bool{}
	for i := range 1_000 {
		c := model.Contact{Phone: fmt.Sprintf("+1415666%04d", i), FullName: fmt.Sprintf("Added %d", i)}
		if _, err := b.InsertContact(ctx, c, nil); err != nil {
			t.Fatal(err)
		}
		added[model.JIDFromPhone(c.Phone)] = true
	}
	start := time.Now()
	ch, err := a.ContactsChangedSince(ctx, mark, 5_000)
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if ch.Rebuild || len(ch.Contacts) != 1_000 || len(ch.Removed) != 0 {
		t.Fatalf("too many %v, %d changed, %d removed; want the 1 000 added", ch.Rebuild, len(ch.Contacts), len(ch.Removed))
	}
	for _, c := range ch.Contacts {
		if !added[c.JID] {
			t.Fatalf("%s changed, but it was not added", c.JID)
		}
	}
	if ch.RowsRead != 1_000 {
		t.Errorf("read %d rows for 1 000 new contacts without labels or groups", ch.RowsRead)
	}
	t.Logf("1 000 changes in a 100 000-contact book: %d rows read in %v", ch.RowsRead, took)
}
