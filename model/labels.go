package model

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxLabelName is the longest label name, in characters. WhatsApp Business
// itself stops at a similar length, and longer names cannot be shown in the
// label column anyway.
const MaxLabelName = 60

// NormalizeLabelName returns the canonical spelling of a label name: safe to
// display, trimmed, with inner whitespace collapsed to single spaces. Case is
// kept; uniqueness ignores it (see SameLabelName).
func NormalizeLabelName(s string) string {
	// Sanitize already turns every kind of whitespace into single spaces
	// and trims; Fields is kept as a guard so this rule holds even if
	// Sanitize's whitespace handling changes.
	s = Clean(s)
	if !strings.Contains(s, "  ") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// ValidateLabelName reports why a label name cannot be used, after
// normalising it. Commas are refused because comma-separated input assigns
// several labels at once ("VIP, new customer").
func ValidateLabelName(s string) error {
	s = NormalizeLabelName(s)
	switch {
	case s == "":
		return errors.New("label name is empty")
	case strings.ContainsRune(s, ','):
		return errors.New("label name cannot contain a comma (commas separate labels)")
	}
	if n := utf8.RuneCountInString(s); n > MaxLabelName {
		return fmt.Errorf("label name is too long (%d characters, at most %d)", n, MaxLabelName)
	}
	return nil
}

// SplitLabelList splits comma-separated label input into normalised names,
// dropping empty entries and later duplicates that differ only in case (the
// first spelling wins): "VIP, new customer,,vip" → ["VIP", "new customer"].
// It returns nil when there is no name. Names are not validated here.
func SplitLabelList(s string) []string {
	var out []string
next:
	for part := range strings.SplitSeq(s, ",") {
		name := NormalizeLabelName(part)
		if name == "" {
			continue
		}
		for _, seen := range out { // lists are short; a map is not worth it
			if strings.EqualFold(seen, name) {
				continue next
			}
		}
		out = append(out, name)
	}
	return out
}

// SameLabelName reports whether two label names are the same label: equal
// after normalising, ignoring case (Unicode simple case folding).
func SameLabelName(a, b string) bool {
	return strings.EqualFold(NormalizeLabelName(a), NormalizeLabelName(b))
}

// LabelFold is the key label names are unique by in the store (the labels
// table's fold column): the normalised spelling, lower-cased (Unicode,
// unlike SQLite's ASCII-only NOCASE).
func LabelFold(name string) string { return strings.ToLower(NormalizeLabelName(name)) }

// LabelNameFromWhatsApp makes a label name WhatsApp sent follow the same
// rules as ours: normalised (no control codes), and with commas, which
// separate label lists, turned into spaces. A name with nothing left is "".
func LabelNameFromWhatsApp(name string) string {
	return NormalizeLabelName(strings.ReplaceAll(NormalizeLabelName(name), ",", " "))
}

// LabelColors is the number of colours in WhatsApp Business's label palette;
// Label.Color is an index into it.
const LabelColors = 20

// labelPalette mirrors WhatsApp Business's label colours, in index order.
var labelPalette = [LabelColors]struct{ hex, name string }{
	{"#ff9485", "salmon"},
	{"#64c4ff", "sky"},
	{"#ffd429", "yellow"},
	{"#dfaef0", "lilac"},
	{"#99b6c1", "slate"},
	{"#55ccb3", "teal"},
	{"#ff9dff", "pink"},
	{"#d3a91d", "mustard"},
	{"#6d7cce", "indigo"},
	{"#d7e752", "lime"},
	{"#00d0e2", "cyan"},
	{"#ffc5c7", "rose"},
	{"#93ceac", "sage"},
	{"#f74848", "red"},
	{"#00a0f2", "blue"},
	{"#83e422", "green"},
	{"#ffaf04", "orange"},
	{"#b5ebff", "ice"},
	{"#9ba6ff", "periwinkle"},
	{"#9368cf", "purple"},
}

// colorIndex wraps any int into the palette, so a colour index from a newer
// WhatsApp version or a hand-edited database still gets a colour rather
// than a panic.
func colorIndex(i int) int {
	return (i%LabelColors + LabelColors) % LabelColors
}

// LabelColorHex returns the "#rrggbb" colour of palette index i (wrapped
// into 0–19).
func LabelColorHex(i int) string { return labelPalette[colorIndex(i)].hex }

// LabelColorName returns a short English name for palette index i (wrapped
// into 0–19), for colour pickers and NO_COLOR terminals.
func LabelColorName(i int) string { return labelPalette[colorIndex(i)].name }

// ParseLabelColor reads a palette colour as the UI and the command line
// take it: a number 0–19 or a colour's name ("sky", "Lime"), ignoring case
// and surrounding spaces. Anything else is one error naming what is
// accepted.
func ParseLabelColor(s string) (int, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	for i := range LabelColors {
		if t == labelPalette[i].name {
			return i, nil
		}
	}
	// Digits only: strconv would also take "+3" or "03"; a colour is
	// written the way the pickers show it.
	if n, ok := smallNumber(t); ok && n < LabelColors {
		return n, nil
	}
	names := make([]string, LabelColors)
	for i := range LabelColors {
		names[i] = labelPalette[i].name
	}
	return 0, fmt.Errorf("%q is not a colour: use a number from 0 to %d or a name (%s)",
		Truncate(Sanitize(s), 20), LabelColors-1, strings.Join(names, ", "))
}

// smallNumber reads one or two decimal digits without a leading zero
// (except "0" itself).
func smallNumber(s string) (int, bool) {
	if s == "" || len(s) > 2 || (len(s) == 2 && s[0] == '0') {
		return 0, false
	}
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}
