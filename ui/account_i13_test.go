package ui

import (
	"context"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/wa"
)

// dropService records the failed changes dropped; every other call is
// not expected (nil Service).
type dropService struct {
	Service
	dropped []int64
}

func (s *dropService) DropOutbox(_ context.Context, id int64) (app.OutboxItem, error) {
	s.dropped = append(s.dropped, id)
	return app.OutboxItem{ID: id}, nil
}

func (s *dropService) Region() string { return "US" }

// openedDialog is the dialog the last key posted to the root, if any.
func openedDialog(c *common) dialog {
	for _, in := range c.intents {
		if o, ok := in.(openDialogMsg); ok {
			return o.d
		}
	}
	return nil
}

// The drop question is a dialog about the change under the cursor when
// asked; y drops that one, even when the list reloaded meanwhile and the
// cursor is on another.
func TestDropDropsTheChangeAskedAbout(t *testing.T) {
	t.Parallel()
	svc := &dropService{}
	c := testCommon(t, app.Status{Account: wa.Account{Paired: true}, Conn: wa.StateConnected, Outbox: app.OutboxCounts{Failed: 2}}, false)
	c.svc = svc
	a := newAccountScreen(c)
	a.SetSize(100, 30)
	a.failed = []app.OutboxItem{
		{ID: 7, Kind: "label_delete", Name: "Old", State: app.OutboxFailed, Error: "refused"},
		{ID: 8, Kind: "label_delete", Name: "New", State: app.OutboxFailed, Error: "refused"},
	}
	a.dispatch(a.Bindings(), press("x"))
	q, ok := openedDialog(c).(*confirmDialog)
	if !ok || !strings.Contains(q.question, `"Old"`) || !strings.Contains(q.question, "WhatsApp will not learn it.") {
		t.Fatalf("x did not ask about the change under the cursor: %v", openedDialog(c))
	}
	a.failed = a.failed[1:] // reloaded: "Old" went meanwhile, the cursor is on "New"
	cmd := q.Update(press("y"))
	if cmd == nil {
		t.Fatal("y started nothing")
	}
	cmd()
	if len(svc.dropped) != 1 || svc.dropped[0] != 7 {
		t.Errorf("dropped %v; want the change asked about, 7", svc.dropped)
	}
	// Logging out asks in a dialog too, in the same words as before.
	c.intents = nil
	a.dispatch(a.Bindings(), press("L"))
	if q, ok := openedDialog(c).(*confirmDialog); !ok || q.question != "Log out of WhatsApp on this device? The address book stays." {
		t.Errorf("L: %v", openedDialog(c))
	}
}

// While a number is typed to pair by phone: no "press 1" (1 types into
// the field), and an error shows under the field, which stays where it was.
func TestPairingPhoneFieldStaysStill(t *testing.T) {
	t.Parallel()
	c := testCommon(t, app.Status{Conn: wa.StateOffline}, false)
	c.svc = &dropService{}
	a := newAccountScreen(c)
	a.SetSize(80, 22)
	if !strings.Contains(a.View(), "Press 1 to browse") {
		t.Fatalf("not even idle does it say press 1:\n%s", ansi.Strip(a.View()))
	}
	a.dispatch(a.Bindings(), press("p"))
	fieldLine := func() int {
		for i, l := range strings.Split(ansi.Strip(a.View()), "\n") {
			if strings.Contains(l, "Phone number:") {
				return i
			}
		}
		return -1
	}
	before := fieldLine()
	if before < 0 || strings.Contains(a.View(), "Press 1") {
		t.Fatalf("typing a number, line %d:\n%s", before, ansi.Strip(a.View()))
	}
	a.dispatch(a.Bindings(), press("enter")) // nothing typed: an error
	if a.err == "" {
		t.Fatal("no error for an empty number")
	}
	if after := fieldLine(); after != before || !strings.Contains(flatText(a.View()), "Type the phone number") {
		t.Errorf("the field moved from line %d to %d, or the error is not shown:\n%s", before, after, ansi.Strip(a.View()))
	}
}
