// The Checks screen's actions on the selected job: pause, cancel (asked
// first), retry, save the valid numbers as contacts, export the results.
package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

// jobAction runs act on job id off the Update path, within actionTimeout.
// A job that finished (or was cancelled) meanwhile is no error of the
// user's: the answer says so plainly ("job #2 finished before it could be
// paused") instead of the queue's words for a refused change.
func (c *checksScreen) jobAction(id int64, what string, act func(ctx context.Context) (string, error)) tea.Cmd {
	svc := c.svc
	return c.within(actionTimeout, func(ctx context.Context) tea.Msg {
		flash, err := act(ctx)
		if err != nil {
			if ended := jobEnded(ctx, svc, id); ended != "" {
				return checksDoneMsg{flash: fmt.Sprintf("job #%d %s before it could be %s", id, ended, what)}
			}
		}
		return checksDoneMsg{flash: flash, err: err}
	})
}

// jobEnded says how job id ended ("finished", "was cancelled"), "" when it
// has not (or cannot be read).
func jobEnded(ctx context.Context, svc Service, id int64) string {
	jobs, err := svc.Jobs(ctx)
	if err != nil {
		return ""
	}
	for _, j := range jobs {
		if j.ID != id {
			continue
		}
		switch j.State {
		case app.JobDone:
			return "finished"
		case app.JobCancelled:
			return "was cancelled"
		}
	}
	return ""
}

// pauseOrResume says nothing in the status bar once done: the status bar
// tells the selected job's state as it stands (statusRight), where a
// "job 3 resumed" would outlive the run it reported.
func (c *checksScreen) pauseOrResume(job app.Job) tea.Cmd {
	svc, id := c.svc, job.ID
	if job.State == app.JobPaused {
		return c.jobAction(id, "resumed", func(ctx context.Context) (string, error) { return "", svc.ResumeJob(ctx, id) })
	}
	return c.jobAction(id, "paused", func(ctx context.Context) (string, error) { return "", svc.PauseJob(ctx, id) })
}

func (c *checksScreen) cancel(job app.Job) tea.Cmd {
	svc, id := c.svc, job.ID
	return c.jobAction(id, "cancelled", func(ctx context.Context) (string, error) {
		return fmt.Sprintf("job #%d cancelled", id), svc.CancelJob(ctx, id)
	})
}

func (c *checksScreen) retry(job app.Job) tea.Cmd {
	svc, id := c.svc, job.ID
	return c.within(actionTimeout, func(ctx context.Context) tea.Msg {
		n, err := svc.RetryJob(ctx, id)
		return checksDoneMsg{flash: fmt.Sprintf("job #%d: %d number%s queued again", id, n, plural(n)), err: err}
	})
}

// askLabels asks, in a form, for the labels the valid numbers of job get
// as contacts; what is wrong with one keeps the form open.
func (c *checksScreen) askLabels(job app.Job) tea.Cmd {
	n := job.Counts.Valid
	f := newFormDialog(c.common, fmt.Sprintf("Save the %d valid number%s of job #%d as contacts", n, plural(n), job.ID)).
		addText("Labels", "", "optional, e.g. VIP, New customer")
	f.submit = func(v []string, _ []bool) (string, tea.Cmd) {
		labels := model.SplitLabelList(v[0])
		for _, l := range labels {
			if err := model.ValidateLabelName(l); err != nil {
				return fmt.Sprintf("Label %q: %v.", l, err), nil
			}
		}
		return "", c.saveValid(job.ID, labels)
	}
	c.open(f)
	return f.fields[0].input.Focus()
}

func (c *checksScreen) saveValid(id int64, labels []string) tea.Cmd {
	svc := c.svc
	return c.within(actionTimeout, func(ctx context.Context) tea.Msg {
		n, err := svc.SaveValidAsContacts(ctx, id, labels)
		return checksDoneMsg{flash: fmt.Sprintf("saved %d contact%s", n, plural(n)), err: err}
	})
}

// askExportPath asks, in a form, where to write job's results as CSV: tab
// completes the name, ~ is the home folder, an existing file is replaced
// only after a yes (fileToWrite).
func (c *checksScreen) askExportPath(job app.Job) tea.Cmd {
	id := job.ID
	f := newFormDialog(c.common, fmt.Sprintf("Export the results of job #%d as CSV", id)).
		addPath("File", fmt.Sprintf("wabook-check-%d.csv", id), "where to write, e.g. ~/checks.csv")
	f.submit = func(v []string, _ []bool) (string, tea.Cmd) {
		typed := strings.TrimSpace(v[0])
		if typed == "" {
			return "A file name is needed.", nil
		}
		if i, known := formatOf(typed); known && exportFormats[i] != "csv" {
			return fmt.Sprintf("Check results are written as CSV, and %s names a %s file: name it .csv.", typed, exportFormats[i]), nil
		}
		return "", f.await(func(context.Context) formVerdict {
			return fileToWrite(typed, fmt.Sprintf("the results of job #%d", id), func(path string, overwrite bool) tea.Cmd {
				return c.export(id, path, overwrite)
			})
		})
	}
	c.open(f)
	return f.fields[0].input.Focus()
}

// export writes the results of job id (read now, not those on screen) to
// path, replacing a file there only when overwrite says it may.
func (c *checksScreen) export(id int64, path string, overwrite bool) tea.Cmd {
	svc := c.svc
	return c.within(actionTimeout, func(ctx context.Context) tea.Msg {
		results, err := svc.JobResults(ctx, id)
		if err == nil {
			err = app.WriteFileAtomic(path, overwrite, func(w io.Writer) error { return app.WriteCheckResultsCSV(w, results) })
		}
		switch {
		case errors.Is(err, fs.ErrExist):
			err = fmt.Errorf("exporting: %s appeared meanwhile; export again to replace it", path)
		case err != nil:
			err = fmt.Errorf("exporting: %w", err)
		}
		return checksDoneMsg{flash: fmt.Sprintf("exported %d results of job #%d to %s", len(results), id, shortPath(path, 40)), err: err}
	})
}

// askCancel asks before cancelling: the numbers not yet asked are never
// sent (r queues them again).
func (c *checksScreen) askCancel(job app.Job) tea.Cmd {
	n := job.Counts.Processing
	q := fmt.Sprintf("Cancel job #%d? Its %d number%s not yet asked will not be sent.", job.ID, n, plural(n))
	if n == 0 {
		q = fmt.Sprintf("Cancel job #%d? Every number has an answer already.", job.ID)
	}
	c.open(newConfirm(c.common, q, func() tea.Cmd { return c.cancel(job) }))
	return nil
}
