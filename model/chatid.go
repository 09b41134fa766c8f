package model

import (
	"strings"
)

// JID servers.
const (
	UserServer   = "s.whatsapp.net"
	LegacyServer = "c.us"
	GroupServer  = "g.us"
	LIDServer    = "lid"
)

// JIDFromDigits returns the phone-number JID for a string of digits.
func JIDFromDigits(digits string) string { return digits + "@" + UserServer }

// JIDFromPhone returns the phone-number JID for an E.164 number ("+1415…").
func JIDFromPhone(e164 string) string { return JIDFromDigits(strings.TrimPrefix(e164, "+")) }

// JIDUser returns the part of a JID before "@" (and before any device suffix).
func JIDUser(jid string) string {
	user, _, _ := strings.Cut(jid, "@")
	user, _, _ = strings.Cut(user, ":")
	user, _, _ = strings.Cut(user, ".")
	return user
}

// JIDServer returns the part of a JID after "@", or "" when there is none.
func JIDServer(jid string) string {
	_, server, ok := strings.Cut(jid, "@")
	if !ok {
		return ""
	}
	return server
}

// ContactID is the "<digits>@c.us" form used by the HTTP APIs wabook follows.
// Group JIDs are returned unchanged.
func ContactID(jid string) string {
	switch JIDServer(jid) {
	case UserServer, LegacyServer:
		return JIDUser(jid) + "@" + LegacyServer
	}
	return jid
}

// IsGroupJID reports whether jid names a group.
func IsGroupJID(jid string) bool { return JIDServer(jid) == GroupServer }

// IsLID reports whether jid is a hidden-user LID.
func IsLID(jid string) bool { return JIDServer(jid) == LIDServer }

// AllDigits reports whether s is one or more ASCII digits (the user part of
// a phone-number JID or a LID).
func AllDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
