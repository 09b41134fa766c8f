// The Checks screen's actions on the selected job: pause, cancel (asked
// first), retry, save the valid numbers as contacts, export the results.
package ui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

func (c *checksScreen) pauseOrResume(job app.Job) tea.Cmd {
	ctx, svc, id, paused := c.ctx, c.svc, job.ID, job.State == app.JobPaused
	return c.track(func() tea.Msg {
		if paused {
			return checksDoneMsg{flash: fmt.Sprintf("job %d resumed", id), err: svc.ResumeJob(ctx, id)}
		}
		return checksDoneMsg{flash: fmt.Sprintf("job %d paused", id), err: svc.PauseJob(ctx, id)}
	})
}

func (c *checksScreen) cancel(job app.Job) tea.Cmd {
	ctx, svc, id := c.ctx, c.svc, job.ID
	return c.track(func() tea.Msg {
		return checksDoneMsg{flash: fmt.Sprintf("job %d cancelled", id), err: svc.CancelJob(ctx, id)}
	})
}

func (c *checksScreen) retry(job app.Job) tea.Cmd {
	ctx, svc, id := c.ctx, c.svc, job.ID
	return c.track(func() tea.Msg {
		n, err := svc.RetryJob(ctx, id)
		return checksDoneMsg{flash: fmt.Sprintf("job %d: %d number%s queued again", id, n, plural(n)), err: err}
	})
}

func (c *checksScreen) askLabels(app.Job) tea.Cmd {
	c.mode, c.err = checksSaveLabels, ""
	c.prompt.Prompt = "Labels (optional): "
	c.prompt.Placeholder = "VIP, New customer"
	c.prompt.SetValue("")
	return c.prompt.Focus()
}

func (c *checksScreen) askExportPath(job app.Job) tea.Cmd {
	c.mode, c.err = checksExportPath, ""
	c.prompt.Prompt = "Export the results as CSV to: "
	c.prompt.Placeholder = ""
	c.prompt.SetValue(fmt.Sprintf("wabook-check-%d.csv", job.ID))
	c.prompt.CursorEnd()
	return c.prompt.Focus()
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
	ctx, svc, id := c.ctx, c.svc, job.ID
	return c.track(func() tea.Msg {
		n, err := svc.SaveValidAsContacts(ctx, id, labels)
		return checksDoneMsg{flash: fmt.Sprintf("saved %d contact%s", n, plural(n)), err: err}
	})
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
	ctx, svc, id := c.ctx, c.svc, job.ID
	return c.track(func() tea.Msg {
		results, err := svc.JobResults(ctx, id)
		if err == nil {
			err = app.ExportCheckResultsFile(path, results)
		}
		return checksDoneMsg{flash: fmt.Sprintf("exported %d results of job %d to %s", len(results), id, path), err: err}
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
