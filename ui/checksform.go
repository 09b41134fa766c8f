// The new-check form: numbers pasted or a file, region, force; submitted off
// the Update path.
package ui

import (
	"context"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/wabook/wabook/app"
)

func (c *checksScreen) openForm() tea.Cmd {
	c.mode, c.field, c.err = checksNewJob, fieldNumbers, ""
	c.formGen++ // a file read for an earlier form is not this one's
	c.numbers.Reset()
	c.held = nil
	c.file.SetValue("")
	c.region.SetValue("")
	c.force = false
	return c.focusField()
}

func (c *checksScreen) focusField() tea.Cmd {
	c.blurFields()
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

// leaveForm closes the new-check form: no field keeps the focus (a focused
// one would go on taking keys and blinking), and what was said about it
// goes with it.
func (c *checksScreen) leaveForm() {
	c.mode, c.err = checksBrowse, ""
	c.blurFields()
}

func (c *checksScreen) blurFields() {
	c.numbers.Blur()
	c.file.Blur()
	c.region.Blur()
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
		bind(k.Cancel, func(tea.KeyPressMsg) tea.Cmd { c.leaveForm(); return nil }).offered(),
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
	text, path := strings.TrimSpace(c.numbersText()), strings.TrimSpace(c.file.Value())
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
	c.leaveForm()
	return c.enqueue(inputs, app.CheckOptions{Force: c.force, Region: region})
}

func (c *checksScreen) enqueue(inputs []string, opts app.CheckOptions) tea.Cmd {
	svc := c.svc
	return c.within(actionTimeout, func(ctx context.Context) tea.Msg {
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

// Typing into a bubbles text area costs time in proportion to the lines it
// holds: it draws every line on every key, shown or not (9 000 lines made a
// key take 0.2 s; BenchmarkTypingIntoChecksBox). So the box keeps the
// lines near the cursor and holds the earlier ones apart (held), counted
// above it; a key that moves above the box's first line brings them back.

// boxKeep is how many lines the box keeps when it lets lines go: a screen
// of them and a few more.
func (c *checksScreen) boxKeep() int { return c.numbers.Height() + 8 }

// boxSlack is how far the box may grow past boxKeep before lines go: they
// go in batches, since each move copies the box.
const boxSlack = 32

// numbersText is every line of the numbers field: the held ones and the
// box's.
func (c *checksScreen) numbersText() string {
	if len(c.held) == 0 {
		return c.numbers.Value()
	}
	return strings.Join(c.held, "\n") + "\n" + c.numbers.Value()
}

// spill moves the box's first lines to held when the box has grown past
// boxKeep+boxSlack lines and the cursor is on its last line (typing or
// pasting at the end, the way a list is written), keeping the cursor where
// it was.
func (c *checksScreen) spill() {
	n, keep := c.numbers.LineCount(), c.boxKeep()
	if n <= keep+boxSlack || c.numbers.Line() != n-1 {
		return
	}
	col := c.numbers.Column()
	lines := strings.Split(c.numbers.Value(), "\n")
	c.held = append(c.held, lines[:n-keep]...)
	c.numbers.SetValue(strings.Join(lines[n-keep:], "\n"))
	c.numbers.MoveToEnd() // scrolls the box to the cursor, which SetValue does not
	c.numbers.SetCursorColumn(col)
}

// unspill brings held lines back into the box before a key that may move
// or delete above its first line: every held line for the key to the
// beginning, else a box's worth. Typed characters never need them.
func (c *checksScreen) unspill(msg tea.Msg) {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok || len(c.held) == 0 {
		return
	}
	k := min(len(c.held), c.boxKeep())
	switch {
	case kp.String() == "ctrl+home" || kp.String() == "alt+<":
		k = len(c.held) // to the beginning, wherever the cursor is
	case c.numbers.Line() != 0, kp.Text != "" && kp.Mod&^tea.ModShift == 0:
		return
	}
	col := c.numbers.Column()
	back := c.held[len(c.held)-k:]
	c.held = c.held[:len(c.held)-k]
	c.numbers.SetValue(strings.Join(back, "\n") + "\n" + c.numbers.Value())
	c.numbers.MoveToBegin()
	if len(c.held) == 0 && k > c.boxKeep() {
		return // the key goes to the beginning: no need to walk there
	}
	for c.numbers.Line() < k {
		c.numbers.CursorDown()
	}
	c.numbers.SetCursorColumn(col)
}
