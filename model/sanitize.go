package model

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// Sanitize makes untrusted text safe to print in a terminal: Clean, then
// CellSafe, so that it also takes the same cells under either of the
// terminals' width rules (an emoji family drawn joined or rune by rune)
// and cannot shift what is drawn after it: a status bar, a dialog's right
// border. It is the one gate for untrusted text to the terminal; what is
// stored, compared or exported uses Clean, which keeps the text whole.
// Text that needs none of this is returned as is, without allocating.
// Sanitize is idempotent.
func Sanitize(s string) string { return CellSafe(Clean(s)) }

// Clean makes untrusted text (contact names, about texts, group and label
// names) safe to keep and hard to use for spoofing: it is what the mirror
// stores, what label names are compared by, and what exports write, so it
// keeps every character that is part of the text (emoji ZWJ sequences
// whole). Text for the terminal goes through Sanitize, which also makes it
// cell-safe.
//
// Anyone on WhatsApp chooses their own push name, so a name may carry escape
// sequences that clear the screen, rewrite the clipboard (OSC 52), set the
// window title or hide text, and bidi controls that make "exe.png" display as
// "gnp.exe". Clean:
//
//   - removes whole escape sequences — CSI, OSC (ended by BEL or ST), DCS, SOS,
//     PM and APC strings, two-byte ESC sequences — in both the 7-bit ESC form
//     and the 8-bit C1 form (U+009B, U+009D, …), so no parameter bytes leak
//     into the visible text;
//   - drops any remaining C0 and C1 control characters; whitespace controls
//     (tab, newline, CR, …) and every other Unicode space become one space;
//   - drops bidi embeddings, overrides and isolates, LRM/RLM/ALM and the
//     invisible format characters that can hide or spoof text, but keeps ZWJ,
//     ZWNJ and variation selectors, which emoji and several scripts need;
//   - replaces invalid UTF-8 with U+FFFD;
//   - collapses runs of spaces and trims both ends.
//
// Text that needs none of this is returned as is, without allocating, so
// calling it on every render is cheap. Clean is idempotent.
func Clean(s string) string {
	if isClean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false // a space is owed before the next visible rune
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == 0x1b:
			i = skipEscape(s, i)
			continue
		case r == 0x9b: // 8-bit CSI
			i = skipCSI(s, i+size)
			continue
		case r == 0x9d || r == 0x90 || r == 0x98 || r == 0x9e || r == 0x9f: // OSC, DCS, SOS, PM, APC
			i = skipString(s, i+size, r == 0x9d)
			continue
		}
		i += size
		switch runeClass(r, size) {
		case classKeep:
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r) // writes U+FFFD for invalid bytes
		case classSpace:
			space = true
		}
	}
	return b.String()
}

// Truncate cuts s to at most width terminal cells, ending it with "…" when
// anything was cut. It measures grapheme clusters, so it never splits an emoji
// family, a flag or a letter from its combining marks, and it counts wide
// (East Asian, emoji) characters as two cells. ANSI styling in s is kept
// intact. s should already be sanitised.
func Truncate(s string, width int) string {
	if width <= 0 {
		return ""
	}
	return ansi.Truncate(s, width, "…")
}

// Character classes for Clean.
const (
	classKeep  = iota
	classSpace // becomes (part of) a single space
	classDrop
)

// runeClass tells what Clean does with a rune outside escape sequences.
// size is the rune's encoded length, needed to tell invalid UTF-8 (which
// decodes as U+FFFD with size 1 and is kept as U+FFFD) from a real U+FFFD.
func runeClass(r rune, size int) int {
	switch {
	case r == ' ':
		return classSpace
	case r < 0x20 || r == 0x7f:
		if r >= '\t' && r <= '\r' { // tab, LF, VT, FF, CR
			return classSpace
		}
		return classDrop
	case r < 0x7f:
		return classKeep
	case r == 0x85: // NEL: a line break in C1 clothing
		return classSpace
	case r >= 0x80 && r <= 0x9f: // C1 controls
		return classDrop
	case r == utf8.RuneError && size == 1:
		return classKeep
	case isSpoofFormat(r):
		return classDrop
	case unicode.IsSpace(r):
		// Odd-width spaces (U+2000–U+200A, U+3000, NBSP, …) and line or
		// paragraph separators would break alignment or lines; one plain
		// space reads the same.
		return classSpace
	}
	return classKeep
}

