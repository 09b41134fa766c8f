package ui

import (
	"fmt"
	"slices"
	"strings"

	"testing"

	"github.com/charmbracelet/x/ansi"

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

// A label picker longer than the screen says how many labels are above
// and below what it shows, and the cursor's row is always shown.
func TestLabelPickerSaysWhatIsOffScreen(t *testing.T) {
	t.Parallel()
	c := testCommon(t, app.Status{}, false)
	var labels []model.Label
	for i := range 12 {
		labels = append(labels, model.Label{Name: fmt.Sprintf("Label %02d", i)})
	}
	p := newLabelPicker(c, labels, []*model.Contact{{JID: "1@s.whatsapp.net"}}, func(_, _, _ []string) tea.Cmd { return nil })
	const height = 13 // the body at 80x16
	view := ansi.Strip(p.View(80, height))
	if !strings.Contains(view, "↓ 8 more") || strings.Contains(view, "↑") {
		t.Errorf("at the top, want ↓ 8 more:\n%s", view)
	}
	for range 6 {
		p.Update(press("down"))
	}
	view = ansi.Strip(p.View(80, height))
	if !strings.Contains(view, "↑ 3 more") || !strings.Contains(view, "↓ 5 more") || !strings.Contains(view, "Label 06") {
		t.Errorf("on Label 06, want ↑ 3 more and ↓ 5 more:\n%s", view)
	}
	if n := len(strings.Split(view, "\n")); n > height {
		t.Errorf("the picker takes %d lines of %d", n, height)
	}
}

// The label picker's hints follow what typing made of the keys: space
// toggles only while nothing is typed, and once a list is typed neither
// space nor tab toggles (enter applies the list).
func TestLabelPickerHintsFollowTheMode(t *testing.T) {
	t.Parallel()
	c := testCommon(t, app.Status{}, false)
	p := newLabelPicker(c, []model.Label{{Name: "VIP"}, {Name: "Friends"}}, []*model.Contact{{JID: "1@s.whatsapp.net"}}, func(_, _, _ []string) tea.Cmd { return nil })
	hints := func() string {
		var hs []string
		for _, b := range p.ShortHelp() {
			hs = append(hs, b.Help().Key+" "+b.Help().Desc)
		}
		return strings.Join(hs, " · ")
	}
	for _, tt := range []struct{ typed, want, not string }{
		{"", "space/tab toggle", ""},
		{"vi", "tab toggle", "space/tab"},
		{"p, Gold", "enter", "toggle"},
	} {
		for _, r := range tt.typed {
			p.Update(press(string(r)))
		}
		h := hints()
		if !strings.Contains(h, tt.want) || tt.not != "" && strings.Contains(h, tt.not) {
			t.Errorf("typed %q: the hints say %q; want %q, not %q", p.filter.Value(), h, tt.want, tt.not)
		}
		if tt.not != "" && strings.Contains(ansi.Strip(p.View(80, 24)), tt.not) {
			t.Errorf("typed %q: the picker says %q:\n%s", p.filter.Value(), tt.not, ansi.Strip(p.View(80, 24)))
		}
	}
}

// Tab on the «create» row creates the label typed, turned on, as enter
// does there; enter then applies it with the other toggles.
func TestLabelPickerTabOnCreateRowCreates(t *testing.T) {
	t.Parallel()
	c := testCommon(t, app.Status{}, false)
	var added []string
	p := newLabelPicker(c, []model.Label{{Name: "VIP"}}, []*model.Contact{{JID: "1@s.whatsapp.net"}}, func(_ []string, add, _ []string) tea.Cmd {
		added = add
		return nil
	})
	for _, k := range []string{"N", "e", "w"} {
		p.Update(press(k))
	}
	if view := ansi.Strip(p.View(80, 24)); !strings.Contains(view, "create «New»") {
		t.Fatalf("want the create row for New:\n%s", view)
	}
	p.Update(press("tab"))
	if view := ansi.Strip(p.View(80, 24)); strings.Contains(view, "create «New»") || !strings.Contains(view, "New") {
		t.Fatalf("after tab on the create row, want New as a label turned on:\n%s", view)
	}
	p.Update(press("enter"))
	if !slices.Equal(added, []string{"New"}) {
		t.Errorf("enter applied %q, want [New]", added)
	}
}
