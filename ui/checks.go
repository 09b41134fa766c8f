package ui

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

// maxPaste is the largest paste the new-job box takes; longer lists belong
// in a file, which is read without going through the text box.
const (
	maxPaste      = 256 << 10
	maxPasteLines = 9_999 // the text area's own limit is 10 000
)

// lineBreaks turns CRLF and a lone CR into LF.
var lineBreaks = strings.NewReplacer("\r\n", "\n", "\r", "\n")

type checksMode int

const (
	checksBrowse checksMode = iota
	checksNewJob
	checksSaveLabels
	checksExportPath
)

// Fields of the new-job form, in tab order.
const (
	fieldNumbers = iota
	fieldFile
	fieldRegion
	fieldForce
	fieldCount
)

// Messages of the Checks screen.
type (
	checksLoadedMsg struct {
		jobs    []app.Job
		results []model.CheckResult
		jobID   int64
		status  app.CheckerStatus
		err     error
	}
	jobCreatedMsg struct {
		job app.Job
		err error
	}
	checksDoneMsg struct {
		flash string
		err   error
	}
)

// checksScreen runs and shows number checks: the new-job form, the jobs
// with their progress, and the results of the selected job.
type checksScreen struct {
	ctx  context.Context // the program's
	st   *Styles
	keys *KeyMap
	svc  *app.Service

	jobs      []app.Job
	status    app.CheckerStatus
	jobCursor int
	results   []model.CheckResult
	resultsOf int64 // job the results belong to
	follow    int64 // a job just created: select it when the jobs load
	resOffset int
	focusRes  bool // j/k scroll the results instead of moving between jobs
	loading   bool
	reload    bool
	err       string

	mode    checksMode
	field   int
	numbers textarea.Model
	file    textinput.Model
	region  textinput.Model
	force   bool
	prompt  textinput.Model // labels for saving, or the export path

	width, height int
}

func newChecksScreen(ctx context.Context, st *Styles, keys *KeyMap, svc *app.Service) *checksScreen {
	ta := newTextArea()
	ta.Placeholder = "Paste numbers: one per line, or separated by commas or semicolons"
	ta.ShowLineNumbers = false
	ta.CharLimit = maxPaste
	ta.MaxHeight = 0
	file := newTextInput()
	file.Prompt = "or a file: "
	file.Placeholder = "numbers.txt, contacts.csv or cards.vcf"
	region := newTextInput()
	region.Prompt = "Region for numbers without +: "
	region.CharLimit = 2
	prompt := newTextInput()
	prompt.CharLimit = 512
	return &checksScreen{ctx: ctx, st: st, keys: keys, svc: svc, numbers: ta, file: file, region: region, prompt: prompt}
}

func (c *checksScreen) setSize(w, h int) {
	c.width, c.height = w, h
	c.numbers.SetWidth(max(20, w-2))
	c.numbers.SetHeight(max(3, h-12))
	c.file.SetWidth(max(10, w-16))
	c.prompt.SetWidth(max(10, w-40))
}

func (c *checksScreen) capturesKeys() bool { return c.mode != checksBrowse }

func (c *checksScreen) selectedJob() *app.Job {
	if c.jobCursor < 0 || c.jobCursor >= len(c.jobs) {
		return nil
	}
	return &c.jobs[c.jobCursor]
}

// load reads jobs, the selected job's results and the worker status, off
// the Update path. While one load runs, further requests fold into one.
func (c *checksScreen) load() tea.Cmd {
	if c.loading {
		c.reload = true
		return nil
	}
	c.loading = true
	svc := c.svc
	var id int64
	if j := c.selectedJob(); j != nil {
		id = j.ID
	}
	return func() tea.Msg {
		ctx := c.ctx
		jobs, err := svc.Jobs(ctx)
		if err != nil {
			return checksLoadedMsg{err: err}
		}
		if id == 0 && len(jobs) > 0 {
			id = jobs[0].ID
		}
		var results []model.CheckResult
		if id != 0 {
			if results, err = svc.JobResults(ctx, id); err != nil {
				return checksLoadedMsg{err: err}
			}
		}
		return checksLoadedMsg{jobs: jobs, results: results, jobID: id, status: svc.CheckerStatus()}
	}
}

