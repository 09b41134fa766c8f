package serve

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/wa/sim"
)

// outboxBody is the change the block routes answer with.
type outboxBody struct {
	ID        int64  `json:"id"`
	Kind      string `json:"kind"`
	State     string `json:"state"`
	Change    string `json:"change"`
	ContactID string `json:"contact_id"`
	Blocked   *bool  `json:"blocked"`
	Attempts  int    `json:"attempts"`
	Error     string `json:"error"`
}

// blockAPI serves a sim account whose outbox is sent when sending (as
// wabook serve does: servecmd.go), the backend kept.
func blockAPI(t *testing.T, deadline time.Duration, sending bool) (*api, *sim.Backend) {
	t.Helper()
	be := sim.New(testWorld(t))
	a := newAPIOn(t, be, HandlerOptions{CheckDeadline: deadline})
	if sending {
		startOutbox(t, a.svc)
	}
	return a, be
}

func startOutbox(t *testing.T, svc *app.Service) {
	ctx, cancel := context.WithCancel(context.Background())
	svc.StartOutbox(ctx)
	t.Cleanup(func() { cancel(); svc.StopOutbox() })
}

func simBlocked(be *sim.Backend, jid string) bool { return slices.Contains(be.Blocked(), jid) }

func TestWAHABlockConfirmed(t *testing.T) {
	t.Parallel()
	a, be := blockAPI(t, 10*time.Second, true)
	const ada, mallory = "14155550101@s.whatsapp.net", "14155550103@s.whatsapp.net"
	if simBlocked(be, ada) || !simBlocked(be, mallory) {
		t.Fatalf("the world: %v", be.Blocked())
	}
	var ch outboxBody
	r := a.as("POST", "/api/contacts/block", map[string]string{"contactId": "14155550101", "session": "default"})
	r.json(t, &ch)
	if r.status != 200 || ch.State != "done" || ch.Kind != "block" || ch.Blocked == nil || !*ch.Blocked ||
		ch.ContactID != "14155550101@c.us" || ch.ID == 0 || !strings.Contains(ch.Change, "block") {
		t.Fatalf("block: %d %s", r.status, r.body)
	}
	// Answered once WhatsApp took it: the sim has it, and so has the mirror.
	var c wahaBody
	a.as("GET", "/api/contacts?contactId=14155550101", nil).json(t, &c)
	if !simBlocked(be, ada) || !c.IsBlocked {
		t.Fatalf("after block: sim %v, mirror %+v", be.Blocked(), c)
	}

	r = a.do("POST", "/api/contacts/unblock", map[string]string{"contactId": "14155550103@c.us"}, "X-Api-Key: "+a.full)
	r.json(t, &ch)
	if r.status != 200 || ch.State != "done" || ch.Blocked == nil || *ch.Blocked {
		t.Fatalf("unblock: %d %s", r.status, r.body)
	}
	a.as("GET", "/api/contacts?contactId=14155550103", nil).json(t, &c)
	if simBlocked(be, mallory) || c.IsBlocked {
		t.Fatalf("after unblock: sim %v, mirror %+v", be.Blocked(), c)
	}
}

