// WAHA's block and unblock routes. serve holds the WhatsApp connection and
// sends the outbox itself (app/outbox.go), so a request waits for
// WhatsApp's answer to its change, up to the check deadline
// (writewait.go).
package serve

import (
	"net/http"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

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
func (h *Handler) wahaBlock(blocked bool) func(w http.ResponseWriter, r *http.Request) error {
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
		items, err := h.awaitChanges(r, []int64{it.ID})
		if err != nil {
			return err
		}
		got := items[0]
		switch got.State {
		case app.OutboxPending:
			// The deadline: it goes on being sent; the entry says which.
			writeJSON(w, http.StatusAccepted, app.NewOutboxJSON(got))
			return nil
		case app.OutboxDone:
			writeJSON(w, http.StatusOK, app.NewOutboxJSON(got))
			return nil
		case app.OutboxFailed:
			return refusedError(items)
		}
		return errorf(http.StatusConflict, "SUPERSEDED", "a newer block or unblock of %s replaced this one before it reached WhatsApp",
			model.Sanitize(c.DisplayName()))
	}
}
