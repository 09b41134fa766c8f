// Writes answered after WhatsApp confirms them. serve holds the WhatsApp
// connection and sends the outbox itself (app/outbox.go), so a write that
// queued changes for WhatsApp (a block; a label with label sync on) waits
// for WhatsApp's answer to exactly those changes, at most the check
// deadline, before it answers: done, the route's usual answer; the
// deadline first, 202 with what still waits; refused, 502 naming it. The
// mirror keeps the change whatever WhatsApp says, as it does for the TUI
// and the CLI: the outbox holds what WhatsApp has still to take.
package serve

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

// awaitChanges waits for WhatsApp's answer to the outbox changes ids (at
// least one) and returns them, in id order, as they stand. It returns
// before every one is settled, some still pending, at the deadline, at
// once when nothing can send them now (no connection, label changes
// before WhatsApp sent the account's labels: app.Service.OutboxStuck), or
// when serve begins to stop (Handler.waitFor); why then says why in plain
// words ("" at the deadline). A change gone from the outbox meanwhile
// (dropped, replaced by label sync's retry) is settled and left out
// (app.Service.WaitChanges).
func (h *Handler) awaitChanges(r *http.Request, ids []int64) (items []app.OutboxItem, why string, err error) {
	ctx, cancel := h.waitFor(r)
	defer cancel()
	items, why, err = h.svc.WaitChangesSending(ctx, ids)
	switch {
	case err == nil:
		return items, why, nil
	case ctx.Err() != nil && errors.Is(err, ctx.Err()) && r.Context().Err() == nil:
		if h.stopping.Err() != nil {
			why = "wabook serve is stopping: they stay queued and are sent when a wabook holds the connection again"
		}
		return items, why, nil
	}
	return nil, "", err
}

// writeWaiting is the answer of a write whose changes WhatsApp has not all
// taken: 202 while some still wait (Refused empty), 502 when WhatsApp
// refused some at every attempt. Contact is the contact as the mirror has
// it now, the change kept, where the route concerns one.
type writeWaiting struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Waiting says why the answer came before the deadline with changes
	// pending: nothing can send them now, or serve is stopping.
	Waiting string           `json:"waiting,omitempty"`
	Contact *contactObject   `json:"contact,omitempty"`
	Pending []app.OutboxJSON `json:"pending"`
	Refused []app.OutboxJSON `json:"refused,omitempty"`
}

// confirmed answers a Periskope write made with rc's context once
// WhatsApp took every change it queued: ok() when nothing was queued (label
// sync off, or only fields WhatsApp never learns changed) or all are done
// or superseded (a newer change of the same label replaced one: the
// mirror shows the newer); else 202 or 502 with writeWaiting, c (nil
// when the route has no one contact) in it.
func (h *Handler) confirmed(w http.ResponseWriter, r *http.Request, rc *app.Receipt, c *model.Contact, ok func() error) error {
	ids := rc.Queued()
	if len(ids) == 0 {
		return ok()
	}
	items, why, err := h.awaitChanges(r, ids)
	if err != nil {
		return err
	}
	out := writeWaiting{Pending: []app.OutboxJSON{}, Waiting: why}
	var refused []app.OutboxItem
	for _, it := range items {
		switch it.State {
		case app.OutboxPending:
			out.Pending = append(out.Pending, app.NewOutboxJSON(it))
		case app.OutboxFailed:
			refused = append(refused, it)
			out.Refused = append(out.Refused, app.NewOutboxJSON(it))
		}
	}
	if len(out.Pending)+len(refused) == 0 {
		return ok()
	}
	if c != nil {
		ix, err := h.labelIndex(r)
		if err != nil {
			return err
		}
		o := ix.object(c)
		out.Contact = &o
	}
	status := http.StatusAccepted
	if len(refused) > 0 {
		status = http.StatusBadGateway
		e := refusedError(refused)
		out.Code, out.Message = e.Code, e.Message
		if len(out.Pending) > 0 {
			out.Message += fmt.Sprintf("; %d more still wait for WhatsApp", len(out.Pending))
		}
	} else {
		out.Code = "WHATSAPP_PENDING"
		later := "they go on being sent"
		if why != "" {
			later = why
		}
		out.Message = fmt.Sprintf("the address book has the change; WhatsApp has not confirmed %d of its %d changes yet: %s (wabook outbox lists them)",
			len(out.Pending), len(ids), later)
	}
	writeJSON(w, status, out)
	return nil
}

// refusedError is the 502 of changes WhatsApp refused at every attempt
// (failed, at least one): each named, with how to send it again.
func refusedError(failed []app.OutboxItem) *apiError {
	var parts, retry, drop []string
	for _, it := range failed {
		parts = append(parts, fmt.Sprintf("%s (%d attempts: %s)", app.DescribeChange(it), it.Attempts, it.Error))
		retry = append(retry, fmt.Sprintf("wabook outbox retry %d", it.ID))
		drop = append(drop, fmt.Sprintf("wabook outbox drop %d", it.ID))
	}
	what := "a change"
	if len(failed) > 1 {
		what = fmt.Sprintf("%d changes", len(failed))
	}
	return errorf(http.StatusBadGateway, "WHATSAPP_REFUSED",
		"WhatsApp did not take %s: %s; the address book keeps the change, marked failed (send it again with %s, or drop it with %s)",
		what, strings.Join(parts, "; "), strings.Join(retry, ", "), strings.Join(drop, ", "))
}
