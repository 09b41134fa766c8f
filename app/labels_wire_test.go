package app

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/wa"
	"github.com/wabook/wabook/wa/sim"
)

// waitLabels waits until the contact's labels are want (events are applied
// by Run in the background).
func waitLabels(t *testing.T, svc *Service, jid string, want []string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := labelsOf(t, svc, jid)
		if slices.Equal(got, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("labels of %s = %q, want %q", jid, got, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// adaLID is the LID WhatsApp reports Ada's chat by.
const adaLID = "211111111111111@lid"

// adaVIPByLID is the test world with label sync on, after WhatsApp reported
// label VIP (id 2) on Ada's chat by her LID.
func adaVIPByLID(t *testing.T) (*Service, *sim.Backend) {
	t.Helper()
	svc, be := worldService(t, nil)
	if err := svc.SetLabelSync(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	be.Inject(wa.LabelAssociationChanged{WALabelID: "2", ChatJID: ada, WAChatJID: adaLID, Assigned: true})
	waitLabels(t, svc, ada, []string{"New customer", "VIP"})
	return svc, be
}

// TestLabelRemovalUsesWhatsAppsChatForm: a label WhatsApp put on a chat by
// LID is taken off by LID; one it reported by phone number, or one put on
// here, by phone number; an undo puts it back in the form it had.
func TestLabelRemovalUsesWhatsAppsChatForm(t *testing.T) {
	svc, be := adaVIPByLID(t)
	ctx := context.Background()

	undo, err := svc.ApplyLabels(ctx, []string{ada, grace}, nil, []string{"VIP"})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.UndoChange(ctx, undo); err != nil {
		t.Fatal(err)
	}
	want := []sim.LabelChat{
		{WALabelID: "2", ChatJID: adaLID, Assigned: false},
		{WALabelID: "2", ChatJID: grace, Assigned: false}, // reported by number at sync
		{WALabelID: "2", ChatJID: grace, Assigned: true},  // the undo, in reverse order
		{WALabelID: "2", ChatJID: adaLID, Assigned: true},
	}
	if got := be.SentLabelChats(); !slices.Equal(got, want) {
		t.Fatalf("sent:\n%+v\nwant\n%+v", got, want)
	}

	// Once more, after the undo: the form survived it.
	if _, err := svc.ApplyLabels(ctx, []string{ada}, nil, []string{"VIP"}); err != nil {
		t.Fatal(err)
	}
	if got := be.SentLabelChats(); got[len(got)-1] != (sim.LabelChat{WALabelID: "2", ChatJID: adaLID}) {
		t.Fatalf("last sent %+v", got[len(got)-1])
	}
}

// TestUndoneLabelDeleteKeepsWhatsAppsChatForm: a WhatsApp label deleted
// and brought back by undo is put back on a LID chat by LID, and taken off
// it by LID afterwards.
func TestUndoneLabelDeleteKeepsWhatsAppsChatForm(t *testing.T) {
	svc, be := adaVIPByLID(t)
	ctx := context.Background()
	vip, err := svc.Store().LabelByName(ctx, "VIP")
	if err != nil {
		t.Fatal(err)
	}
	undo, err := svc.DeleteLabel(ctx, vip.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.UndoChange(ctx, undo); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ApplyLabels(ctx, []string{ada}, nil, []string{"VIP"}); err != nil {
		t.Fatal(err)
	}
	var toAda []sim.LabelChat
	for _, c := range be.SentLabelChats() {
		if c.ChatJID == ada || c.ChatJID == adaLID {
			toAda = append(toAda, c)
		}
	}
	want := []sim.LabelChat{
		{WALabelID: "2", ChatJID: adaLID, Assigned: true}, // the undo
		{WALabelID: "2", ChatJID: adaLID, Assigned: false},
	}
	if !slices.Equal(toAda, want) {
		t.Fatalf("sent for Ada %+v, want %+v", toAda, want)
	}
}

// TestNewWhatsAppLabelWaitsForLabelSync: before WhatsApp has sent the
// account's labels, creating a label with sync on is refused in plain
// words and writes nothing; existing WhatsApp labels still work.
func TestNewWhatsAppLabelWaitsForLabelSync(t *testing.T) {
	w, err := sim.LoadWorldFile(filepath.Join("..", "testdata", "world.json"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	be := sim.New(w)
	svc := New(st, be, Options{})
	t.Cleanup(func() { be.Close(); st.Close() })
	ctx := context.Background()
	// A WhatsApp label the mirror already knows, and a contact.
	if _, err := st.UpsertWALabel(ctx, "2", "VIP", 3); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddContact(ctx, ContactInput{Name: "Ada", Phone: "+14155550101"}); err != nil {
		t.Fatal(err)
	}
	if err := svc.SetLabelSync(ctx, true); err != nil {
		t.Fatal(err)
	}
	before := labelState(t, svc)

	_, _, err = svc.CreateLabel(ctx, "Gold", 5)
	if !errors.Is(err, wa.ErrLabelsNotSynced) || !strings.Contains(err.Error(), "overwrite") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("CreateLabel before the labels synced: %v", err)
	}
	_, err = svc.ApplyLabels(ctx, []string{ada}, []string{"VIP, Gold"}, nil)
	if !errors.Is(err, wa.ErrLabelsNotSynced) {
		t.Fatalf("ApplyLabels creating a label before the labels synced: %v", err)
	}
	if after := labelState(t, svc); after != before {
		t.Fatalf("a refused change wrote:\n%s\nwas\n%s", after, before)
	}
	if e := be.SentLabelEdits(); len(e) != 0 {
		t.Fatalf("sent %+v", e)
	}
	// A label WhatsApp already has is fine.
	if _, err := svc.ApplyLabels(ctx, []string{ada}, []string{"VIP"}, nil); err != nil {
		t.Fatal(err)
	}

	// Once the labels came, creating works.
	go svc.Run(ctx)
	syncCtx, done := context.WithTimeout(ctx, 10*time.Second)
	defer done()
	if err := svc.SyncOnce(syncCtx); err != nil {
		t.Fatal(err)
	}
	if l, _, err := svc.CreateLabel(ctx, "Gold", 5); err != nil || l.WALabelID != "3" {
		t.Fatalf("CreateLabel after the sync = %+v, %v", l, err)
	}
}
