package ui

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/wa"
	"github.com/wabook/wabook/wa/sim"
)

const noDNS = "no connection to WhatsApp (cannot look up web.whatsapp.com); retrying in 4s"

// timedOutNote is the Note app.Versions gives when the fetch of the
// version page timed out (fetchAndCache wrapping wm.VersionFetcher's words).
const timedOutNote = "fetching the WhatsApp Web version failed: https://web.whatsapp.com: timed out"

// The Account screen puts a connection problem right under the line of
// whatever waits for the connection, and shows the WhatsApp Web version
// announced when the backend tells it, at 80 columns.
func TestAccountScreenConnectionProblemAndVersion(t *testing.T) {
	t.Parallel()
	unpaired := wa.Account{Platform: "whatsapp"}
	fetched := wa.VersionChoice{Version: "2.3000.1099999999", Source: wa.VersionFromFetch}
	timedOut := wa.VersionChoice{Version: "2.3000.1031080782", Source: wa.VersionFromBuiltIn, Note: timedOutNote}
	tests := []struct {
		name string
		busy string
		st   app.Status
		// want are lines of the view in order, each a prefix after the
		// line before (blank lines skipped); gone must not show.
		want []string
		gone []string
	}{
		{"waiting for a pairing code", "asking WhatsApp for a pairing code…",
			app.Status{Account: unpaired, Conn: wa.StateReconnecting, Attempt: 2, Detail: noDNS},
			[]string{"asking WhatsApp for a pairing code…", noDNS}, []string{"Detail"}},
		{"nothing waits", "",
			app.Status{Account: unpaired, Conn: wa.StateReconnecting, Attempt: 2, Detail: noDNS},
			[]string{"Detail           no connection to WhatsApp (cannot look up web.whatsapp.com);",
				"                 retrying in 4s"}, nil},
		{"waiting, no problem", "asking WhatsApp for a pairing code…",
			app.Status{Account: unpaired, Conn: wa.StateConnecting, Detail: "fetching the current WhatsApp Web version from https://web.whatsapp.com…"},
			[]string{"Detail           fetching the current WhatsApp Web version from",
				"                 https://web.whatsapp.com…", "asking WhatsApp for a pairing code…"}, nil},
		{"version told", "",
			app.Status{Account: unpaired, Conn: wa.StatePairing, WAVersion: fetched},
			[]string{"Connection       pairing", "WhatsApp Web     2.3000.1099999999 (fetched)"}, nil},
		{"version not told", "",
			app.Status{Account: unpaired, Conn: wa.StatePairing},
			[]string{"Connection       pairing"}, []string{"WhatsApp Web"}},
		{"version with a note, wrapped", "",
			app.Status{Account: unpaired, Conn: wa.StatePairing, WAVersion: timedOut},
			[]string{"Connection       pairing", "WhatsApp Web     2.3000.1031080782 (built-in)",
				"                 fetching the WhatsApp Web version failed:",
				"                 https://web.whatsapp.com: timed out"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newAccountScreen(&common{ctx: t.Context(), st: DefaultStyles(), keys: DefaultKeyMap(), status: tt.st})
			a.SetSize(80, 24)
			a.busy = tt.busy
			view := ansi.Strip(a.View())
			var lines []string
			for _, l := range strings.Split(view, "\n") {
				if strings.TrimSpace(l) != "" {
					lines = append(lines, l)
				}
			}
			at := -1
			for _, w := range tt.want {
				found := false
				for i := at + 1; i < len(lines); i++ {
					if strings.HasPrefix(lines[i], w) {
						if at >= 0 && i != at+1 {
							t.Errorf("%q is not right after %q:\n%s", w, lines[at], view)
						}
						at, found = i, true
						break
					}
				}
				if !found {
					t.Errorf("view lacks a line %q after line %d:\n%s", w, at, view)
				}
			}
			for _, g := range tt.gone {
				if strings.Contains(view, g) {
					t.Errorf("view has %q:\n%s", g, view)
				}
			}
		})
	}
}

// heldPairing is the simulated account with a pairing-code request that
// waits until release is closed, as one does while no pairing connection
// can be made.
type heldPairing struct {
	*sim.Backend
	release chan struct{}
}

