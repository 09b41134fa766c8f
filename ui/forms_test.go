package ui

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

// loadedModel is the UI over the test world at w×h with the whole book
// loaded, driven by hand (m.Update, drive): no program, no timing.
func loadedModel(t *testing.T, w, h int) *Model {
	t.Helper()
	m := New(t.Context(), newTestService(t), Options{})
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	drive(m, m.load())
	drive(m, m.completeIndex(m.ix))
	return m
}

// pressKeys presses each key in turn and runs what it starts.
func pressKeys(m *Model, ks ...string) {
	for _, k := range ks {
		_, cmd := m.Update(press(k))
		drive(m, cmd)
	}
}

// typeText types s into whatever has the keys, a key at a time.
func typeText(m *Model, s string) {
	for _, r := range s {
		_, cmd := m.Update(press(string(r)))
		drive(m, cmd)
	}
}

// boxText is the text of a frame as one line: no escape codes, no box
// borders, runs of spaces (a wrap) as one, so a wrapped sentence reads whole.
func boxText(view string) string {
	plain := ansi.Strip(view)
	plain = strings.Map(func(r rune) rune {
		if strings.ContainsRune("│╭╮╰╯─", r) {
			return ' '
		}
		return r
	}, plain)
	return strings.Join(strings.Fields(plain), " ")
}

// checkFits fails when the frame is not exactly h lines of at most w cells.
func checkFits(t *testing.T, where, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Errorf("%s: %d lines, want %d", where, len(lines), h)
	}
	for i, l := range lines {
		if lw := lipgloss.Width(l); lw > w {
			t.Errorf("%s: line %d is %d cells wide: %q", where, i+1, lw, ansi.Strip(l))
		}
	}
}

// Questions and messages wrap at 80x24: none is cut, and the dialog stays
// within the screen with its keys in sight.
func TestDialogsWrapAt80x24(t *testing.T) {
	t.Parallel()
	m := loadedModel(t, 80, 24)
	pressKeys(m, "d") // Ada Lovelace, from WhatsApp: hide instead
	view := m.View().Content
	want := "Ada Lovelace comes from WhatsApp and cannot be deleted here. Hide it from the list?"
	if !strings.Contains(boxText(view), want) {
		t.Errorf("the question is not whole:\n%s", ansi.Strip(view))
	}
	checkFits(t, "hide question", view, 80, 24)
	pressKeys(m, "n")

	long := strings.Repeat("a reason that goes on and on ", 8) + "END"
	body := []string{"3 new contacts, 0 updated, 40 rows that cannot be imported.", long}
	for i := range 40 {
		body = append(body, "  row "+string(rune('A'+i%26))+": no phone number")
	}
	d := newMessage(m.contacts.common, "Import rows.csv", body)
	d.action, d.onOK = "imports", func() tea.Cmd { return nil }
	m.contacts.open(d)
	m.applyIntents()
	view = m.View().Content
	text := boxText(view)
	for _, w := range []string{long, "enter imports · esc cancels", "more lines"} {
		if !strings.Contains(text, w) {
			t.Errorf("the message lacks %q:\n%s", w, ansi.Strip(view))
		}
	}
	checkFits(t, "long message", view, 80, 24)
}

// sgrEnd matches an SGR sequence at the end of a string.
var sgrEnd = regexp.MustCompile(`\x1b\[([0-9;]*)m$`)

// styleOf returns the SGR parameters in force where text starts in out.
func styleOf(t *testing.T, out, text string) []string {
	t.Helper()
	i := strings.Index(out, text)
	if i < 0 {
		t.Fatalf("%q not drawn:\n%q", text, out)
	}
	m := sgrEnd.FindStringSubmatch(out[:i])
	if m == nil {
		return nil
	}
	return strings.Split(m[1], ";")
}

