package ui

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

// A name or a label with an emoji family draws alike under both width
// rules everywhere, not only in the list's rows: the status bar, the
// dialogs that name it, the detail. A line whose width differs between
// the rules shifts its right border or loses its end in a terminal that
// measures the other way (tmux 3.3).
func TestNamesNeverShiftALine(t *testing.T) {
	t.Parallel()
	const zoe = "Zoë 👩‍👩‍👧‍👦 Family"
	svc := newTestService(t)
	if _, _, err := svc.CreateLabel(t.Context(), zoe, 3); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddContact(t.Context(), app.ContactInput{Name: zoe, Phone: "+14155550199", Labels: zoe, Note: zoe}); err != nil {
		t.Fatal(err)
	}
	m := loadedNow(t, svc)
	zoeRow := func() int32 {
		m.contacts.setQuery("")
		if i := rowNamed(m.ix, zoe); i >= 0 {
			return i
		}
		t.Fatal("no Zoë in the index")
		return -1
	}
	// The edit form and the delete question get the contact whole.
	zoeContact := func() *model.Contact {
		cs, err := svc.ContactsByJID(t.Context(), []string{m.ix.jid(zoeRow())})
		if err != nil || len(cs) != 1 {
			t.Fatalf("reading Zoë: %v, %v", cs, err)
		}
		return &cs[0]
	}
	zoeLabel := func() model.Label {
		for _, l := range m.ix.labels {
			if l.Name == zoe {
				return l
			}
		}
		t.Fatal("no Zoë label")
		return model.Label{}
	}
	views := []struct {
		name string
		show func()
	}{
		{"flash", func() {
			m.switchTo(screenLabels)
			m.Update(actionMsg{flash: "created " + zoe})
		}},
		{"error", func() {
			m.switchTo(screenLabels)
			m.Update(actionMsg{err: fmt.Errorf("rename %s: busy", zoe)})
		}},
		{"detail", func() { m.switchTo(screenContacts); drive(m, m.openDetail(zoeRow())) }},
		{"edit form", func() { m.switchTo(screenContacts); m.contacts.contactForm(zoeContact()); m.applyIntents() }},
		{"delete question", func() { m.switchTo(screenContacts); m.contacts.confirmDelete(zoeContact(), nil); m.applyIntents() }},
		{"rename form", func() { m.switchTo(screenLabels); m.labels.renameLabelForm(zoeLabel()); m.applyIntents() }},
		{"merge question", func() {
			m.switchTo(screenLabels)
			m.labels.renameLabelForm(model.Label{ID: -1, Name: zoe + " 2"})
			m.applyIntents()
			m.topDialog().(*formDialog).submit([]string{zoe}, nil)
			m.applyIntents()
		}},
		{"colour", func() { m.switchTo(screenLabels); m.labels.colorDialog(zoeLabel()); m.applyIntents() }},
		{"delete label", func() { m.switchTo(screenLabels); m.labels.confirmDeleteLabel(zoeLabel()); m.applyIntents() }},
	}
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	for _, v := range views {
		m.dialogs, m.inDetail, m.flash, m.actionErr = nil, false, "", ""
		v.show()
		out := m.View().Content
		if !strings.Contains(out, "Zoë") {
			t.Errorf("%s: Zoë is not shown:\n%s", v.name, ansi.Strip(out))
		}
		for i, l := range strings.Split(out, "\n") {
			if joined, wc := model.CellWidth(l, true), model.CellWidth(l, false); joined != wc || wc > 80 {
				t.Errorf("%s: line %d takes %d cells joined, %d rune by rune:\n%s", v.name, i+1, joined, wc, ansi.Strip(l))
			}
		}
	}
	// Its label's contacts are found by the query shown (sanitised for
	// the terminal, so without the family's joiners).
	m.dialogs = nil
	m.Update(showLabelMsg{name: zoe})
	if got := m.contacts.counts(); !strings.HasPrefix(got, "1 of") {
		t.Errorf("the label %q lists %q", zoe, got)
	}
}
