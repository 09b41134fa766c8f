package model

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// maxQuoted is how many characters of a bad input an error message repeats.
const maxQuoted = 24

// QuoteInput quotes something the user gave (a flag's value, an argument)
// for an error message, cut to its first characters when it is long, with
// its length: a pasted paragraph or a runaway shell variable must not fill
// the terminal, and the start is enough to recognise it.
func QuoteInput(s string) string {
	if utf8.RuneCountInString(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	n, cut := 0, len(s)
	for i := range s {
		if n == maxQuoted {
			cut = i
			break
		}
		n++
	}
	return fmt.Sprintf("%s… (%d characters)", strconv.Quote(s[:cut]), utf8.RuneCountInString(s))
}
