package model

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClean(t *testing.T) {
	t.Parallel()

	tests := []struct{ name, in, want string }{
		{"spoofed file name", "Eve\x1b]52;c;ZXZpbA==\x07\x1b[2J\u202Egnp.exe", "Evegnp.exe"},
		{"plain", "Ada Lovelace", "Ada Lovelace"},
		{"empty", "", ""},
		{"sgr colour", "\x1b[31;1mRed\x1b[0m Team", "Red Team"},
		{"csi private", "a\x1b[?1049hb", "ab"},
		{"osc title st", "x\x1b]0;pwned\x1b\\y", "xy"},
		{"osc 8 hyperlink", "\x1b]8;;http://evil\x07click\x1b]8;;\x07", "click"},
		{"osc unterminated", "name\x1b]52;c;AAAA", "name"},
		{"dcs", "a\x1bPq#0;2;0;0;0\x1b\\b", "ab"},
		{"apc", "a\x1b_Gf=100;AAAA\x1b\\b", "ab"},
		{"sos pm", "a\x1bXhidden\x1b\\b\x1b^pm\x1b\\c", "abc"},
		{"two byte esc", "a\x1b7b\x1b8c\x1bcd", "abcd"},
		{"charset esc", "a\x1b(0qqq\x1b(Bb", "aqqqb"},
		{"lone esc at end", "abc\x1b", "abc"},
		{"esc then non-ascii", "a\x1bé", "aé"},
		{"8-bit csi", "a\u009b2Jb", "ab"},
		{"8-bit osc st", "a\u009d0;t\u009cb", "ab"},
		{"8-bit osc bel", "a\u009d52;c;AA\x07b", "ab"},
		{"8-bit dcs", "a\u0090q\u009cb", "ab"},
		{"other c1", "a\u0084b\u0080c", "abc"},
		{"nel is space", "a\u0085b", "a b"},
		{"c0", "a\x00b\x07c\x08d\x7fe", "abcde"},
		{"newlines tabs", " Ada\t\tLovelace\r\n", "Ada Lovelace"},
		{"collapse", "a    b", "a b"},
		{"unicode spaces", "a\u00a0\u2003b\u3000c\u2028d", "a b c d"},
		{"bidi", "\u202Aa\u202Bb\u202Cc\u202Dd\u202Ee", "abcde"},
		{"isolates", "\u2066a\u2067b\u2068c\u2069", "abc"},
		{"marks", "a\u200Eb\u200Fc\u061Cd", "abcd"},
		{"invisible", "a\u200Bb\u2060c\uFEFFd\u180Ee", "abcde"},
		{"hangul filler name", "\u3164\u3164", ""},
		{"zwj family kept", "👨\u200D👩\u200D👧", "👨\u200D👩\u200D👧"},
		{"variation selector kept", "❤\uFE0F", "❤\uFE0F"},
		{"zwnj kept", "می\u200Cخواهم", "می\u200Cخواهم"},
		{"flag tags kept", "🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F", "🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F"},
		{"invalid utf8", "a\xffb\xc3", "a\uFFFDb\uFFFD"},
		{"raw 8-bit csi byte", "a\x9b2Jb", "a\uFFFD2Jb"},
		{"escape between spaces", "a \x1b[0m b", "a b"},
		{"only junk", "\x1b[2J \u202E ", ""},
		{"can aborts osc", "a\x1b]0;x\x18b", "ab"},
		{"csi aborted by newline", "a\x1b[1\nb", "a b"},
		{"rtl text kept", "שלום עולם", "שלום עולם"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			if got := Clean(tt.in); got != tt.want {
				t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// Sanitize is Clean made cell-safe: what the terminal is given takes the
// same cells under either width rule; Clean (what is stored) keeps the
// emoji family whole.
func TestSanitizeIsCellSafe(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{"Zoë 👩\u200D👩\u200D👧\u200D👦 Family", "Zoë 👩👩👧👦 Family"},
		{"\x1b[31mZoë\x1b[0m 👍🏽", "Zoë 👍"},
		{"Ada Lovelace", "Ada Lovelace"},
		{"मीरा", "मीरा"},
	} {
		got := Sanitize(tt.in)
		if got != tt.want {
			t.Errorf("Sanitize(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if CellWidth(got, true) != CellWidth(got, false) && !strings.ContainsRune(got, 'म') {
			t.Errorf("Sanitize(%q) = %q takes %d cells joined, %d rune by rune", tt.in, got, CellWidth(got, true), CellWidth(got, false))
		}
	}
	if got := Clean("Zoë 👩\u200D👩\u200D👧\u200D👦 Family"); got != "Zoë 👩\u200D👩\u200D👧\u200D👦 Family" {
		t.Errorf("Clean dropped part of an emoji family: %q", got)
	}
}

func TestSanitizeNoAllocWhenClean(t *testing.T) {
	for _, s := range []string{"Ada Lovelace", "José Müller", "👨👩👧 family", "+1 415 555 0101"} {
		if n := testing.AllocsPerRun(100, func() { _ = Sanitize(s) }); n != 0 {
			t.Errorf("Sanitize(%q) allocates %v times", s, n)
		}
	}
	for _, s := range []string{"José Müller", "👨\u200D👩\u200D👧 family"} {
		if n := testing.AllocsPerRun(100, func() { _ = Clean(s) }); n != 0 {
			t.Errorf("Clean(%q) allocates %v times", s, n)
		}
	}
}

func TestTruncate(t *testing.T) {
	t.Parallel()

	tests := []struct {
		in    string
		width int
		want  string
	}{
		{"Ada Lovelace", 20, "Ada Lovelace"},
		{"Ada Lovelace", 12, "Ada Lovelace"},
		{"Ada Lovelace", 8, "Ada Lov…"},
		{"Ada", 0, ""},
		{"Ada", 1, "…"},
		{"日本語の名前", 5, "日本…"},
		{"ab👨\u200D👩\u200D👧cd", 4, "ab…"},
		{"ab👨\u200D👩\u200D👧cd", 5, "ab👨\u200D👩\u200D👧…"},
	}
	for _, tt := range tests {
		if got := Truncate(tt.in, tt.width); got != tt.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tt.in, tt.width, got, tt.want)
		}
	}
}

// checkSanitized fails when out holds anything Sanitize promises to remove.
func checkSanitized(t *testing.T, in, out string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("Sanitize(%q) = %q: invalid UTF-8", in, out)
	}
	if out != strings.TrimSpace(out) || strings.Contains(out, "  ") {
		t.Fatalf("Sanitize(%q) = %q: untrimmed or double spaces", in, out)
	}
	for _, r := range out {
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) || isSpoofFormat(r) {
			t.Fatalf("Sanitize(%q) = %q: contains %U", in, out, r)
		}
	}
}

func FuzzSanitize(f *testing.F) {
	for _, s := range []string{
		"Eve\x1b]52;c;ZXZpbA==\x07\x1b[2J\u202Egnp.exe", "Ada", "a\u009b2Jb",
		"\x1bP\x1b\\", "a\xff\x9b", "👨\u200D👩\u200D👧", " a  b ", "\u3164",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := Sanitize(in)
		checkSanitized(t, in, out)
		if again := Sanitize(out); again != out {
			t.Fatalf("not idempotent: %q → %q → %q", in, out, again)
		}
		if out == in && !isClean(in) {
			t.Fatalf("%q unchanged but not clean", in)
		}
	})
}
