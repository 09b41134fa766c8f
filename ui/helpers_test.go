package ui

import (
	"cmp"
	"slices"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

// testCommon is what a screen built alone in a test shares: no service,
// the default styles and keys, status st.
func testCommon(t testing.TB, st app.Status, readOnly bool) *common {
	return &common{ctx: t.Context(), st: DefaultStyles(), keys: DefaultKeyMap(), status: st, ix: &index{}, readOnly: readOnly}
}

// viewAt draws the Account screen as it is with status st.
func (a *accountScreen) viewAt(st app.Status) string {
	a.status = st
	return a.View()
}

// shortAt is the Account screen's short help with status st.
func (a *accountScreen) shortAt(st app.Status) []key.Binding {
	a.status = st
	return a.ShortHelp()
}

// setIndex installs ix in the list, as the root does with an index whose
// view was not prepared off the Update path.
func (m *contactList) setIndex(ix *index) { m.setIndexWith(ix, nil) }

// loadedNow is the UI over svc with the whole book read and installed at
// once, for tests that draw screens without running the program.
func loadedNow(t *testing.T, svc Service) *Model {
	t.Helper()
	m := New(t.Context(), svc, Options{})
	ix, err := fullIndex(t.Context(), svc)
	if err != nil {
		t.Fatal(err)
	}
	m.loaded = true
	m.installIndex(ix)
	return m
}

// newCheckForm is the UI over svc at w×h on the Checks screen with the
// new-check form open (n), driven by hand.
func newCheckForm(t *testing.T, svc Service, w, h int) *Model {
	t.Helper()
	m := New(t.Context(), svc, Options{})
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	m.switchTo(screenChecks)
	m.Update(press("n"))
	return m
}

// rowNamed is the row of ix whose contact is named name (its display
// name, as the list shows it: sanitised), -1 when none.
func rowNamed(ix *index, name string) int32 {
	for i := range int32(len(ix.rows)) {
		if ix.name(i) == model.Sanitize(name) {
			return i
		}
	}
	return -1
}

// wholeCurrent is the contact under the list's cursor, read whole from the
// service (the index keeps only what the list shows).
func wholeCurrent(t *testing.T, m *Model) *model.Contact {
	t.Helper()
	jid := m.contacts.currentJID()
	if jid == "" {
		t.Fatal("no contact under the cursor")
	}
	cs, err := m.svc.ContactsByJID(t.Context(), []string{jid})
	if err != nil || len(cs) != 1 {
		t.Fatalf("reading %s: %v, %v", jid, cs, err)
	}
	return &cs[0]
}

// previewIndex picks the first n contacts of a whole snapshot in name
// order in one pass, without sorting the rest: the first page the store
// reads, for tests that start from contacts in memory. Names are compared as stored, as the full index
// compares them (compareRows) and the database orders them.
func previewIndex(snap *app.Snapshot, n int) *index {
	type candidate struct {
		key        uint64
		numberOnly bool
		name       string
		i          int
	}
	less := func(a, b *candidate) bool {
		if a.numberOnly != b.numberOnly {
			return b.numberOnly
		}
		if a.key != b.key {
			return a.key < b.key
		}
		return cmp.Or(compareLower(a.name, b.name), strings.Compare(snap.Contacts[a.i].JID, snap.Contacts[b.i].JID)) < 0
	}
	top := make([]candidate, 0, n+1)
	for i := range snap.Contacts {
		c := &snap.Contacts[i]
		name := c.DisplayName()
		cand := candidate{key: nameKey(name), numberOnly: numberOnly(c), name: name, i: i}
		if len(top) == n && !less(&cand, &top[n-1]) {
			continue
		}
		pos, _ := slices.BinarySearchFunc(top, cand, func(e candidate, t candidate) int {
			if less(&e, &t) {
				return -1
			}
			return 1
		})
		top = slices.Insert(top, pos, cand)
		if len(top) > n {
			top = top[:n]
		}
	}
	page := &app.Snapshot{Labels: snap.Labels, Groups: snap.Groups, Contacts: make([]model.Contact, len(top))}
	for k, cand := range top {
		page.Contacts[k] = snap.Contacts[cand.i]
	}
	return windowIndex(page, len(snap.Contacts), window{laidOut: sortByName})
}
