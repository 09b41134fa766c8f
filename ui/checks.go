package ui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

// maxPaste is the largest paste the new-job box takes; longer lists belong
// in a file, which is read without going through the text box.
const (
	maxPaste      = 256 << 10
	maxPasteLines = 9_999 // the text area's own limit is 10 000
)

type checksMode int

const (
	checksBrowse checksMode = iota
	checksNewJob
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
		jobs []app.Job
		// withResults: the load read the results of job jobID (only
		// while the screen is shown).
		withResults bool
		results     []model.CheckResult
		jobID       int64
		status      app.CheckerStatus
		err         error
	}
	// checksReloadMsg is the reload a notice asked for, once
	// checksReloadGap has passed since the last one.
	checksReloadMsg struct{}
	jobCreatedMsg   struct {
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
	*common
	formGen int // counts the new-check forms opened

	jobs      []app.Job
	checker   app.CheckerStatus // the worker, as of the last load
	jobCursor int
	results   []model.CheckResult
	resultsOf int64        // job the results belong to
	follow    int64        // a job just created: select it when the jobs load
	resOffset int          // first result shown, in the filtered results
	filter    resultFilter // which results are shown
	focusRes  bool         // j/k scroll the results instead of moving between jobs
	loading   bool
	loaded    bool // the jobs were read once
	reload    bool
	// shown: the Checks screen is on screen. Hidden, a load reads only
	// the jobs (the status bar's progress) and resultsStale notes that
	// the results wait for the next look.
	shown        bool
	resultsStale bool
	lastLoad     time.Time // when the last load ended
	tickPending  bool      // a checksReloadMsg is on its way
	// err is what is wrong with the new-check form, shown on it; what
	// goes wrong later goes to the status bar, so the jobs never move.
	err string

	mode    checksMode
	field   int
	numbers textarea.Model
	// held are the lines before the box's: the box keeps only the lines
	// near the cursor (see spill), the earlier ones wait here.
	held   []string
	file   textinput.Model
	region textinput.Model
	force  bool

	width, height int
}

func newChecksScreen(c *common) *checksScreen {
	ta := newTextArea()
	ta.Placeholder = "Paste numbers: one per line, or separated by commas or semicolons"
	ta.ShowLineNumbers = false
	ta.CharLimit = maxPaste
	ta.MaxHeight = 0
	file := newTextInput("or a file: ", "numbers.txt, contacts.csv or cards.vcf", 0)
	region := newTextInput("Region for numbers without +: ", "", 2)
	return &checksScreen{common: c, numbers: ta, file: file, region: region}
}

func (c *checksScreen) SetSize(w, h int) {
	c.width, c.height = w, h
	c.numbers.SetWidth(max(20, w-2))
	c.numbers.SetHeight(max(3, h-12))
	c.file.SetWidth(max(10, w-16))
}

// CapturesTyping: the new-check form takes typing.
func (c *checksScreen) CapturesTyping() bool { return c.mode != checksBrowse }

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
	ctx := c.ctx
	withResults := c.shown
	var id int64
	if j := c.selectedJob(); j != nil {
		id = j.ID
	}
	return func() tea.Msg {
		jobs, err := svc.Jobs(ctx)
		if err != nil {
			return checksLoadedMsg{err: err}
		}
		if !withResults {
			return checksLoadedMsg{jobs: jobs, status: svc.CheckerStatus()}
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
		return checksLoadedMsg{jobs: jobs, withResults: true, results: results, jobID: id, status: svc.CheckerStatus()}
	}
}

// checksReloadGap is the least time between two loads that notices ask
// for: a running job moves many times a second, and every session of
// `wabook serve` reading the jobs (and a job's thousands of results) each
// time kept SQLite busy for all of them, while a person reads a progress
// figure a few times a second at most.
const checksReloadGap = 250 * time.Millisecond

// noticed is the load a change notice asks for: folded into the load in
// flight, or delayed until checksReloadGap has passed since the last.
func (c *checksScreen) noticed() tea.Cmd {
	if c.loading {
		c.reload = true
		return nil
	}
	if c.tickPending {
		return nil
	}
	if wait := checksReloadGap - time.Since(c.lastLoad); wait > 0 {
		c.tickPending = true
		return tea.Tick(wait, func(time.Time) tea.Msg { return checksReloadMsg{} })
	}
	return c.load()
}

