package model

import (
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// Terminals count cells in one of two ways, and Bubble Tea draws with the
// terminal's: by grapheme cluster when the terminal says it joins clusters
// (mode 2027: ghostty, wezterm, foot…), else rune by rune, as wcwidth does
// (tmux 3.3, xterm, VTE…). "👩‍👩‍👧‍👦" is 2 cells joined and 8 rune by rune;
// "मी" (a letter and its vowel sign) 1 joined and 2 rune by rune. Text laid
// out in columns must be measured the way it will be drawn, or the rest of
// its row shifts and its last column falls off the screen: CellWidth and
// CellTruncate take the rule, joined tells which.

// CellWidth is the cells s takes: by grapheme cluster when joined, else
// rune by rune. Escape sequences (styling) take none.
func CellWidth(s string, joined bool) int {
	if joined {
		return ansi.StringWidth(s)
	}
	return ansi.StringWidthWc(s)
}

// CellTruncate is Truncate measuring by the rule joined names (CellWidth),
// for plain text (no escape sequences).
func CellTruncate(s string, width int, joined bool) string {
	if width <= 0 {
		return ""
	}
	if joined {
		return ansi.Truncate(s, width, "…")
	}
	// Not ansi.TruncateWc: it returns s whole whenever s fits by the
	// joining rule, though rune by rune it may not.
	if ansi.StringWidthWc(s) <= width {
		return s
	}
	var b strings.Builder
	used := 0
	for rest := s; rest != ""; {
		c, w := ansi.FirstGraphemeCluster(rest, ansi.WcWidth)
		if c == "" || used+w > width-1 { // room for the ellipsis
			break
		}
		b.WriteString(c)
		used += w
		rest = rest[len(c):]
	}
	return b.String() + "…"
}

// CellSafe breaks emoji sequences whose width the two rules disagree on
// into their visible parts, for text shown in columns: an emoji ZWJ
// sequence ("👩‍👩‍👧‍👦") loses its joiners, and any emoji its variation
// selectors, skin tones, keycap and tag characters ("👩👩👧👦", "👍", "1");
// a lone regional indicator becomes its letter. Some terminals that do
// not say they join clusters still draw a ZWJ sequence joined, which no
// measure can foresee; the parts are drawn alike everywhere. Other text,
// such as a letter with its vowel sign, is kept: CellWidth measures it by
// the terminal's rule.
//
// Text that needs none of this is returned as is, without allocating. s
// should be sanitised (Sanitize) and free of escape sequences. CellSafe is
// idempotent.
func CellSafe(s string) string {
	if emojiSafe(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for rest := s; rest != ""; {
		c, _ := ansi.FirstGraphemeCluster(rest, ansi.GraphemeWidth)
		if c == "" { // not expected: a cluster is at least one rune
			c = rest[:1]
		}
		rest = rest[len(c):]
		if clusterSafe(c) {
			b.WriteString(c)
			continue
		}
		for _, r := range c {
			switch {
			case r == 0x200d, // zero-width joiner
				r == 0xfe0e || r == 0xfe0f,   // text and emoji presentation selectors
				r >= 0x1f3fb && r <= 0x1f3ff, // skin tones
				r >= 0xe0020 && r <= 0xe007f, // tag characters (subdivision flags)
				r == 0x20e3:                  // combining keycap
				continue
			case r >= 0x1f1e6 && r <= 0x1f1ff: // a regional indicator without its pair
				r = 'A' + r - 0x1f1e6
			}
			if w := ansi.StringWidthWc(string(r)); w != ansi.StringWidth(string(r)) {
				b.WriteString(strings.Repeat("\ufffd", max(1, w)))
				continue
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// emojiSafe reports whether CellSafe leaves s as it is. It does not
// allocate.
func emojiSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			goto unicode
		}
	}
	return true
unicode:
	for rest := s; rest != ""; {
		c, _ := ansi.FirstGraphemeCluster(rest, ansi.GraphemeWidth)
		if c == "" || !clusterSafe(c) {
			return false
		}
		rest = rest[len(c):]
	}
	return true
}

// clusterSafe reports whether CellSafe keeps the grapheme cluster c: the
// two rules agree on it, or it is no emoji.
func clusterSafe(c string) bool {
	emoji := false
	for _, r := range c {
		if r >= 0x1f000 || r == 0xfe0f || r == 0xfe0e || r == 0x20e3 {
			emoji = true
			break
		}
	}
	return !emoji || ansi.StringWidth(c) == ansi.StringWidthWc(c)
}
