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

// waitingBody is a write's 202 or 502 as a client reads it.
type waitingBody struct {
	Code    string       `json:"code"`
	Message string       `json:"message"`
	Contact *contactBody `json:"contact"`
	Pending []outboxBody `json:"pending"`
	Refused []outboxBody `json:"refused"`
}

// labelSyncAPI serves the test world (a Business account) with label sync
// on, the outbox sent when sending; what turning sync on queued is
// delivered first, so WhatsApp's labels match the mirror's.
func labelSyncAPI(t *testing.T, deadline time.Duration, sending bool) (*api, *sim.Backend) {
	t.Helper()
	a, be := blockAPI(t, deadline, false)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := a.svc.SetLabelSync(ctx, true); err != nil {
		t.Fatal(err)
	}
	startOutbox(t, a.svc)
	items, err := a.svc.Outbox(ctx, true)
	if err != nil || len(items) == 0 {
		t.Fatalf("turning label sync on queued %v, %v", items, err)
	}
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	if _, err := a.svc.WaitChanges(ctx, ids); err != nil {
		t.Fatal(err)
	}
	if !sending {
		a.svc.StopOutbox()
	}
	return a, be
}

// simHasLabel reports whether WhatsApp (the sim) has the label named on
// the chat of jid.
func simHasLabel(be *sim.Backend, name, jid string) bool {
	for _, l := range be.Labels() {
		if l.Name == name && slices.Contains(l.Chats, jid) {
			return true
		}
	}
	return false
}

const adaJID = "14155550101@s.whatsapp.net"

// With label sync on, Periskope's writes answer once WhatsApp took the
// label changes they queued: WhatsApp has them when the answer comes. A
// change WhatsApp never learns (the name) answers at once, queueing
// nothing.
func TestPeriskopeWritesAnswerAfterWhatsAppConfirms(t *testing.T) {
	t.Parallel()
	a, be := labelSyncAPI(t, 10*time.Second, true)
	outboxLen := func() int {
		items, err := a.svc.Outbox(context.Background(), true)
		if err != nil {
			t.Fatal(err)
		}
		return len(items)
	}

	var c contactBody
	r := a.as("PATCH", "/v1/contacts/14155550101", map[string]any{"labels": "New customer, Leads"})
	r.json(t, &c)
	if r.status != 200 || !slices.Equal(c.Labels, []string{"New customer", "Leads"}) {
		t.Fatalf("PATCH labels: %d %s", r.status, r.body)
	}
	if !simHasLabel(be, "Leads", adaJID) {
		t.Fatalf("answered before WhatsApp had Leads on Ada: %+v", be.Labels())
	}

	r = a.as("POST", "/v1/contacts/create", map[string]any{"contact_name": "Zed", "contact_id": "14155550177", "labels": "Leads"})
	r.json(t, &c)
	if r.status != 200 || c.ContactID != "14155550177@c.us" || !simHasLabel(be, "Leads", "14155550177@s.whatsapp.net") {
		t.Fatalf("create: %d %s; WhatsApp's labels %+v", r.status, r.body, be.Labels())
	}

	r = a.as("PATCH", "/v1/contacts/labels", map[string]any{"contact_ids": []string{"14155550101", "14155550177"}, "labels": "Partners"})
	if r.status != 204 || !simHasLabel(be, "Partners", adaJID) || !simHasLabel(be, "Partners", "14155550177@s.whatsapp.net") ||
		simHasLabel(be, "Leads", adaJID) {
		t.Fatalf("PATCH /labels: %d %s; WhatsApp's labels %+v", r.status, r.body, be.Labels())
	}

	before := outboxLen()
	r = a.as("PATCH", "/v1/contacts/14155550101", map[string]any{"is_internal": true})
	if r.status != 200 || outboxLen() != before {
		t.Fatalf("is_internal: %d %s; outbox %d, was %d", r.status, r.body, outboxLen(), before)
	}
}

