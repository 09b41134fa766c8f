package fake

import (
	"math/rand/v2"
	"testing"
)

func TestDigitsAndPick(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	seen := map[byte]bool{}
	for range 50 {
		d := Digits(r, 9)
		if len(d) != 9 {
			t.Fatalf("Digits(9) = %q", d)
		}
		for i := range len(d) {
			if d[i] < '0' || d[i] > '9' {
				t.Fatalf("Digits(9) = %q: not a digit", d)
			}
			seen[d[i]] = true
		}
	}
	if len(seen) != 10 {
		t.Errorf("450 digits used only %d of the ten", len(seen))
	}
	xs := []string{"a", "b", "c"}
	picked := map[string]int{}
	for range 300 {
		picked[Pick(r, xs)]++
	}
	if len(picked) != 3 {
		t.Errorf("Pick over 300 draws: %v", picked)
	}
	// The same seed draws the same: the demo world's file depends on it.
	r1, r2 := rand.New(rand.NewPCG(7, 7)), rand.New(rand.NewPCG(7, 7))
	if a, b := Digits(r1, 12)+Pick(r1, xs), Digits(r2, 12)+Pick(r2, xs); a != b {
		t.Errorf("same seed, %q and %q", a, b)
	}
}
