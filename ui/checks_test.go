package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/app/apptest"
	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/wa/sim"
)

// newCheckingService is the test world with the check queue running fast.
func newCheckingService(t *testing.T, world *sim.World) (*app.Service, *sim.Backend) {
	t.Helper()
	svc, backend, ctx := syncedFastChecks(t, world)
	svc.StartChecker(ctx)
	return svc, backend
}

// syncedFastChecks is the world mirrored into a fresh database, its check
// queue paced at a millisecond with a budget no test reaches, not started.
func syncedFastChecks(t *testing.T, world *sim.World) (*app.Service, *sim.Backend, context.Context) {
	t.Helper()
	backend := sim.New(world, sim.WithCheckLatency(0))
	cfg := app.DefaultConfig()
	cfg.CheckPace = time.Millisecond
	cfg.CheckDailyBudget = 100_000
	svc, _, ctx := apptest.Run(t, backend, app.Options{Config: &cfg})
	t.Cleanup(svc.StopChecker)
	apptest.Sync(ctx, t, svc)
	return svc, backend, ctx
}

func testWorld(t *testing.T) *sim.World {
	t.Helper()
	w, err := sim.LoadWorldFile(filepath.Join("..", "testdata", "world.json"))
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestChecksScreenRunsAPastedList(t *testing.T) {
	t.Parallel()
	svc, backend := newCheckingService(t, testWorld(t))
	tm := newTestModel(t, New(t.Context(), svc, Options{}), teatest.WithInitialTermSize(100, 30))
	waitLoaded(t, tm)
	tm.Send(press("2"))
	tm.Send(press("n"))
	tm.Send(tea.PasteMsg{Content: "+1 (415) 555-0101\n14155550102, +14155550199; not a number\n+1 415 555 0101"})
	tm.Send(tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl})
	waitFor(t, tm, "done")
	m, view := finalView(t, tm)
	for _, want := range []string{"#1", "Results of job #1 (5 numbers)", "valid", "invalid", "14155550102"} {
		if !strings.Contains(view, want) {
			t.Errorf("Checks screen lacks %q:\n%s", want, view)
		}
	}
	// The duplicate was asked once; the impossible number never. (+14155550199
	// is in a group of the world, so it exists.) The account's own number
	// goes along as the canary (issue 9).
	sent := backend.CheckedNumbers()
	slices.Sort(sent)
	if !slices.Equal(sent, []string{"+14155550100", "+14155550101", "+14155550102", "+14155550199"}) {
		t.Errorf("backend was asked %q", sent)
	}
	if j := m.checks.selectedJob(); j == nil || j.Counts.Valid != 4 || j.Counts.Invalid != 1 {
		t.Errorf("job counts: %+v", j)
	}
}

func TestCheckSelectedContacts(t *testing.T) {
	t.Parallel()
	svc, backend := newCheckingService(t, testWorld(t))
	tm := newTestModel(t, New(t.Context(), svc, Options{}), teatest.WithInitialTermSize(100, 30))
	waitLoaded(t, tm)
	tm.Send(press("space"))
	tm.Send(press("space"))
	tm.Send(press("c"))
	waitFor(t, tm, "done")
	m, _ := finalView(t, tm)
	if m.screen != screenChecks {
		t.Errorf("c did not switch to the Checks screen")
	}
	if got := backend.CheckCalls(); got != 1 {
		t.Errorf("%d backend calls for two contacts, want 1 batch", got)
	}
	if j := m.checks.selectedJob(); j == nil || j.Total != 2 || j.Counts.Valid != 2 {
		t.Errorf("job: %+v", j)
	}
}

