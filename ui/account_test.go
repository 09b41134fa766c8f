package ui

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/wa"
)

// The Account screen says in plain words when contacts and labels sync
// went wrong, offers R only where a resync can run, and lists R in its help.
func TestAccountScreenShowsAppStateProblem(t *testing.T) {
	t.Parallel()
	paired := wa.Account{Paired: true, Phone: "+14155550100", PushName: "Acme"}
	problem := "the saved app state no longer matches WhatsApp's (mismatching LTHash)"
	tests := []struct {
		name     string
		st       app.Status
		readOnly bool
		want     []string
		gone     []string
		helpR    bool
	}{
		{"due", app.Status{Account: paired, Conn: wa.StateConnected, AppStateProblem: problem, NeedsFullResync: true},
			false, []string{"Contacts sync", problem + " — press R to fetch them again"}, nil, true},
		{"due, offline", app.Status{Account: paired, Conn: wa.StateOffline, AppStateProblem: problem, NeedsFullResync: true},
			false, []string{problem}, nil, false},
		{"read-only", app.Status{Account: paired, Conn: wa.StateConnected, AppStateProblem: problem, NeedsFullResync: true},
			true, []string{problem}, []string{"press R"}, false},
		{"reported, no resync due", app.Status{Account: paired, Conn: wa.StateConnected, AppStateProblem: "sending a change to labels (regular) failed"},
			false, []string{"sending a change to labels (regular) failed"}, []string{"press R"}, true},
		{"resyncing", app.Status{Account: paired, Conn: wa.StateConnected, Resyncing: true, NeedsFullResync: true},
			false, []string{"fetching contacts and labels again"}, []string{"press R"}, false},
		{"healthy", app.Status{Account: paired, Conn: wa.StateConnected},
			false, nil, []string{"Contacts sync"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newAccountScreen(testCommon(t, app.Status{}, tt.readOnly))
			a.SetSize(160, 30)
			view := ansi.Strip(a.viewAt(tt.st))
			for _, w := range tt.want {
				if !strings.Contains(view, w) {
					t.Errorf("view lacks %q:\n%s", w, view)
				}
			}
			for _, g := range tt.gone {
				if strings.Contains(view, g) {
					t.Errorf("view has %q:\n%s", g, view)
				}
			}
			hasR := slices.ContainsFunc(a.shortAt(tt.st), func(b key.Binding) bool {
				return slices.Contains(b.Keys(), "R")
			})
			if hasR != tt.helpR {
				t.Errorf("R in the help: %v, want %v", hasR, tt.helpR)
			}
		})
	}
}

// R on the Account screen fetches contacts and labels again: the lost
// label comes back and the problem goes away.
func TestAccountScreenFullResyncKey(t *testing.T) {
	t.Parallel()
	svc, be, mirror := newTestWorld(t)
	const ada = "14155550101@s.whatsapp.net"
	be.Inject(wa.LabelAssociationChanged{WALabelID: "1", ChatJID: ada, Assigned: false})
	be.Inject(wa.AppStateProblem{Problem: "the saved app state no longer matches WhatsApp's", NeedsFullResync: true})
	// Events apply in order: once the problem shows, the label is gone.
	for deadline := time.Now().Add(5 * time.Second); !svc.Status().NeedsFullResync; {
		if time.Now().After(deadline) {
			t.Fatal("the problem never reached the status")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if c, err := mirror.Contact(context.Background(), ada); err != nil || len(c.Labels) != 0 {
		t.Fatalf("before R: labels %v, %v", c.Labels, err)
	}
	tm := newTestModel(t, New(t.Context(), svc, Options{}), teatest.WithInitialTermSize(120, 30))
	waitLoaded(t, tm)
	tm.Send(press("4"))
	tm.Send(press("R"))
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := mirror.Contact(context.Background(), ada)
		st := svc.Status()
		if err == nil && slices.Equal(c.Labels, []string{"New customer"}) && !st.NeedsFullResync && st.AppStateProblem == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after R: labels %v (%v), status %+v", c.Labels, err, st)
		}
		time.Sleep(10 * time.Millisecond)
	}
	waitFor(t, tm, "Contacts and labels fetched again")
	_, view := finalView(t, tm)
	if strings.Contains(view, "Contacts sync") {
		t.Fatalf("the problem is still shown after the resync:\n%s", view)
	}
}

