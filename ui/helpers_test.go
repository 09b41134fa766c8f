package ui

import (
	"testing"

	"charm.land/bubbles/v2/key"

	"github.com/wabook/wabook/app"
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
