package ui

import (
	"image/color"

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
// without colour: chips are padded words, not bare swatches.
func (s *Styles) Chip(name string, colorIndex int) string {
	if colorIndex < 0 || colorIndex >= len(s.chipStyles) {
		colorIndex = 0
	}
	return s.chipStyles[colorIndex].Render(" " + name + " ")
}

// Swatch renders a two-cell block in a label colour.
func (s *Styles) Swatch(colorIndex int) string {
	if colorIndex < 0 || colorIndex >= len(s.chipStyles) {
		colorIndex = 0
	}
	return s.chipStyles[colorIndex].Render("  ")
}
