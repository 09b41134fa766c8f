package model

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestNormalizeLabelName(t *testing.T) {
	t.Parallel()

	tests := []struct{ in, want string }{
		{"VIP", "VIP"},
		{"  new   customer ", "new customer"},
		{"new\tcustomer\n", "new customer"},
		{"a\u00a0\u00a0b", "a b"},
		{"\x1b[31mRed\x1b[0m", "Red"},
		{"\u202Eevil", "evil"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := NormalizeLabelName(tt.in); got != tt.want {
			t.Errorf("NormalizeLabelName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestValidateLabelName(t *testing.T) {
	t.Parallel()

	tests := []struct {
		in      string
		wantErr string // substring; "" = valid
	}{
		{"VIP", ""},
		{"  new  customer ", ""},
		{strings.Repeat("é", 60), ""},
		{strings.Repeat("é", 61), "too long"},
		{"", "label name is empty"},
		{"   ", "label name is empty"},
		{"\x1b[2J", "label name is empty"},
		{"a,b", "comma"},
	}
	for _, tt := range tests {
		err := ValidateLabelName(tt.in)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("ValidateLabelName(%q) = %v, want nil", tt.in, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("ValidateLabelName(%q) = %v, want error containing %q", tt.in, err, tt.wantErr)
		}
	}
}

func TestSplitLabelList(t *testing.T) {
	t.Parallel()

	tests := []struct {
		in   string
		want []string
	}{
		{"VIP, new customer,,vip", []string{"VIP", "new customer"}},
		{"  a ,  b  c , A, B C ", []string{"a", "b c"}},
		{"", nil},
		{" , ,", nil},
		{"Ärger, ärger", []string{"Ärger"}},
		{"one", []string{"one"}},
	}
	for _, tt := range tests {
		if got := SplitLabelList(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("SplitLabelList(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSameLabelName(t *testing.T) {
	t.Parallel()

	tests := []struct {
		a, b string
		want bool
	}{
		{"VIP", "vip", true},
		{"new  customer", " New Customer", true},
		{"ÄRGER", "ärger", true},
		{"VIP", "VIPs", false},
		{"", "", true},
	}
	for _, tt := range tests {
		if got := SameLabelName(tt.a, tt.b); got != tt.want {
			t.Errorf("SameLabelName(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

// The store keys label names by LabelFold; names WhatsApp sends are made to
// follow our rules by LabelNameFromWhatsApp.
func TestLabelFoldAndNamesFromWhatsApp(t *testing.T) {
	t.Parallel()

	folds := []struct{ in, want string }{
		{"VIP", "vip"},
		{"  New   Customer ", "new customer"},
		{"ÄRGER", "ärger"},
		{"", ""},
	}
	for _, tt := range folds {
		if got := LabelFold(tt.in); got != tt.want {
			t.Errorf("LabelFold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	names := []struct{ in, want string }{
		{"Paid, shipped", "Paid shipped"},
		{" a ,, b ", "a b"},
		{",", ""},
		{"\x1b[31mRed\x1b[0m", "Red"},
		{"VIP", "VIP"},
	}
	for _, tt := range names {
		got := LabelNameFromWhatsApp(tt.in)
		if got != tt.want {
			t.Errorf("LabelNameFromWhatsApp(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got != "" && ValidateLabelName(got) != nil {
			t.Errorf("LabelNameFromWhatsApp(%q) = %q, which our rules refuse: %v", tt.in, got, ValidateLabelName(got))
		}
	}
}

func TestLabelColors(t *testing.T) {
	t.Parallel()

	hex := regexp.MustCompile(`^#[0-9a-f]{6}$`)
	seenHex, seenName := map[string]bool{}, map[string]bool{}
	for i := range LabelColors {
		h, n := LabelColorHex(i), LabelColorName(i)
		if !hex.MatchString(h) {
			t.Errorf("LabelColorHex(%d) = %q", i, h)
		}
		if n == "" || seenName[n] || seenHex[h] {
			t.Errorf("colour %d (%q, %q) is empty or repeated", i, h, n)
		}
		seenHex[h], seenName[n] = true, true
	}
	if LabelColorHex(0) != "#ff9485" || LabelColorHex(20) != LabelColorHex(0) || LabelColorHex(-1) != LabelColorHex(19) {
		t.Errorf("palette indexes do not wrap")
	}
}

// One colour parser serves the UI and the command line (issue 11, point 6):
// numbers and names, case and spaces ignored; anything else one error that
// says what is accepted.
func TestParseLabelColor(t *testing.T) {
	t.Parallel()

	tests := []struct {
		in   string
		want int
		bad  bool
	}{
		{"0", 0, false},
		{"19", 19, false},
		{"sky", 1, false},
		{" Lime ", 9, false},
		{"ROSE", 11, false},
		{"periwinkle", 18, false},
		{"20", 0, true},
		{"-1", 0, true},
		{"03", 0, true},
		{"+3", 0, true},
		{"", 0, true},
		{"skyblue", 0, true},
		{"1.5", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseLabelColor(tt.in)
		if tt.bad {
			if err == nil || !strings.Contains(err.Error(), "0 to 19") || !strings.Contains(err.Error(), "lime") {
				t.Errorf("ParseLabelColor(%q) = %d, %v; want an error naming numbers and names", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseLabelColor(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	// The error does not echo a long input whole.
	if _, err := ParseLabelColor(strings.Repeat("x", 500)); err == nil || len(err.Error()) > 300 {
		t.Errorf("long input: %v", err)
	}
}
