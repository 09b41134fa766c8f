package ui

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wabook/wabook/app/apptest"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/wa"
	"github.com/wabook/wabook/wa/sim"
)

// newTestService mirrors the test world into a fresh database, the way the
// binary does with --sim.
func newTestService(t *testing.T) *app.Service {
	t.Helper()
	svc, _, _ := newTestWorld(t)
	return svc
}

// newTestWorld is newTestService with the simulated backend, to steer it,
// and the mirror, for the tests that set up what the service does not offer.
func newTestWorld(t *testing.T) (*app.Service, *sim.Backend, *store.Store) {
	t.Helper()
	world, err := sim.LoadWorldFile(filepath.Join("..", "testdata", "world.json"))
	if err != nil {
		t.Fatal(err)
	}
	be := sim.New(world)
	svc, st, ctx := apptest.Run(t, be, app.Options{OutboxRetry: time.Millisecond})
	// This test holds the connection: it sends what the UI queues.
	svc.StartOutbox(ctx)
	apptest.Sync(ctx, t, svc)
	return svc, be, st
}

// runService runs a service over be and a fresh database until the test
// ends; the context is the service's.
func runService(t *testing.T, be wa.Backend) (*app.Service, context.Context) {
	t.Helper()
	svc, _, ctx := apptest.Run(t, be, app.Options{OutboxRetry: time.Millisecond})
	// This test holds the connection: it sends what the UI queues.
	svc.StartOutbox(ctx)
	return svc, ctx
}

// unpairedUI is the UI over the unpaired test world (made to pair after
// pairAfter), connecting, with the QR code shown.
func unpairedUI(t *testing.T, pairAfter time.Duration) *teatest.TestModel {
	t.Helper()
	world, err := sim.LoadWorldFile(filepath.Join("..", "testdata", "unpaired.json"))
	if err != nil {
		t.Fatal(err)
	}
	if pairAfter > 0 {
		world.Account.PairAfterMS = int(pairAfter.Milliseconds())
	}
	svc, ctx := runService(t, sim.New(world))
	if err := svc.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	tm := newTestModel(t, New(t.Context(), svc, Options{}), teatest.WithInitialTermSize(100, 45))
	waitFor(t, tm, "Scan with WhatsApp")
	return tm
}

// startUI is the UI over the test world with the whole book loaded (not
// only its first page: keys that need all of it would say loading…).
func startUI(t *testing.T, w, h int) *teatest.TestModel {
	t.Helper()
	tm := newTestModel(t, New(t.Context(), newTestService(t), Options{}), teatest.WithInitialTermSize(w, h))
	waitLoaded(t, tm)
	return tm
}

// waitLoaded waits until the UI has the test world's whole book (6
// contacts), not only its first page: the preview already says "loading…
// 6 contacts", and keys that need the whole book refuse until it is in.
func waitLoaded(t *testing.T, tm *teatest.TestModel) {
	t.Helper()
	waitLoadedAs(t, tm, "6 contacts")
}

// waitLoadedAs is waitLoaded for a book of another size: count is how the
// status bar counts it ("7 contacts").
func waitLoadedAs(t *testing.T, tm *teatest.TestModel, count string) {
	t.Helper()
	f, _ := framesOf.Load(tm)
	f.(*frames).waitFrameFunc(t, "the whole book ("+count+")", func(f string) bool {
		return strings.Contains(f, count) && !strings.Contains(f, "loading…")
	})
}

// waitFor waits until the UI shows text: in a whole frame when the model
// runs with its frames kept (newTestModel), else in the terminal output.
func waitFor(t *testing.T, tm *teatest.TestModel, text string) {
	t.Helper()
	if f, ok := framesOf.Load(tm); ok {
		f.(*frames).waitFrame(t, text)
		return
	}
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(text)) },
		teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
}

func press(text string) tea.KeyPressMsg {
	switch text {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	}
	r := []rune(text)[0]
	return tea.KeyPressMsg{Code: r, Text: text}
}

