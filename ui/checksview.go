// Drawing the Checks screen: the job table, progress and ETA, the results,
// the new-check form.
package ui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

// resultRows is how many lines the result rows get under the jobs: what
// View draws above them (aboveResults), the results' title, column header
// and the line saying which rows are shown.
func (c *checksScreen) resultRows() int {
	return max(1, c.height-c.aboveResults()-3)
}

// aboveResults counts the lines View draws above the results.
func (c *checksScreen) aboveResults() int {
	return len(c.headerLines()) + 3 + c.jobsHeight()
}

// errLines is what is wrong with the new-check form, wrapped: advice at
// its end (the paste refusal's) must not be cut off.
func (c *checksScreen) errLines() []string {
	if c.err == "" {
		return nil
	}
	return c.wrapped(c.st.Error, model.Sanitize(c.err))
}

func (c *checksScreen) jobsHeight() int { return min(len(c.jobs), max(1, c.height/4)) }

func (c *checksScreen) View() string {
	var lines []string
	add := func(s string) { lines = append(lines, model.Truncate(s, c.width)) }
	for _, l := range c.headerLines() {
		add(l)
	}
	if c.mode == checksNewJob {
		lines = append(lines, c.errLines()...)
		return strings.Join(append(lines, c.formView()...), "\n")
	}
	if len(c.jobs) == 0 && !c.loaded {
		add("")
		add(c.st.Dim.Render("Reading the check jobs…"))
		return strings.Join(lines, "\n")
	}
	if len(c.jobs) == 0 {
		add("")
		add("No checks yet. Press n to check a list of numbers, or select contacts")
		add("on the Contacts screen and press c.")
		return strings.Join(lines, "\n")
	}
	add("")
	h := c.jobsHeight()
	first := max(0, min(c.jobCursor-h/2, len(c.jobs)-h))
	last := min(first+h, len(c.jobs))
	// answered/total takes the width the largest job shown needs, so the
	// row fits 80 columns with every count and the ETA.
	tw := 1
	for _, j := range c.jobs[first:last] {
		tw = max(tw, len(strconv.Itoa(j.Total)))
	}
	const barWidth = 6
	add(c.st.Header.Render(fmt.Sprintf("  %-5s %-9s %-*s %5s %7s %6s %9s %6s  %s", "Job", "State", barWidth+2+2*tw, "Progress",
		"Valid", "Invalid", "Failed", "Cancelled", "Cached", "ETA")))
	for i := first; i < last; i++ {
		j := c.jobs[i]
		// Progress is the numbers answered: a cancelled job's unsent ones
		// are not, and its bar stays short of full.
		done := j.Total - j.Counts.Processing - j.Counts.Cancelled
		row := fmt.Sprintf("  #%-4d %-9s %s %*d/%-*d %5d %7d %6d %9d %6d  %s", j.ID, j.State, progressBar(done, j.Total, barWidth),
			tw, done, tw, j.Total, j.Counts.Valid, j.Counts.Invalid, j.Counts.Failed,
			j.Counts.Cancelled, j.Cached, etaText(j))
		if i == c.jobCursor {
			// The chosen job keeps its marker while the results
			// scroll: they are its results.
			row = cursorMarker + row[1:]
			if !c.focusRes {
				row = c.st.CursorRow.Render(row)
			}
		}
		add(row)
	}
	add("")
	lines = append(lines, c.resultsView(c.height-len(lines))...)
	return strings.Join(lines, "\n")
}

// headerLines are the lines above the jobs: why the queue is paused, if it
// is, in the checker's own words; the settings and budget; and the canary's
// notes. Long notes wrap to the screen's width rather than being cut.
func (c *checksScreen) headerLines() []string {
	s := c.checker
	var lines []string
	if pause := c.pauseText(); pause != "" {
		lines = append(lines, c.wrapped(c.st.Warn, "Paused: "+pause+".")...)
	}
	if !s.Running && c.pauseText() == "" {
		lines = append(lines, c.st.Dim.Render("Another wabook runs the queue."))
	}
	lines = append(lines, c.wrapped(lipgloss.NewStyle(), c.statusLine())...)
	if s.CanaryTrips > 0 {
		lines = append(lines, c.wrapped(c.st.Warn, canaryTripText(s.CanaryTrips, s.LastCanaryTrip))...)
	}
	if s.Canary == "" && s.NoCanary != "" {
		lines = append(lines, c.wrapped(c.st.Warn,
			"Running without a canary: "+model.Sanitize(strings.TrimPrefix(s.NoCanary, "no canary: ")))...)
	}
	return lines
}

