package ui

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

// The full help never cuts an entry: at every width each key is followed,
// on its line, by its whole description, and no line is wider than the
// screen.
func TestFullHelpEntriesAreWhole(t *testing.T) {
	t.Parallel()
	m := New(t.Context(), newTestService(t), Options{})
	for _, w := range []int{200, 160, 120, 100, 80, 60} {
		m.Update(tea.WindowSizeMsg{Width: w, Height: 60})
		var plain []string
		for _, l := range m.fullHelpLines() {
			plain = append(plain, ansi.Strip(l))
			if lw := lipgloss.Width(l); lw > w {
				t.Errorf("at %d columns a help line is %d cells wide: %q", w, lw, ansi.Strip(l))
			}
			if strings.Contains(l, "…") {
				t.Errorf("at %d columns a help line is cut: %q", w, ansi.Strip(l))
			}
		}
		text := strings.Join(plain, "\n")
		for _, s := range m.KeySections() {
			for _, b := range s.Keys {
				h := b.Help()
				entry := regexp.MustCompile(`(?m)(^|  )` + regexp.QuoteMeta(h.Key) + ` +` + regexp.QuoteMeta(h.Desc) + `( |$)`)
				if !entry.MatchString(text) {
					t.Errorf("at %d columns the %s entry %q %q is not shown whole", w, s.Title, h.Key, h.Desc)
				}
			}
		}
	}
}

// The help takes as many columns as fit the widest entries whole, and no
// more: a column is as wide as its widest block, two cells apart.
func TestHelpColumnsUseEveryColumnThatFits(t *testing.T) {
	t.Parallel()
	blocks := make([]helpBlock, 9)
	for i := range blocks {
		title := fmt.Sprintf("T%d", i)
		blocks[i] = helpBlock{lines: []string{title, strings.Repeat("x", 30), "y"}, width: 30}
	}
	for _, tc := range []struct {
		width, columns int
	}{
		{200, 6}, // 6×30 + 5×2 = 190; 7 columns need 222
		{190, 6},
		{189, 5},
		{80, 2},
		{62, 2},
		{61, 1},
		{20, 1}, // narrower than a block: one column, the block whole
	} {
		lines := helpColumns(blocks, tc.width)
		if got := strings.Count(lines[0], "T"); got != tc.columns {
			t.Errorf("at %d columns the help has %d columns, want %d: %q", tc.width, got, tc.columns, lines[0])
		}
		for _, l := range lines {
			if strings.Count(l, "x") != 30*strings.Count(l, strings.Repeat("x", 30)) {
				t.Errorf("at %d columns an entry is cut: %q", tc.width, l)
			}
		}
	}
}

// Every list marks its cursor row with a visible marker, not only reverse
// video: the label picker, the colour picker, the Labels list and the job
// table each draw exactly one marker, on the row the cursor is on.
func TestEveryListMarksItsCursor(t *testing.T) {
	t.Parallel()
	svc := newTestService(t)
	for _, n := range [][]string{{"+14155550101"}, {"+14155550102", "+14155550103"}} {
		if _, err := svc.EnqueueCheck(t.Context(), n, app.CheckOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	m := New(t.Context(), svc, Options{})
	snap, err := svc.Snapshot(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	ix := buildIndex(snap)
	ix.hays = buildHaystacks(ix)
	m.loaded = true
	m.installIndex(ix)
	m.checks.Update(m.checks.load()())
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})

	down := tea.KeyPressMsg{Code: tea.KeyDown}
	for _, tc := range []struct {
		name string
		show func() // opens the list with the cursor on its second row
		want func() string
	}{
		{"label picker", func() {
			m.switchTo(screenContacts)
			m.contacts.openLabelPicker(m.contacts.selection())
			m.applyIntents()
			m.handleKey(down)
		}, func() string {
			p := m.topDialog().(*labelPicker)
			items, _ := p.visible()
			return items[p.cursor].name
		}},
		{"colour picker", func() {
			m.switchTo(screenLabels)
			l, _ := m.labels.current()
			m.labels.colorDialog(l)
			m.applyIntents()
			m.handleKey(down)
		}, func() string { return model.LabelColorName(m.topDialog().(*colorPicker).cursor) }},
		{"labels", func() { m.switchTo(screenLabels); m.handleKey(down) }, func() string { return m.labels.labels[m.labels.cursor].Name }},
		{"check jobs", func() { m.switchTo(screenChecks); m.handleKey(down) }, func() string {
			return fmt.Sprintf("#%-4d", m.checks.jobs[m.checks.jobCursor].ID)
		}},
	} {
		m.dialogs, m.fullHelp, m.inDetail = nil, false, false
		tc.show()
		want := tc.want()
		var marked []string
		for _, l := range strings.Split(ansi.Strip(m.View().Content), "\n") {
			if strings.Contains(l, cursorMarker) {
				marked = append(marked, l)
			}
		}
		if len(marked) != 1 || !strings.Contains(marked[0], cursorMarker+" ") || !strings.Contains(marked[0], want) {
			t.Errorf("%s: rows with the cursor marker %q, want one, on %q", tc.name, marked, want)
		}
	}
}
