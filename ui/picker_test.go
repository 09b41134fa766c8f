package ui

import (
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

// A label picker with no row at all (a book without labels, or a filter
// that matches nothing and creates nothing) takes ↓, tab and space without
// a crash, and toggles nothing.
func TestLabelPickerWithNoRows(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		labels []model.Label
		keys   []string
	}{
		{"no labels", nil, []string{"down", "tab", "down", "down", "space", "tab", "enter"}},
		{"no labels, up then down", nil, []string{"down", "down", "tab", "enter"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := testCommon(t, app.Status{}, false)
			applied := false
			p := newLabelPicker(c, tc.labels, []*model.Contact{{JID: "1@s.whatsapp.net"}}, func(_, _, _ []string) tea.Cmd {
				applied = true
				return nil
			})
			for _, k := range tc.keys {
				p.Update(press(k))
				if p.cursor < 0 {
					t.Fatalf("after %s the cursor is %d", k, p.cursor)
				}
				_ = p.View(80, 24)
			}
			if applied {
				t.Error("enter applied changes no key made")
			}
		})
	}
}