// finalView quits the program and returns the last frame's text.
func finalView(t *testing.T, tm *teatest.TestModel) (*Model, string) {
	t.Helper()
	tm.Send(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
	var m *Model
	switch final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(type) {
	case *Model:
		m = final
	case *frames:
		m = final.Model
	}
	return m, m.View().Content
}

func TestSearchNarrowsAsYouType(t *testing.T) {
	t.Parallel()
	tests := []struct {
		query      string
		want, gone []string
		count      string
	}{
		{"label:VIP", []string{"Grace Hopper"}, []string{"Ada Lovelace", "Alan T"}, "1 of 6 contacts"},
		{"label:new", []string{"Ada Lovelace", "Alan T"}, []string{"Grace Hopper"}, "2 of 6 contacts"},
		{"-label:vip is:saved", []string{"Ada Lovelace", "山田 太郎"}, []string{"Grace Hopper", "Mallory"}, "3 of 6 contacts"},
		{"group:book", []string{"Ada Lovelace", "Alan T"}, []string{"Grace Hopper"}, "2 of 6 contacts"},
		{"is:blocked", []string{"Mallory Spam"}, []string{"Ada Lovelace"}, "1 of 6 contacts"},
		{"+1 415 555 0104", []string{"Grace Hopper"}, []string{"Ada Lovelace"}, "1 of 6 contacts"},
		// Typed a key at a time, "(" alone matches nothing; the list must
		// not narrow from that empty result once digits follow.
		{"(415) 555-0104", []string{"Grace Hopper"}, []string{"Ada Lovelace"}, "1 of 6 contacts"},
		{"(415)", []string{"Grace Hopper", "Ada Lovelace"}, []string{"Alan T"}, "4 of 6 contacts"},
		{"+1 (415)", []string{"Grace Hopper", "Ada Lovelace"}, []string{"Alan T"}, "4 of 6 contacts"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			tm := startUI(t, 100, 30)
			tm.Send(press("/"))
			tm.Type(tt.query)
			m, view := finalView(t, tm)
			if got := m.contacts.counts(); !strings.HasPrefix(got, tt.count) {
				t.Errorf("%q: status says %q, want %q", tt.query, got, tt.count)
			}
			for _, w := range tt.want {
				if !strings.Contains(view, w) {
					t.Errorf("%q: view lacks %q:\n%s", tt.query, w, view)
				}
			}
			for _, g := range tt.gone {
				if strings.Contains(view, g) {
					t.Errorf("%q: view still shows %q:\n%s", tt.query, g, view)
				}
			}
		})
	}
}

func TestDetailShowsChatIDsWithGroupNames(t *testing.T) {
	t.Parallel()
	tm := startUI(t, 100, 30)
	tm.Send(press("/"))
	tm.Type("lovelace")
	tm.Send(press("enter"))      // keep the filter
	tm.Send(press("enter"))      // open the contact
	waitFor(t, tm, "Hey there!") // read whole in a command
	m, view := finalView(t, tm)
	if !m.inDetail {
		t.Fatal("detail view not open")
	}
	for _, want := range []string{"14155550101@c.us", "120363000000000001@g.us", "Team", "120363000000000002@g.us", "Book club", "211111111111111@lid", "Hey there!"} {
		if !strings.Contains(view, want) {
			t.Errorf("detail lacks %q:\n%s", want, view)
		}
	}
	if strings.Contains(view, "Strangers") {
		t.Errorf("detail lists a group Ada is not in:\n%s", view)
	}
}

func TestHostileNameRendersAsPlainText(t *testing.T) {
	t.Parallel()
	tm := startUI(t, 100, 30)
	tm.Send(press("/"))
	tm.Type("gnp")
	tm.Send(press("enter"))
	tm.Send(press("enter"))
	m, detail := finalView(t, tm)
	m.inDetail = false
	list := m.View().Content
	for name, view := range map[string]string{"list": list, "detail": detail} {
		if !strings.Contains(view, "Evegnp.exe") {
			t.Errorf("%s: the name is not shown as plain text:\n%s", name, view)
		}
		for _, bad := range []string{"\x1b]52", "\x1b[2J", "\u202e", "\a", "ZXZpbA"} {
			if strings.Contains(view, bad) {
				t.Errorf("%s: output contains %q from the name", name, bad)
			}
		}
	}
}

