package ui

import (
	"context"
	"slices"
	"strings"

	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/wabook/wabook/app"
)

// u waits for a change on its way (its undo is not in the stack yet) and
// for an undo on its way: it says so instead of taking back an older
// change, or two at once.
func TestUndoWaitsForChangesOnTheirWay(t *testing.T) {
	t.Parallel()
	svc := newStalledService(t, newTestService(t))
	tm := newTestModel(t, New(t.Context(), svc, Options{}), teatest.WithInitialTermSize(100, 30))
	waitLoaded(t, tm)
	svc.stalled.Store(true)
	for _, st := range []struct{ keys, want string }{
		{"h", "Hide Ada Lovelace"},
		{"y", "working…"},
		{"u", "wait for the change on its way to finish"},
	} {
		sendText(tm, st.keys)
		waitFor(t, tm, st.want)
	}
}

// A failed undo goes back where it was, under the undos of changes made
// while it ran; an undo in flight refuses another u.
func TestFailedUndoGoesBackWhereItWas(t *testing.T) {
	t.Parallel()
	m := New(t.Context(), newTestService(t), Options{})
	a, b, c := &app.Undo{Description: "a"}, &app.Undo{Description: "b"}, &app.Undo{Description: "c"}
	m.undos = []*app.Undo{a, b}
	undo := m.undo() // b, which UndoChange refuses: already undone
	if why := m.whyNotUndo(); why != "wait for the undo to finish" {
		t.Errorf("with an undo on its way u says %q", why)
	}
	change := m.run(func(ctx context.Context) (string, *app.Undo, error) { return "changed", c, nil })
	m.update(change())
	m.update(undo())
	if !slices.Equal(m.undos, []*app.Undo{a, b, c}) {
		var got []string
		for _, u := range m.undos {
			got = append(got, u.Description)
		}
		t.Errorf("undos after the failed undo: %q, want a, b, c", got)
	}
	if why := m.whyNotUndo(); why != "" {
		t.Errorf("with nothing on its way u says %q", why)
	}
}

// h in the detail view does what it does in the list: it asks to hide the
// contact shown.
func TestDetailHides(t *testing.T) {
	t.Parallel()
	m := New(t.Context(), newTestService(t), Options{})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	drive(m, m.Init())
	drive(m, m.openDetail(m.contacts.current()))
	m.Update(press("h"))
	if d, ok := m.topDialog().(*confirmDialog); !ok || !strings.Contains(d.question, "Hide Ada Lovelace") {
		t.Errorf("h in the detail of Ada opened %#v", m.topDialog())
	}
}
