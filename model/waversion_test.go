package model

import "testing"

func TestParseWAVersion(t *testing.T) {
	t.Parallel()

	for _, tt := range []struct {
		in   string
		want WAVersion
		ok   bool
	}{
		{"2.3000.1031080782", WAVersion{2, 3000, 1031080782}, true},
		{"2.3000.0", WAVersion{2, 3000, 0}, true},
		{"2.3000.4294967295", WAVersion{2, 3000, 4294967295}, true},
		{"2.3000.4294967296", WAVersion{}, false},
		{"2.3000", WAVersion{}, false},
		{"2.3000.1.1", WAVersion{}, false},
		{"2.3000.-1", WAVersion{}, false},
		{"2.3000.+1", WAVersion{}, false},
		{" 2.3000.1", WAVersion{}, false},
		{"2..1", WAVersion{}, false},
		{"0.0.0", WAVersion{}, false},
		{"v2.3000.1", WAVersion{}, false},
		{"", WAVersion{}, false},
	} {
		got, err := ParseWAVersion(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseWAVersion(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
		if tt.ok && got.String() != tt.in {
			t.Errorf("String() = %q, want %q", got.String(), tt.in)
		}
	}
}

func TestWAVersionCompare(t *testing.T) {
	t.Parallel()

	for _, tt := range []struct {
		a, b WAVersion
		want int
	}{
		{WAVersion{2, 3000, 5}, WAVersion{2, 3000, 5}, 0},
		{WAVersion{2, 3000, 5}, WAVersion{2, 3000, 6}, -1},
		{WAVersion{2, 3001, 1}, WAVersion{2, 3000, 9}, 1},
		{WAVersion{3, 0, 0}, WAVersion{2, 9999, 9999}, 1},
	} {
		if got := tt.a.Compare(tt.b); got != tt.want {
			t.Errorf("%v.Compare(%v) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
