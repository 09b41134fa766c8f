package ui

import (
	"errors"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// A message in the status bar is read whole at 80 columns: the account
// name gives way, then the message takes a second line, and the screen
// still fits the terminal.
func TestStatusBarMessagesAreReadWhole(t *testing.T) {
	t.Parallel()
	m := New(t.Context(), newTestService(t), Options{})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	noSpace := func(s string) string { return strings.Join(strings.Fields(s), "") }
	for _, tt := range []struct {
		name string
		msg  tea.Msg
		text string
	}{
		{"export", actionMsg{flash: "exported 424 contacts to /tmp/trial/wabook-contacts.csv"}, ""},
		{"labels", actionMsg{flash: "added New customer, Lead, Fresh on 11 contacts (u undoes)"}, ""},
		{"retry", flashMsg("Job 1 has no failed or cancelled numbers to check again."), ""},
		{"label sync", actionMsg{flash: "label changes are now sent to WhatsApp (13 queued: the labels and chats it has not seen)"}, ""},
		{"profile error", actionMsg{err: errors.New("fetching the profile of Zoe: sim: user not found on WhatsApp")}, ""},
		{"long error", actionMsg{err: errors.New(strings.Repeat("a long error that goes on ", 5) + "to its end")}, ""},
	} {
		m.Update(tt.msg)
		text := tt.text
		switch msg := tt.msg.(type) {
		case actionMsg:
			text = msg.flash
			if msg.err != nil {
				text = msg.err.Error()
			}
		case flashMsg:
			text = string(msg)
		}
		lines := strings.Split(ansi.Strip(m.View().Content), "\n")
		if len(lines) != 24 {
			t.Errorf("%s: %d lines, want 24", tt.name, len(lines))
		}
		bar := noSpace(strings.Join(lines[len(lines)-3:len(lines)-1], " "))
		if !strings.Contains(bar, noSpace(text)) {
			t.Errorf("%s: the status bar cuts %q:\n%s", tt.name, text, strings.Join(lines[len(lines)-3:], "\n"))
		}
		for i, l := range lines {
			if w := ansi.StringWidth(l); w > 80 {
				t.Errorf("%s: line %d is %d wide", tt.name, i+1, w)
			}
		}
		m.Update(press("esc")) // any key clears the message
	}
	if m.statusExtra != 0 {
		t.Errorf("with no message the status bar keeps %d more lines", m.statusExtra)
	}
}

// The Account screen's status bar speaks of the account, not of the
// contact list's search and sort.
func TestAccountStatusBarIsItsOwn(t *testing.T) {
	t.Parallel()
	tm := startUI(t, 100, 30)
	tm.Send(press("4"))
	f, _ := framesOf.Load(tm)
	f.(*frames).waitFrameFunc(t, "the Account screen's status bar", func(f string) bool {
		return strings.Contains(f, "6 contacts in the mirror")
	})
	_, view := finalView(t, tm)
	if strings.Contains(view, "sort:") {
		t.Errorf("the Account screen's status bar speaks of the list's sort:\n%s", ansi.Strip(view))
	}
}