func TestLayoutFitsEverySize(t *testing.T) {
	t.Parallel()
	tm := startUI(t, 100, 30)
	sizes := [][2]int{{80, 24}, {200, 60}, {100, 30}, {60, 15}}
	for _, sz := range sizes {
		tm.Send(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
	}
	m, _ := finalView(t, tm)
	for _, sz := range sizes {
		w, h := sz[0], sz[1]
		m.Update(tea.WindowSizeMsg{Width: w, Height: h})
		for _, setup := range []struct {
			name string
			do   func()
		}{
			{"contacts", func() { m.switchTo(screenContacts) }},
			{"detail", func() { m.switchTo(screenContacts); drive(m, m.openDetail(m.contacts.current())) }},
			{"labels", func() { m.switchTo(screenLabels) }},
			{"account", func() { m.switchTo(screenAccount) }},
			{"help", func() { m.switchTo(screenContacts); m.fullHelp = true }},
		} {
			setup.do()
			view := m.View().Content
			m.fullHelp = false
			lines := strings.Split(view, "\n")
			if len(lines) != h {
				t.Errorf("%dx%d %s: %d lines, want %d", w, h, setup.name, len(lines), h)
			}
			for i, l := range lines {
				if lw := lipgloss.Width(l); lw > w {
					t.Errorf("%dx%d %s: line %d is %d cells wide: %q", w, h, setup.name, i, lw, l)
				}
			}
		}
	}
}

func TestFullHelpShowsEveryKey(t *testing.T) {
	t.Parallel()
	tm := startUI(t, 100, 30)
	tm.Send(press("?"))
	_, view := finalView(t, tm)
	for _, want := range []string{"search", "open", "select", "select all", "sort", "copy JID", "quit", "next screen", "label:vip"} {
		if !strings.Contains(view, want) {
			t.Errorf("full help lacks %q:\n%s", want, view)
		}
	}
}

func TestSelectAndSort(t *testing.T) {
	t.Parallel()
	tm := startUI(t, 100, 30)
	tm.Send(press("space"))
	tm.Send(press("space"))
	tm.Send(press("s"))
	m, view := finalView(t, tm)
	if !strings.Contains(view, "2 selected · sort: recently updated") {
		t.Errorf("status bar does not show the selection and sort:\n%s", view)
	}
	if got := len(m.contacts.selection()); got != 2 {
		t.Errorf("selection has %d contacts, want 2", got)
	}
}

// The preview shown first must be exactly the first page of the full index,
// or the list would jump when the background sort lands.
func TestPreviewIsTheFullIndexFirstPage(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 7, 100, 3000} {
		snap := benchSnapshot(n)
		previews := map[int][]string{}
		for _, page := range []int{1, 30, 100} {
			pre := previewIndex(snap, page)
			if !pre.preview || pre.total != n {
				t.Fatalf("n=%d: preview flag %v, total %d", n, pre.preview, pre.total)
			}
			if want := min(page, n); len(pre.rows) != want {
				t.Fatalf("n=%d page=%d: %d entries, want %d", n, page, len(pre.rows), want)
			}
			previews[page] = jidsOf(pre)
		}
		full := buildIndex(snap)
		for page, jids := range previews {
			for i, jid := range jids {
				if jid != full.jid(int32(i)) {
					t.Fatalf("n=%d page=%d: row %d is %s, full index has %s (%q)", n, page, i, jid, full.jid(int32(i)), full.name(int32(i)))
				}
			}
		}
		// The layout: one arena, each row's strings and search text right
		// after the previous row's, in name order.
		var text, hay uint32
		for i := range full.rows {
			r, h := &full.rows[i], full.hays[i]
			if len(full.chunks) != 1 || r.text != text || h.off != hay {
				t.Fatalf("n=%d: row %d's strings at %d and %d in %d arenas, want %d and %d", n, i, r.text, h.off, len(full.chunks), text, hay)
			}
			text += uint32(r.jidN) + uint32(r.phoneN) + r.nameN
			hay += h.n & spanLen
		}
	}
}

// An unpaired account shows the QR code on the Account screen, pairs after
// the world's pair_after_ms, and its contacts appear without a restart.
func TestUnpairedAccountPairsAndContactsAppear(t *testing.T) {
	t.Parallel()
	tm := unpairedUI(t, 0) // pairs after the world's pair_after_ms
	waitFor(t, tm, "Ada Lovelace")
	m, view := finalView(t, tm)
	if m.screen != screenContacts {
		t.Errorf("after pairing the screen is %d, want the contact list", m.screen)
	}
	if !strings.Contains(view, "Ada Lovelace") || !strings.Contains(view, "connected") {
		t.Errorf("contacts did not appear after pairing:\n%s", view)
	}
}

func TestUnknownFilterValueIsExplained(t *testing.T) {
	t.Parallel()
	tm := startUI(t, 80, 24)
	tm.Send(press("/"))
	tm.Type("is:foo ada")
	m, view := finalView(t, tm)
	if !strings.Contains(view, `unknown is: value "foo"`) {
		t.Errorf("no word on the ignored term:\n%s", view)
	}
	// The other terms still filter.
	if got := m.contacts.counts(); !strings.HasPrefix(got, "1 of 6") {
		t.Errorf("is:foo ada shows %q", got)
	}
}

// Narrowing a search reuses the rows already shown; any other edit starts
// from the whole list. Both must give what a fresh search gives.
func TestIncrementalSearchMatchesAFreshOne(t *testing.T) {
	t.Parallel()
	snap := benchSnapshot(3000)
	ix := buildIndex(snap)
	ix.hays = buildHaystacks(ix)
	typed := newContactList(testCommon(t, app.Status{}, false))
	typed.SetSize(120, 40)
	typed.setIndex(ix)
	pressKey(typed.common, typed, press("/"))
	steps := []string{"m", "ma", "mar", "mar ", "mar 4", "mar", "ma", "-", "-l", "-label:v", "label:v", "label:vi", "", "group:", "group:t", "group:team 1",
		"", "a", "a l", "a la", "a label", "a label:", "a label:v", "a label:vi", "", "i", "is", "is:", "is:b", "is:bu", "is:business"}
	for _, text := range steps {
		typed.search.SetValue(text)
		typed.refilter()
		fresh := newContactList(testCommon(t, app.Status{}, false))
		fresh.SetSize(120, 40)
		fresh.setIndex(ix)
		fresh.setQuery(text)
		if !slices.Equal(typed.shown, fresh.shown) {
			t.Fatalf("after typing %q: %d rows, a fresh search gives %d", text, len(typed.shown), len(fresh.shown))
		}
	}
}
