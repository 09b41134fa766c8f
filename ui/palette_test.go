package ui

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/wabook/wabook/wa/sim"
)

// The palette finds an action by its help text and runs it as its key
// would: ":" then "sort" then enter sorts the list.
func TestPaletteFindsAndRunsAnAction(t *testing.T) {
	t.Parallel()
	tm := startUI(t, 100, 30)
	tm.Send(press(":"))
	waitFor(t, tm, "Find an action")
	tm.Type("sort")
	// The s sort row under the cursor ("Contacts" is on the tab bar
	// always, and says nothing of the rows).
	f, _ := framesOf.Load(tm)
	sortRow := regexp.MustCompile(`▸ s +sort `)
	f.(*frames).waitFrameFunc(t, "the s sort row", func(f string) bool { return sortRow.MatchString(ansi.Strip(f)) })
	tm.Send(press("enter"))
	waitFor(t, tm, "sort: recently updated")
	_, view := finalView(t, tm)
	if strings.Contains(view, "Find an action") {
		t.Errorf("the palette stayed open:\n%s", view)
	}
}

// The palette's rows are the key tables themselves: on every screen it
// offers each key the screen's table and the keys of every screen handle,
// so it cannot drift from what the keys do.
func TestPaletteOffersEveryKeyOfTheScreen(t *testing.T) {
	t.Parallel()
	m := New(t.Context(), newTestService(t), Options{})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	for _, s := range []screen{screenContacts, screenChecks, screenLabels, screenAccount} {
		m.switchTo(s)
		m.Update(press(":"))
		p, ok := m.topDialog().(*palette)
		if !ok {
			t.Fatalf("%s: : opened %T, not the palette", screenTitles[s], m.topDialog())
		}
		offered := map[string]bool{}
		for _, r := range p.rows {
			offered[r.b.Help().Key+" "+r.b.Help().Desc] = true
		}
		for _, b := range append(handled(m.current().Bindings()), handled(m.globalKeys())...) {
			if !offered[b.Help().Key+" "+b.Help().Desc] {
				t.Errorf("%s: the palette lacks %q (%s)", screenTitles[s], b.Help().Key, b.Help().Desc)
			}
		}
		m.Update(press("esc"))
		if m.topDialog() != nil {
			t.Fatalf("%s: esc left %T open", screenTitles[s], m.topDialog())
		}
	}
}

// A row that cannot act now says why instead of acting, from the palette
// as from its key.
func TestPaletteSaysWhyAnActionCannotRun(t *testing.T) {
	t.Parallel()
	m := New(t.Context(), newTestService(t), Options{})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.switchTo(screenChecks)
	m.Update(press(":"))
	for _, r := range "cancel job" {
		m.Update(press(string(r)))
	}
	m.Update(press("enter"))
	if !strings.Contains(m.flash, "No check job yet") {
		t.Errorf("cancel with no job from the palette: flash %q", m.flash)
	}
}

// The hints tell the truth: while a search is typed the help offers only
// keys that do not type (the arrows, not k/j); the phone prompt offers its
// own keys; on a connected account r and p say why they do nothing.
func TestHintsTellTheTruth(t *testing.T) {
	t.Parallel()
	m := New(t.Context(), newTestService(t), Options{})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	shortKeys := func() []string {
		var ks []string
		for _, b := range m.currentHelp().ShortHelp() {
			ks = append(ks, b.Keys()...)
		}
		return ks
	}
	m.Update(press("/"))
	for _, k := range shortKeys() {
		if len(k) == 1 {
			t.Errorf("typing a search, the help offers %q, which types into the query", k)
		}
	}
	m.Update(press("esc"))

	m.switchTo(screenAccount)
	if !m.status.Connected() {
		t.Fatal("the test world is not connected")
	}
	for _, tt := range []struct{ key, why string }{{"r", "Connected already"}, {"p", "paired already"}} {
		m.Update(press(tt.key))
		if !strings.Contains(m.flash, tt.why) {
			t.Errorf("%s on a connected account: flash %q, want it to say %q", tt.key, m.flash, tt.why)
		}
	}
	for _, k := range shortKeys() {
		if k == "r" || k == "p" {
			t.Errorf("a connected account's help offers %q", k)
		}
	}
}