// With NO_COLOR (colours dropped, attributes kept) a placeholder still
// looks like one: faint or italic, unlike a value.
func TestPlaceholdersLookLikePlaceholdersWithoutColour(t *testing.T) {
	t.Parallel()
	m := loadedModel(t, 100, 30)
	pressKeys(m, "a")
	var out bytes.Buffer
	w := &colorprofile.Writer{Forward: &out, Profile: colorprofile.Ascii}
	if _, err := w.WriteString(m.View().Content); err != nil {
		t.Fatal(err)
	}
	// Less their first character: the focused field draws it as the cursor.
	for _, placeholder := range []string{"IP, New customer", "1 415 555 0101 (any format)"} {
		params := styleOf(t, out.String(), placeholder)
		if !slices.Contains(params, "2") && !slices.Contains(params, "3") {
			t.Errorf("placeholder %q is drawn as %q under NO_COLOR: like a value", placeholder, params)
		}
	}
}

// The new label's colour starts empty (typing "rose" gives rose, not
// "0rose"); left empty it is the default colour.
func TestNewLabelColourIsNotPrefilled(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, colour string
		want         int
	}{
		{"Roses", "rose", 11},
		{"Plain", "", 0}, // salmon, the default
	} {
		m := loadedModel(t, 80, 24)
		pressKeys(m, "3", "n")
		typeText(m, tt.name)
		pressKeys(m, "tab")
		typeText(m, tt.colour)
		f := m.topDialog().(*formDialog)
		if got := f.fields[1].input.Value(); got != tt.colour {
			t.Fatalf("colour field holds %q after typing %q", got, tt.colour)
		}
		pressKeys(m, "enter")
		if m.actionErr != "" || m.topDialog() != nil {
			t.Fatalf("%s: not created: %q", tt.name, m.actionErr)
		}
		snap, err := m.svc.ReadBook(t.Context(), func(*model.Contact) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		labels := snap.Labels
		i := slices.IndexFunc(labels, func(l model.Label) bool { return l.Name == tt.name })
		if i < 0 || labels[i].Color != tt.want {
			t.Errorf("%s: labels %+v, want colour %d", tt.name, labels, tt.want)
		}
	}
}

// Editing shows the phone as what it is, fixed: no key lands on it, and
// saving does not refuse it.
func TestEditShowsThePhoneReadOnly(t *testing.T) {
	t.Parallel()
	m := loadedModel(t, 80, 24)
	pressKeys(m, "e") // Ada Lovelace
	f := m.topDialog().(*formDialog)
	for _, k := range []string{"tab", "tab", "tab", "tab", "tab", "down", "shift+tab"} {
		if k == "shift+tab" {
			m.Update(tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift})
		} else {
			pressKeys(m, k)
		}
		if f.fields[f.focus].label == "Phone" {
			t.Fatalf("after %s the phone field has the keys", k)
		}
	}
	if text := boxText(m.View().Content); !strings.Contains(text, "Phone +14155550101 (cannot change)") {
		t.Errorf("the phone is not shown as fixed:\n%s", text)
	}
	f.fields[3].input.SetValue("call on Mondays")
	pressKeys(m, "enter")
	if m.topDialog() != nil || m.actionErr != "" {
		t.Fatalf("edit refused: form open %v, error %q, form error %q", m.topDialog() != nil, m.actionErr, f.err)
	}
}

// An error goes once the field it is about is edited.
func TestFormErrorGoesWhenTheFieldChanges(t *testing.T) {
	t.Parallel()
	m := loadedModel(t, 80, 24)
	pressKeys(m, "a")
	typeText(m, "Zed")
	pressKeys(m, "enter")
	if !strings.Contains(boxText(m.View().Content), "A phone number is needed.") {
		t.Fatalf("no error for a missing phone:\n%s", ansi.Strip(m.View().Content))
	}
	pressKeys(m, "tab")
	typeText(m, "+1 415 555 0177")
	if text := boxText(m.View().Content); strings.Contains(text, "A phone number is needed.") {
		t.Errorf("the error stays after the phone was typed:\n%s", text)
	}
}

