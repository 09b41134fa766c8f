// The Account screen's section on changes for WhatsApp: counts, why they
// wait, the failed ones with a cursor to drop one.
package ui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

// outboxMsg carries the failed changes for WhatsApp, read off the Update
// path.
type outboxMsg struct {
	failed []app.OutboxItem
	err    error
}

// outboxActMsg is the answer to a retry or a drop.
type outboxActMsg struct {
	done string
	err  error
}

// maxFailedShown bounds the failed changes listed at once: the list
// scrolls.
const maxFailedShown = 8

// loadOutbox reads the failed changes again when the counts moved since
// they were read (nil otherwise).
func (a *accountScreen) loadOutbox() tea.Cmd {
	st := a.status
	if a.loading || st.Outbox == a.loadedFor {
		return nil
	}
	a.loading, a.loadedFor = true, st.Outbox
	ctx, svc := a.ctx, a.svc
	return func() tea.Msg {
		items, err := svc.Outbox(ctx, false)
		failed := make([]app.OutboxItem, 0, len(items))
		for _, it := range items {
			if it.State == app.OutboxFailed {
				failed = append(failed, it)
			}
		}
		return outboxMsg{failed: failed, err: err}
	}
}

// outboxLines is the section on changes for WhatsApp: how many wait, why
// they wait (when this wabook sends them), and the failed ones with the
// cursor on one.
func (a *accountScreen) outboxLines(st app.Status) []string {
	c := st.Outbox
	if c.Pending == 0 && c.Failed == 0 {
		return nil
	}
	var lines []string
	line := func(s string) { lines = append(lines, s) }
	value := fmt.Sprintf("%d waiting, %d failed", c.Pending, c.Failed)
	if c.Pending > 0 {
		if a.readOnly {
			value += " · " + holderWords(a.holder) + " and sends them"
		} else if why := a.svc.OutboxWaiting(); why != "" {
			value += " · " + why
		}
	}
	line(a.st.FieldName.Render(pad("WhatsApp changes", fieldWidth)) + " " + model.Truncate(model.Sanitize(value), max(10, a.width-fieldWidth-1)))
	// Two lines a change: what it is, then WhatsApp's reason, which must
	// not be cut off by a long label name. The list scrolls with the
	// cursor within the rows the screen has to spare.
	rows := max(2, min(maxFailedShown, (a.height-12)/2)) // what the fields above and a question below leave
	first := max(0, min(a.cursor-rows/2, len(a.failed)-rows))
	last := min(len(a.failed), first+rows)
	indent := strings.Repeat(" ", fieldWidth+1)
	w := max(10, a.width-fieldWidth-1)
	if first > 0 {
		line(indent + a.st.Dim.Render(fmt.Sprintf("↑ %d more", first)))
	}
	for i := first; i < last; i++ {
		it := a.failed[i]
		marker := "  "
		if i == a.cursor {
			marker = cursorMarker + " "
		}
		text := model.Truncate(marker+app.DescribeChange(it), w)
		if i == a.cursor {
			text = a.st.Selected.Render(text)
		}
		line(indent + text)
		line(indent + "  " + a.st.Error.Render(model.Truncate(model.Sanitize(it.Error), w-2)))
	}
	if more := len(a.failed) - last; more > 0 {
		line(indent + a.st.Dim.Render(fmt.Sprintf("↓ %d more (j/k scroll; wabook outbox lists them all)", more)))
	}
	return lines
}
