package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/wabook/wabook/model"
)

// normUserJID returns the canonical phone-number JID ("digits@s.whatsapp.net")
// for jid. It accepts the legacy "@c.us" server, a device suffix, bare digits
// and "+digits".
func normUserJID(jid string) (string, error) {
	j := strings.TrimSpace(jid)
	if !strings.Contains(j, "@") {
		d := strings.TrimPrefix(j, "+")
		if model.AllDigits(d) {
			return model.JIDFromDigits(d), nil
		}
		return "", fmt.Errorf("%w: %q", ErrInvalidJID, jid)
	}
	switch model.JIDServer(j) {
	case model.UserServer, model.LegacyServer:
		if u := model.JIDUser(j); model.AllDigits(u) {
			return model.JIDFromDigits(u), nil
		}
	}
	return "", fmt.Errorf("%w: %q is not a phone-number JID", ErrInvalidJID, jid)
}

// normLID returns the canonical "digits@lid" form, or "" when lid is not a LID.
func normLID(lid string) string {
	l := strings.TrimSpace(lid)
	if !model.IsLID(l) {
		return ""
	}
	u := model.JIDUser(l)
	if !model.AllDigits(u) {
		return ""
	}
	return u + "@" + model.LIDServer
}

// normMember canonicalises a group participant: phone JIDs and LIDs lose
// device suffixes; anything else is kept trimmed.
func normMember(m string) string {
	if j, err := normUserJID(m); err == nil && strings.Contains(m, "@") {
		return j
	}
	if l := normLID(m); l != "" {
		return l
	}
	return strings.TrimSpace(m)
}

// phoneFromJID is "+digits" for a phone-number JID.
func phoneFromJID(jid string) string { return "+" + model.JIDUser(jid) }

// jidByLID is the phone JID of the contact carrying lid (most recently
// updated when several do).
func jidByLID(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, lid string) (string, error) {
	var j string
	err := q.QueryRowContext(ctx, `SELECT jid FROM contacts WHERE lid = ? ORDER BY updated_at DESC, jid LIMIT 1`, lid).Scan(&j)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("store: contact with LID %s: %w", lid, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("store: contact by LID: %w", err)
	}
	return j, nil
}
