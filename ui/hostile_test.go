package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/wa/sim"
)

// hostileTexts are names a stranger can choose: terminal escapes of every
// kind, controls, bidi tricks, invisible and combining characters, wide
// characters, and extremes of length.
var hostileTexts = []string{
	"Eve\x1b]52;c;ZXZpbA==\x07\x1b[2J\u202egnp.exe",
	"\x1b[31mred\x1b[0m \x1b[1;1H\x1b[2K home",
	"\x1b]0;pwned title\x07 window",
	"\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\",
	"\x1bP1$r0m\x1b\\ dcs \x1b_apc\x1b\\ \x1b^pm\x1b\\ \x1bXsos\x1b\\",
	"\x1b7\x1b8\x1bc\x1b(0lqqk\x1b(B reset",
	"\u009b31m c1 csi \u009d0;t\u009c \u0085nel",
	"bell\a back\bspace\ttab\nnewline\rcr\x00nul\x7fdel",
	"\u202aembed\u202b \u202dover\u202c \u2066iso\u2069 \u2067rtl\u2068fsi\u2069 \u200f\u200e\u061c",
	"zero\u200bwidth\u200c\u200d\u2060\ufeffjoin",
	"Z\u0351\u0334\u0358a\u0315\u0322l\u0335\u0360g\u035co\u0310\u0327 combining",
	"👨‍👩‍👧‍👦 family 🏳️‍🌈 👍🏽👋🏿 🧑🏻‍💻",
	"山田太郎株式会社カスタマーサポート部門の担当者",
	"مرحبا بالعالم",
	strings.Repeat("Long", 2500),
	"",
	"   ",
}

