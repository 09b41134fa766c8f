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
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

// awaitChanges waits at most the deadline for WhatsApp's answer to the
// outbox changes ids (at least one) and returns them, in id order, as they
// stand: some still pending when the deadline passed first.
func (h *Handler) awaitChanges(r *http.Request, ids []int64) ([]app.OutboxItem, error) {
	ctx, cancel := context.WithTimeout(r.Context(), h.deadline)
	defer cancel()
	items, err := h.svc.WaitChanges(ctx, ids)
	switch {
	case err == nil:
		return items, nil
	case errors.Is(err, context.DeadlineExceeded) && r.Context().Err() == nil && len(items) == len(ids):
		return items, nil
	}
	return nil, err
}

// writeWaiting is the answer of a write whose changes WhatsApp has not all
// taken: 202 while some still wait (Refused empty), 502 when WhatsApp
// refused some at every attempt. Contact is the contact as the mirror has
// it now, the change kept, where the route concerns one.
type writeWaiting struct {
	Code    string           `json:"code"`
	Message string           `json:"message"`
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
	items, err := h.awaitChanges(r, ids)
	if err != nil {
		return err
	}
	out := writeWaiting{Pending: []app.OutboxJSON{}}
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
		out.Message = fmt.Sprintf("the address book has the change; WhatsApp has not confirmed %d of its %d changes yet: they go on being sent (wabook outbox lists them)",
			len(out.Pending), len(items))
	}
	writeJSON(w, status, out)
	return nil
}

// refusedError is the 502 of changes WhatsApp refused at every attempt
// (failed, at least one): each named, with how to send it again.
func refusedError(failed []app.OutboxItem) *apiError {
	var parts, retry []string
	for _, it := range failed {
		parts = append(parts, fmt.Sprintf("%s (%d attempts: %s)", app.DescribeChange(it), it.Attempts, it.Error))
		retry = append(retry, fmt.Sprintf("wabook outbox retry %d", it.ID))
	}
	what := "a change"
	if len(failed) > 1 {
		what = fmt.Sprintf("%d changes", len(failed))
	}
	return errorf(http.StatusBadGateway, "WHATSAPP_REFUSED",
		"WhatsApp did not take %s: %s; the address book keeps the change, marked failed (send it again with %s, or drop it with wabook outbox drop ID)",
		what, strings.Join(parts, "; "), strings.Join(retry, ", "))
}
