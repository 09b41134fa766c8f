package ui

import (
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/wabook/wabook/model"
)

// wrapLines breaks text (plain, already sanitised) at spaces into lines of
// at most width cells, at most maxLines of them (the last one ends in "…"
// when the text goes on): a question or a reason is read in full, not cut
// at the terminal's edge.
func wrapLines(text string, width, maxLines int) []string {
	if width < 10 {
		return []string{model.Truncate(text, max(1, width))}
	}
	lines := strings.Split(lipgloss.NewStyle().Width(width).Render(text), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	if maxLines > 0 && len(lines) > maxLines {
		rest := strings.Join(lines[maxLines-1:], " ")
		lines = append(lines[:maxLines-1], model.Truncate(rest, width))
	}
	return lines
}
