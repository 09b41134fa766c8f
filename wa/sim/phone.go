package sim

import (
	"strings"

	"github.com/wabook/wabook/model"
)

// ParsePhone normalises a phone number written in any common format
// ("+1 (415) 555-0101", "+44 20 7946-0000") to "+digits". It requires the
// leading "+" and 7–15 digits; it does not apply national numbering rules.
func ParsePhone(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "+") {
		return "", false
	}
	digits := make([]byte, 0, 16)
	for _, r := range s[1:] {
		switch {
		case r >= '0' && r <= '9':
			digits = append(digits, byte(r))
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.' || r == '\u00a0':
		default:
			return "", false
		}
		if len(digits) > 15 {
			return "", false
		}
	}
	if len(digits) < 7 || digits[0] == '0' {
		return "", false
	}
	return "+" + string(digits), true
}

func allDigits(s string, min, max int) bool {
	return len(s) >= min && len(s) <= max && model.AllDigits(s)
}

// isLID reports whether s is "digits@lid".
func isLID(s string) bool {
	user, ok := strings.CutSuffix(s, "@lid")
	return ok && allDigits(user, 1, 20)
}

// phoneJIDUser returns the digits of "digits@s.whatsapp.net" or
// "digits@c.us".
func phoneJIDUser(s string) (string, bool) {
	user, ok := strings.CutSuffix(s, "@s.whatsapp.net")
	if !ok {
		user, ok = strings.CutSuffix(s, "@c.us")
	}
	if !ok || !allDigits(user, 7, 15) || user[0] == '0' {
		return "", false
	}
	return user, true
}

// isGroupJID reports whether s is "digits@g.us" or the old
// "digits-digits@g.us".
func isGroupJID(s string) bool {
	user, ok := strings.CutSuffix(s, "@g.us")
	if !ok {
		return false
	}
	a, b, two := strings.Cut(user, "-")
	if two {
		return allDigits(a, 1, 20) && allDigits(b, 1, 20)
	}
	return allDigits(user, 1, 20)
}

// normPhoneOrJID accepts a phone or a phone JID and returns "+digits".
func normPhoneOrJID(s string) (string, bool) {
	if p, ok := ParsePhone(s); ok {
		return p, true
	}
	if user, ok := phoneJIDUser(strings.TrimSpace(s)); ok {
		return "+" + user, true
	}
	return "", false
}

const notPhone = `not a phone number (want "+" then 7–15 digits)`
