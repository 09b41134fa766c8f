package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/wabook/wabook/app"
)

// The detail shows when the contact was last changed here and by whom,
// the name made safe for the terminal; a contact never changed here shows
// none.
func TestDetailShowsTheLastChangeAndItsAuthor(t *testing.T) {
	t.Parallel()
	svc := newTestService(t)
	ctx := app.WithActor(t.Context(), "ci\x1b[2J\x1b]0;pwned\x07 bot")
	added, err := svc.AddContact(ctx, app.ContactInput{Name: "Changed Here", Phone: "+14155550199"})
	if err != nil {
		t.Fatal(err)
	}
	m := loadedNow(t, svc)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 60})
	find := func(name string) int32 {
		if i := rowNamed(m.ix, name); i >= 0 {
			return i
		}
		t.Fatalf("no %s in the index", name)
		return -1
	}
	lastChangeLine := func(name string) string {
		t.Helper()
		m.switchTo(screenContacts)
		drive(m, m.openDetail(find(name)))
		out := m.View().Content
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(ansi.Strip(l), "Last change") {
				return l
			}
		}
		t.Fatalf("no Last change line in the detail of %s:\n%s", name, ansi.Strip(out))
		return ""
	}

	raw := lastChangeLine("Changed Here")
	line := ansi.Strip(raw)
	want := formatTime(added.LastChangedAt) + " by ci"
	if !strings.Contains(line, want) || !strings.HasSuffix(strings.TrimSpace(line), "bot") {
		t.Errorf("Last change line %q, want %q … bot", line, want)
	}
	for _, bad := range []string{"\x1b[2J", "\x1b]0", "\x07"} {
		if strings.Contains(raw, bad) {
			t.Errorf("the author's %q reached the terminal: %q", bad, raw)
		}
	}

	m.inDetail = false
	if line := ansi.Strip(lastChangeLine("Ada Lovelace")); !strings.Contains(line, "—") || strings.Contains(line, " by ") {
		t.Errorf("a contact never changed here: %q", line)
	}
}