// When the deadline passes first, the answer is 202 with the contact as
// the mirror has it and the changes still waiting; they go out once the
// outbox is sent, and the mirror had the change all along.
func TestPeriskopeWriteDeadlinePassed(t *testing.T) {
	t.Parallel()
	a, be := labelSyncAPI(t, 200*time.Millisecond, false) // nothing sends
	var w waitingBody
	start := time.Now()
	r := a.as("PATCH", "/v1/contacts/14155550101", map[string]any{"labels": "New customer, Leads"})
	r.json(t, &w)
	if r.status != 202 || w.Code != "WHATSAPP_PENDING" || w.Contact == nil || !slices.Equal(w.Contact.Labels, []string{"New customer", "Leads"}) ||
		len(w.Pending) != 2 || len(w.Refused) != 0 {
		t.Fatalf("PATCH: %d %s", r.status, r.body)
	}
	if d := time.Since(start); d < 200*time.Millisecond {
		t.Fatalf("answered after %s, deadline 200ms", d)
	}
	kinds := []string{w.Pending[0].Kind + " " + w.Pending[0].State, w.Pending[1].Kind + " " + w.Pending[1].ContactID}
	if !slices.Equal(kinds, []string{"label_edit pending", "label_chat 14155550101@c.us"}) {
		t.Fatalf("pending %v", kinds)
	}
	r = a.as("PATCH", "/v1/contacts/labels", map[string]any{"contact_ids": []string{"14155550104"}, "labels": "VIP, Leads"})
	w = waitingBody{}
	r.json(t, &w)
	if r.status != 202 || w.Contact != nil || len(w.Pending) != 1 || w.Pending[0].ContactID != "14155550104@c.us" {
		t.Fatalf("PATCH /labels: %d %s", r.status, r.body)
	}
	if simHasLabel(be, "Leads", adaJID) {
		t.Fatal("WhatsApp had Leads with nothing sending")
	}

	startOutbox(t, a.svc)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	items, err := a.svc.WaitChanges(ctx, []int64{w.Pending[0].ID})
	if err != nil || items[0].State != app.OutboxDone || !simHasLabel(be, "Leads", adaJID) || !simHasLabel(be, "Leads", "14155550104@s.whatsapp.net") {
		t.Fatalf("after the sender started: %+v %v; WhatsApp's labels %+v", items, err, be.Labels())
	}
}

// WhatsApp refusing a change at every attempt is a 502 naming it and how
// to send it again; the mirror keeps the change, and the retry it names
// gets it to WhatsApp.
func TestPeriskopeWriteRefused(t *testing.T) {
	t.Parallel()
	a, be := labelSyncAPI(t, 10*time.Second, true)
	for range 5 { // app's outboxMaxAttempts
		be.FailNext("SendLabelChat", errors.New("server busy"))
	}
	r := a.as("PATCH", "/v1/contacts/14155550101", map[string]any{"labels": "New customer, Leads"})
	e := r.err(t, 502, "WHATSAPP_REFUSED")
	var w waitingBody
	r.json(t, &w)
	if len(w.Refused) != 1 || w.Refused[0].Kind != "label_chat" || w.Refused[0].State != "failed" || w.Refused[0].Attempts != 5 ||
		w.Contact == nil || !slices.Contains(w.Contact.Labels, "Leads") {
		t.Fatalf("502 body: %s", r.body)
	}
	id := w.Refused[0].ID
	if !strings.Contains(e.Message, "server busy") || !strings.Contains(e.Message, fmt.Sprintf("wabook outbox retry %d", id)) ||
		!strings.Contains(e.Message, `label "Leads" on +14155550101`) {
		t.Fatalf("502 message: %s", e.Message)
	}
	var c contactBody
	a.as("GET", "/v1/contacts/14155550101", nil).json(t, &c)
	if !slices.Contains(c.Labels, "Leads") || simHasLabel(be, "Leads", adaJID) {
		t.Fatalf("after the refusal: mirror %v, WhatsApp %+v", c.Labels, be.Labels())
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := a.svc.RetryOutbox(ctx, id); err != nil {
		t.Fatal(err)
	}
	if it, err := a.svc.WaitChange(ctx, id); err != nil || it.State != app.OutboxDone || !simHasLabel(be, "Leads", adaJID) {
		t.Fatalf("retried: %+v %v", it, err)
	}
}
