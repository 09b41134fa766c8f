package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

// openFound opens, in tm, the detail of the contact the search finds
// first, and waits until it is read whole: until it shows shows.
func openFound(t *testing.T, tm *teatest.TestModel, search, shows string) *frames {
	t.Helper()
	tm.Send(press("/"))
	tm.Type(search)
	tm.Send(press("enter")) // keep the filter
	tm.Send(press("enter")) // open the contact
	waitFor(t, tm, shows)
	f, _ := framesOf.Load(tm)
	return f.(*frames)
}

// A detail longer than the screen says that more is below, and once
// scrolled to the end that more is above; every frame fits the screen.
func TestDetailSaysMoreIsBelowOrAbove(t *testing.T) {
	t.Parallel()
	for _, size := range [][2]int{{80, 24}, {100, 30}} {
		w, h := size[0], size[1]
		t.Run(fmt.Sprintf("%dx%d", w, h), func(t *testing.T) {
			t.Parallel()
			tm := startUI(t, w, h)
			f := openFound(t, tm, "lovelace", "Hey there!")
			fits := func(frame string) bool { return strings.Count(frame, "\n") < h }
			f.waitFrameFunc(t, "“↓ more” and no “↑ more” at the top", func(frame string) bool {
				s := ansi.Strip(frame)
				return fits(frame) && strings.Contains(s, "Hey there!") && strings.Contains(s, "· ↓ more") && !strings.Contains(s, "↑ more")
			})
			tm.Send(press("G"))
			f.waitFrameFunc(t, "“↑ more”, no “↓ more” and the Last change line at the bottom", func(frame string) bool {
				s := ansi.Strip(frame)
				return fits(frame) && strings.Contains(s, "· ↑ more") && !strings.Contains(s, "↓ more") && strings.Contains(s, "Last change")
			})
		})
	}
}

// The Labels value starts in the column of the other values: a chip's own
// padding is not one more space before it.
func TestDetailLabelsAlignWithTheOtherValues(t *testing.T) {
	t.Parallel()
	tm := startUI(t, 100, 40)
	openFound(t, tm, "hopper", "Last check")
	_, view := finalView(t, tm)
	column := func(field, value string) int {
		t.Helper()
		for _, l := range strings.Split(ansi.Strip(view), "\n") {
			if strings.HasPrefix(l, field) {
				if i := strings.Index(l, value); i >= 0 {
					return ansi.StringWidth(l[:i])
				}
			}
		}
		t.Fatalf("no %s line with %q in:\n%s", field, value, ansi.Strip(view))
		return -1
	}
	phone, labels := column("Phone", "+14155550104"), column("Labels", "VIP")
	if labels != phone {
		t.Errorf("VIP starts in column %d, the phone number in column %d:\n%s", labels, phone, ansi.Strip(view))
	}
}

// Blocking or unblocking from the detail (b, then y) says so in the status
// bar, and says it was sent once WhatsApp has it, as hiding and deleting
// say what they did; the flash does not vanish when the outbox drains.
func TestBlockingSaysSoInTheStatusBar(t *testing.T) {
	t.Parallel()
	tests := []struct{ search, name, want string }{
		{"hopper", "Grace Hopper", "blocked Grace Hopper (sent to WhatsApp)"},
		{"mallory", "Mallory Spam", "unblocked Mallory Spam (sent to WhatsApp)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tm := startUI(t, 100, 40)
			openFound(t, tm, tt.search, "Last check")
			tm.Send(press("b"))
			waitFor(t, tm, "on WhatsApp?")
			tm.Send(press("y"))
			waitFor(t, tm, tt.want)
			m, view := finalView(t, tm)
			if !strings.Contains(view, tt.want) {
				t.Errorf("the flash %q went; the last frame:\n%s", tt.want, view)
			}
			if m.status.Outbox.Pending != 0 {
				t.Errorf("%d changes still wait for WhatsApp, yet the flash says sent", m.status.Outbox.Pending)
			}
		})
	}
}

// A contact whose detail is open and that another process deletes: the
// detail closes and the status bar says why, the name made safe; deleting
// it from the detail itself says "deleted", not "elsewhere".
func TestDetailSaysItsContactWasDeletedElsewhere(t *testing.T) {
	t.Parallel()
	for _, here := range []bool{false, true} {
		t.Run(fmt.Sprintf("here=%v", here), func(t *testing.T) {
			t.Parallel()
			svc := newTestService(t)
			added, err := svc.AddContact(t.Context(), app.ContactInput{Name: "Zed \x1b[2JLocal", Phone: "+14155550199"})
			if err != nil {
				t.Fatal(err)
			}
			tm := newTestModel(t, New(t.Context(), svc, Options{}), teatest.WithInitialTermSize(100, 40))
			waitLoadedAs(t, tm, "7 contacts")
			f := openFound(t, tm, "zed", "Last check")
			want := "Zed Local was deleted elsewhere"
			if here {
				tm.Send(press("d"))
				waitFor(t, tm, "from the address book?")
				tm.Send(press("y"))
				want = "deleted Zed Local"
			} else if _, _, err := svc.RemoveContacts(t.Context(), []string{added.JID}); err != nil {
				t.Fatal(err)
			}
			f.waitFrameFunc(t, fmt.Sprintf("the detail closed and %q", want), func(frame string) bool {
				return strings.Contains(frame, want) && !strings.Contains(frame, "Last check")
			})
			m, view := finalView(t, tm)
			if m.inDetail {
				t.Error("the detail of a deleted contact is still open")
			}
			if strings.Contains(view, "\x1b[2J") {
				t.Errorf("the name's escape reached the terminal:\n%q", view)
			}
			if here && strings.Contains(view, "elsewhere") {
				t.Errorf("a delete made here is said to be made elsewhere:\n%s", view)
			}
			if !strings.Contains(view, want) {
				t.Errorf("the status bar no longer says %q:\n%s", want, view)
			}
		})
	}
}

// The detail says when the number was last checked, with its answer.
func TestDetailSaysWhenTheNumberWasChecked(t *testing.T) {
	t.Parallel()
	svc, _, st := newTestWorld(t)
	at := time.Date(2026, 11, 30, 9, 15, 0, 0, time.UTC)
	if err := st.PutCheck(t.Context(), model.CheckResult{Phone: "+14155550104", Status: model.CheckValid, CheckedAt: at}); err != nil {
		t.Fatal(err)
	}
	tm := newTestModel(t, New(t.Context(), svc, Options{}), teatest.WithInitialTermSize(100, 40))
	waitLoaded(t, tm)
	openFound(t, tm, "hopper", "Last check")
	want := "valid on " + at.Local().Format("2006-01-02 15:04")
	_, view := finalView(t, tm)
	for _, l := range strings.Split(ansi.Strip(view), "\n") {
		if strings.Contains(l, "Last check") {
			if !strings.Contains(l, want) {
				t.Errorf("the detail says %q, want %q", strings.TrimSpace(l), want)
			}
			return
		}
	}
	t.Errorf("no Last check line:\n%s", ansi.Strip(view))
}
