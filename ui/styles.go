package ui

import (
	"image/color"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	"charm.land/lipgloss/v2"

	"github.com/wabook/wabook/model"
)

// cursorMarker marks the row the cursor is on in every list, besides the
// reverse video of the row: reverse video alone is lost on terminals that
// do not draw it and turns a colour swatch into what looks like a gap.
const cursorMarker = "▸"

// Styles are shared by every screen. Chrome uses the 16 basic ANSI colours so
// it follows the terminal's own theme and survives 16-colour terminals; label
// chips use WhatsApp's palette, which the renderer downsamples as needed.
type Styles struct {
	App        lipgloss.Style
	Tab        lipgloss.Style
	ActiveTab  lipgloss.Style
	Brand      lipgloss.Style
	Header     lipgloss.Style
	Row        lipgloss.Style
	CursorRow  lipgloss.Style
	Selected   lipgloss.Style
	Dim        lipgloss.Style
	Error      lipgloss.Style
	Warn       lipgloss.Style
	OK         lipgloss.Style
	StatusBar  lipgloss.Style
	Prompt     lipgloss.Style
	FieldName  lipgloss.Style
	Title      lipgloss.Style
	Box        lipgloss.Style
	chipStyles [model.LabelColors]lipgloss.Style
}

// DefaultStyles builds the styles.
func DefaultStyles() *Styles {
	s := &Styles{
		Tab:       lipgloss.NewStyle().Padding(0, 1),
		ActiveTab: lipgloss.NewStyle().Padding(0, 1).Bold(true).Reverse(true),
		Brand:     lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Green),
		Header:    lipgloss.NewStyle().Bold(true).Underline(true),
		Row:       lipgloss.NewStyle(),
		CursorRow: lipgloss.NewStyle().Reverse(true),
		Selected:  lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Yellow),
		Dim:       lipgloss.NewStyle().Faint(true),
		Error:     lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Red),
		Warn:      lipgloss.NewStyle().Foreground(lipgloss.Yellow),
		OK:        lipgloss.NewStyle().Foreground(lipgloss.Green),
		StatusBar: lipgloss.NewStyle().Reverse(true),
		Prompt:    lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Cyan),
		FieldName: lipgloss.NewStyle().Bold(true),
		Title:     lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Cyan),
		Box:       lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).Padding(0, 1),
	}
	for i := range s.chipStyles {
		s.chipStyles[i] = lipgloss.NewStyle().
			Background(lipgloss.Color(model.LabelColorHex(i))).
			Foreground(color.Black)
	}
	return s
}

// Chip renders a label name as a coloured chip. The text stays readable
// without colour: chips are padded words, not bare swatches. Chips sit in
// columns, so their emoji sequences are broken up (model.CellSafe).
func (s *Styles) Chip(name string, colorIndex int) string {
	if colorIndex < 0 || colorIndex >= len(s.chipStyles) {
		colorIndex = 0
	}
	return s.chipStyles[colorIndex].Render(" " + model.CellSafe(name) + " ")
}

// Swatch renders a two-cell block in a label colour.
func (s *Styles) Swatch(colorIndex int) string {
	if colorIndex < 0 || colorIndex >= len(s.chipStyles) {
		colorIndex = 0
	}
	return s.chipStyles[colorIndex].Render("  ")
}

// newHelp is the key help in the UI's styles. The help bubble's own greys
// were chosen for one background: at 256 colours they are 237 and 239,
// nearly invisible on a dark theme, and at 16 colours the separators and the
// ellipsis become black. Bold keys and faint descriptions take no colour at
// all: the terminal draws them from its own foreground, so they read on a
// dark or a light theme at every colour profile, and under NO_COLOR.
func newHelp() help.Model {
	h := help.New()
	key := lipgloss.NewStyle().Bold(true)
	hint := lipgloss.NewStyle().Faint(true)
	h.Styles = help.Styles{
		Ellipsis:       hint,
		ShortKey:       key,
		ShortDesc:      hint,
		ShortSeparator: hint,
		FullKey:        key,
		FullDesc:       hint,
		FullSeparator:  hint,
	}
	return h
}

// readableInput takes the colours out of a text input's styles: the
// bubble's prompt and cursor are ANSI white (7) and its placeholder grey
// 240, lost on a light or a dark theme. Plain text and a reverse-video
// cursor take the terminal's own colours; hints are faint, a placeholder
// faint italic (placeholderStyle); the cursor does not blink (newTextInput).
func readableInput(s textinput.Styles) textinput.Styles {
	plain, hint := lipgloss.NewStyle(), lipgloss.NewStyle().Faint(true)
	for _, st := range []*textinput.StyleState{&s.Focused, &s.Blurred} {
		st.Text, st.Prompt, st.Placeholder, st.Suggestion = plain, plain, placeholderStyle, hint
	}
	s.Cursor.Color, s.Cursor.Blink = nil, false
	return s
}

// readableArea does for a text area what readableInput does for an input;
// its line under the cursor had a black background, which hides the text
// typed on a light theme.
func readableArea(s textarea.Styles) textarea.Styles {
	plain, hint := lipgloss.NewStyle(), lipgloss.NewStyle().Faint(true)
	for _, st := range []*textarea.StyleState{&s.Focused, &s.Blurred} {
		st.Base, st.Text, st.Prompt, st.CursorLine = plain, plain, plain, plain
		st.Placeholder, st.LineNumber, st.CursorLineNumber, st.EndOfBuffer = placeholderStyle, hint, hint, hint
		st.Selection = lipgloss.NewStyle().Reverse(true)
	}
	s.Cursor.Color, s.Cursor.Blink = nil, false
	return s
}
