package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/wa"
)

// TestPairingCodeShowsTimeLeft: the Account screen counts down the pairing
// code's life from app.Status, keeps ticking while it is shown, and says
// when it has expired.
func TestPairingCodeShowsTimeLeft(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	a := newAccountScreen(testCommon(t, app.Status{}, false))
	a.SetSize(80, 21)
	a.now = func() time.Time { return now }
	st := app.Status{Conn: wa.StatePairing, PhoneCode: "ABCD-EFGH", PhoneCodeExpires: now.Add(95 * time.Second)}
	a.status = st
	a.Update(pairPhoneMsg{code: "ABCD-EFGH"})

	view := ansi.Strip(a.viewAt(st))
	for _, want := range []string{"ABCD-EFGH", "can be typed for 1m35s more"} {
		if !strings.Contains(view, want) {
			t.Errorf("view lacks %q:\n%s", want, view)
		}
	}
	if a.tick() == nil {
		t.Error("no countdown tick while a pairing code is shown")
	}

	now = now.Add(2 * time.Minute)
	view = ansi.Strip(a.viewAt(st))
	if !strings.Contains(view, "This code has expired: press n for a new one.") || strings.Contains(view, "more.") {
		t.Errorf("expired code:\n%s", view)
	}
}

// While the phone number for pairing is typed, the footer says what enter
// and esc do there, not the search's words.
func TestPhoneInputFooter(t *testing.T) {
	t.Parallel()
	tm := unpairedUI(t, time.Hour) // stays unpaired for the test
	tm.Send(press("p"))
	waitFor(t, tm, "ask for a code")
	_, view := finalView(t, tm)
	view = ansi.Strip(view)
	for _, want := range []string{"enter ask for a code", "esc cancel"} {
		if !strings.Contains(view, want) {
			t.Errorf("footer lacks %q:\n%s", want, view)
		}
	}
	for _, gone := range []string{"keep filter", "clear search"} {
		if strings.Contains(view, gone) {
			t.Errorf("footer says %q:\n%s", gone, view)
		}
	}
}
