package app

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestWaitChangesSendingSaysWhyNothingSends: label changes made before
// WhatsApp sent the account's own labels cannot go (runOutbox holds
// them), so the sending process's wait returns at once, the changes
// pending, saying why; once the labels came it waits for them to go.
func TestWaitChangesSendingSaysWhyNothingSends(t *testing.T) {
	t.Parallel()
	svc, be, _, runCtx := lateLabelsService(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := svc.AddContact(ctx, ContactInput{Name: "Ada", Phone: "+14155550101"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetLabelSync(ctx, true); err != nil {
		t.Fatal(err)
	}
	go svc.Run(runCtx)
	if err := svc.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the connection", func() bool { return svc.Status().Connected() })
	svc.StartOutbox(runCtx)
	wctx, rc := WithReceipt(ctx)
	if _, err := svc.ApplyLabels(wctx, []string{ada}, []string{"Gold"}, nil); err != nil {
		t.Fatal(err)
	}
	ids := rc.Queued()
	if len(ids) == 0 {
		t.Fatal("the label queued nothing")
	}
	// The bound is the test's 30 s: returning at its end would fail.
	items, why, err := svc.WaitChangesSending(ctx, ids)
	if err != nil || len(items) != len(ids) || items[0].State != OutboxPending || !strings.Contains(why, "own labels") {
		t.Fatalf("before the labels came: %+v, %q, %v", items, why, err)
	}
	// A plain wait does not stop for that: it waits for ctx.
	short, cancelShort := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancelShort()
	if _, err := svc.WaitChanges(short, ids); err == nil {
		t.Fatal("WaitChanges returned with the changes held")
	}

	be.came.Store(true)
	svc.kickOutbox()
	items, why, err = svc.WaitChangesSending(ctx, ids)
	if err != nil || why != "" {
		t.Fatalf("once the labels came: %+v, %q, %v", items, why, err)
	}
	for _, it := range items {
		if it.State != OutboxDone {
			t.Errorf("change %d: %s", it.ID, it.State)
		}
	}
}
