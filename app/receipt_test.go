package app

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

// TestReceiptCollectsWhatEachWriteQueued: with label sync on, the writes
// done with a receipt's context report the outbox changes they queued and
// nothing queued before; a receipt on another context sees none of them;
// WaitChanges returns them once WhatsApp answered.
func TestReceiptCollectsWhatEachWriteQueued(t *testing.T) {
	t.Parallel()

	svc, be := worldService(t, nil)
	if _, err := svc.SetLabelSync(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	before, err := svc.Outbox(context.Background(), true)
	if err != nil || len(before) == 0 {
		t.Fatalf("turning sync on queued %v, %v", before, err)
	}
	ctx, rc := WithReceipt(context.Background())
	_, other := WithReceipt(context.Background())
	local := "Leads"
	if _, err := svc.EditContact(ctx, ada, ContactEdit{Labels: &local}); err != nil {
		t.Fatal(err)
	}
	name := "Ada L."
	if _, err := svc.EditContact(ctx, ada, ContactEdit{Name: &name}); err == nil {
		t.Fatal("renaming a contact whose name comes from the phone worked")
	}
	if err := svc.ReplaceLabels(ctx, []string{grace}, "Leads"); err != nil {
		t.Fatal(err)
	}
	ids := rc.Queued()
	after, err := svc.Outbox(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	var fresh []int64
	for _, it := range after {
		if !slices.ContainsFunc(before, func(b OutboxItem) bool { return b.ID == it.ID }) {
			fresh = append(fresh, it.ID)
		}
	}
	// Leads created, Ada's old labels off and Leads on, Grace's likewise.
	if len(ids) < 3 || !slices.Equal(ids, fresh) || len(other.Queued()) != 0 {
		t.Fatalf("receipt %v, other %v; the writes queued %v", ids, other.Queued(), fresh)
	}

	short, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	items, err := svc.WaitChanges(short, ids)
	if !errors.Is(err, context.DeadlineExceeded) || len(items) != len(ids) || items[0].State != OutboxPending {
		t.Fatalf("nothing sending: %v, %+v", err, items)
	}
	svc.StartOutbox(context.Background())
	wait, cancel2 := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel2()
	items, err = svc.WaitChanges(wait, ids)
	if err != nil || len(items) != len(ids) {
		t.Fatalf("after sending: %v, %+v", err, items)
	}
	for _, it := range items {
		if it.State != OutboxDone {
			t.Errorf("change %d: %s", it.ID, it.State)
		}
	}
	if len(be.SentLabelChats()) == 0 {
		t.Error("WhatsApp got no label chats")
	}
	if _, err := svc.WaitChanges(wait, []int64{ids[0], 1 << 40}); !errors.Is(err, ErrNotFound) {
		t.Errorf("an unknown id: %v", err)
	}
}