// pauseText says why nothing is being sent, "" when sending or idle. The
// checker's reason tells a canary trip from a rate limit or a failed call;
// a backoff without one (saved by an older wabook) gives just its end.
func (c *checksScreen) pauseText() string {
	s := c.checker
	switch {
	case s.Paused != "":
		return strings.TrimSuffix(model.Sanitize(s.Paused), ".")
	case !s.BackoffUntil.IsZero():
		return "sending again at " + s.BackoffUntil.Local().Format("15:04:05")
	}
	return ""
}

// canaryTripText tells when the queue's canary tripped: WhatsApp answered
// "not on WhatsApp" for a number known to be on it, so that batch was not
// believed. It fits 80 columns.
func canaryTripText(trips int, last time.Time) string {
	at := last.Local().Format("Jan 2 15:04:05")
	if trips == 1 {
		return fmt.Sprintf("Canary tripped 1 time (%s): that batch was not believed", at)
	}
	return fmt.Sprintf("Canary tripped %d times (last %s): those batches were not believed", trips, at)
}

// wrapped is wrapLines at the screen's width, at most maxReasonLines
// lines, each in style: a long note is read without pushing the jobs away.
func (c *checksScreen) wrapped(style lipgloss.Style, text string) []string {
	lines := wrapLines(text, max(20, c.width), maxReasonLines)
	for i, l := range lines {
		lines[i] = style.Render(strings.TrimRight(l, " "))
	}
	return lines
}

// statusLine is the queue's settings and budget, in 80 columns.
func (c *checksScreen) statusLine() string {
	s := c.checker
	cfg := s.Settings
	return fmt.Sprintf("Budget %d of %d numbers left today · %d per query every %s · cached %s",
		s.BudgetLeft, s.BudgetTotal, cfg.CheckBatchSize, cfg.CheckPace, durationText(cfg.CheckMaxAge))
}

// resultFilter chooses which results of the job are shown (f cycles).
type resultFilter int

const (
	filterAll resultFilter = iota
	filterValid
	filterInvalid
	filterFailed
	filterCancelled
	filterCount
)

func (f resultFilter) String() string {
	return [...]string{"all", "valid", "invalid", "failed", "cancelled"}[f]
}

// keeps reports whether the filter shows r. A cancelled number is stored
// failed with the error "cancelled"; failed means WhatsApp did not answer.
func (f resultFilter) keeps(r model.CheckResult) bool {
	cancelled := r.Status == model.CheckFailed && r.Error == app.CancelledError
	switch f {
	case filterValid:
		return r.Status == model.CheckValid
	case filterInvalid:
		return r.Status == model.CheckInvalid
	case filterFailed:
		return r.Status == model.CheckFailed && !cancelled
	case filterCancelled:
		return cancelled
	}
	return true
}

// shownResults is the selected job's results the filter keeps.
func (c *checksScreen) shownResults() []model.CheckResult {
	if c.filter == filterAll {
		return c.results
	}
	var out []model.CheckResult
	for _, r := range c.results {
		if c.filter.keeps(r) {
			out = append(out, r)
		}
	}
	return out
}

// inputWidth is the width of the results' Input column.
func (c *checksScreen) inputWidth() int { return max(12, min(28, c.width/4)) }

// maxNoteLines bounds a result's wrapped note.
const maxNoteLines = 3

