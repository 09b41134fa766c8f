package ui

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	"rsc.io/qr"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/app/qrtext"
	"github.com/wabook/wabook/wa"
	"github.com/wabook/wabook/wa/sim"
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
	lines, w, h, err := qrtext.Render(pairingCode, qrtext.Style(true, true))
	if err != nil {
		t.Fatal(err)
	}
	if sw, sh := qrtext.Size(pairingCode); w != sw || h != sh || len(lines) != h {
		t.Errorf("drawn in %dx%d cells (%d lines), Size says %dx%d", w, h, len(lines), sw, sh)
	}
	for i, l := range lines {
		if lw := lipgloss.Width(l); lw != w {
			t.Errorf("line %d is %d cells wide, want %d: the quiet zone must be drawn, not left to the terminal", i, lw, w)
		}
	}
	if got := decodeHalfBlocks(t, lines); got != pairingCode {
		t.Errorf("decoded %q, want %q", got, pairingCode)
	}
	// On a dark terminal, as "wabook pair" prints it: the code with its
	// four light modules on every side.
	if err := findCode(darkModules(strings.Join(lines, "\n"), colorprofile.TrueColor, darkTheme), pairingCode, 4); err != nil {
		t.Error(err)
	}
}

// README gives the QR code's size and the terminal size from which the
// Account screen shows it: both are what the app draws (a real pairing
// code is about 230 characters; a real backend also shows its WhatsApp Web
// version), and a smaller terminal is told how much it lacks.
func TestREADMEGivesTheQRSize(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`the code is (\d+)×(\d+) cells;[^)]*?shows it from a (\d+)×(\d+)\s+terminal`)
	found := re.FindSubmatch(readme)
	if found == nil {
		t.Fatalf("README does not say %q", re)
	}
	num := func(b []byte) int { n, _ := strconv.Atoi(string(b)); return n }
	codeW, codeH, termW, termH := num(found[1]), num(found[2]), num(found[3]), num(found[4])
	if w, h := qrtext.Size(pairingCode); w != codeW || h != codeH {
		t.Errorf("README says the code is %dx%d cells; it is %dx%d", codeW, codeH, w, h)
	}
	// The size the code needs is the same whatever the status says above
	// it: with or without a WhatsApp Web version line, with a detail.
	for _, st := range []app.Status{
		{Conn: wa.StatePairing, PairCode: pairingCode, PairTimeout: time.Minute, PairIssued: time.Now(),
			WAVersion: wa.VersionChoice{Version: "2.3000.1023456789", Source: "built-in"}},
		{Conn: wa.StatePairing, PairCode: pairingCode, PairTimeout: time.Minute, PairIssued: time.Now()},
		{Conn: wa.StatePairing, PairCode: pairingCode, Detail: "waiting for the scan", LastError: "an earlier attempt failed",
			WAVersion: wa.VersionChoice{Version: "2.3000.1023456789", Source: "fetched", Note: "a note"}},
	} {
		view := func(w, h int) string {
			a := newAccountScreen(testCommon(t, app.Status{}, false))
			a.SetSize(w, h-(&Model{}).chromeLines())
			return ansi.Strip(a.viewAt(st))
		}
		// The instructions are read whole at the narrowest width.
		shows := func(w, h int) bool {
			return strings.Contains(view(w, h), "Settings → Linked devices → Link a device")
		}
		if !shows(termW, termH) {
			t.Errorf("README says %dx%d shows the QR code; it does not:\n%s", termW, termH, view(termW, termH))
		}
		if shows(termW-1, termH) || shows(termW, termH-1) {
			t.Errorf("README says %dx%d is the smallest terminal for the QR code; a smaller one shows it", termW, termH)
		}
		if v, want := view(80, 24), fmt.Sprintf("it needs %d more lines", termH-24); !strings.Contains(v, want) {
			t.Errorf("at 80x24 the screen does not say %q:\n%s", want, v)
		}
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

// A terminal theme: the default colours a cell without colours of its own
// is drawn in.
type termTheme struct {
	name   string
	fg, bg color.Color
}

var (
	darkTheme  = termTheme{"dark", color.RGBA{0xd0, 0xd0, 0xd0, 0xff}, color.RGBA{0x12, 0x12, 0x12, 0xff}}
	lightTheme = termTheme{"light", color.RGBA{0x22, 0x22, 0x22, 0xff}, color.RGBA{0xff, 0xff, 0xff, 0xff}}
)

// darkModules is what a terminal with colour profile p and theme shows of
// frame, seen as QR modules: each cell is two modules, its top and bottom
// halves (a half block draws one in the glyph's colour, the other in the
// cell's background); text counts as its background. The frame goes
// through what the renderer does to it (colours downsampled to p, or
// dropped under NO_COLOR) and is parsed into cells as the renderer does.
func darkModules(frame string, p colorprofile.Profile, theme termTheme) [][]bool {
	var out bytes.Buffer
	w := &colorprofile.Writer{Forward: &out, Profile: p}
	w.WriteString(frame)
	lines := uv.NewStyledString(out.String()).Lines(ansi.GraphemeWidth)
	dark := func(c color.Color) bool {
		r, g, b, _ := c.RGBA()
		return 299*r+587*g+114*b < 500*0xffff
	}
	var grid [][]bool
	for _, l := range lines {
		top, bottom := make([]bool, len(l)), make([]bool, len(l))
		for x := range l {
			c := l.At(x)
			fg, bg := theme.fg, theme.bg
			content := ""
			if c != nil {
				if c.Style.Fg != nil {
					fg = c.Style.Fg
				}
				if c.Style.Bg != nil {
					bg = c.Style.Bg
				}
				if c.Style.Attrs&uv.AttrReverse != 0 {
					fg, bg = bg, fg
				}
				content = c.Content
			}
			t, b := bg, bg
			switch content {
			case "█":
				t, b = fg, fg
			case "▀":
				t = fg
			case "▄":
				b = fg
			}
			top[x], bottom[x] = dark(t), dark(b)
		}
		grid = append(grid, top, bottom)
	}
	return grid
}

// scanModules reads the modules as a camera would: every module 4x4
// pixels, nothing added around them (what surrounds the code is what the
// screen shows).
func scanModules(grid [][]bool) (string, error) {
	const scale = 4
	w := 0
	for _, row := range grid {
		w = max(w, len(row))
	}
	img := image.NewGray(image.Rect(0, 0, w*scale, len(grid)*scale))
	for y := range len(grid) * scale {
		for x := range w * scale {
			v := uint8(255)
			if row := grid[y/scale]; x/scale < len(row) && row[x/scale] {
				v = 0
			}
			img.SetGray(x, y, color.Gray{v})
		}
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return "", err
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		return "", err
	}
	return res.GetText(), nil
}

// findCode looks for text's QR code in the modules, with a light quiet zone
// of quiet modules on every side, and says where the code is and, when it
// is not there whole, what is missing.
func findCode(grid [][]bool, text string, quiet int) error {
	code, err := qr.Encode(text, qr.L)
	if err != nil {
		return err
	}
	at := func(x, y int) (dark, ok bool) {
		if y < 0 || y >= len(grid) || x < 0 || x >= len(grid[y]) {
			return false, false
		}
		return grid[y][x], true
	}
	matches := func(ox, oy, border int) bool {
		for y := -border; y < code.Size+border; y++ {
			for x := -border; x < code.Size+border; x++ {
				want := x >= 0 && y >= 0 && x < code.Size && y < code.Size && code.Black(x, y)
				if got, ok := at(ox+x, oy+y); !ok || got != want {
					return false
				}
			}
		}
		return true
	}
	for oy := range grid {
		for ox := range grid[oy] {
			if !matches(ox, oy, 0) {
				continue
			}
			if matches(ox, oy, quiet) {
				return nil
			}
			// The code is there: say which sides lack their border.
			var short []string
			for _, side := range []struct {
				name           string
				dx, dy, nx, ny int
			}{{"above", 0, -1, code.Size, quiet}, {"below", 0, code.Size, code.Size, quiet},
				{"left", -1, 0, quiet, code.Size}, {"right", code.Size, 0, quiet, code.Size}} {
				light := 0
				for i := 1; i <= quiet; i++ {
					clear := true
					for j := 0; j < code.Size; j++ {
						x, y := ox+j, oy+side.dy*i
						if side.dy == 0 {
							x, y = ox+side.dx*i, oy+j
							if side.dx > 0 {
								x = ox + code.Size - 1 + i
							}
						} else if side.dy > 0 {
							y = oy + code.Size - 1 + i
						}
						if d, ok := at(x, y); !ok || d {
							clear = false
							break
						}
					}
					if !clear {
						break
					}
					light++
				}
				if light < quiet {
					short = append(short, fmt.Sprintf("%s %d", side.name, light))
				}
			}
			return fmt.Errorf("the code is drawn, but its light border is short (modules: %s; want %d each)",
				strings.Join(short, ", "), quiet)
		}
	}
	return fmt.Errorf("the code for %q is not on screen as the QR library draws it", text)
}

// The Account screen's QR code scans whatever the terminal: on a dark and
// on a light theme, in true colour and in 16 colours (TERM=xterm), and
// under NO_COLOR (reverse video only); each time the cells on screen hold
// the code the QR library draws, with four light modules on every side.
func TestAccountQRScansOnEveryTerminal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		profile colorprofile.Profile
		theme   termTheme
		// bg is the background colour the terminal reports (nil: it
		// does not answer).
		bg color.Color
	}{
		{"true colour, dark theme", colorprofile.TrueColor, darkTheme, nil},
		{"true colour, light theme", colorprofile.TrueColor, lightTheme, nil},
		{"16 colours, dark theme", colorprofile.ANSI, darkTheme, nil},
		{"16 colours, light theme", colorprofile.ANSI, lightTheme, nil},
		{"NO_COLOR, dark theme", colorprofile.ASCII, darkTheme, darkTheme.bg},
		{"NO_COLOR, dark theme that does not say", colorprofile.ASCII, darkTheme, nil},
		{"NO_COLOR, light theme", colorprofile.ASCII, lightTheme, lightTheme.bg},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			world, err := sim.LoadWorldFile(filepath.Join("..", "testdata", "unpaired.json"))
			if err != nil {
				t.Fatal(err)
			}
			world.Account.PairAfterMS = 600_000
			svc, ctx := runService(t, sim.New(world))
			if err := svc.Connect(ctx); err != nil {
				t.Fatal(err)
			}
			// The simulated account makes a new random code each time;
			// the test shows a fixed one, so that what it scans is the
			// same every run (ZXing's detector, like a camera, misses
			// some codes in a hundred whatever the border).
			tm := newTestModel(t, New(t.Context(), fixedCode{svc}, Options{}), teatest.WithInitialTermSize(100, 50),
				teatest.WithProgramOptions(tea.WithColorProfile(tt.profile)))
			waitFor(t, tm, "Scan with WhatsApp")
			if tt.bg != nil {
				tm.Send(tea.BackgroundColorMsg{Color: tt.bg})
			}
			m, frame := finalView(t, tm)
			grid := darkModules(frame, tt.profile, tt.theme)
			text := m.status.PairCode
			if text != pairingCode {
				t.Fatalf("the screen shows code %q", text)
			}
			if err := findCode(grid, text, 4); err != nil {
				t.Errorf("%v (noColor %v, light %v)\n%s", err, m.account.noColor, m.account.lightBackground, frame)
			}
			if got, err := scanModules(grid); err != nil || got != text {
				t.Errorf("scanned %q (%v), want %q", got, err, text)
			}
		})
	}
}

// fixedCode is a service whose QR pairing code is always pairingCode.
type fixedCode struct{ Service }

func (s fixedCode) Status() app.Status {
	st := s.Service.Status()
	if st.PairCode != "" {
		st.PairCode = pairingCode
	}
	return st
}
