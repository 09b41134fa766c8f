// Drawing the Checks screen: the job table, progress and ETA, the results,
// the new-check form.
package ui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

// resultsHeight is how many result rows fit under the jobs.
func (c *checksScreen) resultsHeight() int {
	extra := len(c.headerLines()) - 1
	return max(1, c.height-c.jobsHeight()-6-extra)
}

func (c *checksScreen) jobsHeight() int { return min(len(c.jobs), max(1, c.height/4)) }

func (c *checksScreen) View() string {
	var lines []string
	add := func(s string) { lines = append(lines, model.Truncate(s, c.width)) }
	for _, l := range c.headerLines() {
		add(l)
	}
	if c.err != "" {
		add(c.st.Error.Render(model.Sanitize(c.err)))
	}
	switch c.mode {
	case checksNewJob:
		return strings.Join(append(lines, c.formView()...), "\n")
	case checksSaveLabels, checksExportPath:
		add("")
		if c.mode == checksSaveLabels {
			if j := c.selectedJob(); j != nil {
				add(fmt.Sprintf("Save the valid numbers of job #%d as contacts, with these labels:", j.ID))
			}
		}
		add(c.prompt.View())
		add(c.st.Dim.Render("enter confirms · esc cancels"))
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
	lines = append(lines, c.resultsView()...)
	return strings.Join(lines, "\n")
}

// headerLines are the lines above the jobs: why the queue is paused, if it
// is, in the checker's own words; the settings and budget; and the canary's
// notes. Long notes wrap to the screen's width rather than being cut.
func (c *checksScreen) headerLines() []string {
	s := c.checker
	var lines []string
	if pause := c.pauseText(); pause != "" {
		lines = append(lines, c.wrapped(c.st.Warn.Render, "Paused: "+pause+".")...)
	}
	if !s.Running && c.pauseText() == "" {
		lines = append(lines, c.st.Dim.Render("Another wabook runs the queue."))
	}
	lines = append(lines, c.wrapped(func(s ...string) string { return strings.Join(s, "") }, c.statusLine())...)
	if s.CanaryTrips > 0 {
		lines = append(lines, c.wrapped(c.st.Warn.Render, canaryTripText(s.CanaryTrips, s.LastCanaryTrip))...)
	}
	if s.Canary == "" && s.NoCanary != "" {
		lines = append(lines, c.wrapped(c.st.Warn.Render,
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

// wrapped word-wraps plain text to the screen's width, at most
// maxReasonLines lines, and styles each line.
func (c *checksScreen) wrapped(style func(...string) string, text string) []string {
	width := max(20, c.width)
	lines := strings.Split(ansi.Wrap(text, width, ""), "\n")
	if len(lines) > maxReasonLines {
		lines = lines[:maxReasonLines]
		lines[maxReasonLines-1] = model.Truncate(lines[maxReasonLines-1]+" …", width)
	}
	for i, l := range lines {
		lines[i] = style(strings.TrimRight(l, " "))
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

func (c *checksScreen) resultsView() []string {
	job := c.selectedJob()
	if job == nil {
		return nil
	}
	title := fmt.Sprintf("Results of job #%d (%d number%s)", job.ID, job.Total, plural(job.Total))
	if job.Error != "" {
		title += " · " + c.st.Error.Render(model.Sanitize(job.Error))
	}
	out := []string{model.Truncate(c.st.Title.Render(title), c.width)}
	inputW := max(12, min(28, c.width/4))
	header := fmt.Sprintf("  %s %-16s %-10s %-16s %s", pad("Input", inputW), "Number", "Status", "WhatsApp ID", "Note")
	out = append(out, model.Truncate(c.st.Header.Render(header), c.width))
	h := c.resultsHeight()
	end := min(len(c.results), c.resOffset+h)
	for _, r := range c.results[c.resOffset:end] {
		note := r.Error
		if r.Cached {
			note = strings.TrimSpace("cached " + note)
		}
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
			pad(r.WAID, 16) + " " + model.Sanitize(note)
		out = append(out, model.Truncate(row, c.width))
	}
	if len(c.results) > h {
		out = append(out, c.st.Dim.Render(fmt.Sprintf("  rows %d–%d of %d · enter, then j/k to scroll", c.resOffset+1, end, len(c.results))))
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
	lines := []string{"", c.st.Title.Render("New check"), mark(fieldNumbers, "Numbers:"), c.numbers.View(),
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
