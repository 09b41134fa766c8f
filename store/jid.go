package store

import (
	"fmt"
	"strings"

	"github.com/wabook/wabook/model"
)

// The JID forms the mirror keys its rows by, as pure functions: every
// form a caller may hand in (a device suffix, the legacy "@c.us" server,
// bare or "+" digits) becomes the one stored form here, before any SQL.

// normUserJID returns the canonical phone-number JID ("digits@s.whatsapp.net")
// for jid. It accepts the legacy "@c.us" server, a device suffix, bare digits
// and "+digits".
func normUserJID(jid string) (string, error) {
	j := strings.TrimSpace(jid)
	if !strings.Contains(j, "@") {
		if pj, ok := phoneJID(j); ok {
			return pj, nil
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

// phoneJID is the phone-number JID of a number written as digits, with or
// without a leading "+"; ok is false for anything else.
func phoneJID(phone string) (jid string, ok bool) {
	d := strings.TrimPrefix(phone, "+")
	if !model.AllDigits(d) {
		return "", false
	}
	return model.JIDFromDigits(d), true
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

// normGroupJID returns a group's JID trimmed, or ErrInvalidJID when it is
// not a group JID: digits (or an old group's "creator-timestamp") at g.us.
func normGroupJID(jid string) (string, error) {
	j := strings.TrimSpace(jid)
	user, _, _ := strings.Cut(j, "@")
	if !model.IsGroupJID(j) || strings.Trim(user, "0123456789-") != "" || strings.Trim(user, "-") == "" {
		return "", fmt.Errorf("%w: %q is not a group JID", ErrInvalidJID, jid)
	}
	return j, nil
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

// labelChat is a chat named in a WhatsApp label association, in the
// mirror's forms: a LID (lid) or a phone-number JID (jid), and the form
// WhatsApp named it in, kept as contact_labels.wa_chat.
type labelChat struct {
	lid, jid, form string
}

// parseLabelChat reads chatJID (a phone JID or a LID) and waChat (the form
// WhatsApp named the chat in; "" means chatJID's own). group reports a
// group chat, which the mirror keeps no labels for.
func parseLabelChat(chatJID, waChat string) (c labelChat, group bool, err error) {
	if model.IsGroupJID(strings.TrimSpace(chatJID)) {
		return labelChat{}, true, nil
	}
	if c.lid = normLID(chatJID); c.lid == "" {
		if c.jid, err = normUserJID(chatJID); err != nil {
			return labelChat{}, false, fmt.Errorf("store: label chat: %w", err)
		}
	}
	c.form = c.lid
	if c.form == "" {
		c.form = c.jid
	}
	if strings.TrimSpace(waChat) != "" {
		if c.form = normLID(waChat); c.form == "" {
			if c.form, err = normUserJID(waChat); err != nil {
				return labelChat{}, false, fmt.Errorf("store: label chat as WhatsApp named it: %w", err)
			}
		}
	}
	return c, false, nil
}