// resultLines draws one result: its row, and when its note does not fit
// the Note column, the note wrapped on the lines under it (indented to the
// Number column) rather than cut.
func (c *checksScreen) resultLines(r model.CheckResult) []string {
	inputW := c.inputWidth()
	note := r.Error
	if r.Cached {
		note = strings.TrimSpace("cached " + note)
	}
	note = model.Sanitize(note)
	status := r.Status
	switch status {
	case model.CheckValid:
		status = c.st.OK.Render(pad(status, 10))
	case model.CheckInvalid, model.CheckFailed:
		status = c.st.Error.Render(pad(status, 10))
	default:
		status = c.st.Dim.Render(pad(status, 10))
	}
	row := "  " + pad(model.Truncate(model.Sanitize(r.Input), inputW), inputW) + " " + pad(r.Phone, 16) + " " + status + " " +
		pad(r.WAID, 16) + " "
	if lipgloss.Width(row)+lipgloss.Width(note) <= c.width {
		return []string{row + note}
	}
	out := []string{model.Truncate(strings.TrimRight(row, " "), c.width)}
	indent := strings.Repeat(" ", 3+inputW)
	width := max(10, c.width-len(indent)-2)
	wrapped := wrapLines(note, width, maxNoteLines)
	for i, l := range wrapped {
		lead := "  "
		if i == 0 {
			lead = "↳ "
		}
		out = append(out, model.Truncate(indent+c.st.Dim.Render(lead+strings.TrimRight(l, " ")), c.width))
	}
	return out
}

// fitting is how many of results, from the first, fit whole in h lines
// (at least one, cut, when the first alone does not).
func (c *checksScreen) fitting(results []model.CheckResult, h int) int {
	used := 0
	for i, r := range results {
		used += len(c.resultLines(r))
		if used > h {
			return max(1, i)
		}
	}
	return len(results)
}

// pageBack is the first result of the page that ends just before result
// end: as many results before it as fit whole in h lines.
func (c *checksScreen) pageBack(results []model.CheckResult, end, h int) int {
	used := 0
	for i := min(end, len(results)) - 1; i >= 0; i-- {
		used += len(c.resultLines(results[i]))
		if used > h {
			return min(i+1, end-1)
		}
	}
	return 0
}

// resultsView is the selected job's results under the filter, from
// resOffset, in h lines: title, column header, the rows, and a line
// saying which rows are shown and whether more are above or below.
func (c *checksScreen) resultsView(h int) []string {
	job := c.selectedJob()
	if job == nil {
		return nil
	}
	shown := c.shownResults()
	title := fmt.Sprintf("Results of job #%d (%d number%s)", job.ID, job.Total, plural(job.Total))
	if c.filter != filterAll {
		title = fmt.Sprintf("Results of job #%d: %d %s of %d", job.ID, len(shown), c.filter, len(c.results))
	}
	title = c.st.Title.Render(title) + c.st.Dim.Render(" · f: showing "+c.filter.String())
	if job.Error != "" {
		title += " · " + c.st.Error.Render(model.Sanitize(job.Error))
	}
	out := []string{model.Truncate(title, c.width)}
	header := fmt.Sprintf("  %s %-16s %-10s %-16s %s", pad("Input", c.inputWidth()), "Number", "Status", "WhatsApp ID", "Note")
	out = append(out, model.Truncate(c.st.Header.Render(header), c.width))
	rows := max(1, h-3)
	first := min(c.resOffset, len(shown))
	n := c.fitting(shown[first:], rows)
	var body []string
	for _, r := range shown[first : first+n] {
		body = append(body, c.resultLines(r)...)
	}
	if len(body) > rows {
		body = body[:rows]
	}
	if len(shown) == 0 && len(c.results) > 0 {
		body = append(body, c.st.Dim.Render(fmt.Sprintf("  No %s results: f shows others.", c.filter)))
	}
	out = append(out, body...)
	if first > 0 || first+n < len(shown) {
		where := fmt.Sprintf("  rows %d–%d of %d", first+1, first+n, len(shown))
		if first > 0 {
			where += " · ↑ more"
		}
		if first+n < len(shown) {
			where += " · ↓ more"
		}
		if c.focusRes {
			where += " · j/k scroll, esc: jobs"
		} else {
			where += " · enter, then j/k to scroll"
		}
		out = append(out, model.Truncate(c.st.Dim.Render(where), c.width))
	}
	return out
}