func (c *checksScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case checksLoadedMsg:
		c.loading = false
		if msg.err != nil {
			c.err = msg.err.Error()
		} else {
			c.err = ""
			want := msg.jobID
			if j := c.selectedJob(); j != nil && c.follow == 0 {
				want = j.ID
			}
			if c.follow != 0 {
				want = c.follow
			}
			c.jobs, c.status = msg.jobs, msg.status
			c.selectJob(want)
			if j := c.selectedJob(); j != nil && j.ID == msg.jobID {
				if msg.jobID != c.resultsOf {
					c.resOffset = 0
				}
				c.results, c.resultsOf = msg.results, msg.jobID
				if c.follow == msg.jobID {
					c.follow = 0
				}
			} else if j != nil {
				// This load began before the selection changed (a new job):
				// its results are for another job.
				c.reload = true
			}
		}
		if c.reload {
			c.reload = false
			return c.load()
		}
		return nil
	case jobCreatedMsg:
		if msg.err != nil {
			c.err = msg.err.Error()
			return nil
		}
		c.err = ""
		c.jobs = append([]app.Job{msg.job}, c.jobs...)
		c.jobCursor, c.follow, c.focusRes = 0, msg.job.ID, false
		n := msg.job.Counts.Processing
		flash := fmt.Sprintf("job %d: %d number%s to ask WhatsApp", msg.job.ID, n, plural(n))
		if budget := c.status.BudgetTotal; budget > 0 && msg.job.Counts.Processing > c.status.BudgetLeft {
			days := 1 + (msg.job.Counts.Processing-c.status.BudgetLeft+budget-1)/budget
			flash += fmt.Sprintf("; at %d a day that takes %d days", budget, days)
		}
		return tea.Batch(c.load(), func() tea.Msg { return flashMsg(flash) })
	case checksDoneMsg:
		if msg.err != nil {
			c.err = msg.err.Error()
			return nil
		}
		c.err = ""
		return tea.Batch(c.load(), func() tea.Msg { return flashMsg(msg.flash) })
	case fileNumbersMsg:
		if c.mode != checksNewJob {
			return nil // the form was left meanwhile
		}
		if msg.err != nil {
			c.err = msg.err.Error()
			return nil
		}
		if len(msg.nums) == 0 {
			c.err = "No numbers to check in that file."
			return nil
		}
		c.err = ""
		c.mode = checksBrowse
		c.numbers.Blur()
		c.file.Blur()
		c.region.Blur()
		return c.enqueue(msg.nums, msg.opts)
	case tea.PasteMsg:
		if c.mode == checksNewJob && c.field == fieldNumbers {
			// Terminals send line breaks as CR (tmux and most others),
			// some as CRLF; the box makes a line of each CR and each LF,
			// so a CRLF would count twice. One break is one line.
			content := lineBreaks.Replace(msg.Content)
			// The box would silently drop what does not fit (it holds
			// 10 000 lines): refuse the paste whole instead.
			// A break ending the text starts no line of its own.
			all := c.numbers.Value() + content
			lines := strings.Count(strings.TrimSuffix(all, "\n"), "\n") + 1
			if size := len(content) + len(c.numbers.Value()); size > maxPaste || lines > maxPasteLines {
				c.err = fmt.Sprintf("That paste is %s in %d lines; the box takes up to %s and %d lines. Save the list to a file and give its path instead.",
					byteSize(len(content)), lines, byteSize(maxPaste), maxPasteLines)
				return nil
			}
			return c.updateFocused(tea.PasteMsg{Content: content})
		}
	case tea.KeyPressMsg:
		return c.handleKey(msg)
	}
	return c.updateFocused(msg)
}

func (c *checksScreen) selectJob(id int64) {
	for i := range c.jobs {
		if c.jobs[i].ID == id {
			c.jobCursor = i
			return
		}
	}
	c.jobCursor = max(0, min(c.jobCursor, len(c.jobs)-1))
}

// updateFocused hands a message to the focused form field.
func (c *checksScreen) updateFocused(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch c.mode {
	case checksNewJob:
		switch c.field {
		case fieldNumbers:
			c.numbers, cmd = c.numbers.Update(msg)
		case fieldFile:
			c.file, cmd = c.file.Update(msg)
		case fieldRegion:
			c.region, cmd = c.region.Update(msg)
		}
	case checksSaveLabels, checksExportPath:
		c.prompt, cmd = c.prompt.Update(msg)
	}
	return cmd
}

