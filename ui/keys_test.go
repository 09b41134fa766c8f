package ui

import (
	"reflect"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// Every binding of the keymap has keys and help text; a binding left at its
// zero value would silently do nothing and vanish from the help.
func TestEveryBindingIsDefined(t *testing.T) {
	km := reflect.ValueOf(*DefaultKeyMap())
	for i := 0; i < km.NumField(); i++ {
		b := km.Field(i).Interface().(key.Binding)
		name := km.Type().Field(i).Name
		if len(b.Keys()) == 0 || b.Help().Key == "" || b.Help().Desc == "" {
			t.Errorf("binding %s is not defined", name)
		}
	}
}

// The key sections are the one list of which keys act where: on a screen
// (its sections with the keys that work everywhere) no key means two
// things, every binding of the key map is in some section, and every key a
// screen's short help offers is in that screen's sections.
func TestKeySectionsAreUniqueAndComplete(t *testing.T) {
	km := DefaultKeyMap()
	sections := map[string][]key.Binding{}
	for _, s := range km.Sections() {
		sections[s.Title] = s.Keys
	}
	screens := map[string][]string{
		"contacts":  {"Contacts", "Contacts: change"},
		"searching": {"Search"},
		"detail":    {"Detail"},
		"checks":    {"Checks"},
		"labels":    {"Labels"},
		"account":   {"Account"},
	}
	for screen, titles := range screens {
		meaning := map[string]string{}
		for _, title := range append([]string{"Everywhere"}, titles...) {
			if screen == "searching" && title == "Everywhere" {
				continue // typing a search takes every key but these
			}
			for _, b := range sections[title] {
				for _, k := range b.Keys() {
					if was, ok := meaning[k]; ok && was != b.Help().Desc {
						t.Errorf("%s: %q means %q and %q", screen, k, was, b.Help().Desc)
					}
					meaning[k] = b.Help().Desc
				}
			}
		}
	}
	inSome := map[string]bool{}
	for _, s := range km.Sections() {
		for _, b := range s.Keys {
			inSome[b.Help().Key+" "+b.Help().Desc] = true
		}
	}
	v := reflect.ValueOf(*km)
	for i := 0; i < v.NumField(); i++ {
		b := v.Field(i).Interface().(key.Binding)
		if !inSome[b.Help().Key+" "+b.Help().Desc] {
			t.Errorf("binding %s (%s) is in no section of the full help", v.Type().Field(i).Name, b.Help().Key)
		}
	}

	svc := newTestService(t)
	m := New(t.Context(), svc, Options{})
	shorts := map[string][]key.Binding{
		"contacts": m.contacts.help().short,
		"checks":   m.checks.help().short,
		"labels":   m.labels.help().short,
		"account":  m.account.help(svc.Status()).short,
	}
	for screen, short := range shorts {
		offered := map[string]bool{}
		for _, title := range append([]string{"Everywhere"}, screens[screen]...) {
			for _, b := range sections[title] {
				for _, k := range b.Keys() {
					offered[k] = true
				}
			}
		}
		for _, b := range short {
			if !offered[b.Keys()[0]] {
				t.Errorf("%s's short help offers %q, which its sections do not list", screen, b.Help().Key)
			}
		}
	}
}

// The full help scrolls within its lines: Update keeps the position in
// range, and drawing it changes nothing.
func TestFullHelpScrollIsKeptByUpdateNotView(t *testing.T) {
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