func (h heldPairing) PairPhone(ctx context.Context, phone string) (string, error) {
	select {
	case <-h.release:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	return h.Backend.PairPhone(ctx, phone)
}

// While a pairing code is asked for and WhatsApp cannot be reached, the
// problem shows under "asking WhatsApp for a pairing code…"; the simulated
// account tells no WhatsApp Web version, so no version line shows.
func TestPairingCodeWaitShowsTheConnectionProblem(t *testing.T) {
	t.Parallel()
	notYet := false
	world := &sim.World{Account: &sim.WorldAccount{Phone: "+14155550100", Paired: &notYet}}
	sb := sim.New(world, sim.WithPairAfter(time.Hour), sim.WithPairCodeInterval(time.Hour))
	be := heldPairing{sb, make(chan struct{})}
	svc, ctx := runService(t, be)
	if err := svc.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	tm := newTestModel(t, New(t.Context(), svc, Options{}), teatest.WithInitialTermSize(80, 24))
	waitFor(t, tm, "pair by phone number instead")
	tm.Send(press("p"))
	for _, r := range "+14155550100" {
		tm.Send(press(string(r)))
	}
	tm.Send(press("enter"))
	waitFor(t, tm, "asking WhatsApp for a pairing code")
	sb.Inject(wa.ConnectionChanged{State: wa.StateReconnecting, Attempt: 1, Detail: noDNS})
	// Whole, on its own line: the Detail field above would cut it at 80
	// columns.
	waitFor(t, tm, "(cannot look up web.whatsapp.com); retrying in 4s")
	close(be.release)
	waitFor(t, tm, "then type this code")
	_, view := finalView(t, tm)
	if strings.Contains(view, "WhatsApp Web ") || strings.Contains(view, "asking WhatsApp") {
		t.Errorf("after the code came:\n%s", view)
	}
}

// An error too long for the screen is wrapped, not cut: its cause comes
// last.
func TestAccountScreenWrapsALongError(t *testing.T) {
	t.Parallel()
	a := newAccountScreen(testCommon(t, app.Status{}, false))
	a.SetSize(80, 24)
	a.Update(pairPhoneMsg{err: errors.New("could not get a pairing code: no connection to WhatsApp (cannot look up web.whatsapp.com): context deadline exceeded")})
	view := ansi.Strip(a.viewAt(app.Status{Conn: wa.StateReconnecting}))
	flat := strings.Join(strings.Fields(view), " ")
	if !strings.Contains(flat, "(cannot look up web.whatsapp.com): context deadline exceeded") {
		t.Errorf("the cause is cut:\n%s", view)
	}
	for _, l := range strings.Split(view, "\n") {
		if w := ansi.StringWidth(l); w > 80 {
			t.Errorf("line of %d columns: %q", w, l)
		}
	}
}

// versionTelling is the simulated account as a backend that reports the
// WhatsApp Web version it announces, as the whatsmeow adapter does.
type versionTelling struct {
	*sim.Backend
	mu sync.Mutex
	v  wa.VersionChoice
}

func (b *versionTelling) AnnouncedVersion() wa.VersionChoice {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.v
}

func (b *versionTelling) set(v wa.VersionChoice) {
	b.mu.Lock()
	b.v = v
	b.mu.Unlock()
}

// A version fetch that fails does not go unseen: after the "fetching …"
// line the Account screen shows the built-in version and, under it, why
// nothing better was used.
func TestAccountScreenShowsWhyTheVersionFetchFailed(t *testing.T) {
	t.Parallel()
	notYet := false
	world := &sim.World{Account: &sim.WorldAccount{Phone: "+14155550100", Paired: &notYet}}
	sb := sim.New(world, sim.WithPairAfter(time.Hour), sim.WithPairCodeInterval(time.Hour))
	be := &versionTelling{Backend: sb}
	svc, _ := runService(t, be)
	tm := newTestModel(t, New(t.Context(), svc, Options{}), teatest.WithInitialTermSize(80, 24))
	waitFor(t, tm, "not paired")
	// What the adapter reports around a fetch of the version page that
	// hangs until its timeout.
	sb.Inject(wa.ConnectionChanged{State: wa.StateConnecting,
		Detail: "fetching the current WhatsApp Web version from https://web.whatsapp.com…"})
	waitFor(t, tm, "https://web.whatsapp.com…")
	be.set(wa.VersionChoice{Version: "2.3000.1031080782", Source: wa.VersionFromBuiltIn, Note: timedOutNote})
	sb.Inject(wa.ConnectionChanged{State: wa.StateReconnecting, Attempt: 1, Detail: noDNS})
	waitFor(t, tm, "timed out")
	_, view := finalView(t, tm)
	view = ansi.Strip(view)
	flat := strings.Join(strings.Fields(view), " ")
	if !strings.Contains(flat, "WhatsApp Web 2.3000.1031080782 (built-in) "+timedOutNote) {
		t.Errorf("the version line and its note:\n%s", view)
	}
	for _, l := range strings.Split(view, "\n") {
		if w := ansi.StringWidth(l); w > 80 {
			t.Errorf("line of %d columns: %q", w, l)
		}
	}
}
