package app

import (
	"context"
	"reflect"
	"testing"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store/storetest"
)

// ReadBook hands over, one at a time, the contacts Snapshot returns (hidden
// ones too), and the same labels, groups and Mark; ContactsByJID reads
// them whole in the order asked.
func TestReadBookReadsWhatSnapshotReads(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, _ := worldService(t, nil)
	snap, err := svc.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Contacts) < 3 {
		t.Fatalf("the world file has %d contacts", len(snap.Contacts))
	}
	if _, _, err := svc.SetHiddenUndoable(ctx, []string{snap.Contacts[0].JID}, true); err != nil {
		t.Fatal(err)
	}
	if snap, err = svc.Snapshot(ctx); err != nil {
		t.Fatal(err)
	}
	want := map[string]model.Contact{}
	for _, c := range append(append([]model.Contact{}, snap.Contacts...), snap.Hidden...) {
		want[c.JID] = c
	}
	var got []model.Contact
	book, err := svc.ReadBook(ctx, func(c *model.Contact) error {
		cp := *c
		cp.Labels, cp.Groups = append([]string(nil), c.Labels...), append([]string(nil), c.Groups...)
		got = append(got, cp)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) || len(book.Contacts) != 0 {
		t.Fatalf("ReadBook handed %d contacts (returned %d), Snapshot has %d", len(got), len(book.Contacts), len(want))
	}
	var jids []string
	for _, c := range got {
		if w := want[c.JID]; !storetest.SameContact(c, w) {
			t.Errorf("ReadBook %+v\nSnapshot %+v", c, w)
		}
		jids = append([]string{c.JID}, jids...)
	}
	if !reflect.DeepEqual(book.Labels, snap.Labels) || !reflect.DeepEqual(book.Groups, snap.Groups) || book.Mark != snap.Mark {
		t.Errorf("ReadBook: labels %+v groups %+v mark %+v\nSnapshot: %+v %+v %+v", book.Labels, book.Groups, book.Mark, snap.Labels, snap.Groups, snap.Mark)
	}
	whole, err := svc.ContactsByJID(ctx, jids)
	if err != nil || len(whole) != len(jids) {
		t.Fatalf("ContactsByJID: %d of %d, %v", len(whole), len(jids), err)
	}
	for i, c := range whole {
		if c.JID != jids[i] || !storetest.SameContact(c, want[c.JID]) {
			t.Errorf("ContactsByJID %d: %+v\nwant %+v", i, c, want[jids[i]])
		}
	}
}
