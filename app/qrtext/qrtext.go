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

// QuietZone is the light border around the code, in modules. Two modules is
// less than the standard's four but phone cameras read it, and it lets a
// 230-character pairing code fit in 57x29 cells.
const QuietZone = 2

// Style is the style codes are drawn in: explicit colours, dark on light,
// so that a code scans on dark terminal themes too.
func Style() lipgloss.Style {
	return lipgloss.NewStyle().Foreground(color.Black).Background(color.White)
}

// Render draws text as a QR code with half blocks, each line in style
// (normally Style): each cell holds two modules, top and bottom. It returns
// the lines and the size in cells.
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

// Size is the number of cells a QR code for text needs.
func Size(text string) (width, height int) {
	code, err := qr.Encode(text, qr.L)
	if err != nil {
		return 0, 0
	}
	n := code.Size + 2*QuietZone
	return n, (n + 1) / 2
}
