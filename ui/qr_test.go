package ui

import (
	"image"
	"image/color"
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/app/qrtext"
	"github.com/wabook/wabook/wa"
)

// pairingCode is shaped like WhatsApp's: ref, public keys and adv secret,
// comma-separated, about 230 characters.
var pairingCode = "2@" + strings.Repeat("AbCdEfGhIjKlMnOpQrStUvWxYz0123456789+/", 3)[:98] + "," +
	strings.Repeat("k9Lm2Nq4Rs6Tu8Vw0Xy1Za3Bc5De7Fg9Hi+JkL/", 2)[:44] + "," +
	strings.Repeat("pQ7rS9tU1vW3xY5zA7bC9dE1fG3hI5jK7lM9nO+", 2)[:44] + "," +
	strings.Repeat("Zx8Yw6Vu4Ts2Rq0Po8Nm6Lk4Ji2Hg0Fe8Dc6Ba+", 2)[:39]

// decodeHalfBlocks turns half-block text back into pixels (each module
// scale×scale) and reads it as a QR code.
func decodeHalfBlocks(t *testing.T, lines []string) string {
	t.Helper()
	const scale, border = 4, 8
	w := 0
	rows := make([][]rune, len(lines))
	for i, l := range lines {
		rows[i] = []rune(ansi.Strip(l))
		w = max(w, len(rows[i]))
	}
	h := 2 * len(rows)
	img := image.NewGray(image.Rect(0, 0, w*scale+2*border, h*scale+2*border))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	set := func(x, y int) {
		for dy := 0; dy < scale; dy++ {
			for dx := 0; dx < scale; dx++ {
				img.SetGray(border+x*scale+dx, border+y*scale+dy, color.Gray{0})
			}
		}
	}
	for y, row := range rows {
		for x, r := range row {
			switch r {
			case '█':
				set(x, 2*y)
				set(x, 2*y+1)
			case '▀':
				set(x, 2*y)
			case '▄':
				set(x, 2*y+1)
			}
		}
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("the rendered QR code does not scan: %v", err)
	}
	return res.GetText()
}

func TestPairingQRScans(t *testing.T) {
	t.Parallel()
	if n := len(pairingCode); n != 230 {
		t.Fatalf("test code is %d characters, want 230", n)
	}
	lines, w, h, err := qrtext.Render(pairingCode, lipgloss.NewStyle())
	if err != nil {
		t.Fatal(err)
	}
	if w > 57 || h > 29 {
		t.Errorf("QR needs %dx%d cells, want it to fit 57x29", w, h)
	}
	if got := decodeHalfBlocks(t, lines); got != pairingCode {
		t.Errorf("decoded %q, want %q", got, pairingCode)
	}
}

// The Account screen draws the same QR code the renderer does, and the
// scanned text is the code.
func TestAccountScreenShowsScannableQR(t *testing.T) {
	t.Parallel()
	a := newAccountScreen(testCommon(t, app.Status{}, false))
	a.SetSize(100, 45)
	view := a.viewAt(app.Status{Conn: wa.StatePairing, PairCode: pairingCode})
	var qr []string
	for _, l := range strings.Split(view, "\n") {
		plain := ansi.Strip(l)
		if strings.ContainsAny(plain, "█▀▄") {
			qr = append(qr, plain)
		}
	}
	if len(qr) == 0 {
		t.Fatalf("no QR code on the Account screen:\n%s", view)
	}
	if got := decodeHalfBlocks(t, qr); got != pairingCode {
		t.Errorf("decoded %q", got)
	}
}

func TestSmallTerminalOffersPairingByCode(t *testing.T) {
	t.Parallel()
	a := newAccountScreen(testCommon(t, app.Status{}, false))
	a.SetSize(80, 21) // the body of an 80x24 terminal
	view := ansi.Strip(a.viewAt(app.Status{Conn: wa.StatePairing, PairCode: pairingCode}))
	if strings.ContainsAny(view, "█▀▄") {
		t.Errorf("a QR code that cannot fit was drawn:\n%s", view)
	}
	for _, want := range []string{"too small for the QR code", "pair by phone number"} {
		if !strings.Contains(view, want) {
			t.Errorf("80x24 fallback lacks %q:\n%s", want, view)
		}
	}
	for _, l := range strings.Split(view, "\n") {
		if lipgloss.Width(l) > 80 {
			t.Errorf("line wider than 80: %q", l)
		}
	}
}