// hostileWorld puts every hostile text in contact names, about texts, a
// label name and a group name.
func hostileWorld(t *testing.T) *sim.World {
	t.Helper()
	type contact struct {
		Phone, FullName, PushName, BusinessName, About string
	}
	var contacts []map[string]any
	var labels []map[string]any
	var groups []map[string]any
	var phones []string
	for i, text := range hostileTexts {
		phone := fmt.Sprintf("+1415555%04d", 3000+i)
		phones = append(phones, phone)
		contacts = append(contacts, map[string]any{
			"phone": phone, "full_name": text, "push_name": text, "business_name": text, "about": text,
		})
	}
	for i, text := range hostileTexts {
		labels = append(labels, map[string]any{"id": fmt.Sprint(i + 1), "name": text + fmt.Sprint(i), "color": i % 20, "chats": phones})
		groups = append(groups, map[string]any{"jid": fmt.Sprintf("1203630000000%05d@g.us", i), "name": text, "participants": phones})
	}
	raw, err := json.Marshal(map[string]any{
		"account":  map[string]any{"phone": "+14155550100", "push_name": hostileTexts[0], "business": true},
		"contacts": contacts, "labels": labels, "groups": groups,
	})
	if err != nil {
		t.Fatal(err)
	}
	w, err := sim.LoadWorld(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// checkTerminalSafe fails on anything in out that is not text or our own
// styling: every escape sequence must be SGR (ESC [ … m), and no control,
// C1 or bidi character may appear.
func checkTerminalSafe(t *testing.T, where, out string) {
	t.Helper()
	for i := 0; i < len(out); {
		if out[i] == 0x1b {
			if i+1 >= len(out) || out[i+1] != '[' {
				t.Fatalf("%s: escape sequence %q is not styling", where, out[i:min(len(out), i+12)])
			}
			j := i + 2
			for j < len(out) && (out[j] < 0x40 || out[j] > 0x7e) {
				j++
			}
			if j >= len(out) || out[j] != 'm' {
				t.Fatalf("%s: escape sequence %q is not styling", where, out[i:min(len(out), j+1)])
			}
			i = j + 1
			continue
		}
		r, size := utf8.DecodeRuneInString(out[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			t.Fatalf("%s: invalid UTF-8 at %d", where, i)
		case r < 0x20 && r != '\n', r == 0x7f, r >= 0x80 && r <= 0x9f:
			t.Fatalf("%s: control character %U in output", where, r)
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
			t.Fatalf("%s: bidi control %U in output", where, r)
		}
		i += size
	}
}

func TestHostileTextOnEveryScreen(t *testing.T) {
	t.Parallel()
	st, err := store.Open(filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	backend := sim.New(hostileWorld(t))
	ctx, cancel := context.WithCancel(context.Background())
	svc := app.New(st, backend, app.Options{})
	go svc.Run(ctx)
	t.Cleanup(func() { cancel(); backend.Close(); st.Close() })
	syncCtx, done := context.WithTimeout(ctx, 10*time.Second)
	defer done()
	if err := svc.SyncOnce(syncCtx); err != nil {
		t.Fatal(err)
	}
	inputs := append([]string{}, hostileTexts...)
	if _, err := svc.EnqueueCheck(ctx, inputs, app.CheckOptions{}); err != nil {
		t.Fatal(err)
	}

	// A few hidden, for the list under is:hidden.
	if _, _, err := svc.SetHiddenUndoable(ctx, []string{"14155553005@s.whatsapp.net", "14155553011@s.whatsapp.net", "14155553013@s.whatsapp.net"}, true); err != nil {
		t.Fatal(err)
	}
	m := New(t.Context(), svc, Options{Banner: hostileTexts[1]})
	snap, err := svc.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ix := buildIndex(snap)
	ix.hays = buildHaystacks(ix)
	m.loaded = true
	m.installIndex(ix)
	m.checks.Update(m.checks.load()())

	screens := []struct {
		name string
		show func()
	}{
		{"contacts", func() { m.switchTo(screenContacts) }},
		{"contacts searched", func() { m.switchTo(screenContacts); m.contacts.setQuery(hostileTexts[0]) }},
		{"detail", func() {
			m.switchTo(screenContacts)
			m.contacts.setQuery("")
			drive(m, m.openDetail(m.contacts.current()))
		}},
		{"detail of the long name", func() {
			m.switchTo(screenContacts)
			m.contacts.setQuery("LongLong")
			drive(m, m.openDetail(m.contacts.current()))
		}},
		{"label picker", func() {
			m.switchTo(screenContacts)
			m.contacts.setQuery("")
			m.contacts.openLabelPicker(m.contacts.selection())
			m.applyIntents()
		}},
		{"hidden contacts", func() { m.switchTo(screenContacts); m.contacts.setQuery("is:hidden") }},
		{"delete one", func() {
			m.switchTo(screenContacts)
			m.contacts.setQuery("")
			m.contacts.confirmRemove(m.contacts.selection(), nil)
			m.applyIntents()
		}},
		{"hide one", func() {
			m.switchTo(screenContacts)
			m.contacts.setQuery("")
			m.contacts.toggleHidden(m.contacts.selection(), nil)
			m.applyIntents()
		}},
		{"block one", func() {
			m.switchTo(screenContacts)
			m.contacts.setQuery("")
			m.contacts.confirmBlockAll(m.contacts.selection())
			m.applyIntents()
		}},
		{"edit form", func() { m.switchTo(screenContacts); m.contacts.contactForm(wholeCurrent(t, m)); m.applyIntents() }},
		{"delete question", func() {
			m.switchTo(screenContacts)
			m.contacts.confirmDelete(wholeCurrent(t, m), nil)
			m.applyIntents()
		}},
		{"export form", func() { m.switchTo(screenContacts); m.contacts.exportForm(hostileTexts[0], 3); m.applyIntents() }},
		{"import form", func() {
			m.switchTo(screenContacts)
			m.contacts.importForm()
			m.applyIntents()
			f := m.topDialog().(*formDialog)
			f.err, f.fields[0].hint = "Cannot read "+hostileTexts[1], strings.Join(hostileTexts, "  ")
		}},
		{"import plan", func() {
			m.switchTo(screenContacts)
			m.contacts.showImportPlan(importPlanMsg{plan: &app.ImportPlan{New: 1, Invalid: 2, Reasons: hostileTexts}, path: hostileTexts[1]})
			m.applyIntents()
		}},
		{"checks", func() { m.switchTo(screenChecks) }},
		{"checks results invalid, scrolled", func() {
			m.switchTo(screenChecks)
			m.checks.filter, m.checks.focusRes, m.checks.resOffset = filterInvalid, true, 1
		}},
		{"cancel job", func() {
			m.switchTo(screenChecks)
			m.checks.filter, m.checks.focusRes, m.checks.resOffset = filterAll, false, 0
			m.checks.askCancel(*m.checks.selectedJob())
			m.applyIntents()
		}},
		{"checks export form", func() {
			m.switchTo(screenChecks)
			m.checks.askExportPath(*m.checks.selectedJob())
			m.applyIntents()
			f := m.topDialog().(*formDialog)
			f.err, f.fields[0].hint = "Cannot write "+hostileTexts[1], strings.Join(hostileTexts, "  ")
		}},
		{"checks save valid form", func() {
			m.switchTo(screenChecks)
			m.checks.askLabels(*m.checks.selectedJob())
			m.applyIntents()
			m.topDialog().(*formDialog).err = "Label " + hostileTexts[0]
		}},
		{"labels", func() { m.switchTo(screenLabels) }},
		{"new label", func() { m.switchTo(screenLabels); m.labels.newLabelForm(); m.applyIntents() }},
		{"label colour", func() {
			m.switchTo(screenLabels)
			l, _ := m.labels.current()
			m.labels.colorDialog(l)
			m.applyIntents()
		}},
		{"delete label", func() {
			m.switchTo(screenLabels)
			l, _ := m.labels.current()
			m.labels.confirmDeleteLabel(l)
			m.applyIntents()
		}},
		{"rename merge question", func() {
			// A label named as it came, unsanitised, renamed onto
			// another: the question names both.
			m.switchTo(screenLabels)
			other, _ := m.labels.current()
			m.labels.renameLabelForm(model.Label{ID: -1, Name: hostileTexts[0], Count: 2})
			m.applyIntents()
			m.topDialog().(*formDialog).submit([]string{other.Name}, nil)
			m.applyIntents()
			if _, ok := m.topDialog().(*confirmDialog); !ok {
				t.Fatalf("renaming onto %q asks no question", other.Name)
			}
		}},
		{"account", func() { drive(m, m.switchTo(screenAccount)) }}, // with what AccountInfo reads
		{"help", func() { m.switchTo(screenContacts); m.fullHelp = true }},
		{"palette", func() { m.switchTo(screenLabels); m.Update(press(":")) }},
	}
	for _, size := range [][2]int{{80, 24}, {100, 30}, {200, 60}} {
		w, h := size[0], size[1]
		m.Update(tea.WindowSizeMsg{Width: w, Height: h})
		for _, s := range screens {
			m.dialogs, m.fullHelp, m.inDetail = nil, false, false
			s.show()
			out := m.View().Content
			where := fmt.Sprintf("%s at %dx%d", s.name, w, h)
			checkTerminalSafe(t, where, out)
			lines := strings.Split(out, "\n")
			if len(lines) != h {
				t.Errorf("%s: %d lines, want %d", where, len(lines), h)
			}
			for i, l := range lines {
				if lw := lipgloss.Width(l); lw > w {
					t.Errorf("%s: line %d is %d cells wide", where, i+1, lw)
				}
			}
		}
	}
}
