// Package qrtext draws QR codes with half-block characters, for the TUI and
// for "wabook pair" in a plain terminal.
package qrtext

import (
	"fmt"
	"image/color"
	"strings"

	"charm.land/lipgloss/v2"
	"rsc.io/qr"
)

// QuietZone is the light border around the code, in modules: the four the
// QR standard asks for. A narrower one reads on some phones and not on
// others, and on a dark terminal the text around the code then touches it.
const QuietZone = 4

// Style is how a code is drawn so that its dark modules are dark and its
// light ones (the quiet zone too) light whatever the terminal's theme:
//   - with colours, explicitly dark on light; in reverse video (light
//     foreground, dark background, swapped), because a renderer clears a
//     run of plain coloured spaces, such as the quiet zone's rows, with an
//     erase that only terminals with back-colour erase paint in that
//     colour, while reversed cells are always written out;
//   - without (NO_COLOR), a half block can only be drawn in the terminal's
//     own two colours: on a dark background the code is drawn in reverse
//     video, so the glyphs (the dark modules) take the dark background
//     colour and the rest the light text colour; on a light background it
//     is drawn as it is.
func Style(colours, darkBackground bool) lipgloss.Style {
	switch {
	case colours:
		return lipgloss.NewStyle().Foreground(color.White).Background(color.Black).Reverse(true)
	case darkBackground:
		return lipgloss.NewStyle().Reverse(true)
	}
	return lipgloss.NewStyle()
}

// Render draws text as a QR code with half blocks: each cell holds two
// modules, top and bottom, the glyph being the dark ones (style says in
// which colours: Style). It returns the lines and the size in cells; every
// line is as wide as the code with its quiet zone and drawn in style, so
// the light border is drawn too, not left to the terminal's background.
func Render(text string, style lipgloss.Style) (lines []string, width, height int, err error) {
	code, err := qr.Encode(text, qr.L)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("encoding the pairing code as a QR code: %w", err)
	}
	n := code.Size + 2*QuietZone
	black := func(x, y int) bool {
		x, y = x-QuietZone, y-QuietZone
		return x >= 0 && y >= 0 && x < code.Size && y < code.Size && code.Black(x, y)
	}
	for y := 0; y < n; y += 2 {
		var b strings.Builder
		for x := 0; x < n; x++ {
			top, bottom := black(x, y), y+1 < n && black(x, y+1)
			switch {
			case top && bottom:
				b.WriteString("█")
			case top:
				b.WriteString("▀")
			case bottom:
				b.WriteString("▄")
			default:
				b.WriteString(" ")
			}
		}
		lines = append(lines, style.Render(b.String()))
	}
	return lines, n, len(lines), nil
}

// Size is the number of cells a QR code for text needs, quiet zone
// included.
func Size(text string) (width, height int) {
	code, err := qr.Encode(text, qr.L)
	if err != nil {
		return 0, 0
	}
	n := code.Size + 2*QuietZone
	return n, (n + 1) / 2
}
