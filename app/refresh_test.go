package app

import (
	"context"
	"strings"
	"testing"

	"github.com/wabook/wabook/wa/sim"
)

// A Snapshot's Mark is where ChangesSince takes over: what another process
// adds and labels after the snapshot is there, with its label; what it
// changes beyond the limit asks for a rebuild; nothing more is read twice.
func TestChangesSinceTakesOverFromSnapshot(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	open, world := sameFile(t)
	reader := New(open(), sim.New(world), Options{})
	other := New(open(), sim.New(world), Options{})
	if _, err := other.AddContact(ctx, ContactInput{Name: "Before", Phone: "+14155550198"}); err != nil {
		t.Fatal(err)
	}
	snap, err := reader.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Contacts) != 1 || snap.Mark.Contacts == 0 {
		t.Fatalf("snapshot: %d contacts, mark %+v", len(snap.Contacts), snap.Mark)
	}
	if ch, err := reader.ChangesSince(ctx, snap.Mark, 0); err != nil || !ch.Empty() {
		t.Fatalf("nothing changed since the snapshot: %+v, %v", ch, err)
	}
	if _, err := other.AddContact(ctx, ContactInput{Name: "Zed Test", Phone: "+14155550199", Labels: "Friends"}); err != nil {
		t.Fatal(err)
	}
	ch, err := reader.ChangesSince(ctx, snap.Mark, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.Contacts) != 1 || ch.Contacts[0].FullName != "Zed Test" || strings.Join(ch.Contacts[0].Labels, ",") != "Friends" {
		t.Fatalf("changed contacts %+v; want Zed Test labelled Friends", ch.Contacts)
	}
	if !ch.LabelsChanged || len(ch.Labels) != 1 || ch.Labels[0].Name != "Friends" || ch.Labels[0].Count != 1 {
		t.Errorf("labels changed %v: %+v; want Friends with 1 contact", ch.LabelsChanged, ch.Labels)
	}
	if len(ch.Removed) != 0 || ch.Rebuild || ch.RowsRead != 2 {
		t.Errorf("removed %v, rebuild %v, %d rows read; want none, no, 2 (the contact and its label)", ch.Removed, ch.Rebuild, ch.RowsRead)
	}
	mark := ch.Mark
	for _, p := range []string{"+14155550201", "+14155550202"} {
		if _, err := other.AddContact(ctx, ContactInput{Name: "More", Phone: p}); err != nil {
			t.Fatal(err)
		}
	}
	if ch, err = reader.ChangesSince(ctx, mark, 1); err != nil || !ch.Rebuild || len(ch.Contacts) != 0 {
		t.Fatalf("two changes with a limit of one: %+v, %v; want a rebuild", ch, err)
	}
	if ch, err = reader.ChangesSince(ctx, mark, 2); err != nil || ch.Rebuild || len(ch.Contacts) != 2 {
		t.Fatalf("two changes with a limit of two: %+v, %v", ch, err)
	}
}
