package ui

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	tea "charm.land/bubbletea/v2"

	"github.com/wabook/wabook/app"
)

// An export never writes one format under another's extension: typing a
// name that names a format chooses it, visibly; a contradiction left (a
// name set without typing) is refused with a clear line.
func TestExportFollowsTheFileExtension(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		name   string
		typed  bool // typed key by key (else set without typing)
		file   string
		choice string // what the form shows after
		wrote  string // the file's first byte, "" when refused
		err    string
	}{
		{"typed json", true, "out.json", "csv vcf [json]", "[", ""},
		{"typed vcf", true, "out.vcf", "csv [vcf] json", "B", ""},
		{"typed no extension", true, "out", "[csv] vcf json", "contact_id", ""},
		{"set json", false, "set.json", "[csv] vcf json", "", "set.json names a json file, but the format chosen is csv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := loadedModel(t, 80, 24)
			pressKeys(m, "x", "down")
			f := m.topDialog().(*formDialog)
			path := filepath.Join(dir, tt.file)
			if tt.typed {
				f.fields[1].input.SetValue("")
				typeText(m, path)
			} else {
				f.fields[1].input.SetValue(path)
			}
			if text := boxText(m.View().Content); !strings.Contains(text, tt.choice) {
				t.Errorf("the form shows:\n%s\nwant %q", text, tt.choice)
			}
			pressKeys(m, "enter")
			data, err := os.ReadFile(path)
			if tt.wrote == "" {
				if err == nil {
					t.Errorf("wrote %.20q; want a refusal", data)
				}
				if m.topDialog() != f || !strings.Contains(f.err, tt.err) {
					t.Errorf("form open %v, error %q; want %q", m.topDialog() == f, f.err, tt.err)
				}
				return
			}
			if err != nil || !bytes.HasPrefix(bytes.ToLower(data), bytes.ToLower([]byte(tt.wrote))) {
				t.Errorf("wrote %v %.30q; want it to start %q", err, data, tt.wrote)
			}
		})
	}
}

// No to "replace?" goes back to the form, with what was typed, to change
// the name; yes replaces.
func TestExportReplaceNoGoesBackToTheForm(t *testing.T) {
	t.Parallel()
	m := loadedModel(t, 80, 24)
	path := filepath.Join(t.TempDir(), "book.csv")
	if err := os.WriteFile(path, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	pressKeys(m, "x")
	f := m.topDialog().(*formDialog)
	f.fields[1].input.SetValue(path)
	pressKeys(m, "enter")
	if _, ok := m.topDialog().(*confirmDialog); !ok {
		t.Fatalf("no question:\n%s", ansi.Strip(m.View().Content))
	}
	pressKeys(m, "n")
	if m.topDialog() != f || f.fields[1].input.Value() != path {
		t.Fatalf("after no: form open %v, file %q:\n%s", m.topDialog() == f, f.fields[1].input.Value(), ansi.Strip(m.View().Content))
	}
	pressKeys(m, "enter", "y")
	if m.topDialog() != nil {
		t.Errorf("after yes a dialog is still open:\n%s", ansi.Strip(m.View().Content))
	}
	if data, _ := os.ReadFile(path); string(data) == "keep me" {
		t.Error("yes did not replace the file")
	}
}

// Adding a number the book has already keeps the form open, with what was
// typed and whose number it is.
func TestAddWithAKnownPhoneKeepsTheForm(t *testing.T) {
	t.Parallel()
	m := loadedModel(t, 80, 24)
	pressKeys(m, "a")
	f := m.topDialog().(*formDialog)
	f.fields[0].input.SetValue("Ada Again")
	f.fields[1].input.SetValue("+1 415 555 0101")
	f.fields[3].input.SetValue("met at the fair")
	pressKeys(m, "enter")
	if m.topDialog() != f {
		t.Fatalf("the form closed:\n%s", ansi.Strip(m.View().Content))
	}
	if !strings.Contains(f.err, `already in the address book as "Ada Lovelace"`) {
		t.Errorf("error %q", f.err)
	}
	if !strings.Contains(boxText(m.View().Content), "Ada Lovelace") {
		t.Errorf("the form does not say whose number it is:\n%s", ansi.Strip(m.View().Content))
	}
	if f.fields[0].input.Value() != "Ada Again" || f.fields[3].input.Value() != "met at the fair" {
		t.Error("what was typed is lost")
	}
	// A new number: added, the form closes.
	f.fields[1].input.SetValue("+1 415 555 0177")
	pressKeys(m, "enter")
	if m.topDialog() != nil {
		t.Errorf("the form stays after a good add: %q", f.err)
	}
}

// "next field" is offered only by a form with another field to go to.
func TestOneFieldFormOffersNoNextField(t *testing.T) {
	t.Parallel()
	c := testCommon(t, app.Status{}, false)
	for _, tt := range []struct {
		f    *formDialog
		next bool
	}{
		{newFormDialog(c, "Rename VIP").addText("New name", "VIP", ""), false},
		{newFormDialog(c, "Two").addText("A", "", "").addText("B", "", ""), true},
	} {
		footer := boxText(tt.f.View(80, 24))
		offered := false
		for _, b := range tt.f.ShortHelp() {
			offered = offered || b.Help().Desc == "next field"
		}
		if strings.Contains(footer, "next field") != tt.next || offered != tt.next {
			t.Errorf("%s: footer %q, short help offers next field %v; want %v", tt.f.title, footer, offered, tt.next)
		}
	}
}

// A form's check ends with the form: esc cancels the call it waits for,
// and "working…" goes.
func TestEscCancelsTheFormsCheck(t *testing.T) {
	t.Parallel()
	svc := newStalledService(t, newTestService(t))
	tm := newTestModel(t, New(t.Context(), svc, Options{}), teatest.WithInitialTermSize(100, 30))
	waitLoaded(t, tm)
	svc.stalled.Store(true)
	tm.Send(press("a"))
	waitFor(t, tm, "Add a contact")
	tm.Send(tea.PasteMsg{Content: "Zed"})
	tm.Send(press("down"))
	tm.Send(tea.PasteMsg{Content: "+14155550177"})
	waitFor(t, tm, "+14155550177")
	tm.Send(press("enter"))
	waitFor(t, tm, "working…")
	// Other reads may hang too (a refresh a notice started): the form's
	// call is the one that must end.
	for deadline := time.Now().Add(5 * time.Second); svc.hangingNow("AddContact") == 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the form's AddContact never reached the service")
		}
	}
	tm.Send(press("esc"))
	f, _ := framesOf.Load(tm)
	f.(*frames).waitFrameFunc(t, "no work in flight", func(s string) bool {
		return strings.Contains(s, "6 contacts") && !strings.Contains(s, "working…")
	})
	if n := svc.hangingNow("AddContact"); n != 0 {
		t.Errorf("%d AddContact calls still hang after esc", n)
	}
}
