package store

import (
	"errors"
	"testing"
)

// The JID forms are pure: every form a caller may hand in maps to the one
// the rows are keyed by, before any SQL.
func TestJIDForms(t *testing.T) {
	t.Parallel()

	for _, tt := range []struct{ in, want string }{
		{"+14155550101", "14155550101@s.whatsapp.net"},
		{"14155550101", "14155550101@s.whatsapp.net"},
		{"+1 415", ""},
		{"", ""},
		{"14155550101@s.whatsapp.net", ""}, // a JID, not a number
	} {
		got, ok := phoneJID(tt.in)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("phoneJID(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
	for _, tt := range []struct{ in, want string }{
		{" 120363000000000001@g.us ", "120363000000000001@g.us"},
		{"14155550101-1400000000@g.us", "14155550101-1400000000@g.us"},
		{"--@g.us", ""},
		{"abc@g.us", ""},
		{"14155550101@s.whatsapp.net", ""},
	} {
		got, err := normGroupJID(tt.in)
		if got != tt.want || (err == nil) != (tt.want != "") {
			t.Errorf("normGroupJID(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
		if err != nil && !errors.Is(err, ErrInvalidJID) {
			t.Errorf("normGroupJID(%q): %v is not ErrInvalidJID", tt.in, err)
		}
	}
}

// A WhatsApp label chat: a LID or a phone JID, kept in the form WhatsApp
// named it in; groups are not labelled in the mirror.
func TestParseLabelChat(t *testing.T) {
	t.Parallel()

	const (
		phone = "14155550101@s.whatsapp.net"
		lid   = "123456789@lid"
	)
	for _, tt := range []struct {
		name, chat, waChat string
		want               labelChat
		group, fails       bool
	}{
		{name: "phone", chat: "14155550101:3@c.us", want: labelChat{jid: phone, form: phone}},
		{name: "lid", chat: " 123456789:2@lid", want: labelChat{lid: lid, form: lid}},
		{name: "named by LID", chat: phone, waChat: lid, want: labelChat{jid: phone, form: lid}},
		{name: "named by phone", chat: lid, waChat: "14155550101:7@s.whatsapp.net", want: labelChat{lid: lid, form: phone}},
		{name: "group", chat: " 120363000000000001@g.us", group: true},
		{name: "bad chat", chat: "bob", fails: true},
		{name: "bad form", chat: phone, waChat: "not a jid", fails: true},
	} {
		got, group, err := parseLabelChat(tt.chat, tt.waChat)
		if (err != nil) != tt.fails || group != tt.group || got != tt.want {
			t.Errorf("%s: parseLabelChat(%q, %q) = %+v, %v, %v; want %+v, %v, fails %v",
				tt.name, tt.chat, tt.waChat, got, group, err, tt.want, tt.group, tt.fails)
		}
	}
}