// setShown tells the screen whether it is on screen; shown with results
// older than the jobs, it reads them.
func (c *checksScreen) setShown(shown bool) tea.Cmd {
	c.shown = shown
	if shown && c.resultsStale {
		return c.load()
	}
	return nil
}

func (c *checksScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case checkNumbersMsg:
		return c.enqueue(msg.phones, app.CheckOptions{})
	case checksReloadMsg:
		c.tickPending = false
		return c.load()
	case checksLoadedMsg:
		c.loading, c.loaded, c.lastLoad = false, true, time.Now()
		if msg.err != nil {
			c.post(actionMsg{err: fmt.Errorf("reading the check jobs: %w", msg.err)})
		} else if !msg.withResults {
			want := c.follow // a job just created, kept for the next look
			if j := c.selectedJob(); j != nil && want == 0 {
				want = j.ID
			}
			c.jobs, c.checker = msg.jobs, msg.status
			c.selectJob(want)
			c.resultsStale = true
		} else {
			c.resultsStale = false
			want := msg.jobID
			if j := c.selectedJob(); j != nil && c.follow == 0 {
				want = j.ID
			}
			if c.follow != 0 {
				want = c.follow
			}
			c.jobs, c.checker = msg.jobs, msg.status
			c.selectJob(want)
			if j := c.selectedJob(); j != nil && j.ID == msg.jobID {
				if msg.jobID != c.resultsOf {
					c.resOffset, c.filter = 0, filterAll
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
			return c.noticed()
		}
		return nil
	case jobCreatedMsg:
		if msg.err != nil {
			c.post(actionMsg{err: msg.err})
			return nil
		}
		c.jobs = append([]app.Job{msg.job}, c.jobs...)
		c.jobCursor, c.follow, c.focusRes = 0, msg.job.ID, false
		// No flash: the status bar tells the selected job's numbers as
		// they stand (statusRight), so it never says "3 numbers to ask"
		// once they are answered.
		return c.load()
	case checksDoneMsg:
		// In the status bar, not above the jobs: the table stays put.
		c.post(actionMsg{flash: msg.flash, err: msg.err})
		return c.load()
	case fileNumbersMsg:
		if c.mode != checksNewJob || msg.gen != c.formGen {
			return nil // the form was left (or left and opened again) meanwhile
		}
		if msg.err != nil {
			c.err = msg.err.Error()
			return nil
		}
		if len(msg.nums) == 0 {
			c.err = "No numbers to check in that file."
			return nil
		}
		c.leaveForm()
		return c.enqueue(msg.nums, msg.opts)
	case tea.PasteMsg:
		if c.mode == checksNewJob && c.field == fieldNumbers {
			// Terminals send line breaks as CR (tmux and most others),
			// some as CRLF; the box makes a line of each CR and each LF,
			// so a CRLF would count twice. One break is one line.
			content := model.UnixLines(msg.Content)
			// The box would silently drop what does not fit (it holds
			// 10 000 lines): refuse the paste whole instead.
			// A break ending the text starts no line of its own.
			all := c.numbersText() + content
			lines := strings.Count(strings.TrimSuffix(all, "\n"), "\n") + 1
			if size := len(all); size > maxPaste || lines > maxPasteLines {
				c.err = fmt.Sprintf("That paste is %s in %d lines; the box takes up to %s and %d lines. Save the list to a file and give its path instead.",
					byteSize(len(content)), lines, byteSize(maxPaste), maxPasteLines)
				return nil
			}
			return c.updateFocused(tea.PasteMsg{Content: content})
		}
	case tea.KeyPressMsg:
		// A key no table took: typing into the field with the focus.
		return c.updateFocused(msg)
	}
	return nil
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
			c.unspill(msg)
			c.numbers, cmd = c.numbers.Update(msg)
			c.spill()
		case fieldFile:
			c.file, cmd = c.file.Update(msg)
		case fieldRegion:
			c.region, cmd = c.region.Update(msg)
		}
	}
	return cmd
}

// Bindings is the Checks screen's key table: the jobs', or the new-check
// form's while it is open (formKeys).
func (c *checksScreen) Bindings() []binding {
	if c.mode == checksNewJob {
		return c.formKeys()
	}
	return c.jobKeys()
}