func TestNewCheckRefusesBadInput(t *testing.T) {
	t.Parallel()
	svc, _ := newCheckingService(t, testWorld(t))
	m := newCheckForm(t, svc, 100, 30)
	m.Update(tea.PasteMsg{Content: strings.Repeat("+14155550101\n", maxPaste/13+1)})
	if !strings.Contains(m.checks.err, "Save the list to a file") || m.checks.numbers.Value() != "" {
		t.Errorf("huge paste: err %q, box holds %d bytes", m.checks.err, len(m.checks.numbers.Value()))
	}
	m.Update(press("tab"))
	m.checks.file.SetValue(filepath.Join(t.TempDir(), "missing.csv"))
	m.Update(press("enter"))
	if m.checks.mode != checksNewJob || !strings.Contains(m.checks.err, "missing.csv") {
		t.Errorf("missing file: mode %d, err %q", m.checks.mode, m.checks.err)
	}
	jobs, _ := svc.Jobs(context.Background())
	if len(jobs) != 0 {
		t.Errorf("bad input created %d jobs", len(jobs))
	}
}

// WhatsApp's rate-overlimit pauses the queue, and the Checks screen says so.
func TestChecksScreenShowsRateLimitPause(t *testing.T) {
	t.Parallel()
	world := testWorld(t)
	world.RateLimit = &sim.RateLimit{Numbers: 20, PerS: 3600}
	svc, _ := newCheckingService(t, world)
	numbers := make([]string, 60)
	for i := range numbers {
		numbers[i] = fmt.Sprintf("+1415555%04d", 2000+i)
	}
	if _, err := svc.EnqueueCheck(context.Background(), numbers, app.CheckOptions{}); err != nil {
		t.Fatal(err)
	}
	tm := newTestModel(t, New(t.Context(), svc, Options{}), teatest.WithInitialTermSize(120, 30))
	waitLoaded(t, tm)
	tm.Send(press("2"))
	waitFor(t, tm, "WhatsApp asked to slow down")
	// The checker's state and the jobs are read one after the other: the
	// job's row catches up with its batch in a later load.
	waitFor(t, tm, "19/60")
	m, view := finalView(t, tm)
	if m.checks.checker.BackoffUntil.IsZero() || !strings.Contains(view, "Paused") {
		t.Errorf("no pause shown:\n%s", view)
	}
	// The first batch is 19 numbers and the canary (issue 9).
	if j := m.checks.selectedJob(); j == nil || j.Counts.Valid+j.Counts.Invalid != 19 {
		t.Errorf("job after the first batch: %+v", j)
	}
}

// A server that answers "not on WhatsApp" for everything trips the canary,
// and the Checks screen says when; nothing is stored invalid.
func TestChecksScreenShowsCanaryTrip(t *testing.T) {
	t.Parallel()
	world := testWorld(t)
	world.RateLimit = &sim.RateLimit{Numbers: 1000, PerS: 3600}
	world.ThrottleLiesAfter = 20
	numbers := make([]string, 60)
	for i := range numbers {
		numbers[i] = fmt.Sprintf("+1415555%04d", 2000+i)
	}
	world.Registered = append(world.Registered, numbers...)
	svc, _ := newCheckingService(t, world)
	if _, err := svc.EnqueueCheck(context.Background(), numbers, app.CheckOptions{}); err != nil {
		t.Fatal(err)
	}
	tm := newTestModel(t, New(t.Context(), svc, Options{}), teatest.WithInitialTermSize(120, 30))
	waitLoaded(t, tm)
	tm.Send(press("2"))
	waitFor(t, tm, "Canary tripped 1 time")
	// The checker's state and the jobs are read one after the other: the
	// job's row catches up with its batch in a later load.
	waitFor(t, tm, "19/60")
	m, view := finalView(t, tm)
	// The pause gives the checker's reason, not a rate limit's.
	flat := strings.Join(strings.Fields(ansi.Strip(view)), " ")
	if !strings.Contains(flat, `came back "not on WhatsApp"`) || strings.Contains(flat, "asked to slow down") {
		t.Errorf("the pause does not say the canary tripped:\n%s", view)
	}
	if j := m.checks.selectedJob(); j == nil || j.Counts.Invalid != 0 || j.Counts.Valid != 19 || j.Counts.Processing != 60-19 {
		t.Errorf("job after the trip: %+v", j)
	}
}