// isSpoofFormat reports invisible format characters that reorder or hide
// text. ZWJ (U+200D), ZWNJ (U+200C), variation selectors and emoji tag
// characters are deliberately absent: emoji sequences and Arabic/Indic
// spelling depend on them, and they cannot reorder text.
func isSpoofFormat(r rune) bool {
	switch {
	case r >= 0x202a && r <= 0x202e: // LRE, RLE, PDF, LRO, RLO
		return true
	case r >= 0x2066 && r <= 0x2069: // LRI, RLI, FSI, PDI
		return true
	case r == 0x200e || r == 0x200f || r == 0x061c: // LRM, RLM, ALM
		return true
	case r == 0x200b || r == 0x2060 || r == 0xfeff || r == 0x180e: // ZWSP, WJ, BOM, MVS
		return true
	case r >= 0x2061 && r <= 0x2064: // invisible math operators
		return true
	case r >= 0x206a && r <= 0x206f: // deprecated shaping/swapping controls
		return true
	case r >= 0xfff9 && r <= 0xfffb: // interlinear annotation
		return true
	case r == 0x3164 || r == 0xffa0: // Hangul fillers: the classic "blank name"
		return true
	}
	return false
}

// isClean reports whether Clean would return s unchanged: no escape or
// control characters, nothing dropped, no invalid UTF-8, and spaces already
// single and not at either end.
func isClean(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c == ' ' {
				if i == 0 || i == len(s)-1 || s[i-1] == ' ' {
					return false
				}
			} else if c < 0x20 || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return false
		}
		if runeClass(r, size) != classKeep {
			return false
		}
		i += size
	}
	return true
}

// skipEscape returns the index just past the escape sequence whose ESC is at
// s[i]. It follows ECMA-48 / the VT500 parser closely enough that whatever a
// terminal would treat as part of the sequence is removed, and no more.
func skipEscape(s string, i int) int {
	i++ // ESC
	if i >= len(s) {
		return i
	}
	switch c := s[i]; c {
	case '[':
		return skipCSI(s, i+1)
	case ']':
		return skipString(s, i+1, true)
	case 'P', 'X', '^', '_': // DCS, SOS, PM, APC
		return skipString(s, i+1, false)
	}
	// nF / Fp / Fe / Fs sequences: intermediates 0x20–0x2F, then one final
	// byte 0x30–0x7E ("ESC ( B", "ESC # 8", "ESC 7", "ESC c").
	j := i
	for j < len(s) && s[j] >= 0x20 && s[j] <= 0x2f {
		j++
	}
	if j < len(s) && s[j] >= 0x30 && s[j] <= 0x7e {
		return j + 1
	}
	// A malformed sequence: drop the ESC (and intermediates) only; what
	// follows is handled as ordinary text or control characters.
	return j
}

// skipCSI skips a control sequence's parameter and intermediate bytes and
// its final byte, starting just after the introducer (ESC [ or U+009B).
func skipCSI(s string, i int) int {
	for i < len(s) {
		c := s[i]
		switch {
		case c >= 0x20 && c <= 0x3f: // parameters and intermediates
			i++
		case c >= 0x40 && c <= 0x7e: // final byte
			return i + 1
		default:
			// Anything else aborts the sequence; it is processed normally.
			return i
		}
	}
	return i
}

// skipString skips the body of an OSC, DCS, SOS, PM or APC string, starting
// just after its introducer, up to and including its terminator: ST (ESC \ or
// U+009C), or BEL for OSC. CAN and SUB abort the string as they do in a
// terminal; an ESC that does not start ST ends it and begins a new sequence.
// An unterminated string runs to the end of s, as a terminal would swallow it.
func skipString(s string, i int, bel bool) int {
	for i < len(s) {
		switch c := s[i]; {
		case c == 0x07 && bel:
			return i + 1
		case c == 0x18 || c == 0x1a: // CAN, SUB
			return i + 1
		case c == 0x1b:
			if i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
			return i
		case c == 0xc2 && i+1 < len(s) && s[i+1] == 0x9c: // U+009C ST
			return i + 2
		}
		i++
	}
	return i
}

// lineBreaks turns CRLF and a lone CR into LF.
var lineBreaks = strings.NewReplacer("\r\n", "\n", "\r", "\n")

// UnixLines is s with every line break one LF: files and terminals send
// CRLF or a lone CR (tmux's paste), and one break must be one line.
func UnixLines(s string) string { return lineBreaks.Replace(s) }
