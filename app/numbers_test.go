package app

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestReadNumbers(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name, ext, in string
		want          []string
	}{
		{"lines", "", "+1 (631) 555-1004\n16315551004\r\n\n06 12 34 56 78\n", []string{"+1 (631) 555-1004", "16315551004", "06 12 34 56 78"}},
		{"mixed separators", "", "+14155550101, +14155550102;+14155550103\t+14155550104", []string{"+14155550101", "+14155550102", "+14155550103", "+14155550104"}},
		{"csv with header", "csv", "name,Phone Number,city\nAda,+1 415 555 0101,London\nGrace,,NYC\nAlan,\"+44 20 7946 0958\",X\n", []string{"+1 415 555 0101", "+44 20 7946 0958"}},
		{"csv semicolons", ".CSV", "Name;Mobile\nAda;0612345678\n", []string{"0612345678"}},
		{"csv without header", "csv", "Ada,+14155550101\nGrace,+14155550104,12\n", []string{"+14155550101", "+14155550104"}},
		{"vcard", "vcf", "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada\r\nTEL;TYPE=CELL:+14155550101\r\nTEL:+442079460958\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:4.0\r\nFN:Grace\r\nTEL;VALUE=uri:tel:+14155550104\r\nEND:VCARD\r\n",
			[]string{"+14155550101", "+442079460958", "+14155550104"}},
		{"vcard sniffed in a paste", "", "BEGIN:VCARD\nVERSION:3.0\nFN:Ada\nTEL:+14155550101\nEND:VCARD\n", []string{"+14155550101"}},
		{"byte order mark", "txt", "\ufeff+14155550101\n", []string{"+14155550101"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			got, err := ReadNumbers(strings.NewReader(tt.in), tt.ext)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestReadNumbersRefusesBadInput(t *testing.T) {
	t.Parallel()

	if _, err := ReadNumbers(strings.NewReader("PK\x03\x04\x00\x00binary"), "txt"); !errors.Is(err, ErrNotNumbers) {
		t.Errorf("binary input: %v", err)
	}
	if _, err := ReadNumbers(strings.NewReader(strings.Repeat("1", MaxNumbersInput+1)), ""); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("huge input: %v", err)
	}
	many := strings.Repeat("+14155550101\n", MaxNumbersJob+1)
	if _, err := ReadNumbers(strings.NewReader(many), ""); err == nil || !strings.Contains(err.Error(), "at most") {
		t.Errorf("too many numbers: %v", err)
	}
	if _, err := ReadNumbersFile("testdata/does-not-exist.csv"); err == nil {
		t.Error("missing file accepted")
	}
}

func TestCSVCell(t *testing.T) {
	t.Parallel()

	tests := []struct{ in, want string }{
		{"Ada", "Ada"},
		{"+14155550101", "+14155550101"},
		{"+1 (415) 555-0101", "+1 (415) 555-0101"},
		{"=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"},
		{"+1+cmd|x", "'+1+cmd|x"},
		{"-2+3", "'-2+3"},
		{"@SUM(1)", "'@SUM(1)"},
		{"+", "'+"},
		{"Eve\x1b[2J", "Eve"},
	}
	for _, tt := range tests {
		if got := CSVCell(tt.in); got != tt.want {
			t.Errorf("CSVCell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Every kind of line break splits lines alike, in plain text, CSV and
// vCard (issue 11, point 8): a file or paste with CR line ends is not read
// as one line.
func TestReadNumbersLineBreaks(t *testing.T) {
	t.Parallel()

	want := []string{"+14155550101", "+14155550102"}
	forms := map[string]string{
		"":    "+14155550101\n+14155550102\n",
		"csv": "name,phone\nA,+14155550101\nB,+14155550102\n",
		"vcf": "BEGIN:VCARD\nVERSION:3.0\nFN:A\nTEL:+14155550101\nEND:VCARD\nBEGIN:VCARD\nVERSION:3.0\nFN:B\nTEL:+14155550102\nEND:VCARD\n",
	}
	for ext, text := range forms {
		for _, br := range []string{"\n", "\r\n", "\r"} {
			in := strings.ReplaceAll(text, "\n", br)
			got, err := ReadNumbers(strings.NewReader(in), ext)
			if err != nil || !slices.Equal(got, want) {
				t.Errorf("%q with %q line breaks: %q, %v; want %q", ext, br, got, err, want)
			}
		}
	}
}