// A file that cannot be read keeps the import form open, with what was
// typed and why; the file is opened in the command, not on the key.
func TestImportOfAMissingFileKeepsTheForm(t *testing.T) {
	t.Parallel()
	m := loadedModel(t, 80, 24)
	dir := t.TempDir()
	path := filepath.Join(dir, "later.csv")
	pressKeys(m, "i")
	f := m.topDialog().(*formDialog)
	f.fields[0].input.SetValue(path)
	f.fields[1].input.SetValue("Imported")
	_, cmd := m.Update(press("enter"))
	if cmd == nil || m.topDialog() != f {
		t.Fatalf("enter: command %v, form open %v; want the form open, waiting", cmd != nil, m.topDialog() == f)
	}
	drive(m, cmd)
	if m.topDialog() != f || !strings.Contains(f.err, "later.csv") {
		t.Fatalf("a missing file: form open %v, error %q", m.topDialog() == f, f.err)
	}
	if f.fields[0].input.Value() != path || f.fields[1].input.Value() != "Imported" {
		t.Errorf("what was typed is lost: %q, %q", f.fields[0].input.Value(), f.fields[1].input.Value())
	}
	if !strings.Contains(boxText(m.View().Content), "no such file") {
		t.Errorf("the form does not say why:\n%s", ansi.Strip(m.View().Content))
	}
	// Written after enter, before the command runs: only a command that
	// reads it off the Update path finds it.
	_, cmd = m.Update(press("enter"))
	if err := os.WriteFile(path, []byte("name,phone\nZed,+1 415 555 0177\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	drive(m, cmd)
	d, ok := m.topDialog().(*messageDialog)
	if !ok || !strings.Contains(boxText(m.View().Content), "1 new contact") {
		t.Fatalf("no import plan after the file came:\n%s", ansi.Strip(m.View().Content))
	}
	if d.action != "imports" {
		t.Errorf("the plan offers %q", d.action)
	}
}

// The export form chooses its format from a list; the file name follows it
// in the field; an existing file is replaced only after a yes; the result
// fits the status bar at 80 columns.
func TestExportChoosesFormatAndAsksBeforeReplacing(t *testing.T) {
	t.Parallel()
	m := loadedModel(t, 80, 24)
	pressKeys(m, "x")
	f := m.topDialog().(*formDialog)
	text := boxText(m.View().Content)
	for _, w := range []string{"[csv] vcf json", "wabook-contacts.csv"} {
		if !strings.Contains(text, w) {
			t.Errorf("the form lacks %q:\n%s", w, text)
		}
	}
	pressKeys(m, "right")
	if text := boxText(m.View().Content); !strings.Contains(text, "csv [vcf] json") || !strings.Contains(text, "wabook-contacts.vcf") {
		t.Errorf("after → the form shows:\n%s", text)
	}
	dir := filepath.Join(t.TempDir(), strings.Repeat("a-long-folder-name/", 4))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	f.fields[1].input.SetValue(filepath.Join(dir, "book.vcf"))
	pressKeys(m, "right", "space") // json, then round to csv: the name follows
	if got, want := f.fields[1].input.Value(), filepath.Join(dir, "book.csv"); got != want {
		t.Fatalf("file after choosing csv: %q, want %q", got, want)
	}
	pressKeys(m, "left") // json
	path := filepath.Join(dir, "book.json")
	pressKeys(m, "enter")
	data, err := os.ReadFile(path)
	if err != nil || !bytes.HasPrefix(bytes.TrimSpace(data), []byte("[")) {
		t.Fatalf("export to %s: %v, %.40q", path, err, data)
	}
	view := m.View().Content
	lines := strings.Split(view, "\n")
	if bar := ansi.Strip(lines[len(lines)-2]); !strings.Contains(bar, "exported 6 contacts to …/") || !strings.Contains(bar, "book.json") {
		t.Errorf("the status bar does not say where, whole:\n%q", bar)
	}
	checkFits(t, "after export", view, 80, 24)

	// Again, to the same file: a question first; no keeps the file.
	if err := os.WriteFile(path, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, answer := range []string{"n", "y"} {
		pressKeys(m, "x")
		f := m.topDialog().(*formDialog)
		f.fields[1].input.SetValue(path)
		pressKeys(m, "left", "enter")
		q, ok := m.topDialog().(*confirmDialog)
		if !ok || !strings.Contains(boxText(m.View().Content), "exists already. Replace it") {
			t.Fatalf("no question before replacing:\n%s", ansi.Strip(m.View().Content))
		}
		checkFits(t, "replace question", m.View().Content, 80, 24)
		pressKeys(m, answer)
		data, _ := os.ReadFile(path)
		if kept := string(data) == "keep me"; kept != (answer == "n") || m.topDialog() == q {
			t.Errorf("answer %s: file kept %v, question open %v", answer, kept, m.topDialog() == q)
		}
		if answer == "n" {
			// No goes back to the form (TestExportReplaceNoGoesBackToTheForm).
			pressKeys(m, "esc")
		}
	}
}

// Tab completes a path field from its folder's listing, read in a command.
func TestPathFieldsCompleteWithTab(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, name := range []string{"alpha.csv", "alps.vcf", ".hidden.csv"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "data"), 0o700); err != nil {
		t.Fatal(err)
	}
	sep := string(filepath.Separator)
	tests := []struct {
		form, typed, want, hint string
	}{
		{"i", "al", "alp", "alpha.csv alps.vcf"},
		{"i", "alph", "alpha.csv", ""},
		{"i", "d", "data" + sep, ""},
		{"i", "b", "b", "no name starts with «b» there"},
		{"i", "", "", "alpha.csv alps.vcf data" + sep},
		{"x", "alps", "alps.vcf", ""},
		{"x", "beta", "beta.csv", ""}, // made after tab: see below
	}
	for _, tt := range tests {
		m := loadedModel(t, 80, 24)
		pressKeys(m, tt.form)
		f := m.topDialog().(*formDialog)
		i := slices.IndexFunc(f.fields, func(ff *formField) bool { return ff.label == "File" })
		for f.focus != i {
			pressKeys(m, "down")
		}
		f.fields[i].input.SetValue(dir + sep + tt.typed)
		_, cmd := m.Update(press("tab"))
		if tt.typed == "beta" {
			// Made after tab, before its command runs: only a listing
			// read in the command, off the Update path, finds it.
			if err := os.WriteFile(filepath.Join(dir, "beta.csv"), nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		drive(m, cmd)
		if got := f.fields[i].input.Value(); got != dir+sep+tt.want {
			t.Errorf("%s %q: tab gives %q, want %q", tt.form, tt.typed, got, dir+sep+tt.want)
		}
		if f.focus != i {
			t.Errorf("%s %q: tab left the path field", tt.form, tt.typed)
		}
		text := boxText(m.View().Content)
		if tt.hint != "" && !strings.Contains(text, tt.hint) {
			t.Errorf("%s %q: no %q under the field:\n%s", tt.form, tt.typed, tt.hint, text)
		}
		if strings.Contains(text, ".hidden") {
			t.Errorf("%s %q: a hidden file offered", tt.form, tt.typed)
		}
	}
}

// The preview of a typed list shows every change enter applies, the
// labels toggled before the list included.
func TestLabelPickerListPreviewShowsEverything(t *testing.T) {
	t.Parallel()
	c := testCommon(t, app.Status{}, false)
	labels := []model.Label{{Name: "Friends"}, {Name: "VIP", Color: 3}, {Name: "Old"}}
	contact := &model.Contact{JID: "1@s.whatsapp.net", Labels: []string{"Old"}}
	var add, remove []string
	p := newLabelPicker(c, labels, []*model.Contact{contact}, func(_, a, r []string) tea.Cmd {
		add, remove = a, r
		return nil
	})
	p.Update(press("space")) // Friends on
	p.Update(press("down"))
	p.Update(press("down"))
	p.Update(press("space")) // Old off
	for _, r := range "vip, Gold" {
		p.Update(press(string(r)))
	}
	text := boxText(p.View(80, 24))
	for _, w := range []string{"+ Friends", "+ VIP", "+ Gold (new label)", "− Old"} {
		if !strings.Contains(text, w) {
			t.Errorf("the preview lacks %q:\n%s", w, text)
		}
	}
	p.Update(press("enter"))
	if !slices.Equal(add, []string{"Friends", "VIP", "Gold"}) || !slices.Equal(remove, []string{"Old"}) {
		t.Errorf("enter applied +%q −%q", add, remove)
	}
}