func (c *checksScreen) handleKey(kp tea.KeyPressMsg) tea.Cmd {
	switch c.mode {
	case checksNewJob:
		return c.formKey(kp)
	case checksSaveLabels, checksExportPath:
		switch kp.String() {
		case "esc":
			c.mode = checksBrowse
			c.prompt.Blur()
			return nil
		case "enter":
			mode := c.mode
			c.mode = checksBrowse
			c.prompt.Blur()
			if mode == checksSaveLabels {
				return c.saveValid(c.prompt.Value())
			}
			return c.export(c.prompt.Value())
		}
		return c.updateFocused(kp)
	}

	k := c.keys
	job := c.selectedJob()
	switch {
	case key.Matches(kp, k.NewJob):
		return c.openForm()
	case key.Matches(kp, k.Open):
		c.focusRes = !c.focusRes
	case key.Matches(kp, k.Back):
		c.focusRes = false
	case key.Matches(kp, k.Up), key.Matches(kp, k.Down), key.Matches(kp, k.PageUp), key.Matches(kp, k.PageDown),
		key.Matches(kp, k.Top), key.Matches(kp, k.Bottom):
		return c.move(kp)
	case job == nil:
		return nil
	case key.Matches(kp, k.PauseJob):
		svc, id, paused := c.svc, job.ID, job.State == app.JobPaused
		return func() tea.Msg {
			if paused {
				return checksDoneMsg{flash: fmt.Sprintf("job %d resumed", id), err: svc.ResumeJob(c.ctx, id)}
			}
			return checksDoneMsg{flash: fmt.Sprintf("job %d paused", id), err: svc.PauseJob(c.ctx, id)}
		}
	case key.Matches(kp, k.CancelJob):
		svc, id := c.svc, job.ID
		return func() tea.Msg {
			return checksDoneMsg{flash: fmt.Sprintf("job %d cancelled", id), err: svc.CancelJob(c.ctx, id)}
		}
	case key.Matches(kp, k.RetryJob):
		if job.Counts.Failed+job.Counts.Cancelled == 0 {
			c.err = fmt.Sprintf("Job %d has no failed or cancelled numbers to check again.", job.ID)
			return nil
		}
		svc, id := c.svc, job.ID
		return func() tea.Msg {
			n, err := svc.RetryJob(c.ctx, id)
			return checksDoneMsg{flash: fmt.Sprintf("job %d: %d number%s queued again", id, n, plural(n)), err: err}
		}
	case key.Matches(kp, k.SaveValid):
		if job.Counts.Valid == 0 {
			c.err = "This job has no valid numbers to save."
			return nil
		}
		c.mode, c.err = checksSaveLabels, ""
		c.prompt.Prompt = "Labels (optional): "
		c.prompt.Placeholder = "VIP, New customer"
		c.prompt.SetValue("")
		return c.prompt.Focus()
	case key.Matches(kp, k.Export):
		c.mode, c.err = checksExportPath, ""
		c.prompt.Prompt = "Export the results as CSV to: "
		c.prompt.Placeholder = ""
		c.prompt.SetValue(fmt.Sprintf("wabook-check-%d.csv", job.ID))
		c.prompt.CursorEnd()
		return c.prompt.Focus()
	}
	return nil
}

func (c *checksScreen) move(kp tea.KeyPressMsg) tea.Cmd {
	k := c.keys
	if c.focusRes {
		page := max(1, c.resultsHeight())
		switch {
		case key.Matches(kp, k.Up):
			c.resOffset--
		case key.Matches(kp, k.Down):
			c.resOffset++
		case key.Matches(kp, k.PageUp):
			c.resOffset -= page
		case key.Matches(kp, k.PageDown):
			c.resOffset += page
		case key.Matches(kp, k.Top):
			c.resOffset = 0
		case key.Matches(kp, k.Bottom):
			c.resOffset = len(c.results)
		}
		c.resOffset = max(0, min(c.resOffset, len(c.results)-page))
		return nil
	}
	before := c.jobCursor
	switch {
	case key.Matches(kp, k.Up):
		c.jobCursor--
	case key.Matches(kp, k.Down):
		c.jobCursor++
	case key.Matches(kp, k.Top), key.Matches(kp, k.PageUp):
		c.jobCursor = 0
	case key.Matches(kp, k.Bottom), key.Matches(kp, k.PageDown):
		c.jobCursor = len(c.jobs) - 1
	}
	c.jobCursor = max(0, min(c.jobCursor, len(c.jobs)-1))
	if c.jobCursor != before {
		return c.load()
	}
	return nil
}

func (c *checksScreen) openForm() tea.Cmd {
	c.mode, c.field, c.err = checksNewJob, fieldNumbers, ""
	c.numbers.Reset()
	c.file.SetValue("")
	c.region.SetValue("")
	c.force = false
	return c.focusField()
}

func (c *checksScreen) focusField() tea.Cmd {
	c.numbers.Blur()
	c.file.Blur()
	c.region.Blur()
	switch c.field {
	case fieldNumbers:
		return c.numbers.Focus()
	case fieldFile:
		return c.file.Focus()
	case fieldRegion:
		return c.region.Focus()
	}
	return nil
}

func (c *checksScreen) formKey(kp tea.KeyPressMsg) tea.Cmd {
	switch kp.String() {
	case "esc":
		c.mode = checksBrowse
		c.focusField()
		c.numbers.Blur()
		return nil
	case "tab":
		c.field = (c.field + 1) % fieldCount
		return c.focusField()
	case "shift+tab":
		c.field = (c.field + fieldCount - 1) % fieldCount
		return c.focusField()
	case "ctrl+s":
		return c.submit()
	case "enter":
		if c.field != fieldNumbers {
			return c.submit()
		}
	case "space":
		if c.field == fieldForce {
			c.force = !c.force
			return nil
		}
	}
	return c.updateFocused(kp)
}