// Refused requests change nothing: no outbox change, WhatsApp untouched.
func TestWAHABlockRefused(t *testing.T) {
	t.Parallel()
	a, be := blockAPI(t, 10*time.Second, true)
	before := slices.Clone(be.Blocked())
	a.as("POST", "/api/contacts/block", map[string]string{"contactId": "14155550188"}).err(t, 404, "NOT_FOUND")
	a.as("POST", "/api/contacts/unblock", map[string]string{"contactId": "14155550188"}).err(t, 404, "NOT_FOUND")
	a.as("POST", "/api/contacts/block", `{"contactId": "14155550101"`).err(t, 400, "BAD_JSON")
	a.as("POST", "/api/contacts/unblock", "").err(t, 400, "BAD_JSON")
	e := a.as("POST", "/api/contacts/block", map[string]any{"contactId": 14155550101}).err(t, 422, "VALIDATION_ERROR")
	if e.Fields["contactId"] == nil {
		t.Fatalf("fields %v", e.Fields)
	}
	a.as("POST", "/api/contacts/block", map[string]string{}).err(t, 422, "VALIDATION_ERROR")
	a.as("POST", "/api/contacts/block", map[string]string{"contactId": "14155550101", "session": "work"}).err(t, 404, "SESSION_NOT_FOUND")
	a.as("POST", "/api/contacts/block?session=work", map[string]string{"contactId": "14155550101"}).err(t, 404, "SESSION_NOT_FOUND")
	for _, path := range []string{"/api/contacts/block", "/api/contacts/unblock"} {
		e := a.do("POST", path, map[string]string{"contactId": "14155550103"}, "X-Api-Key: "+a.ro).err(t, 403, "READ_ONLY_TOKEN")
		if !strings.Contains(e.Message, "dashboard") {
			t.Fatalf("403 names no token: %s", e.Message)
		}
		a.do("POST", path, map[string]string{"contactId": "14155550103"}).err(t, 401, "UNAUTHORIZED")
	}
	a.as("GET", "/api/contacts/block", nil).err(t, 405, "METHOD_NOT_ALLOWED")
	if items, err := a.svc.Outbox(context.Background(), true); err != nil || len(items) != 0 {
		t.Fatalf("outbox after refusals: %v %v", items, err)
	}
	if !slices.Equal(be.Blocked(), before) {
		t.Fatalf("WhatsApp's blocklist changed: %v, was %v", be.Blocked(), before)
	}
}

func TestWAHABlockWhatsAppRefuses(t *testing.T) {
	t.Parallel()
	a, be := blockAPI(t, 10*time.Second, true)
	for range 5 { // app's outboxMaxAttempts: every attempt refused
		be.FailNext("SetBlocked", errors.New("server busy"))
	}
	e := a.as("POST", "/api/contacts/block", map[string]string{"contactId": "14155550101"}).err(t, 502, "WHATSAPP_REFUSED")
	var c wahaBody
	a.as("GET", "/api/contacts?contactId=14155550101", nil).json(t, &c)
	if c.IsBlocked || simBlocked(be, "14155550101@s.whatsapp.net") {
		t.Fatalf("refused block applied: %+v %v", c, be.Blocked())
	}
	items, err := a.svc.Outbox(context.Background(), true)
	if err != nil || len(items) != 1 || items[0].State != app.OutboxFailed {
		t.Fatalf("outbox: %+v %v", items, err)
	}
	// The hints name the change itself, for both ways out.
	id := items[0].ID
	if !strings.Contains(e.Message, "server busy") || !strings.Contains(e.Message, fmt.Sprintf("wabook outbox retry %d", id)) ||
		!strings.Contains(e.Message, fmt.Sprintf("wabook outbox drop %d", id)) {
		t.Fatalf("502 message: %s", e.Message)
	}
}

// At the deadline the answer is 202 with the change still pending; it
// goes on being sent.
func TestWAHABlockDeadline(t *testing.T) {
	t.Parallel()
	a, be := blockAPI(t, 200*time.Millisecond, false) // nothing sends yet
	var ch outboxBody
	start := time.Now()
	r := a.as("POST", "/api/contacts/block", map[string]string{"contactId": "14155550101"})
	r.json(t, &ch)
	if r.status != 202 || ch.State != "pending" || ch.Kind != "block" || ch.ID == 0 {
		t.Fatalf("deadline: %d %s", r.status, r.body)
	}
	if d := time.Since(start); d < 200*time.Millisecond || d > 5*time.Second {
		t.Fatalf("answered after %s, deadline 200ms", d)
	}
	startOutbox(t, a.svc)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	it, err := a.svc.WaitChange(ctx, ch.ID)
	if err != nil || it.State != app.OutboxDone || !simBlocked(be, "14155550101@s.whatsapp.net") {
		t.Fatalf("after the sender started: %+v %v %v", it, err, be.Blocked())
	}
}