func (c *checksScreen) formView() []string {
	check := "[ ]"
	if c.force {
		check = "[x]"
	}
	mark := func(f int, s string) string {
		if c.field == f {
			return c.st.Prompt.Render("▸ ") + s
		}
		return "  " + s
	}
	numbers := "Numbers:"
	if n := len(c.held); n > 0 {
		numbers += c.st.Dim.Render(fmt.Sprintf(" %d more line%s above the box (↑ at its top goes to them)", n, plural(n)))
	}
	lines := []string{"", c.st.Title.Render("New check"), mark(fieldNumbers, numbers), c.numbers.View(),
		mark(fieldFile, c.file.View()),
		mark(fieldRegion, c.region.View()+c.st.Dim.Render("  (empty: "+c.svc.Region()+")")),
		mark(fieldForce, check+" ask WhatsApp again even when a recent answer is cached (space toggles)"),
		c.st.Dim.Render("tab next field · ctrl+s starts the check · esc cancels")}
	for i, l := range lines {
		if !strings.Contains(l, "\n") {
			lines[i] = model.Truncate(l, c.width)
		}
	}
	return lines
}

// statusRight is what the status bar says on the Checks screen: the
// selected job's numbers as they stand now, never the contact list's
// counts, and never a count of numbers to ask once they are answered.
func (c *checksScreen) statusRight() string {
	j := c.selectedJob()
	switch {
	case j == nil && !c.loaded:
		return "reading the check jobs…"
	case j == nil:
		return "no check jobs"
	}
	left := j.Counts.Processing
	switch j.State {
	case app.JobDone:
		return fmt.Sprintf("job #%d done: %s", j.ID, c.answered(j))
	case app.JobCancelled:
		return fmt.Sprintf("job #%d cancelled: %s", j.ID, c.answered(j))
	case app.JobPaused:
		return fmt.Sprintf("job #%d paused: %d number%s left to ask WhatsApp", j.ID, left, plural(left))
	}
	s := fmt.Sprintf("job #%d: %d number%s left to ask WhatsApp", j.ID, left, plural(left))
	if budget := c.checker.BudgetTotal; budget > 0 && left > c.checker.BudgetLeft {
		days := 1 + (left-c.checker.BudgetLeft+budget-1)/budget
		s += fmt.Sprintf("; at %d a day that takes %d days", budget, days)
	}
	return s
}

// answered is a finished job's counts, those that are not zero.
func (c *checksScreen) answered(j *app.Job) string {
	var parts []string
	for _, p := range []struct {
		n    int
		what string
	}{{j.Counts.Valid, "valid"}, {j.Counts.Invalid, "invalid"}, {j.Counts.Failed, "failed"}, {j.Counts.Cancelled, "not sent"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", p.n, p.what))
		}
	}
	if len(parts) == 0 {
		return "no numbers"
	}
	return strings.Join(parts, " · ")
}

// activeSummary is the status bar's word on the queue, "" when idle.
func (c *checksScreen) activeSummary() string {
	left := 0
	for _, j := range c.jobs {
		if j.State == app.JobQueued || j.State == app.JobRunning {
			left += j.Counts.Processing
		}
	}
	if left == 0 {
		return ""
	}
	s := fmt.Sprintf("checks: %d left", left)
	if !c.checker.BackoffUntil.IsZero() || c.checker.Paused != "" {
		s += " (paused)"
	}
	return s + fmt.Sprintf(" · budget %d", c.checker.BudgetLeft)
}

func progressBar(done, total, width int) string {
	if total <= 0 {
		return strings.Repeat("░", width)
	}
	filled := done * width / total
	return strings.Repeat("█", filled) + strings.Repeat("░", width-filled)
}

// etaText is a running or queued job's expected time left; a finished,
// cancelled or paused job has none (its state says so).
func etaText(j app.Job) string {
	switch {
	case j.State == app.JobDone, j.State == app.JobCancelled, j.State == app.JobPaused:
		return ""
	case j.ETA <= 0:
		return "—"
	}
	return "≈" + durationText(j.ETA)
}

// durationText writes a duration the way people say it: "7d", "3h 5m", "40s".
func durationText(d time.Duration) string {
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	case d >= time.Hour:
		return fmt.Sprintf("%dh %dm", int(d.Hours()), int(d.Minutes())%60)
	case d >= time.Minute:
		return fmt.Sprintf("%dm %ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%ds", int(d.Round(time.Second).Seconds()))
}

func byteSize(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
