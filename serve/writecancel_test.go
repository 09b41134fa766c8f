package serve

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wabook/wabook/app"
)

// statusOf serves next and sends the status each answer had once its
// handler returned, whether or not the client was still there to read it.
func statusOf(next http.Handler, statuses chan<- int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		statuses <- rec.status
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// A client that goes away while its write waits for WhatsApp gets (in
// the log: nobody reads it) 503 CANCELLED, an answer openapi.json
// describes for every write that waits (specChecked holds it to the
// spec); the address book keeps the change and the outbox still holds it.
func TestWriteCancelledWhileWaitingAnswers503(t *testing.T) {
	t.Parallel()
	// Label sync on, the outbox not sending: a label write waits its
	// whole deadline unless the client leaves first.
	a, _ := labelSyncAPI(t, 30*time.Second, false)
	statuses := make(chan int, 1)
	srv := httptest.NewServer(statusOf(specChecked(t, NewHandler(a.svc, HandlerOptions{CheckDeadline: 30 * time.Second})), statuses))
	t.Cleanup(srv.Close)
	pending := func() int {
		items, err := a.svc.Outbox(context.Background(), false)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, it := range items {
			if it.State == app.OutboxPending {
				n++
			}
		}
		return n
	}
	before := pending()

	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, "PATCH", srv.URL+"/v1/contacts/14155550101", strings.NewReader(`{"labels": "Went away"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+a.full)
	req.Header.Set("Content-Type", "application/json")
	done := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	// The write is made and waits for WhatsApp: then the client leaves.
	eventuallyT(t, "the write queued for WhatsApp", func() bool { return pending() > before })
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("the client's request: %v, want it cancelled", err)
	}
	select {
	case got := <-statuses:
		if got != http.StatusServiceUnavailable {
			t.Errorf("the write answered %d to a client that went away, want 503", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the handler still waits after its client went away")
	}
	c, err := a.svc.FindContact(context.Background(), "+14155550101")
	if err != nil || !strings.Contains(strings.Join(c.Labels, ","), "Went away") {
		t.Errorf("after the cancelled wait the contact has %v (%v), want the change kept", c.Labels, err)
	}
}