// drive runs a command and every command that follows from it, feeding the
// messages back, as the program would (minus the concurrency).
func drive(m *Model, cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	msg := cmd()
	switch msg := msg.(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			drive(m, c)
		}
	default:
		if _, ok := msg.(noticeMsg); ok {
			return // notices wait on the service; not here
		}
		_, next := m.Update(msg)
		drive(m, next)
	}
}

func TestNewJobIsSelected(t *testing.T) {
	t.Parallel()
	svc, _ := newCheckingService(t, testWorld(t))
	m := New(t.Context(), svc, Options{})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	drive(m, m.load())
	m.switchTo(screenChecks)
	for _, numbers := range []string{"+14155550101", "+14155550104\n+14155550102"} {
		_, cmd := m.Update(press("n"))
		drive(m, cmd)
		m.Update(tea.PasteMsg{Content: numbers})
		_, cmd = m.Update(tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl})
		drive(m, cmd)
	}
	drive(m, m.checks.load())
	j := m.checks.selectedJob()
	if j == nil || j.ID != 2 || j.Total != 2 || m.checks.resultsOf != 2 {
		t.Fatalf("selected job %+v, results of %d; want the new job 2", j, m.checks.resultsOf)
	}
}

// The Checks screen gives the checker's own reason for a pause, whole, at
// 80 columns, and counts in singular where there is one.
func TestChecksScreenPauseReasons(t *testing.T) {
	t.Parallel()
	until := time.Date(2026, 3, 1, 15, 4, 5, 0, time.Local)
	trip := time.Date(2026, 3, 1, 15, 3, 5, 0, time.Local)
	cfg := app.DefaultConfig()
	base := app.CheckerStatus{Running: true, BudgetLeft: 1000, BudgetTotal: 1000, Settings: cfg, Canary: "+14155550100"}
	canary := `the canary +14155550100 came back "not on WhatsApp": WhatsApp may be throttling checks; nothing stored, waiting 1m0s, until 15:04:05`
	throttle := `two canaries in a row came back "not on WhatsApp": WhatsApp is throttling checks; nothing stored, waiting 4m0s, until 15:04:05`
	soft := "WhatsApp answered none of the 19 numbers asked (a soft rate limit): waiting 1m0s, until 15:04:05"
	rate := "WhatsApp asked to slow down (rate-overlimit): waiting 1m0s, until 15:04:05"
	failed := "checking failed (wm: usync query: info query timed out); retrying at 15:04:05"
	tests := []struct {
		name  string
		mod   func(*app.CheckerStatus)
		want  []string
		gone  []string
		lines int // header lines expected
	}{
		{"canary trip", func(s *app.CheckerStatus) {
			s.Paused, s.BackoffUntil, s.CanaryTrips, s.LastCanaryTrip = canary, until, 1, trip
		}, []string{"Paused: " + canary + ".", "Canary tripped 1 time (Mar 1 15:03:05): that batch was not believed"},
			[]string{"slow down", "1 times"}, 4},
		{"two trips, a throttle", func(s *app.CheckerStatus) {
			s.Paused, s.BackoffUntil, s.CanaryTrips, s.LastCanaryTrip = throttle, until, 2, trip
		}, []string{"Paused: " + throttle + ".", "Canary tripped 2 times (last Mar 1 15:03:05): those batches were not believed"},
			[]string{"slow down"}, 4},
		{"soft rate limit", func(s *app.CheckerStatus) { s.Paused, s.BackoffUntil = soft, until },
			[]string{"Paused: " + soft + "."}, []string{"slow down", "Canary"}, 3},
		{"rate-overlimit", func(s *app.CheckerStatus) { s.Paused, s.BackoffUntil = rate, until },
			[]string{"Paused: " + rate + "."}, []string{"Canary"}, 3},
		{"call failure", func(s *app.CheckerStatus) { s.Paused, s.BackoffUntil = failed, until },
			[]string{"Paused: " + failed + "."}, []string{"slow down"}, 3},
		{"backoff without a reason", func(s *app.CheckerStatus) { s.BackoffUntil = until },
			[]string{"Paused: sending again at 15:04:05."}, []string{"slow down"}, 2},
		{"another process, its reason", func(s *app.CheckerStatus) { s.Running, s.Paused, s.BackoffUntil = false, rate, until },
			[]string{"Paused: " + rate + "."}, []string{"Another wabook"}, 3},
		{"another process, sending", func(s *app.CheckerStatus) { s.Running = false },
			[]string{"Another wabook runs the queue.", "Budget 1000 of 1000"}, []string{"Paused"}, 2},
		{"sending", func(s *app.CheckerStatus) {}, []string{"Budget 1000 of 1000 numbers left today"}, []string{"Paused"}, 1},
		{"no canary", func(s *app.CheckerStatus) {
			s.Canary, s.NoCanary = "", "no canary: no WhatsApp contact confirmed within 30d, and WhatsApp does not answer for the account's own number"
		},
			[]string{"Running without a canary: no WhatsApp contact confirmed within 30d, and WhatsApp does not answer for the account's own number"}, []string{"Paused"}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newChecksScreen(testCommon(t, app.Status{}, false))
			c.SetSize(80, 21)
			st := base
			tt.mod(&st)
			c.checker = st
			c.jobs = []app.Job{{ID: 1, State: app.JobRunning, Total: 1, Counts: app.JobCounts{Processing: 1}}}
			view := ansi.Strip(c.View())
			lines := strings.Split(view, "\n")
			for _, l := range lines {
				if w := ansi.StringWidth(l); w > 80 {
					t.Errorf("line of %d cells: %q", w, l)
				}
				if strings.HasSuffix(l, "…") {
					t.Errorf("line cut: %q", l)
				}
			}
			if got := len(c.headerLines()); got != tt.lines {
				t.Errorf("%d header lines, want %d:\n%s", got, tt.lines, view)
			}
			// Wrapped lines read as one text.
			flat := strings.Join(strings.Fields(view), " ")
			for _, w := range tt.want {
				if !strings.Contains(flat, w) {
					t.Errorf("view lacks %q:\n%s", w, view)
				}
			}
			for _, g := range tt.gone {
				if strings.Contains(flat, g) {
					t.Errorf("view has %q:\n%s", g, view)
				}
			}
			if !strings.Contains(flat, "Results of job #1 (1 number)") {
				t.Errorf("results title not singular:\n%s", view)
			}
			if got := len(lines); got > 21 {
				t.Errorf("%d lines in a body of 21:\n%s", got, view)
			}
		})
	}
}

