package app

import (
	"context"
	"testing"
	"time"
)

// deliver runs the outbox sender of svc (this process holds the
// connection) until nothing queued is pending, and returns every change the
// outbox lists, done ones included.
func deliver(t testing.TB, svc *Service) []OutboxItem {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	svc.StartOutbox(context.Background())
	svc.kickOutbox()
	if err := svc.DrainOutbox(ctx, time.Millisecond); err != nil {
		t.Fatalf("delivering the outbox: %v", err)
	}
	items, err := svc.Outbox(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	return items
}
