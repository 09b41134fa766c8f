package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/wa/sim"
)

// waitingBody is a write's 202 or 502 as a client reads it.
type waitingBody struct {
	Code    string       `json:"code"`
	Message string       `json:"message"`
	Waiting string       `json:"waiting"`
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
	labelSyncOn(t, a.svc, sending)
	return a, be
}

// labelSyncOn turns label sync on and delivers what that queued, the
// outbox left sending or not.
func labelSyncOn(t *testing.T, svc *app.Service, sending bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := svc.SetLabelSync(ctx, true); err != nil {
		t.Fatal(err)
	}
	startOutbox(t, svc)
	items, err := svc.Outbox(ctx, true)
	if err != nil || len(items) == 0 {
		t.Fatalf("turning label sync on queued %v, %v", items, err)
	}
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	if _, err := svc.WaitChanges(ctx, ids); err != nil {
		t.Fatal(err)
	}
	if !sending {
		svc.StopOutbox()
	}
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
		!strings.Contains(e.Message, fmt.Sprintf("wabook outbox drop %d", id)) || !strings.Contains(e.Message, `label "Leads" on +14155550101`) {
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

// pendingChanges waits until the outbox has changes pending (a write in
// flight queued them, in one transaction) and returns them.
func pendingChanges(t *testing.T, svc *app.Service) []app.OutboxItem {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var got []app.OutboxItem
	err := svc.Follow(ctx, func(ctx context.Context) (bool, error) {
		items, err := svc.Outbox(ctx, false)
		got = nil
		for _, it := range items {
			if it.State == app.OutboxPending {
				got = append(got, it)
			}
		}
		return len(got) > 0, err
	})
	if err != nil {
		t.Fatalf("no change pending: %v", err)
	}
	return got
}

// A change dropped while the write that queued it waits (it failed, and
// someone ran wabook outbox drop) is settled, as a superseded one is: the
// write answers from the rest, here 204 once WhatsApp took the other,
// never 404.
func TestPeriskopeWriteWithADroppedChange(t *testing.T) {
	t.Parallel()
	a, be := labelSyncAPI(t, 10*time.Second, false) // nothing sends yet
	answered := make(chan reply, 1)
	go func() {
		answered <- a.as("PATCH", "/v1/contacts/labels", map[string]any{"contact_ids": []string{"14155550101", "14155550104"}, "labels": "VIP"})
	}()
	queued := pendingChanges(t, a.svc)
	if len(queued) != 2 {
		t.Fatalf("the write queued %+v, want Ada's New customer off and VIP on", queued)
	}
	// The first failed for good (as the sender marks it after its last
	// attempt), then was dropped.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := store.Open(a.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.TriedOutbox(ctx, queued[0].ID, "server busy", true); err != nil {
		t.Fatal(err)
	}
	if _, err := a.svc.DropOutbox(ctx, queued[0].ID); err != nil {
		t.Fatal(err)
	}
	startOutbox(t, a.svc)
	r := <-answered
	if r.status != 204 || !simHasLabel(be, "VIP", adaJID) {
		t.Fatalf("PATCH /labels with a dropped change: %d %s; WhatsApp's labels %+v", r.status, r.body, be.Labels())
	}
}

// asWithin is as with a bound on the whole exchange: a request that
// would wait for its deadline fails instead of hanging the test.
func (a *api) asWithin(bound time.Duration, method, path string, body any) reply {
	a.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, a.url+path, strings.NewReader(mustJSON(a.t, body)))
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+a.full)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		a.t.Fatal(err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

// When nothing can send the changes (serve has lost WhatsApp), a write
// does not wait for a deadline nothing could meet: 202 at once with the
// changes pending and why; they go once the connection is back. The
// deadline here is an hour: waiting for it would fail the request.
func TestPeriskopeWriteWhileDisconnectedAnswersAtOnce(t *testing.T) {
	t.Parallel()
	a, be := labelSyncAPI(t, time.Hour, true)
	be.Disconnect()
	waitFor(t, func() bool { return !a.svc.Status().Connected() })
	r := a.asWithin(30*time.Second, "PATCH", "/v1/contacts/14155550101", map[string]any{"labels": "New customer, VIP"})
	var w waitingBody
	r.json(t, &w)
	if r.status != 202 || w.Code != "WHATSAPP_PENDING" || len(w.Pending) != 1 || w.Pending[0].Kind != "label_chat" ||
		!strings.Contains(w.Waiting, "not connected to WhatsApp") || !strings.Contains(w.Message, w.Waiting) {
		t.Fatalf("PATCH while disconnected: %d %s", r.status, r.body)
	}
	var ch outboxBody
	r = a.asWithin(30*time.Second, "POST", "/api/contacts/block", map[string]any{"contactId": "14155550104"})
	r.json(t, &ch)
	if r.status != 202 || ch.Kind != "block" || ch.State != "pending" {
		t.Fatalf("block while disconnected: %d %s", r.status, r.body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.svc.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	items, err := a.svc.WaitChanges(ctx, []int64{w.Pending[0].ID, ch.ID})
	if err != nil || len(items) != 2 || items[0].State != app.OutboxDone || items[1].State != app.OutboxDone || !simHasLabel(be, "VIP", adaJID) {
		t.Fatalf("once connected again: %+v %v; WhatsApp's labels %+v", items, err, be.Labels())
	}
}