// The phone prompt's help is the prompt's keys, not the list's.
func TestPhonePromptHintsAreItsOwn(t *testing.T) {
	t.Parallel()
	world, err := sim.LoadWorldFile(filepath.Join("..", "testdata", "unpaired.json"))
	if err != nil {
		t.Fatal(err)
	}
	svc, _ := runService(t, sim.New(world))
	m := New(t.Context(), svc, Options{})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.Update(press("p"))
	var got []string
	for _, b := range m.currentHelp().ShortHelp() {
		got = append(got, b.Help().Key+" "+b.Help().Desc)
	}
	if want := []string{"enter ask for a code", "esc cancel"}; !slices.Equal(got, want) {
		t.Errorf("the phone prompt offers %q, want %q", got, want)
	}
}

// The Labels screen's status bar speaks of labels, not of the contact
// list's counts and sort.
func TestLabelsStatusBarSpeaksOfLabels(t *testing.T) {
	t.Parallel()
	tm := startUI(t, 100, 30)
	tm.Send(press("3"))
	waitFor(t, tm, "WhatsApp label sync")
	m, view := finalView(t, tm)
	bar := strings.Split(view, "\n")[28]
	if strings.Contains(bar, "sort:") || strings.Contains(bar, "contacts") {
		t.Errorf("the Labels screen's status bar: %q", bar)
	}
	if want := fmt.Sprintf("%d label", len(m.labels.labels)); !strings.Contains(bar, want) {
		t.Errorf("status bar %q lacks %q", bar, want)
	}
}

// A palette row runs on the path of a key press: what the bar said before
// (an error come in while the palette was open) goes, and a row that
// cannot act says why, as its key would.
func TestPaletteRunsRowsAsKeysDo(t *testing.T) {
	t.Parallel()
	m := New(t.Context(), newTestService(t), Options{})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	run := func(text string) {
		m.Update(press(":"))
		for _, r := range text {
			m.Update(press(string(r)))
		}
		// An answer comes while the palette is open.
		m.Update(actionMsg{err: errors.New("an old error")})
		m.Update(press("enter"))
	}
	run("sort")
	if m.actionErr != "" {
		t.Errorf("after sort from the palette the error %q stays; the key clears it", m.actionErr)
	}
	m.switchTo(screenChecks)
	run("cancel job")
	if m.actionErr != "" || !strings.Contains(m.flash, "No check job yet") {
		t.Errorf("cancel with no job from the palette: error %q, flash %q", m.actionErr, m.flash)
	}
}

// Every row the palette may run is found again by the key it is run as.
func TestPaletteKeysRoundTrip(t *testing.T) {
	t.Parallel()
	m := New(t.Context(), newTestService(t), Options{})
	for _, sec := range m.KeySections() {
		for _, b := range sec.Keys {
			if k := b.Keys()[0]; pressOf(k).String() != k {
				t.Errorf("%s: the palette runs %q as %q", sec.Title, k, pressOf(k).String())
			}
		}
	}
}

// The palette shows its whole placeholder, faint, and not under the
// cursor (which made its first letter look typed); its box keeps one
// width whatever is typed.
func TestPaletteBoxAndPlaceholder(t *testing.T) {
	t.Parallel()
	m := New(t.Context(), newTestService(t), Options{})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m.Update(press(":"))
	p := m.topDialog().(*palette)
	view := p.View(80, 24)
	if !strings.Contains(ansi.Strip(view), "> "+" type to find an action") {
		t.Errorf("the empty palette does not show its whole placeholder after the cursor:\n%s", ansi.Strip(view))
	}
	width := lipgloss.Width(view)
	for _, r := range "sortzz" {
		m.Update(press(string(r)))
		if w := lipgloss.Width(p.View(80, 24)); w != width {
			t.Errorf("after typing %q the box is %d wide, was %d", p.filter.Value(), w, width)
		}
	}
}