// The new-check form reads a file of numbers off the Update path: submit
// only returns the command that reads it; a missing file leaves the form
// open with the error; a good one queues the job.
func TestCheckFormReadsItsFileOffTheUpdatePath(t *testing.T) {
	t.Parallel()
	svc := newTestService(t)
	m := New(t.Context(), svc, Options{})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	c := m.checks
	c.mode = checksNewJob
	c.file.SetValue(filepath.Join(t.TempDir(), "missing.txt"))
	cmd := c.submit()
	if cmd == nil || c.mode != checksNewJob {
		t.Fatalf("submit with a file: cmd %v, mode %v; want a command and the form still open", cmd, c.mode)
	}
	m.Update(cmd())
	if c.mode != checksNewJob || !strings.Contains(c.err, "missing.txt") {
		t.Fatalf("a missing file: mode %v, error %q; want the form open saying so", c.mode, c.err)
	}
	good := filepath.Join(t.TempDir(), "numbers.txt")
	if err := os.WriteFile(good, []byte("+1 415 555 0101\n+1 415 555 0177\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c.file.SetValue(good)
	_, next := m.Update(c.submit()())
	if c.mode != checksBrowse || next == nil {
		t.Fatalf("a good file: mode %v; want the job being queued", c.mode)
	}
	m.Update(next())
	jobs, err := svc.Jobs(t.Context())
	if err != nil || len(jobs) != 1 || jobs[0].Total != 2 {
		t.Fatalf("jobs after the file: %+v, %v", jobs, err)
	}
}

// formOnlyService answers what the new-check form asks while typing (the
// default region); nothing else is called.
type formOnlyService struct{ Service }

func (formOnlyService) Region() string { return "US" }

// typingBox is a Checks screen at 80x24 whose new-check box holds n lines.
func typingBox(tb testing.TB, n int) *checksScreen {
	c := newChecksScreen(&common{ctx: tb.Context(), svc: formOnlyService{}, st: DefaultStyles(), keys: DefaultKeyMap(), ix: &index{}})
	c.SetSize(80, 21)
	c.openForm()
	nums := make([]string, n)
	for i := range nums {
		nums[i] = fmt.Sprintf("+1415555%04d", i%10_000)
	}
	if n > 0 {
		c.Update(tea.PasteMsg{Content: strings.Join(nums, "\n") + "\n"})
	}
	return c
}

// Typing a number into the box costs the same whatever the box already
// holds (issue 13: 300 lines typed through tmux took 17 s).
//
//	go test ./ui -run x -bench TypingIntoChecksBox -benchmem
func BenchmarkTypingIntoChecksBox(b *testing.B) {
	for _, n := range []int{0, 300, 3000, 9000} {
		b.Run(fmt.Sprintf("lines=%d", n), func(b *testing.B) {
			c := typingBox(b, n)
			// A digit, a new line, and both taken back: the box keeps
			// its size however long the benchmark runs.
			keys := []tea.KeyPressMsg{press("5"), {Code: tea.KeyEnter}, {Code: tea.KeyBackspace}, {Code: tea.KeyBackspace}}
			b.ResetTimer()
			for i := range b.N {
				c.Update(keys[i%len(keys)])
				_ = c.View()
			}
		})
	}
}

// resultsModel is the UI at w×h on the Checks screen showing job 7 and
// results: ten valid, ten invalid with a long note, ten failed and ten
// cancelled. Nothing is read from the service after it starts.
func resultsModel(t *testing.T, w, h int) *Model {
	t.Helper()
	svc, _ := idleCheckingService(t, testWorld(t))
	m := New(t.Context(), svc, Options{})
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	m.switchTo(screenChecks)
	var results []model.CheckResult
	for i := range 40 {
		r := model.CheckResult{Input: fmt.Sprintf("+1415555%04d", i), Phone: fmt.Sprintf("+1415555%04d", i)}
		switch i % 4 {
		case 0:
			r.Status, r.WAID = model.CheckValid, r.Phone[1:]
		case 1:
			r.Input, r.Phone = fmt.Sprintf("555%04d", i), ""
			r.Status, r.Error = model.CheckInvalid, "no country code (start with + or give a region)"
		case 2:
			r.Status, r.Error = model.CheckFailed, "no answer"
		case 3:
			r.Status, r.Error = model.CheckFailed, app.CancelledError
		}
		results = append(results, r)
	}
	job := app.Job{ID: 7, State: app.JobCancelled, Total: 40,
		Counts: app.JobCounts{Valid: 10, Invalid: 10, Failed: 10, Cancelled: 10}}
	m.Update(checksLoadedMsg{jobs: []app.Job{job}, withResults: true, results: results, jobID: 7})
	return m
}

// resultRowsOf is the result rows of a frame (lines starting with an
// input of resultsModel), without styling.
func resultRowsOf(frame string) []string {
	var rows []string
	for _, l := range strings.Split(ansi.Strip(frame), "\n") {
		if f := strings.Fields(l); len(f) > 0 && (strings.HasPrefix(f[0], "+1415555") || strings.HasPrefix(f[0], "555")) {
			rows = append(rows, l)
		}
	}
	return rows
}

// f cycles the results through valid, invalid, failed, cancelled and all;
// the title says which are shown (issue 13, point 10).
func TestChecksResultsFilter(t *testing.T) {
	t.Parallel()
	m := resultsModel(t, 100, 80)
	for _, tt := range []struct {
		title, status, note string
	}{
		{"Results of job #7: 10 valid of 40", "valid", ""},
		{"Results of job #7: 10 invalid of 40", "invalid", "no country code"},
		{"Results of job #7: 10 failed of 40", "failed", "no answer"},
		{"Results of job #7: 10 cancelled of 40", "failed", "cancelled"},
		{"Results of job #7 (40 numbers)", "", ""},
	} {
		m.Update(press("f"))
		frame := m.View().Content
		if !strings.Contains(ansi.Strip(frame), tt.title) {
			t.Errorf("after f, no %q:\n%s", tt.title, ansi.Strip(frame))
			continue
		}
		rows := resultRowsOf(frame)
		want := 10
		if tt.status == "" {
			want = 40
		}
		if len(rows) != want {
			t.Errorf("%s: %d rows shown, want %d:\n%s", tt.title, len(rows), want, ansi.Strip(frame))
		}
		for _, r := range rows {
			if tt.status != "" && (strings.Fields(r)[1] != tt.status && (len(strings.Fields(r)) < 3 || strings.Fields(r)[2] != tt.status)) {
				t.Errorf("%s: row %q", tt.title, r)
			}
		}
		if tt.note != "" && !strings.Contains(flatText(frame), tt.note) {
			t.Errorf("%s: no note %q", tt.title, tt.note)
		}
	}
}

// At 80x24 the results scroll with a line saying which rows show and that
// more are above or below, and a long note wraps whole under its row
// instead of being cut (issue 13, points 1 and 10).
func TestChecksResultsScrollAndNotes(t *testing.T) {
	t.Parallel()
	m := resultsModel(t, 80, 24)
	frame := m.View().Content
	if lines := strings.Split(frame, "\n"); len(lines) != 24 {
		t.Fatalf("%d lines, want 24", len(lines))
	}
	if !strings.Contains(flatText(frame), "no country code (start with + or give a region)") {
		t.Errorf("the note is cut:\n%s", ansi.Strip(frame))
	}
	if !strings.Contains(frame, "rows 1–") || !strings.Contains(frame, "of 40 · ↓ more") {
		t.Errorf("no row indicator:\n%s", ansi.Strip(frame))
	}
	m.Update(press("enter"))
	m.Update(press("G"))
	frame = m.View().Content
	if !strings.Contains(frame, "–40 of 40 · ↑ more") || strings.Contains(frame, "↓ more") {
		t.Errorf("at the end, the indicator:\n%s", ansi.Strip(frame))
	}
	if rows := resultRowsOf(frame); len(rows) == 0 || strings.Fields(rows[len(rows)-1])[0] != "+14155550039" {
		t.Errorf("the last result is not shown:\n%s", ansi.Strip(frame))
	}
	// Page by page from the top, every result shows once.
	m.Update(press("g"))
	seen := map[string]bool{}
	for range 40 {
		for _, r := range resultRowsOf(m.View().Content) {
			seen[strings.Fields(r)[0]] = true
		}
		m.Update(tea.KeyPressMsg{Code: tea.KeyPgDown})
	}
	if len(seen) != 40 {
		t.Errorf("paging showed %d of 40 results", len(seen))
	}
}

// The status bar on the Checks screen tells the job as it stands: not the
// contact list's counts, and not "numbers to ask" once it is done (issue
// 13, point 3).
func TestChecksStatusBarTellsTheJob(t *testing.T) {
	t.Parallel()
	svc, _ := newCheckingService(t, testWorld(t))
	tm := newTestModel(t, New(t.Context(), svc, Options{}), teatest.WithInitialTermSize(100, 30))
	waitLoaded(t, tm)
	tm.Send(press("2"))
	waitFor(t, tm, "No checks yet")
	tm.Send(press("n"))
	tm.Send(tea.PasteMsg{Content: "+14155550101\n+14155550102\nnot a number"})
	tm.Send(tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl})
	waitFor(t, tm, "done")
	_, view := finalView(t, tm)
	lines := strings.Split(ansi.Strip(view), "\n")
	bar := lines[len(lines)-2]
	if !strings.Contains(bar, "job #1 done: 2 valid · 1 invalid") {
		t.Errorf("status bar %q does not tell the job done", bar)
	}
	for _, bad := range []string{"to ask WhatsApp", "contacts", "sort:"} {
		if strings.Contains(bar, bad) {
			t.Errorf("status bar says %q: %q", bad, bar)
		}
	}
}

// A paste refused at 80 columns says its advice whole (issue 13, point 1).
func TestPasteRefusalWraps(t *testing.T) {
	t.Parallel()
	svc, _ := idleCheckingService(t, testWorld(t))
	m := newCheckForm(t, svc, 80, 24)
	m.Update(tea.PasteMsg{Content: strings.Repeat("+14155550101\n", 10_500)})
	frame := m.View().Content
	if !strings.Contains(flatText(frame), "Save the list to a file and give its path instead.") {
		t.Errorf("the advice is cut:\n%s", ansi.Strip(frame))
	}
	if !strings.Contains(frame, "ctrl+s starts the check") {
		t.Errorf("the form's keys were pushed off:\n%s", ansi.Strip(frame))
	}
}

// The box keeps only the lines near the cursor, whatever the list's
// length, so a key costs the same in a box of 5 000 lines as in an empty
// one; the earlier lines are counted above it, kept, and come back when
// the cursor goes up to them (issue 13; BenchmarkTypingIntoChecksBox).
func TestChecksBoxKeepsFewLines(t *testing.T) {
	t.Parallel()
	nums := make([]string, 5000)
	for i := range nums {
		nums[i] = fmt.Sprintf("+1415555%04d", i)
	}
	typeText := func(c *checksScreen, s string) {
		for _, r := range s {
			c.Update(press(string(r)))
		}
	}
	c := typingBox(t, 5000)
	if view := ansi.Strip(c.View()); !strings.Contains(view, "+14155554999") {
		t.Errorf("after the paste the box does not show its end:\n%s", view)
	}
	typeText(c, "+14155559999")
	if n, most := c.numbers.LineCount(), c.boxKeep()+boxSlack; n > most {
		t.Errorf("the box holds %d lines, want at most %d", n, most)
	}
	if want := strings.Join(nums, "\n") + "\n+14155559999"; c.numbersText() != want {
		t.Errorf("the numbers changed: %d lines", strings.Count(c.numbersText(), "\n")+1)
	}
	if view := ansi.Strip(c.View()); !strings.Contains(view, "more lines above the box") {
		t.Errorf("the lines above are not counted:\n%s", view)
	}
	c.Update(tea.KeyPressMsg{Code: tea.KeyHome, Mod: tea.ModCtrl})
	if len(c.held) != 0 || c.numbers.Line() != 0 || c.numbers.LineCount() != 5001 {
		t.Errorf("ctrl+home: %d held, cursor on line %d of %d", len(c.held), c.numbers.Line(), c.numbers.LineCount())
	}

	// Up from the end a hundred times, then type: the line typed into is
	// the hundredth from the end, held or not.
	c = typingBox(t, 500)
	for range 100 {
		c.Update(tea.KeyPressMsg{Code: tea.KeyUp})
	}
	typeText(c, "X")
	want := slices.Clone(nums[:500])
	want[400] = "X" + want[400]
	if got := c.numbersText(); got != strings.Join(want, "\n")+"\n" {
		t.Errorf("typed into the wrong line: %q", strings.Split(got, "\n")[398:402])
	}
	// Backspace at the start of the box's first line joins it to the held
	// line before it.
	c = typingBox(t, 500)
	typeText(c, "1")
	if len(c.held) == 0 {
		t.Fatal("nothing held: the test proves nothing")
	}
	first := len(c.held)
	c.numbers.MoveToBegin()
	c.Update(tea.KeyPressMsg{Code: tea.KeyBackspace})
	want = slices.Clone(nums[:500])
	want = append(want, "1")
	want[first-1] += want[first]
	want = slices.Delete(want, first, first+1)
	if got := c.numbersText(); got != strings.Join(want, "\n") {
		t.Errorf("backspace at the box's top: lines %q", strings.Split(got, "\n")[first-2:first+1])
	}
}
