package model

import (
	"strings"
	"testing"
)

func TestQuoteInput(t *testing.T) {
	t.Parallel()

	tests := []struct{ in, want string }{
		{"", `""`},
		{"FR", `"FR"`},
		{strings.Repeat("x", 24), `"` + strings.Repeat("x", 24) + `"`},
		{strings.Repeat("x", 25), `"` + strings.Repeat("x", 24) + `"… (25 characters)`},
		{strings.Repeat("é", 5000), `"` + strings.Repeat("é", 24) + `"… (5000 characters)`},
		{"a\x1b[2Jb", `"a\x1b[2Jb"`},
	}
	for _, tt := range tests {
		if got := QuoteInput(tt.in); got != tt.want {
			t.Errorf("QuoteInput(%.30q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