// submit validates the form and enqueues the job. Bad input is reported on
// the form and nothing is enqueued.
func (c *checksScreen) submit() tea.Cmd {
	text, path := strings.TrimSpace(c.numbers.Value()), strings.TrimSpace(c.file.Value())
	region := strings.ToUpper(strings.TrimSpace(c.region.Value()))
	var inputs []string
	switch {
	case text != "" && path != "":
		c.err = "Give either pasted numbers or a file, not both."
		return nil
	case path != "":
		// The file is read off the Update path; the form stays open until
		// it is (fileNumbersMsg).
		opts, file := app.CheckOptions{Force: c.force, Region: region}, expandHome(path)
		c.err = "reading " + path + "…"
		return func() tea.Msg {
			nums, err := app.ReadNumbersFile(file)
			return fileNumbersMsg{nums: nums, opts: opts, err: err}
		}
	case text != "":
		nums, err := app.ReadNumbers(strings.NewReader(text), "")
		if err != nil {
			c.err = err.Error()
			return nil
		}
		inputs = nums
	}
	if len(inputs) == 0 {
		c.err = "No numbers to check: paste some, or give a file."
		return nil
	}
	c.mode = checksBrowse
	c.numbers.Blur()
	c.file.Blur()
	c.region.Blur()
	return c.enqueue(inputs, app.CheckOptions{Force: c.force, Region: region})
}

func (c *checksScreen) enqueue(inputs []string, opts app.CheckOptions) tea.Cmd {
	svc := c.svc
	return func() tea.Msg {
		job, err := svc.EnqueueCheck(c.ctx, inputs, opts)
		return jobCreatedMsg{job, err}
	}
}

func (c *checksScreen) saveValid(labelText string) tea.Cmd {
	job := c.selectedJob()
	if job == nil {
		return nil
	}
	labels := model.SplitLabelList(labelText)
	for _, l := range labels {
		if err := model.ValidateLabelName(l); err != nil {
			c.err = fmt.Sprintf("label %q: %v", l, err)
			return nil
		}
	}
	svc, id := c.svc, job.ID
	return func() tea.Msg {
		n, err := svc.SaveValidAsContacts(c.ctx, id, labels)
		return checksDoneMsg{flash: fmt.Sprintf("saved %d contact%s", n, plural(n)), err: err}
	}
}

func (c *checksScreen) export(path string) tea.Cmd {
	path = strings.TrimSpace(path)
	if path == "" {
		c.err = "No file name given; nothing exported."
		return nil
	}
	job := c.selectedJob()
	if job == nil {
		return nil
	}
	// Read the results of the job chosen now, not whatever is on screen.
	svc, id := c.svc, job.ID
	return func() tea.Msg {
		results, err := svc.JobResults(c.ctx, id)
		if err == nil {
			err = app.ExportCheckResultsFile(path, results)
		}
		return checksDoneMsg{flash: fmt.Sprintf("exported %d results of job %d to %s", len(results), id, path), err: err}
	}
}

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
		if i == c.jobCursor && !c.focusRes {
			row = c.st.CursorRow.Render(row)
		}
		add(row)
	}
	add("")
	lines = append(lines, c.resultsView()...)
	return strings.Join(lines, "\n")
}

// maxReasonLines bounds a wrapped pause or canary note, so that a long
// error cannot push the jobs off the screen.
const maxReasonLines = 3

// headerLines are the lines above the jobs: why the queue is paused, if it
// is, in the checker's own words; the settings and budget; and the canary's
// notes. Long notes wrap to the screen's width rather than being cut.
func (c *checksScreen) headerLines() []string {
	s := c.status
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
	s := c.status
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
	s := c.status
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
	if !c.status.BackoffUntil.IsZero() || c.status.Paused != "" {
		s += " (paused)"
	}
	return s + fmt.Sprintf(" · budget %d", c.status.BudgetLeft)
}

func (c *checksScreen) help() helpMap {
	k := c.keys
	switch c.mode {
	case checksNewJob:
		return helpMap{short: []key.Binding{
			key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next field")),
			key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "start")),
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		}}
	case checksSaveLabels, checksExportPath:
		return helpMap{short: []key.Binding{
			key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "confirm")),
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		}}
	}
	return helpMap{short: []key.Binding{k.NewJob, k.PauseJob, k.CancelJob, k.RetryJob, k.SaveValid, k.Export, k.Open, k.Help, k.Quit}}
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

// fileNumbersMsg carries the numbers read from the file the new-check form
// named.
type fileNumbersMsg struct {
	nums []string
	opts app.CheckOptions
	err  error
}
