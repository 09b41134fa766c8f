package ui

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
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
	m := loadedNow(t, svc)
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

// What the UI draws reads on dark and light backgrounds alike at every
// colour profile: no text is drawn in black, white or a grey near either
// (the key help used greys 237/239 at 256 colours, black at 16) unless it
// has a background of its own (label chips). Faint text and the basic
// colours follow the terminal's theme.
func TestColoursReadOnDarkAndLight(t *testing.T) {
	t.Parallel()
	svc := newTestService(t)
	if _, err := svc.EnqueueCheck(t.Context(), []string{"+14155550101"}, app.CheckOptions{}); err != nil {
		t.Fatal(err)
	}
	m := New(t.Context(), svc, Options{Banner: "a banner"})
	snap, err := svc.Snapshot(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	ix := buildIndex(snap)
	ix.hays = buildHaystacks(ix)
	m.loaded = true
	m.installIndex(ix)
	m.checks.Update(m.checks.load()())
	// So narrow that the short help ends in its ellipsis.
	m.Update(tea.WindowSizeMsg{Width: 60, Height: 24})
	m.contacts.selected[m.contacts.currentJID()] = true

	screens := []struct {
		name string
		show func()
	}{
		{"contacts", func() { m.switchTo(screenContacts) }},
		{"detail", func() { m.switchTo(screenContacts); drive(m, m.openDetail(m.contacts.current())) }},
		{"help", func() { m.switchTo(screenContacts); m.fullHelp = true }},
		{"checks", func() { m.switchTo(screenChecks) }},
		{"labels", func() { m.switchTo(screenLabels) }},
		{"colour picker", func() {
			m.switchTo(screenLabels)
			l, _ := m.labels.current()
			m.labels.colorDialog(l)
			m.applyIntents()
		}},
		{"account", func() { m.switchTo(screenAccount) }},
		{"label picker", func() {
			m.switchTo(screenContacts)
			m.contacts.openLabelPicker(m.contacts.selection())
			m.applyIntents()
		}},
		{"search", func() { m.switchTo(screenContacts); m.handleKey(tea.KeyPressMsg{Code: '/', Text: "/"}) }},
		{"new check", func() { m.switchTo(screenChecks); m.handleKey(tea.KeyPressMsg{Code: 'n', Text: "n"}) }},
	}
	for _, s := range screens {
		m.dialogs, m.fullHelp, m.inDetail = nil, false, false
		s.show()
		view := m.View().Content
		if !strings.Contains(view, "…") && s.name == "contacts" {
			t.Fatalf("the contacts screen's short help has no ellipsis at 60 columns: the test misses it")
		}
		for _, p := range []colorprofile.Profile{colorprofile.ANSI, colorprofile.ANSI256, colorprofile.TrueColor} {
			var b strings.Builder
			w := &colorprofile.Writer{Forward: &b, Profile: p}
			if _, err := w.WriteString(view); err != nil {
				t.Fatal(err)
			}
			for _, bad := range unreadableColours(b.String()) {
				t.Errorf("%s at %s: text drawn in %s", s.name, p, bad)
			}
		}
	}
}

// unreadableColours lists the SGR sequences of out that set a foreground
// colour unreadable on a dark or on a light background (black, white or a
// grey near them: less than 3:1 against black or white) without setting a
// background.
func unreadableColours(out string) []string {
	var bad []string
	for _, seq := range regexp.MustCompile(`\x1b\[([0-9;:]*)m`).FindAllStringSubmatch(out, -1) {
		ps := strings.FieldsFunc(seq[1], func(r rune) bool { return r == ';' || r == ':' })
		n := func(i int) int {
			if i >= len(ps) {
				return -1
			}
			v, _ := strconv.Atoi(ps[i])
			return v
		}
		fg, hasBg := "", false
		for i := 0; i < len(ps); i++ {
			switch v := n(i); {
			case v == 30 || v == 90 || v == 37 || v == 97:
				fg = seq[0]
			case (v >= 40 && v <= 47) || (v >= 100 && v <= 107):
				hasBg = true
			case v == 38 || v == 48:
				var r, g, b int
				switch n(i + 1) {
				case 5:
					r, g, b = xterm256(n(i + 2))
					i += 2
				case 2:
					r, g, b = n(i+2), n(i+3), n(i+4)
					i += 4
				}
				if v == 48 {
					hasBg = true
				} else if l := luminance(r, g, b); l < 0.1 || l > 0.3 {
					fg = seq[0]
				}
			}
		}
		if fg != "" && !hasBg {
			bad = append(bad, fmt.Sprintf("%q", fg))
		}
	}
	return bad
}

// xterm256 is the colour of an xterm 256-colour index.
func xterm256(i int) (r, g, b int) {
	basic := [16][3]int{{0, 0, 0}, {205, 0, 0}, {0, 205, 0}, {205, 205, 0}, {0, 0, 238}, {205, 0, 205}, {0, 205, 205}, {229, 229, 229},
		{127, 127, 127}, {255, 0, 0}, {0, 255, 0}, {255, 255, 0}, {92, 92, 255}, {255, 0, 255}, {0, 255, 255}, {255, 255, 255}}
	switch {
	case i < 16:
		return basic[i][0], basic[i][1], basic[i][2]
	case i < 232:
		lv := func(c int) int {
			if c == 0 {
				return 0
			}
			return 55 + 40*c
		}
		i -= 16
		return lv(i / 36), lv(i / 6 % 6), lv(i % 6)
	}
	v := 8 + 10*(i-232)
	return v, v, v
}

// luminance is the relative luminance of an sRGB colour (WCAG 2).
func luminance(r, g, b int) float64 {
	lin := func(c int) float64 {
		v := float64(c) / 255
		if v <= 0.03928 {
			return v / 12.92
		}
		return math.Pow((v+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

// A name with an emoji ZWJ family, or letters with vowel signs (one cell
// joined, two rune by rune), never shifts its row: every row of the
// contact list and the Labels list is as wide as the others by the rule
// the terminal draws with (model.CellWidth), and the family's row is
// that wide by both rules, for terminals that join clusters without
// saying so. The Chats column stays at the end of every row.
func TestRowsNeverShift(t *testing.T) {
	t.Parallel()
	svc := newTestService(t)
	for _, l := range []string{"👨‍👩‍👧 Fam", "मीना"} {
		if _, _, err := svc.CreateLabel(t.Context(), l, 3); err != nil {
			t.Fatal(err)
		}
	}
	for _, in := range []app.ContactInput{
		{Name: "Zoë 👩‍👩‍👧‍👦 Family", Phone: "+14155550199", Labels: "👨‍👩‍👧 Fam"},
		{Name: "लक्ष्मी मीना", Phone: "+14155550198", Labels: "मीना"},
		{Name: "Zed 👍🏽 🇺🇸 ❤️", Phone: "+14155550197"},
	} {
		if _, err := svc.AddContact(t.Context(), in); err != nil {
			t.Fatal(err)
		}
	}
	m := loadedNow(t, svc)

	for _, joined := range []bool{false, true} {
		if joined {
			// What a terminal that joins clusters (mode 2027) answers.
			m.Update(tea.ModeReportMsg{Mode: ansi.ModeUnicodeCore, Value: ansi.ModeReset})
		}
		for _, w := range []int{80, 120, 200} {
			m.Update(tea.WindowSizeMsg{Width: w, Height: 30})
			m.switchTo(screenContacts)
			rows := rowsWith(m.View().Content, " +")
			rows = rows[:len(rows)-1] // the status bar
			if len(rows) != 9 {
				t.Fatalf("%d contact rows, want the book's 9:\n%s", len(rows), ansi.Strip(m.View().Content))
			}
			checkRows(t, fmt.Sprintf("contacts at %d, joined %v", w, joined), rows, joined, "Zoë", func(row string) {
				if !regexp.MustCompile(` [0-9]+$`).MatchString(strings.TrimRight(row, " ")) {
					t.Errorf("contacts at %d, joined %v: row %q does not end with its chats", w, joined, row)
				}
			})
			m.switchTo(screenLabels)
			// Rows of labels from WhatsApp end with its ID.
			var rows2 []string
			for _, r := range rowsWith(m.View().Content, "  ") {
				if regexp.MustCompile(`  [0-9]+  [a-z]`).MatchString(r) {
					rows2 = append(rows2, regexp.MustCompile(` label [0-9]+$`).ReplaceAllString(r, ""))
				}
			}
			checkRows(t, fmt.Sprintf("labels at %d, joined %v", w, joined), rows2, joined, "Fam", nil)
		}
	}
}

// rowsWith is the lines of view holding text, without styling.
func rowsWith(view, text string) []string {
	var rows []string
	for _, l := range strings.Split(ansi.Strip(view), "\n") {
		if strings.Contains(l, text) {
			rows = append(rows, l)
		}
	}
	return rows
}

// checkRows fails unless every row is as wide as the first by the rule
// joined names, and the row holding family as wide by both rules.
func checkRows(t *testing.T, where string, rows []string, joined bool, family string, each func(string)) {
	t.Helper()
	var found bool
	want := model.CellWidth(rows[0], joined)
	for _, row := range rows {
		if got := model.CellWidth(row, joined); got != want {
			t.Errorf("%s: row %q is %d cells, the first %d", where, row, got, want)
		}
		if strings.Contains(row, family) {
			found = true
			if g, wc := ansi.StringWidth(row), ansi.StringWidthWc(row); g != wc {
				t.Errorf("%s: row %q is %d cells joined, %d rune by rune", where, row, g, wc)
			}
		}
		if each != nil {
			each(row)
		}
	}
	if !found {
		t.Errorf("%s: no row with %q in %q", where, family, rows)
	}
}
