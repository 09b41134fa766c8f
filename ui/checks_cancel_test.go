package ui

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/wa/sim"
)

// idleCheckingService is newCheckingService without the check queue
// running: jobs wait until the test starts it (the returned func).
func idleCheckingService(t *testing.T, world *sim.World) (*app.Service, func()) {
	t.Helper()
	svc, _, ctx := syncedFastChecks(t, world)
	return svc, func() { svc.StartChecker(ctx) }
}

// Cancelling a job counts its unsent numbers as cancelled, not failed, and
// its bar does not show it complete; r queues them again (issue 11, point 4).
func TestChecksScreenCancelledJob(t *testing.T) {
	t.Parallel()
	svc, start := idleCheckingService(t, testWorld(t))
	ctx := context.Background()
	job, err := svc.EnqueueCheck(ctx, []string{"+14155550101", "+14155550102", "+14155550199"}, app.CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m := New(t.Context(), svc, Options{})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	drive(m, m.load())
	m.switchTo(screenChecks)
	drive(m, m.checks.load())
	// C asks first, naming the job and the numbers it leaves unsent; n
	// keeps the job (issue 13, point 10).
	_, cmd := m.Update(press("C"))
	drive(m, cmd)
	view := flatText(m.View().Content)
	if want := "Cancel job #1? Its 3 numbers not yet asked will not be sent."; !strings.Contains(view, want) {
		t.Fatalf("C did not ask %q:\n%s", want, ansi.Strip(m.View().Content))
	}
	_, cmd = m.Update(press("n"))
	drive(m, cmd)
	drive(m, m.checks.load())
	if j := m.checks.selectedJob(); j.State != app.JobQueued || len(m.dialogs) != 0 {
		t.Fatalf("n cancelled the job anyway: %+v, dialogs %d", j, len(m.dialogs))
	}
	_, cmd = m.Update(press("C"))
	drive(m, cmd)
	_, cmd = m.Update(press("y"))
	drive(m, cmd)
	drive(m, m.checks.load())

	j := m.checks.selectedJob()
	if j == nil || j.ID != job.ID || j.State != app.JobCancelled || j.Counts.Cancelled != 3 || j.Counts.Failed != 0 {
		t.Fatalf("cancelled job: %+v", j)
	}
	row := jobRow(t, m, job.ID)
	fields := strings.Fields(row)
	// #1 cancelled ░░░░░░ 0/3 valid invalid failed cancelled cached ETA
	if len(fields) < 9 || fields[2] != strings.Repeat("░", 6) || fields[3] != "0/3" ||
		fields[6] != "0" || fields[7] != "3" {
		t.Errorf("job row %q: want an empty bar, 0/3, failed 0, cancelled 3", row)
	}
	if header := m.View().Content; !strings.Contains(ansi.Strip(header), "Cancelled") {
		t.Errorf("no Cancelled column:\n%s", ansi.Strip(header))
	}

	_, cmd = m.Update(press("r"))
	drive(m, cmd)
	drive(m, m.checks.load())
	if j := m.checks.selectedJob(); j.State != app.JobQueued || j.Counts.Processing != 3 || j.Counts.Cancelled != 0 {
		t.Fatalf("after r: %+v (err %q)", j, m.checks.err)
	}
	start()
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := svc.WaitJob(wctx, job.ID); err != nil {
		t.Fatal(err)
	}
	drive(m, m.checks.load())
	if j := m.checks.selectedJob(); j.State != app.JobDone || j.Counts.Valid != 3 {
		t.Errorf("retried job: %+v", j)
	}
	if f := strings.Fields(jobRow(t, m, job.ID)); len(f) < 4 || f[2] != strings.Repeat("█", 6) || f[3] != "3/3" {
		t.Errorf("done job row %q: want a full bar", f)
	}
	// Nothing left to retry: said (the key's reason, in the status bar),
	// nothing queued.
	_, cmd = m.Update(press("r"))
	drive(m, cmd)
	if !strings.Contains(m.flash, "no failed or cancelled numbers") {
		t.Errorf("r on a job without failures: said %q", m.flash)
	}
	// Nor is a finished job cancelled: no question, the reason instead.
	_, cmd = m.Update(press("C"))
	drive(m, cmd)
	if len(m.dialogs) != 0 || !strings.Contains(m.flash, "nothing left to pause or cancel") {
		t.Errorf("C on a done job: %d dialogs, said %q", len(m.dialogs), m.flash)
	}
	_, cmd = m.Update(press("p"))
	drive(m, cmd)
	if j := m.checks.selectedJob(); j.State != app.JobDone || !strings.Contains(m.flash, "nothing left to pause") {
		t.Errorf("p on a done job: %s, said %q", j.State, m.flash)
	}
}

// flatText is a frame's text without styling, its lines and runs of
// spaces joined by one space: a wrapped sentence reads whole.
func flatText(frame string) string {
	return strings.Join(strings.Fields(ansi.Strip(frame)), " ")
}

// jobRow is the Checks screen's row of job id, without styling.
func jobRow(t *testing.T, m *Model, id int64) string {
	t.Helper()
	want := "#" + strconv.FormatInt(id, 10) + " "
	for _, l := range strings.Split(ansi.Strip(m.View().Content), "\n") {
		// The chosen job's row starts with the cursor marker.
		l = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), cursorMarker))
		if strings.HasPrefix(l, want) {
			return l
		}
	}
	t.Fatalf("no row for job %d:\n%s", id, ansi.Strip(m.View().Content))
	return ""
}

// The paste box counts CR, CRLF and LF line breaks alike: a paste too long
// for it is refused whole, whatever the terminal sends for a new line, and
// one that fits is kept whole, one number a line (issue 11, point 8).
func TestPasteCountsEveryLineBreak(t *testing.T) {
	t.Parallel()
	svc, _ := idleCheckingService(t, testWorld(t))
	numbers := func(n int, sep string) string {
		nums := make([]string, n)
		for i := range nums {
			nums[i] = "+1415555" + strconv.Itoa(1000+i%9000)
		}
		return strings.Join(nums, sep)
	}
	for _, tt := range []struct {
		name, sep string
		n         int
		refused   bool
	}{
		{"LF, too many", "\n", 10_500, true},
		{"CR, too many", "\r", 10_500, true},
		{"CRLF, too many", "\r\n", 10_500, true},
		{"CR, fits", "\r", 6_000, false},
		{"CRLF, fits", "\r\n", 6_000, false},
		{"CRLF, a few", "\r\n", 3, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := newCheckForm(t, svc, 100, 30)
			m.Update(tea.PasteMsg{Content: numbers(tt.n, tt.sep)})
			box := m.checks.numbersText()
			if tt.refused {
				if box != "" || !strings.Contains(m.checks.err, "10500 lines") || !strings.Contains(m.checks.err, "Save the list to a file") {
					t.Errorf("box holds %d lines, err %q; want the paste refused", strings.Count(box, "\n")+1, m.checks.err)
				}
				return
			}
			if lines := strings.Split(box, "\n"); len(lines) != tt.n || slices.Contains(lines, "") || m.checks.err != "" {
				t.Errorf("box holds %d lines (want %d, none blank), err %q", len(lines), tt.n, m.checks.err)
			}
		})
	}
}
