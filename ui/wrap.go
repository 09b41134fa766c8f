package ui

import (
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/charmbracelet/x/ansi"
	"github.com/wabook/wabook/model"
)

// wrapLines is wrapText keeping at most maxLines lines (the last one ends
// in "…" when the text goes on): a banner or a reason is read in full
// without pushing the screen away.
func wrapLines(text string, width, maxLines int) []string {
	lines := wrapText(text, width)
	if maxLines > 0 && len(lines) > maxLines {
		rest := strings.Join(lines[maxLines-1:], " ")
		lines = append(lines[:maxLines-1], model.Truncate(rest, width))
	}
	return lines
}

// wrapText breaks s into lines of at most width cells, at spaces where it
// can: dialogs wrap what they say rather than cut it.
func wrapText(s string, width int) []string {
	return strings.Split(ansi.Wrap(s, max(1, width), ""), "\n")
}

// wrapStyled is wrapText with each line rendered in style (styled after
// wrapping, so no line carries another's escape codes).
func wrapStyled(style lipgloss.Style, s string, width int) []string {
	lines := wrapText(s, width)
	for i, l := range lines {
		lines[i] = style.Render(l)
	}
	return lines
}
