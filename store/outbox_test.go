package store_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
)

// syncOn opens a store with alice and bob and label sync on.
func syncOn(t *testing.T) *store.Store {
	t.Helper()
	s := open(t)
	seed(t, s, alice, bob)
	if _, err := s.SetLabelSync(ctx, true); err != nil {
		t.Fatal(err)
	}
	return s
}

func outboxStates(t *testing.T, s *store.Store) map[int64]string {
	t.Helper()
	items, err := s.Outbox(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]string{}
	for _, it := range items {
		out[it.ID] = it.State
	}
	return out
}

// A block refused for good, then an unblock of the same contact: the old
// block is superseded (a retry would undo the unblock), the contact shows
// the unblock pending, and retrying everything retries nothing.
func TestNewerChangeSupersedesAFailedOne(t *testing.T) {
	t.Parallel()

	s := syncOn(t)
	block, err := s.QueueBlock(ctx, alice, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.TriedOutbox(ctx, block.ID, "403", true); err != nil {
		t.Fatal(err)
	}
	if c := mustContact(t, s, alice); c.BlockPending != 1 {
		t.Fatalf("after the failed block: block_pending %d, want 1 (still the latest wish)", c.BlockPending)
	}
	unblock, err := s.QueueBlock(ctx, alice, false)
	if err != nil {
		t.Fatal(err)
	}
	if st := outboxStates(t, s); st[block.ID] != store.OutboxSuperseded || st[unblock.ID] != store.OutboxPending {
		t.Fatalf("states %v: want the block superseded, the unblock pending", st)
	}
	if c := mustContact(t, s, alice); c.BlockPending != -1 {
		t.Errorf("block_pending %d, want -1 (the unblock)", c.BlockPending)
	}
	if ids, err := s.RetryOutbox(ctx, 0); err != nil || len(ids) != 0 {
		t.Errorf("retry all = %v, %v; want nothing to retry", ids, err)
	}
	if _, err := s.RetryOutbox(ctx, block.ID); !errors.Is(err, store.ErrNotFailed) {
		t.Errorf("retry of the superseded block: %v", err)
	}
	if err := s.FinishOutbox(ctx, unblock.ID); err != nil {
		t.Fatal(err)
	}
	if c := mustContact(t, s, alice); c.BlockPending != 0 || c.IsBlocked {
		t.Errorf("after the unblock went through: blocked %v, pending %d", c.IsBlocked, c.BlockPending)
	}
}

// A change given up on while a newer one of the same thing is queued is
// superseded, not failed.
func TestGivingUpBehindANewerChangeSupersedes(t *testing.T) {
	t.Parallel()

	s := syncOn(t)
	block, _ := s.QueueBlock(ctx, bob, true)
	unblock, _ := s.QueueBlock(ctx, bob, false)
	if err := s.TriedOutbox(ctx, block.ID, "403", true); err != nil {
		t.Fatal(err)
	}
	if st := outboxStates(t, s); st[block.ID] != store.OutboxSuperseded || st[unblock.ID] != store.OutboxPending {
		t.Errorf("states %v", st)
	}
	if c, _ := s.CountOutbox(ctx); c.Failed != 0 || c.Pending != 1 {
		t.Errorf("counts %+v", c)
	}
}

// Gold is created and put on alice, then deleted before anything went out,
// and Silver created: Gold's waiting changes are superseded and its
// deletion has nothing to send, even though Silver may get Gold's local id;
// Silver's creation gets a WhatsApp id of its own, unconfirmed until
// WhatsApp takes it.
func TestDeletedLabelsChangesNeverGoOutUnderAnotherLabel(t *testing.T) {
	t.Parallel()

	s := syncOn(t)
	gold, err := s.CreateLabel(ctx, "Gold", 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ChangeLabels(ctx, []string{alice}, []string{"Gold"}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteLabelWithMembers(ctx, gold.ID); err != nil {
		t.Fatal(err)
	}
	silver, err := s.CreateLabel(ctx, "Silver", 2)
	if err != nil {
		t.Fatal(err)
	}
	items, err := s.Outbox(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	var del, silverEdit store.OutboxItem
	for _, it := range items {
		switch {
		case it.Kind == store.OutboxLabelDelete:
			del = it
		case it.Kind == store.OutboxLabelEdit && it.Name == "Silver":
			silverEdit = it
		case it.Name == "Gold" && it.State != store.OutboxSuperseded:
			t.Errorf("Gold's change %+v still goes out", it)
		}
	}
	if wa, err := s.OutboxWALabelID(ctx, del.ID); err != nil || wa != "" {
		t.Errorf("Gold's deletion would be sent as label %q (%v); nothing of Gold went out", wa, err)
	}
	wa, err := s.OutboxWALabelID(ctx, silverEdit.ID)
	if err != nil || wa == "" {
		t.Fatalf("Silver's id: %q, %v", wa, err)
	}
	l, err := s.Label(ctx, silver.ID)
	if err != nil || l.WALabelID != wa || !l.WAPending {
		t.Fatalf("Silver after its id was chosen: %+v, %v; want %q, unconfirmed", l, err, wa)
	}
	if again, _ := s.OutboxWALabelID(ctx, silverEdit.ID); again != wa {
		t.Errorf("a repeated send of Silver's creation would use %q, not the recorded %q", again, wa)
	}
	if err := s.FinishOutbox(ctx, silverEdit.ID); err != nil {
		t.Fatal(err)
	}
	if l, _ := s.Label(ctx, silver.ID); l.WAPending {
		t.Error("Silver's id still unconfirmed after WhatsApp took its creation")
	}
}

// A WhatsApp label id handed out once is never handed out again, even after
// the label is deleted and the outbox rows naming it are pruned.
func TestWhatsAppLabelIDsAreNotHandedOutTwice(t *testing.T) {
	t.Parallel()

	s := syncOn(t)
	gold, _ := s.CreateLabel(ctx, "Gold", 1)
	items, _ := s.Outbox(ctx, false)
	first, err := s.OutboxWALabelID(ctx, items[len(items)-1].ID)
	if err != nil || first == "" {
		t.Fatalf("Gold's id: %q, %v", first, err)
	}
	if _, err := s.DeleteLabelWithMembers(ctx, gold.ID); err != nil {
		t.Fatal(err)
	}
	all, _ := s.Outbox(ctx, true)
	for _, it := range all {
		if err := s.FinishOutbox(ctx, it.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PruneOutbox(ctx, 1<<62); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateLabel(ctx, "Silver", 2); err != nil {
		t.Fatal(err)
	}
	items, _ = s.Outbox(ctx, false)
	second, err := s.OutboxWALabelID(ctx, items[len(items)-1].ID)
	if err != nil || second == "" || second == first {
		t.Errorf("Silver's id %q (%v) after Gold had %q", second, err, first)
	}
}

// Saving checked numbers as contacts with labels, with label sync on,
// queues the new label and its chats for WhatsApp like any label change.
func TestSaveCheckedContactsQueuesItsLabels(t *testing.T) {
	t.Parallel()

	s := syncOn(t)
	cs := []model.Contact{{JID: dave, Phone: "+919812345678"}, {JID: carol, Phone: "+5511987654321"}}
	if _, err := s.SaveCheckedContacts(ctx, cs, []string{"Leads"}); err != nil {
		t.Fatal(err)
	}
	items, err := s.Outbox(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, it := range items {
		if it.Name == "Leads" {
			kinds = append(kinds, it.Kind+" "+it.JID)
		}
	}
	want := []string{"label_edit ", "label_chat " + dave, "label_chat " + carol}
	if !slices.Equal(kinds, want) {
		t.Errorf("queued %v, want %v", kinds, want)
	}
}

// A contact moved to the ID WhatsApp answered with keeps its labels, and
// with label sync on they are queued for WhatsApp's chat of that person.
func TestMovedContactsLabelsAreQueuedForItsWhatsAppID(t *testing.T) {
	t.Parallel()

	s := syncOn(t)
	const asStored, whatsApps = "5511987654321@s.whatsapp.net", "551187654321@s.whatsapp.net"
	seed(t, s, asStored)
	if _, err := s.ChangeLabels(ctx, []string{asStored}, []string{"Leads"}, nil); err != nil {
		t.Fatal(err)
	}
	all, _ := s.Outbox(ctx, false)
	for _, it := range all {
		if err := s.FinishOutbox(ctx, it.ID); err != nil { // sent under the stored form
			t.Fatal(err)
		}
	}
	if _, err := s.SaveCheckedContacts(ctx, []model.Contact{{JID: whatsApps, Phone: "+5511987654321"}}, nil); err != nil {
		t.Fatal(err)
	}
	items, _ := s.Outbox(ctx, false)
	if len(items) != 1 || items[0].Kind != store.OutboxLabelChat || items[0].JID != whatsApps || !items[0].Flag {
		t.Errorf("queued after the move: %+v; want Leads on %s", items, whatsApps)
	}
}

// A label write reports the outbox changes its transaction queued, and
// only those: what SetLabelSync queued before is not among them, and with
// label sync off nothing is.
func TestLabelChangesReportTheirOutboxIDs(t *testing.T) {
	t.Parallel()

	s := syncOn(t)
	before := outboxStates(t, s)
	lc, err := s.ChangeLabels(ctx, []string{alice, bob}, []string{"Leads"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	items, err := s.OutboxItems(ctx, lc.Queued)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range items {
		if _, old := before[it.ID]; old {
			t.Errorf("change %d was queued before this write", it.ID)
		}
		got = append(got, it.Kind+" "+it.JID)
	}
	want := []string{"label_edit ", "label_chat " + alice, "label_chat " + bob}
	if !slices.Equal(got, want) || len(lc.Queued) != len(outboxStates(t, s))-len(before) {
		t.Fatalf("reported %v (%v), want %v and nothing else queued", got, lc.Queued, want)
	}
	u := []string{"Leads", "VIP"}
	lc, err = s.UpdateContact(ctx, alice, store.ContactUpdate{Labels: &u})
	if err != nil || len(lc.Queued) != 2 {
		t.Fatalf("edit: queued %v, %v; want VIP's creation and its chat", lc.Queued, err)
	}
	if _, err := s.SetLabelSync(ctx, false); err != nil {
		t.Fatal(err)
	}
	lc, err = s.ReplaceLabels(ctx, []string{bob}, []string{"Other"})
	if err != nil || len(lc.Changes) == 0 || len(lc.Queued) != 0 {
		t.Fatalf("sync off: changes %v, queued %v, %v", lc.Changes, lc.Queued, err)
	}
}
