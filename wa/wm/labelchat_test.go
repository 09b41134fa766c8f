package wm

import (
	"context"
	"reflect"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/appstate"
	"go.mau.fi/whatsmeow/proto/waSyncAction"
	"google.golang.org/protobuf/proto"

	"github.com/wabook/wabook/wa"
)

// isLabelChat matches the association event of label 3 with the given
// state.
func isLabelChat(assigned bool) func(wa.Event) bool {
	return func(ev wa.Event) bool {
		lc, ok := ev.(wa.LabelAssociationChanged)
		return ok && lc.WALabelID == "3" && lc.Assigned == assigned
	}
}

// TestLabelRemovalByLIDOnTheWire: WhatsApp reports a label on a chat it
// keeps under the contact's LID (an app-state label_jid entry whose index
// names the LID); taking the label off with the form the event carried
// sends a patch whose index names the LID too, so it is the same app-state
// entry (PROTOCOL.md, "Business labels"). The patch goes back through
// whatsmeow's own encoder and decoder on the test server, and the device
// then sees the label taken off that chat.
func TestLabelRemovalByLIDOnTheWire(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	db := openDB(t)
	savePairedDevice(t, db, true)
	srv := newAppStateServer(t)
	const adaLID = "211111111111111@lid"
	// Written out rather than built with appstate.BuildLabelChat: this is
	// what the phone sent, not what wabook would.
	index := []string{"label_jid", "3", adaLID}
	srv.add(appstate.WAPatchRegular, labelMutation("3", "VIP"), appstate.MutationInfo{
		Index:   index,
		Version: 3,
		Value: &waSyncAction.SyncActionValue{LabelAssociationAction: &waSyncAction.LabelAssociationAction{
			Labeled: proto.Bool(true),
		}},
	})
	b, fake := appStateBackend(t, db, newTestKV(t, db), srv, time.Second)
	if err := b.cli().Store.LIDs.PutLIDMapping(ctx, lid("211111111111111"), pn("14155550101")); err != nil {
		t.Fatal(err)
	}
	if err := srv.fetch(b)(ctx, appstate.WAPatchRegular, false, false); err != nil {
		t.Fatal(err)
	}
	got := waitEvent(t, b, "the label on Ada's chat", isLabelChat(true)).(wa.LabelAssociationChanged)
	want := wa.LabelAssociationChanged{WALabelID: "3", ChatJID: "14155550101@s.whatsapp.net", WAChatJID: adaLID, Assigned: true}
	if got != want {
		t.Fatalf("reported %+v, want %+v", got, want)
	}

	// What the app sends to take it off: the form the event carried.
	if err := b.SendLabelChat(ctx, "3", got.WAChatJID, false); err != nil {
		t.Fatal(err)
	}
	fake.mu.Lock()
	sent := append([]appstate.PatchInfo(nil), fake.patches...)
	fake.mu.Unlock()
	if len(sent) != 1 || sent[0].Type != appstate.WAPatchRegular || len(sent[0].Mutations) != 1 {
		t.Fatalf("sent %+v, want one regular patch with one mutation", sent)
	}
	m := sent[0].Mutations[0]
	if !reflect.DeepEqual(m.Index, index) {
		t.Fatalf("removal index %q, want %q", m.Index, index)
	}
	if a := m.Value.GetLabelAssociationAction(); a == nil || a.Labeled == nil || a.GetLabeled() {
		t.Fatalf("removal value %v, want labeled false", m.Value)
	}

	// The server takes the patch; the device syncs it back.
	srv.add(sent[0].Type, sent[0].Mutations...)
	if err := srv.fetch(b)(ctx, appstate.WAPatchRegular, false, false); err != nil {
		t.Fatal(err)
	}
	got = waitEvent(t, b, "the label off Ada's chat", isLabelChat(false)).(wa.LabelAssociationChanged)
	if want.Assigned = false; got != want {
		t.Fatalf("after the removal synced back: %+v, want %+v", got, want)
	}
}
