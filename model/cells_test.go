package model

import (
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// checkCellSafe fails unless every grapheme cluster of s that holds an
// emoji takes as many cells joined as rune by rune.
func checkCellSafe(t *testing.T, in, s string) {
	t.Helper()
	for rest := s; rest != ""; {
		c, w := ansi.FirstGraphemeCluster(rest, ansi.GraphemeWidth)
		if c == "" {
			t.Fatalf("CellSafe(%q) = %q: empty cluster", in, s)
		}
		if wc := ansi.StringWidthWc(c); w != wc && !clusterSafe(c) {
			t.Errorf("CellSafe(%q) = %q: cluster %q is %d cells joined, %d rune by rune", in, s, c, w, wc)
		}
		rest = rest[len(c):]
	}
}

func TestCellSafe(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"Ann Lee", "Ann Lee"},
		{"Zoë", "Zoë"},
		{"Zoe\u0308 José", "Zoe\u0308 José"},
		{"山田太郎", "山田太郎"},
		{"مرحبا", "مرحبا"},
		{"लक्ष्मी", "लक्ष्मी"}, // no emoji: measured by the terminal's rule instead
		{"Zoë 👩‍👩‍👧‍👦 Family", "Zoë 👩👩👧👦 Family"},
		{"👍🏽 ok", "👍 ok"},
		{"🧑🏻‍💻 dev", "🧑💻 dev"},
		{"❤️ love", "❤ love"},
		{"1️⃣ one", "1 one"},
		{"🏳️‍🌈", "🏳🌈"},
		{"🇺🇸 flag", "🇺🇸 flag"},
		{"lone 🇺", "lone U"},
		{"🏴󠁧󠁢󠁳󠁣󠁴󠁿 Scot", "🏴󠁧󠁢󠁳󠁣󠁴󠁿 Scot"},
		{"👍", "👍"},
	} {
		got := CellSafe(tc.in)
		if got != tc.want {
			t.Errorf("CellSafe(%q) = %q, want %q", tc.in, got, tc.want)
		}
		checkCellSafe(t, tc.in, got)
		if again := CellSafe(got); again != got {
			t.Errorf("CellSafe is not idempotent on %q: %q then %q", tc.in, got, again)
		}
	}
}

// CellWidth and CellTruncate measure by the rule they are given.
func TestCellWidthByRule(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		s             string
		joined, runes int
	}{
		{"Ann", 3, 3},
		{"👩‍👩‍👧‍👦", 2, 8},
		{"मी", 1, 2},
		{"\x1b[1m山\x1b[m", 2, 2},
	} {
		if got := CellWidth(tc.s, true); got != tc.joined {
			t.Errorf("CellWidth(%q, joined) = %d, want %d", tc.s, got, tc.joined)
		}
		if got := CellWidth(tc.s, false); got != tc.runes {
			t.Errorf("CellWidth(%q, rune by rune) = %d, want %d", tc.s, got, tc.runes)
		}
	}
	name := "मीरा मीना"
	for _, joined := range []bool{true, false} {
		for w := 1; w < 12; w++ {
			if got := CellWidth(CellTruncate(name, w, joined), joined); got > w {
				t.Errorf("CellTruncate(%q, %d, %v) is %d cells", name, w, joined, got)
			}
		}
	}
}

func TestCellSafeDoesNotAllocateForSafeText(t *testing.T) {
	for _, s := range []string{"Ann Lee", "Zoë Müller", "山田太郎", "🇺🇸 flag", "लक्ष्मी"} {
		if n := testing.AllocsPerRun(100, func() { _ = CellSafe(s) }); n != 0 {
			t.Errorf("CellSafe(%q) allocates %v times", s, n)
		}
	}
}

func FuzzCellSafe(f *testing.F) {
	for _, s := range []string{"Zoë 👩‍👩‍👧‍👦 Family", "👨‍👩‍👧‍👦 family 🏳️‍🌈 👍🏽👋🏿 🧑🏻‍💻", "लक्ष्मी", "क्‍ष", "🇺🇸🇺", "1️⃣#️⃣", "Z\u0351\u0334a", "ก่", "\u0301x", "❤️‍🔥"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		s = Sanitize(s)
		got := CellSafe(s)
		checkCellSafe(t, s, got)
		if again := CellSafe(got); again != got {
			t.Errorf("CellSafe is not idempotent on %q: %q then %q", s, got, again)
		}
	})
}
