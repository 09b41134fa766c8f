package ui

import (
	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	"charm.land/lipgloss/v2"
)

// placeholderStyle: a placeholder must never read as a value. The
// bubbles' default is only a grey, which NO_COLOR (and a 16-colour theme)
// drops, leaving text that looks typed; faint italic survives NO_COLOR.
var placeholderStyle = lipgloss.NewStyle().Faint(true).Italic(true)

// newTextInput is a text input in readable styles (readableInput), whose
// cursor does not blink: a blinking cursor redraws an idle screen twice a
// second, which over SSH is traffic for nothing. limit 0 keeps the
// input's own.
func newTextInput(prompt, placeholder string, limit int) textinput.Model {
	ti := textinput.New()
	ti.SetStyles(readableInput(ti.Styles()))
	ti.Prompt, ti.Placeholder = prompt, placeholder
	if limit > 0 {
		ti.CharLimit = limit
	}
	return ti
}

// newTextArea is a text area with a steady cursor, for the same reason.
func newTextArea() textarea.Model {
	ta := textarea.New()
	ta.SetStyles(readableArea(ta.Styles()))
	return ta
}