// jobKeys act on the jobs and their results.
func (c *checksScreen) jobKeys() []binding {
	k := c.keys
	onJob := func(act func(app.Job) tea.Cmd) func(tea.KeyPressMsg) tea.Cmd {
		return func(tea.KeyPressMsg) tea.Cmd { return act(*c.selectedJob()) }
	}
	move := func(kp tea.KeyPressMsg) tea.Cmd { return c.move(kp) }
	scroll := k.ScrollResults
	if c.focusRes {
		// enter (or esc) now goes back: the bar says so.
		scroll.SetHelp("enter/esc", "back to the jobs")
	}
	return []binding{
		bind(k.NewJob, func(tea.KeyPressMsg) tea.Cmd { return c.openForm() }).offered(),
		bind(k.PauseJob, onJob(c.pauseOrResume)).offered().unless(c.finished),
		bind(k.CancelJob, onJob(c.askCancel)).offered().unless(c.finished),
		bind(k.RetryJob, onJob(c.retry)).offered().unless(func() string {
			if why := c.noJob(); why != "" {
				return why
			}
			if j := c.selectedJob(); j.Counts.Failed+j.Counts.Cancelled == 0 {
				return fmt.Sprintf("Job %d has no failed or cancelled numbers to check again.", j.ID)
			}
			return ""
		}),
		bind(k.SaveValid, onJob(c.askLabels)).offered().unless(func() string {
			if why := c.noJob(); why != "" {
				return why
			}
			if c.selectedJob().Counts.Valid == 0 {
				return "This job has no valid numbers to save."
			}
			return ""
		}),
		bind(k.Export, onJob(c.askExportPath)).offered().unless(c.noJob),
		bind(scroll, func(tea.KeyPressMsg) tea.Cmd { c.focusRes = !c.focusRes; return nil }).offered().unless(c.noJob),
		bind(k.FilterResults, func(tea.KeyPressMsg) tea.Cmd {
			c.filter = (c.filter + 1) % filterCount
			c.resOffset = 0
			return nil
		}).offered().unless(c.noJob),
		elsewhere(k.Help), elsewhere(k.Quit),
		bind(k.Back, func(tea.KeyPressMsg) tea.Cmd { c.focusRes = false; return nil }),
		bind(k.Up, move), bind(k.Down, move), bind(k.PageUp, move), bind(k.PageDown, move),
		bind(k.Top, move), bind(k.Bottom, move),
	}
}

func (c *checksScreen) ShortHelp() []key.Binding  { return keyTable(c.Bindings).ShortHelp() }
func (c *checksScreen) FullHelp() [][]key.Binding { return keyTable(c.Bindings).FullHelp() }

// noJob is why a key acting on the selected job cannot act: there is none.
func (c *checksScreen) noJob() string {
	if c.selectedJob() == nil {
		return "No check job yet: n starts one."
	}
	return ""
}

// finished is why pause and cancel cannot act: no job, or the selected
// one is done or cancelled.
func (c *checksScreen) finished() string {
	if why := c.noJob(); why != "" {
		return why
	}
	switch j := c.selectedJob(); j.State {
	case app.JobDone, app.JobCancelled:
		return fmt.Sprintf("Job %d is %s: nothing left to pause or cancel.", j.ID, j.State)
	}
	return ""
}

// checkNumbersMsg asks the Checks screen to check these numbers (the
// Contacts screen's c).
type checkNumbersMsg struct{ phones []string }

func (c *checksScreen) move(kp tea.KeyPressMsg) tea.Cmd {
	k := c.keys
	if c.focusRes {
		// Results take one line or more (a long note wraps), so pages
		// are counted in results that fit, not in lines.
		shown, h := c.shownResults(), c.resultRows()
		switch {
		case key.Matches(kp, k.Up):
			c.resOffset--
		case key.Matches(kp, k.Down):
			c.resOffset++
		case key.Matches(kp, k.PageUp):
			c.resOffset = c.pageBack(shown, c.resOffset, h)
		case key.Matches(kp, k.PageDown):
			c.resOffset += c.fitting(shown[min(c.resOffset, len(shown)):], h)
		case key.Matches(kp, k.Top):
			c.resOffset = 0
		case key.Matches(kp, k.Bottom):
			c.resOffset = len(shown)
		}
		c.resOffset = max(0, min(c.resOffset, c.pageBack(shown, len(shown), h)))
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

// maxReasonLines bounds a wrapped pause or canary note, so that a long
// error cannot push the jobs off the screen.
const maxReasonLines = 3
