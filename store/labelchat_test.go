package store_test

import (
	"reflect"
	"testing"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
)

// TestWALabelChatForm: the form WhatsApp named a chat in is kept with the
// assignment and comes back with its removal, whichever way the label is
// taken off; an undo putting it back keeps it; a bad form changes nothing.
func TestWALabelChatForm(t *testing.T) {
	t.Parallel()

	s := open(t)
	if err := s.UpsertContacts(ctx, []model.Contact{{JID: alice}, {JID: bob, LID: bobLID}}); err != nil {
		t.Fatal(err)
	}
	vip, err := s.UpsertWALabel(ctx, "5", "VIP", 2)
	if err != nil {
		t.Fatal(err)
	}
	// Bob by LID (mirrored under his number), Alice by number with the
	// form given, and Alice again by number with no form (kept as is).
	if err := s.SetWALabelChat(ctx, "5", bob, bobLID, true); err != nil {
		t.Fatal(err)
	}
	if err := s.SetWALabelChat(ctx, "5", alice, "14155550101:3@s.whatsapp.net", true); err != nil {
		t.Fatal(err)
	}
	// A malformed form is refused and changes nothing.
	if err := s.SetWALabelChat(ctx, "5", bob, "not a jid", false); err == nil {
		t.Fatal("malformed WhatsApp chat form: no error")
	}
	if got := labelNames(t, s, bob); len(got) != 1 {
		t.Fatalf("bob's labels after a refused change: %q", got)
	}

	lc, err := s.ChangeLabels(ctx, []string{alice, bob}, nil, []string{"vip"})
	if err != nil {
		t.Fatal(err)
	}
	want := []store.LabelChange{
		{JID: alice, LabelID: vip.ID, WAChat: alice},
		{JID: bob, LabelID: vip.ID, WAChat: bobLID},
	}
	if !reflect.DeepEqual(lc.Changes, want) {
		t.Fatalf("removals %+v, want %+v", lc.Changes, want)
	}

	// The undo puts them back with their forms; removing again returns them.
	inv := []store.LabelChange{
		{JID: bob, LabelID: vip.ID, Assigned: true, WAChat: bobLID},
		{JID: alice, LabelID: vip.ID, Assigned: true, WAChat: alice},
	}
	if _, _, err := s.ApplyLabelBatch(ctx, store.LabelBatch{Changes: inv}); err != nil {
		t.Fatal(err)
	}
	done, _, err := s.ApplyLabelBatch(ctx, store.LabelBatch{Changes: []store.LabelChange{{JID: bob, LabelID: vip.ID}}})
	if err != nil || !reflect.DeepEqual(done, []store.LabelChange{{JID: bob, LabelID: vip.ID, WAChat: bobLID}}) {
		t.Fatalf("removal after the undo = %+v, %v", done, err)
	}

	// Put on here: no form; WhatsApp reporting it later records its form.
	lc, err = s.ChangeLabels(ctx, []string{bob}, []string{"VIP"}, nil)
	if err != nil || len(lc.Changes) != 1 || lc.Changes[0].WAChat != "" {
		t.Fatalf("local assignment = %+v, %v", lc, err)
	}
	if err := s.SetWALabelChat(ctx, "5", bobLID, "", true); err != nil {
		t.Fatal(err)
	}
	lc, err = s.ChangeLabels(ctx, []string{bob}, nil, []string{"VIP"})
	if err != nil || !reflect.DeepEqual(lc.Changes, []store.LabelChange{{JID: bob, LabelID: vip.ID, WAChat: bobLID}}) {
		t.Fatalf("removal after WhatsApp reported it = %+v, %v", lc, err)
	}
}

// TestRestoredLabelKeepsWAChatForm: a label deleted (or merged away) and
// brought back by undo keeps, for each member, the form WhatsApp named the
// chat in, so taking it off later still reaches WhatsApp's entry.
func TestRestoredLabelKeepsWAChatForm(t *testing.T) {
	t.Parallel()

	for _, how := range []string{"delete", "merge"} {
		t.Run(how, func(t *testing.T) {
			t.Parallel()

			s := open(t)
			if err := s.UpsertContacts(ctx, []model.Contact{{JID: alice}, {JID: bob, LID: bobLID}, {JID: carol}}); err != nil {
				t.Fatal(err)
			}
			vip, err := s.UpsertWALabel(ctx, "5", "VIP", 2)
			if err != nil {
				t.Fatal(err)
			}
			other, err := s.CreateLabel(ctx, "Other", 1)
			if err != nil {
				t.Fatal(err)
			}
			// Bob by LID, Alice by number; Carol put on here (no form).
			if err := s.SetWALabelChat(ctx, "5", bobLID, "", true); err != nil {
				t.Fatal(err)
			}
			if err := s.SetWALabelChat(ctx, "5", alice, "", true); err != nil {
				t.Fatal(err)
			}
			if _, err := s.ChangeLabels(ctx, []string{carol}, []string{"VIP"}, nil); err != nil {
				t.Fatal(err)
			}

			var lw store.LabelWithMembers
			var undo []store.LabelChange
			if how == "delete" {
				lw, err = s.DeleteLabelWithMembers(ctx, vip.ID)
			} else {
				var added []store.LabelChange
				lw, added, err = s.MergeLabel(ctx, vip.ID, other.ID)
				for _, c := range added {
					undo = append(undo, store.LabelChange{JID: c.JID, LabelID: c.LabelID})
				}
			}
			if err != nil {
				t.Fatal(err)
			}
			wantChats := map[string]string{alice: alice, bob: bobLID}
			if !reflect.DeepEqual(lw.WAChats, wantChats) {
				t.Fatalf("%s kept forms %v, want %v", how, lw.WAChats, wantChats)
			}
			done, _, err := s.ApplyLabelBatch(ctx, store.LabelBatch{Restore: []store.LabelWithMembers{lw}, Changes: undo})
			if err != nil {
				t.Fatal(err)
			}
			// The restore reports the forms (they are sent to WhatsApp).
			wantDone := []store.LabelChange{
				{JID: alice, LabelID: vip.ID, Assigned: true, WAChat: alice},
				{JID: bob, LabelID: vip.ID, Assigned: true, WAChat: bobLID},
				{JID: carol, LabelID: vip.ID, Assigned: true},
			}
			if !reflect.DeepEqual(done[:3], wantDone) {
				t.Fatalf("restore did %+v, want %+v first", done, wantDone)
			}
			// Taking it off after the undo names each chat as before.
			lc, err := s.ChangeLabels(ctx, []string{alice, bob, carol}, nil, []string{"VIP"})
			if err != nil {
				t.Fatal(err)
			}
			want := []store.LabelChange{
				{JID: alice, LabelID: vip.ID, WAChat: alice},
				{JID: bob, LabelID: vip.ID, WAChat: bobLID},
				{JID: carol, LabelID: vip.ID},
			}
			if !reflect.DeepEqual(lc.Changes, want) {
				t.Fatalf("removals after the undo %+v, want %+v", lc.Changes, want)
			}
		})
	}
}
