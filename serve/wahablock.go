// WAHA's block and unblock routes. serve holds the WhatsApp connection and
// sends the outbox itself (app/outbox.go), so a request waits for
// WhatsApp's answer to its change, up to the check deadline.
package serve

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

// wahaBlockRoutes registers POST /api/contacts/block and /unblock, which
// wait at most deadline for WhatsApp.
func (h *Handler) wahaBlockRoutes(deadline time.Duration) {
	h.route("POST /api/contacts/block", writes, h.waha(h.wahaBlock(true, deadline)))
	h.route("POST /api/contacts/unblock", writes, h.waha(h.wahaBlock(false, deadline)))
}

// wahaBlockRequest is the seeds' body: {"contactId", "session"}.
type wahaBlockRequest struct {
	ContactID string `json:"contactId"`
	Session   string `json:"session"`
}

// wahaBlock queues the change (app.Service.QueueBlock) and answers 200
// with the outbox change once WhatsApp confirmed it, 202 with it when the
// deadline passes first (it goes on being sent), 502 when WhatsApp refused
// it at every attempt (it stays failed: wabook outbox retry or drop), 409
// when a newer block or unblock of the contact replaced it before it went
// out. Only contacts in the address book: `wabook block` takes any number.
func (h *Handler) wahaBlock(blocked bool, deadline time.Duration) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		var req wahaBlockRequest
		if err := decodeBody(r, &req); err != nil {
			return err
		}
		if err := checkSession(req.Session); err != nil {
			return err
		}
		c, err := h.findContact(r, "contactId", req.ContactID)
		if err != nil {
			return err
		}
		it, err := h.svc.QueueBlock(r.Context(), c.JID, blocked)
		if err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(r.Context(), deadline)
		defer cancel()
		got, err := h.svc.WaitChange(ctx, it.ID)
		switch {
		case err == nil:
		case errors.Is(err, context.DeadlineExceeded) && r.Context().Err() == nil:
			// Still queued: it goes on being sent; the entry says which.
			writeJSON(w, http.StatusAccepted, app.NewOutboxJSON(got))
			return nil
		default:
			return err
		}
		name := model.Sanitize(c.DisplayName())
		switch got.State {
		case app.OutboxDone:
			writeJSON(w, http.StatusOK, app.NewOutboxJSON(got))
			return nil
		case app.OutboxFailed:
			return errorf(http.StatusBadGateway, "WHATSAPP_REFUSED", "WhatsApp did not take the change (%s) after %d attempts: %s; it is kept as failed (wabook outbox retry %d, or drop)",
				app.DescribeChange(got), got.Attempts, got.Error, got.ID)
		}
		return errorf(http.StatusConflict, "SUPERSEDED", "a newer block or unblock of %s replaced this one before it reached WhatsApp", name)
	}
}
