package app

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
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
	if _, err := svc.SetLabelSync(context.Background(), true); err != nil {
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
	t.Parallel()

	svc, be := adaVIPByLID(t)
	ctx := context.Background()

	undo, err := svc.ApplyLabels(ctx, []string{ada, grace}, nil, []string{"VIP"})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.UndoChange(ctx, undo); err != nil {
		t.Fatal(err)
	}
	deliver(t, svc)
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
	deliver(t, svc)
	if got := be.SentLabelChats(); got[len(got)-1] != (sim.LabelChat{WALabelID: "2", ChatJID: adaLID}) {
		t.Fatalf("last sent %+v", got[len(got)-1])
	}
}

// TestUndoneLabelDeleteKeepsWhatsAppsChatForm: a WhatsApp label deleted
// and brought back by undo is put back on a LID chat by LID, and taken off
// it by LID afterwards.
func TestUndoneLabelDeleteKeepsWhatsAppsChatForm(t *testing.T) {
	t.Parallel()

	svc, be := adaVIPByLID(t)
	ctx := context.Background()
	vip, err := svc.store.LabelByName(ctx, "VIP")
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
	deliver(t, svc)
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

// labelsLate is the simulated account whose labels have not come yet, even
// connected, until came is set: as a real account's labels arrive with the
// app state, some time after the connection.
type labelsLate struct {
	*sim.Backend
	came atomic.Bool
}

func (b *labelsLate) LabelsSynced(ctx context.Context) (bool, error) {
	synced, err := b.Backend.LabelsSynced(ctx)
	return synced && b.came.Load(), err
}

// lateLabelsService is a service over a fresh mirror and labelsLate, not
// running yet: the caller starts Run on runCtx, which ends at cleanup.
func lateLabelsService(t *testing.T) (svc *Service, be *labelsLate, st *store.Store, runCtx context.Context) {
	t.Helper()
	w, err := sim.LoadWorldFile(filepath.Join("..", "testdata", "world.json"))
	if err != nil {
		t.Fatal(err)
	}
	st, err = store.Open(filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	be = &labelsLate{Backend: sim.New(w)}
	svc = New(st, be, Options{OutboxRetry: time.Millisecond})
	runCtx, stop := context.WithCancel(context.Background())
	t.Cleanup(func() { stop(); svc.StopOutbox(); be.Close(); st.Close() })
	return svc, be, st, runCtx
}

// TestNewWhatsAppLabelWaitsForLabelSync: before WhatsApp has sent the
// account's labels, label changes made with sync on are kept and queued but
// not sent (a new label's id could collide with one of WhatsApp's); a block
// queued behind them goes on. Once the labels came, they are sent, the new
// label with an id after every one WhatsApp sent.
func TestNewWhatsAppLabelWaitsForLabelSync(t *testing.T) {
	t.Parallel()

	svc, be, st, runCtx := lateLabelsService(t)
	ctx := context.Background()
	// A WhatsApp label the mirror already knows, and a contact.
	if _, err := st.UpsertWALabel(ctx, "2", "VIP", 3); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddContact(ctx, ContactInput{Name: "Ada", Phone: "+14155550101"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetLabelSync(ctx, true); err != nil {
		t.Fatal(err)
	}
	gold, _, err := svc.CreateLabel(ctx, "Gold", 5)
	if err != nil {
		t.Fatalf("CreateLabel before the labels synced: %v", err)
	}
	if _, err := svc.ApplyLabels(ctx, []string{ada}, []string{"VIP, Gold"}, nil); err != nil {
		t.Fatalf("ApplyLabels before the labels synced: %v", err)
	}
	if err := svc.SetBlocked(ctx, ada, true); err != nil {
		t.Fatal(err)
	}
	// Connected (the sim is), but the labels have not come: the block goes,
	// the label changes wait and say why.
	go svc.Run(runCtx)
	if err := svc.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	svc.StartOutbox(runCtx)
	eventually(t, "the block sent", func() bool { return slices.Contains(be.Blocked(), ada) })
	eventually(t, "the sender saying why labels wait", func() bool {
		return strings.Contains(svc.OutboxWaiting(), "own labels")
	})
	if e, c := be.SentLabelEdits(), be.SentLabelChats(); len(e)+len(c) != 0 {
		t.Fatalf("label changes sent before the labels synced: %+v %+v", e, c)
	}
	if c, _ := svc.OutboxCounts(ctx); c.Pending != 4 {
		t.Errorf("pending = %+v, want 4 label changes (VIP, Gold, two chats)", c)
	}

	// Once the labels came, they go, Gold with the next free id.
	be.came.Store(true)
	syncCtx, done := context.WithTimeout(ctx, 10*time.Second)
	defer done()
	if err := svc.SyncOnce(syncCtx); err != nil {
		t.Fatal(err)
	}
	deliver(t, svc)
	if l, _ := svc.store.Label(ctx, gold.ID); l.WALabelID != "3" {
		t.Fatalf("Gold after the sync = %+v, want WhatsApp id 3", l)
	}
	if got := be.SentLabelChats(); !slices.Contains(got, sim.LabelChat{WALabelID: "3", ChatJID: ada, Assigned: true}) {
		t.Errorf("Gold on Ada not sent: %+v", got)
	}
}
