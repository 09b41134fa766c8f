package ui

import (
	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
)

// newTextInput is a text input whose cursor does not blink: a blinking
// cursor redraws an idle screen twice a second, which over SSH is traffic
// for nothing. limit 0 keeps the input's own.
func newTextInput(prompt, placeholder string, limit int) textinput.Model {
	ti := textinput.New()
	s := readableInput(ti.Styles())
	s.Cursor.Blink = false
	ti.SetStyles(s)
	ti.Prompt, ti.Placeholder = prompt, placeholder
	if limit > 0 {
		ti.CharLimit = limit
	}
	return ti
}

// newTextArea is a text area with a steady cursor, for the same reason.
func newTextArea() textarea.Model {
	ta := textarea.New()
	s := readableArea(ta.Styles())
	s.Cursor.Blink = false
	ta.SetStyles(s)
	return ta
}
