// Package fake holds the building blocks of made-up address books that
// the store's test books (store/storetest) and the simulator's demo world
// (wa/sim/internal/gendemo) both draw from. Like model it imports nothing
// of ours; the same *rand.Rand gives the same output.
package fake

import (
	"math/rand/v2"
	"strings"
)

// Digits is n random decimal digits.
func Digits(r *rand.Rand, n int) string {
	var b strings.Builder
	for range n {
		b.WriteByte(byte('0' + r.IntN(10)))
	}
	return b.String()
}

// Pick is one of xs, at random.
func Pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }
