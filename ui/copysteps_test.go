package ui

import (
	"slices"
	"testing"
	"unsafe"
)

// appendInSteps gives what append gives, across step boundaries, and
// leaves the old slice as it was.
func TestAppendInStepsIsAppend(t *testing.T) {
	rowStep := copyStep / int(unsafe.Sizeof(row{}))
	for _, tc := range []struct{ old, more int }{
		{0, 0}, {0, 1}, {1, 0}, {3, 5},
		{rowStep - 1, 1}, {rowStep, rowStep}, {rowStep + 1, 2*rowStep + 3},
	} {
		old, more := make([]row, tc.old), make([]row, tc.more)
		for i := range old {
			old[i].text = uint32(i)
		}
		for i := range more {
			more[i].text = uint32(1_000_000 + i)
		}
		was := slices.Clone(old)
		got := appendInSteps(old, more)
		if want := append(slices.Clone(old), more...); !slices.Equal(got, want) {
			t.Errorf("%d+%d rows: appendInSteps differs from append", tc.old, tc.more)
		}
		if len(got) > 0 {
			got[0].text = 7
		}
		if !slices.Equal(old, was) {
			t.Errorf("%d+%d rows: the old slice changed", tc.old, tc.more)
		}
	}
}
