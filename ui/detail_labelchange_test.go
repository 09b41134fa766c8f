package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/wabook/wabook/app"
)

// A label's rename or recolour is recorded on the label only (not on
// each of its contacts): the detail of a contact carrying it shows it as
// the last change while it is newer than the contact's own, with the
// author and what was done; a later change of the contact's own wins.
func TestDetailShowsALabelsChangeWhenNewer(t *testing.T) {
	t.Parallel()
	svc := newTestService(t)
	ctx := t.Context()
	const ada = "+14155550101" // carries "New customer" in the test world
	var id int64
	labels, err := svc.Labels(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range labels {
		if l.Name == "New customer" {
			id = l.ID
		}
	}
	if id == 0 {
		t.Fatalf("no New customer label in %+v", labels)
	}
	lastChangeLine := func() string {
		t.Helper()
		m := loadedNow(t, svc)
		m.Update(tea.WindowSizeMsg{Width: 120, Height: 60})
		c, err := svc.FindContact(ctx, ada)
		if err != nil {
			t.Fatal(err)
		}
		m.switchTo(screenContacts)
		row := m.ix.find(c.JID)
		if row < 0 {
			t.Fatalf("%s is not in the index", c.JID)
		}
		// The detail reads its contact whole in a command.
		if cmd := m.openDetail(row); cmd != nil {
			m.Update(cmd())
		}
		out := ansi.Strip(m.View().Content)
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, "Last change") {
				return l
			}
		}
		t.Fatalf("no Last change line in the detail:\n%s", out)
		return ""
	}

	if _, err := svc.SetLabelColor(app.WithActor(ctx, "painter"), id, 9); err != nil {
		t.Fatal(err)
	}
	if line := lastChangeLine(); !strings.Contains(line, " by painter: recoloured label New customer") {
		t.Errorf("after the recolour: %q", line)
	}
	if _, err := svc.RenameLabel(app.WithActor(ctx, "namer"), id, "Customers", false); err != nil {
		t.Fatal(err)
	}
	if line := lastChangeLine(); !strings.Contains(line, " by namer: renamed label Customers") {
		t.Errorf("after the rename: %q", line)
	}
	note := "called back"
	if _, err := svc.EditContact(app.WithActor(ctx, "caller"), ada, app.ContactEdit{Note: &note}); err != nil {
		t.Fatal(err)
	}
	if line := lastChangeLine(); !strings.HasSuffix(strings.TrimSpace(line), " by caller") {
		t.Errorf("after the contact's own change: %q", line)
	}
}