// R's answer reaches the Account screen whatever screen shows when it
// comes: the busy line goes, the result or the error shows, and R can be
// pressed again after a failure.
func TestAccountScreenFullResyncAnswer(t *testing.T) {
	t.Parallel()
	const busy = "fetching contacts and labels again from WhatsApp"
	const done = "Contacts and labels fetched again from WhatsApp."
	tests := []struct {
		name string
		fail error
		want string
	}{
		{"success", nil, done},
		{"failure", errors.New("the server hung up"), "full resync of contacts and labels: the server hung up"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, be, _ := newTestWorld(t)
			if tt.fail != nil {
				be.FailNext("FullResync", tt.fail)
			}
			tm := newTestModel(t, New(t.Context(), svc, Options{}), teatest.WithInitialTermSize(120, 30))
			waitLoaded(t, tm)
			tm.Send(press("4"))
			waitFor(t, tm, "resync contacts & labels")
			tm.Send(press("R"))
			// Away and back: the answer must not depend on the screen.
			tm.Send(press("1"))
			tm.Send(press("4"))
			waitFor(t, tm, tt.want)
			if tt.fail != nil {
				// The failure did not leave R stuck: a second one runs.
				tm.Send(press("R"))
				waitFor(t, tm, done)
			}
			m, view := finalView(t, tm)
			view = ansi.Strip(view)
			if strings.Contains(view, busy) || m.account.busy != "" {
				t.Errorf("the busy line stayed (%q):\n%s", m.account.busy, view)
			}
			if !strings.Contains(view, done) {
				t.Errorf("view lacks %q:\n%s", done, view)
			}
			if tt.fail != nil && strings.Contains(view, tt.want) {
				t.Errorf("the old error stayed after a resync that worked:\n%s", view)
			}
		})
	}
}

// The Account screen tells what doctor knows: the device, the last sync,
// what the mirror holds, the app state, where the database and the log
// are; it reads them again when the mirror changes, and the read never
// holds a key up (TestNoKeyWaitsForTheService).
func TestAccountScreenShowsWhatDoctorKnows(t *testing.T) {
	t.Parallel()
	svc := newTestService(t)
	info, err := svc.AccountInfo(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	tm := newTestModel(t, New(t.Context(), svc, Options{}), teatest.WithInitialTermSize(120, 40))
	waitLoaded(t, tm)
	tm.Send(press("4"))
	wants := []string{
		"This device      14155550100:1@s.whatsapp.net",
		"Phone platform   " + svc.Status().Account.Platform,
		"Last sync        " + info.LastSync.Local().Format("2006-01-02 15:04"),
		"Mirror           6 contacts, 3 groups, 2 labels, 1 blocked",
		"App state        not known: this backend does not report it",
		"Database         " + info.DBPath,
	}
	f, _ := framesOf.Load(tm)
	f.(*frames).waitFrameFunc(t, fmt.Sprint(wants), func(frame string) bool {
		frame = ansi.Strip(frame)
		for _, w := range wants {
			if !strings.Contains(frame, w) {
				return false
			}
		}
		return true
	})
	// Hiding a contact elsewhere: the count follows.
	if _, err := svc.HideContactUndoable(t.Context(), "14155550101@s.whatsapp.net"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, tm, "5 contacts (and 1 hidden), 3 groups")
}

// n asks for a new pairing code while one is shown, and says why it cannot
// when none is.
func TestNewPairingCodeKey(t *testing.T) {
	t.Parallel()
	tm := unpairedUI(t, time.Hour) // stays unpaired for the test
	tm.Send(press("n"))
	waitFor(t, tm, "No pairing code is shown: p pairs by phone number and shows one.")
	tm.Send(press("p"))
	waitFor(t, tm, "ask for a code")
	for _, r := range "+14155550100" {
		tm.Send(press(string(r)))
	}
	tm.Send(press("enter"))
	code := regexp.MustCompile(`(?m)^    ([0-9A-Z]{4}-[0-9A-Z]{4})$`)
	var first string
	f, _ := framesOf.Load(tm)
	f.(*frames).waitFrameFunc(t, "a pairing code", func(frame string) bool {
		m := code.FindStringSubmatch(ansi.Strip(frame))
		if m == nil || !strings.Contains(frame, "new pairing code") {
			return false
		}
		first = m[1]
		return true
	})
	tm.Send(press("n"))
	f.(*frames).waitFrameFunc(t, "another pairing code than "+first, func(frame string) bool {
		m := code.FindStringSubmatch(ansi.Strip(frame))
		return m != nil && m[1] != first
	})
}
