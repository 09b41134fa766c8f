// The outbox in words and JSON, for wabook outbox and the Account screen.
package app

import (
	"fmt"
	"strings"
	"time"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
)

// OutboxJSON is one outbox change for `wabook outbox --json`.
type OutboxJSON struct {
	ID        int64  `json:"id"`
	Kind      string `json:"kind"` // label_edit, label_delete, label_chat, block
	State     string `json:"state"`
	Change    string `json:"change"` // in words
	Label     string `json:"label,omitempty"`
	WALabelID string `json:"wa_label_id,omitempty"`
	ContactID string `json:"contact_id,omitempty"`
	Assigned  *bool  `json:"assigned,omitempty"` // label_chat
	Blocked   *bool  `json:"blocked,omitempty"`  // block
	Attempts  int    `json:"attempts"`
	Error     string `json:"error,omitempty"`
	QueuedBy  int    `json:"queued_by_pid"`
	QueuedAt  string `json:"queued_at"`
	DoneAt    string `json:"done_at,omitempty"`
}

// NewOutboxJSON converts an outbox change.
func NewOutboxJSON(it OutboxItem) OutboxJSON {
	j := OutboxJSON{ID: it.ID, Kind: it.Kind, State: it.State, Change: DescribeChange(it), WALabelID: it.WALabelID,
		Attempts: it.Attempts, Error: it.Error, QueuedBy: it.QueuedBy, QueuedAt: unixRFC3339(it.QueuedAt)}
	if it.IsLabel() {
		j.Label = it.Name
	}
	if it.JID != "" {
		j.ContactID = model.ContactID(it.JID)
	}
	flag := it.Flag
	switch it.Kind {
	case store.OutboxLabelChat:
		j.Assigned = &flag
	case store.OutboxBlock:
		j.Blocked = &flag
	}
	if it.State == store.OutboxDone && it.DoneAt > 0 {
		j.DoneAt = unixRFC3339(it.DoneAt)
	}
	return j
}

func unixRFC3339(t int64) string {
	if t == 0 {
		return ""
	}
	return time.Unix(t, 0).UTC().Format(time.RFC3339)
}

// DescribeChange says in a few words what the change does.
func DescribeChange(it OutboxItem) string {
	name := model.Sanitize(it.Name)
	switch it.Kind {
	case store.OutboxLabelEdit:
		return fmt.Sprintf("label %q: name and colour %d", name, it.Color)
	case store.OutboxLabelDelete:
		return fmt.Sprintf("delete label %q", name)
	case store.OutboxLabelChat:
		if it.Flag {
			return fmt.Sprintf("label %q on %s", name, phoneOrJID(it.JID))
		}
		return fmt.Sprintf("label %q off %s", name, phoneOrJID(it.JID))
	case store.OutboxBlock:
		if it.Flag {
			return "block " + phoneOrJID(it.JID)
		}
		return "unblock " + phoneOrJID(it.JID)
	}
	return it.Kind
}

func phoneOrJID(jid string) string {
	if u, ok := strings.CutSuffix(jid, "@"+model.UserServer); ok {
		return "+" + u
	}
	return jid
}
