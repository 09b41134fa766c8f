// The new-check form: numbers pasted or a file, region, force; submitted off
// the Update path.
package ui

import (
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/wabook/wabook/app"
)

func (c *checksScreen) openForm() tea.Cmd {
	c.mode, c.field, c.err = checksNewJob, fieldNumbers, ""
	c.formGen++ // a file read for an earlier form is not this one's
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

// formKeys is the new-check form's key table; other keys type into the
// field with the focus.
func (c *checksScreen) formKeys() []binding {
	k := c.keys
	focus := func(by int) func(tea.KeyPressMsg) tea.Cmd {
		return func(tea.KeyPressMsg) tea.Cmd {
			c.field = (c.field + by + fieldCount) % fieldCount
			return c.focusField()
		}
	}
	submit := func(tea.KeyPressMsg) tea.Cmd { return c.submit() }
	return []binding{
		bind(k.NextField, focus(1)).offered(),
		bind(k.PrevField, focus(-1)),
		bind(k.StartCheck, submit).offered(),
		bind(k.Cancel, func(tea.KeyPressMsg) tea.Cmd {
			c.mode = checksBrowse
			c.focusField()
			c.numbers.Blur()
			return nil
		}).offered(),
		bind(k.Confirm, submit).unless(func() string {
			if c.field == fieldNumbers {
				return "enter starts a new line in the numbers box"
			}
			return ""
		}),
		bind(k.Toggle, func(tea.KeyPressMsg) tea.Cmd { c.force = !c.force; return nil }).unless(func() string {
			if c.field != fieldForce {
				return "space types into the field"
			}
			return ""
		}),
	}
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
		opts, file, gen := app.CheckOptions{Force: c.force, Region: region}, expandHome(path), c.formGen
		c.err = "reading " + path + "…"
		return c.track(func() tea.Msg {
			nums, err := app.ReadNumbersFile(file)
			return fileNumbersMsg{nums: nums, opts: opts, err: err, gen: gen}
		})
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
	ctx, svc := c.ctx, c.svc
	return c.track(func() tea.Msg {
		job, err := svc.EnqueueCheck(ctx, inputs, opts)
		return jobCreatedMsg{job, err}
	})
}

// fileNumbersMsg carries the numbers read from the file the new-check form
// named.
type fileNumbersMsg struct {
	nums []string
	opts app.CheckOptions
	err  error
	gen  int // the form it was read for (checksScreen.formGen)
}
