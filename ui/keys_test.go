package ui

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// Every binding of the keymap has keys and help text; a binding left at its
// zero value would silently do nothing and vanish from the help.
func TestEveryBindingIsDefined(t *testing.T) {
	t.Parallel()
	km := reflect.ValueOf(*DefaultKeyMap())
	for i := 0; i < km.NumField(); i++ {
		b := km.Field(i).Interface().(key.Binding)
		name := km.Type().Field(i).Name
		if len(b.Keys()) == 0 || b.Help().Key == "" || b.Help().Desc == "" {
			t.Errorf("binding %s is not defined", name)
		}
	}
}

// The key tables are the one list of which keys act where: in a table (and,
// for a screen that does not take typing, together with the keys of every
// screen) no key means two things; every binding of the key map acts
// somewhere; every key a screen's short help offers is one its table or
// the keys of every screen handle; and the full help lists every table,
// the dialogs' too. Rows are told apart by what they are (their keys and
// help), not by their help text alone: two rows saying the same on
// different keys are two rows.
func TestKeyTablesAreUniqueAndComplete(t *testing.T) {
	t.Parallel()
	svc := newTestService(t)
	m := New(t.Context(), svc, Options{})
	sections := map[string][]key.Binding{}
	for _, s := range m.KeySections() {
		sections[s.Title] = s.Keys
	}
	for _, title := range []string{"Label picker", "Export form", "Import form"} {
		if len(sections[title]) == 0 {
			t.Errorf("the full help has no keys for the %s", title)
		}
	}
	typing := map[string]bool{"Search": true, "New check": true, "Pairing by phone": true}
	for title, keys := range sections {
		if dialogSections[title] {
			// A dialog's first matching row acts; one that cannot act
			// lets the key through (tab completes a path, else moves on).
			continue
		}
		meaning := map[string]string{}
		all := keys
		if !typing[title] && title != "Everywhere" {
			all = append(slices.Clone(sections["Everywhere"]), keys...)
		}
		for _, b := range all {
			for _, k := range b.Keys() {
				if was, ok := meaning[k]; ok && was != rowID(b) {
					t.Errorf("%s: %q is %s and %s", title, k, was, rowID(b))
				}
				meaning[k] = rowID(b)
			}
		}
	}
	inSome := map[string]bool{}
	for _, keys := range sections {
		for _, b := range keys {
			inSome[rowID(b)] = true
		}
	}
	v := reflect.ValueOf(*m.keys)
	for i := 0; i < v.NumField(); i++ {
		b := v.Field(i).Interface().(key.Binding)
		if !inSome[rowID(b)] {
			t.Errorf("binding %s (%s) acts in no table of the full help", v.Type().Field(i).Name, rowID(b))
		}
	}
	help := strings.Join(m.fullHelpLines(), "\n")
	for title := range sections {
		if !strings.Contains(help, title) {
			t.Errorf("the full help has no section %q", title)
		}
	}

	screens := map[string]Screen{"contacts": m.contacts, "checks": m.checks, "labels": m.labels, "account": m.account, "detail": m.detail}
	for name, s := range screens {
		offered := map[string]bool{}
		for _, b := range append(handled(s.Bindings()), sections["Everywhere"]...) {
			for _, k := range b.Keys() {
				offered[k] = true
			}
		}
		for _, b := range s.ShortHelp() {
			if !offered[b.Keys()[0]] {
				t.Errorf("%s's short help offers %q, which no table handles there", name, b.Help().Key)
			}
		}
	}
}

// The full help scrolls within its lines: Update keeps the position in
// range, and drawing it changes nothing.
func TestFullHelpScrollIsKeptByUpdateNotView(t *testing.T) {
	t.Parallel()
	m := New(t.Context(), newTestService(t), Options{})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 12})
	m.handleKey(tea.KeyPressMsg{Code: '?', Text: "?"})
	for range 500 {
		m.handleKey(tea.KeyPressMsg{Code: 'j', Text: "j"})
	}
	want := len(m.fullHelpLines()) - (12 - m.chromeLines()) + 1
	if m.helpTop != want {
		t.Fatalf("helpTop after scrolling past the end = %d, want %d", m.helpTop, want)
	}
	m.helpTop = want + 50 // as if the terminal grew: View must not fix it
	_ = m.View()
	if m.helpTop != want+50 {
		t.Errorf("View changed helpTop to %d", m.helpTop)
	}
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 12})
	if m.helpTop != want {
		t.Errorf("after a resize helpTop = %d, want %d", m.helpTop, want)
	}
}

// rowID is what a key table's row is: its keys and its help.
func rowID(b key.Binding) string {
	return fmt.Sprintf("%q (%s: %s)", b.Keys(), b.Help().Key, b.Help().Desc)
}

// A key read while the full help is shown closes it and, unless it is esc,
// ? or q (which only close it), acts as it would have without the help.
func TestKeyClosingTheHelpAlsoActs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		key       tea.KeyPressMsg
		searching bool
		screen    screen
	}{
		{tea.KeyPressMsg{Code: '/', Text: "/"}, true, screenContacts},
		{tea.KeyPressMsg{Code: '3', Text: "3"}, false, screenLabels},
		{tea.KeyPressMsg{Code: tea.KeyEscape}, false, screenContacts},
		{tea.KeyPressMsg{Code: '?', Text: "?"}, false, screenContacts},
		{tea.KeyPressMsg{Code: 'q', Text: "q"}, false, screenContacts},
	} {
		t.Run(tc.key.String(), func(t *testing.T) {
			m := New(t.Context(), newTestService(t), Options{})
			m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
			m.handleKey(tea.KeyPressMsg{Code: '?', Text: "?"})
			if !m.fullHelp {
				t.Fatal("? did not open the full help")
			}
			m.handleKey(tc.key)
			if m.fullHelp {
				t.Errorf("%s left the full help open", tc.key)
			}
			if m.contacts.searching != tc.searching || m.screen != tc.screen {
				t.Errorf("after %s: searching %v on screen %d, want %v on %d", tc.key, m.contacts.searching, m.screen, tc.searching, tc.screen)
			}
		})
	}
}
