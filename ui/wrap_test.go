package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// At 80x24 the banner and the reason a search term is ignored are read in
// full: wrapped, not cut at the edge; the screen keeps its height.
func TestLongTextsAreReadInFull(t *testing.T) {
	t.Parallel()
	banner := "wabook pid 4242 has the WhatsApp connection; this one takes over when it quits, and meanwhile queues what it changes"
	m := New(t.Context(), newTestService(t), Options{Banner: banner, ReadOnly: true, Holder: 4242})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	drive(m, m.load())
	drive(m, m.completeIndex(m.ix))
	m.Update(press("/"))
	for _, r := range "is:somethingthatisnotafilterat all ada" {
		m.Update(press(string(r)))
	}
	view := ansi.Strip(m.View().Content)
	flat := strings.Join(strings.Fields(view), " ")
	for _, want := range []string{banner, `unknown is: value "somethingthatisnotafilterat"`} {
		if !strings.Contains(flat, want) {
			t.Errorf("view lacks %q in full:\n%s", want, view)
		}
	}
	lines := strings.Split(m.View().Content, "\n")
	if len(lines) != 24 {
		t.Errorf("%d lines, want 24", len(lines))
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w > 80 {
			t.Errorf("line %d is %d cells wide", i+1, w)
		}
	}
}
