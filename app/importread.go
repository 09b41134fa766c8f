// Reading import files: CSV (header, delimiter and column detection) and
// vCard.
package app

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"

	"github.com/emersion/go-vcard"
)

// unneutralise undoes CSVCell's apostrophe before = + - @.
func unneutralise(s string) string {
	if len(s) >= 2 && s[0] == '\'' && strings.ContainsRune("=+-@", rune(s[1])) {
		return s[1:]
	}
	return s
}

// sniffHeaderDelimiter picks the delimiter among , ; and tab that occurs
// most, outside quotes, in the first non-empty line.
func sniffHeaderDelimiter(text string) rune {
	line := ""
	for l := range strings.Lines(text) {
		if strings.TrimSpace(l) != "" {
			line = l
			break
		}
	}
	counts := map[rune]int{}
	quoted := false
	for _, r := range line {
		switch {
		case r == '"':
			quoted = !quoted
		case !quoted && (r == ',' || r == ';' || r == '\t'):
			counts[r]++
		}
	}
	best := ','
	for _, d := range []rune{';', '\t'} {
		if counts[d] > counts[best] {
			best = d
		}
	}
	return best
}

// headerKey normalises a header cell: lower case, separators as single spaces.
func headerKey(s string) string {
	s = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(s, "\ufeff")))
	s = strings.Map(func(r rune) rune {
		if r == '_' || r == '-' || r == '.' || r == ':' {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

type csvColumns struct{ name, first, last, phone, labels, note, id int }

func findColumn(keys []string, names []string) int {
	for i, k := range keys {
		for _, n := range names {
			if k == n {
				return i
			}
		}
	}
	return -1
}

// headerColumns finds the columns a header row names; ok is false when the
// row names none (it is data, not a header).
func headerColumns(row []string) (csvColumns, bool) {
	keys := make([]string, len(row))
	for i, c := range row {
		keys[i] = headerKey(c)
	}
	c := csvColumns{
		name:   findColumn(keys, nameHeaderNames),
		first:  findColumn(keys, firstHeaderNames),
		last:   findColumn(keys, lastHeaderNames),
		phone:  findColumn(keys, phoneHeaderNames),
		labels: findColumn(keys, labelHeaderNames),
		note:   findColumn(keys, noteHeaderNames),
		id:     findColumn(keys, idHeaderNames),
	}
	if c.phone < 0 {
		// "Phone 1 - Value", "Mobile (work)": a column that speaks of a phone
		// and is not its type or label.
	next:
		for i, k := range keys {
			if strings.Contains(k, "type") || strings.Contains(k, "label") {
				continue
			}
			for _, p := range phoneHeaderPieces {
				if strings.Contains(k, p) {
					c.phone = i
					break next
				}
			}
		}
	}
	ok := c.name >= 0 || c.first >= 0 || c.last >= 0 || c.phone >= 0 || c.labels >= 0 || c.note >= 0
	return c, ok
}

// looksLikePhone: enough digits, no letters.
func looksLikePhone(s string) bool {
	s = unneutralise(strings.TrimSpace(s))
	return digitCount(s) >= 6 && !strings.ContainsFunc(s, unicode.IsLetter)
}

// digitCount counts the ASCII digits of s.
func digitCount(s string) int {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			n++
		}
	}
	return n
}

// guessColumns finds the phone and name columns of a CSV without a header:
// the column whose cells look most like numbers, and the first other column
// with letters.
func guessColumns(rows [][]string) csvColumns {
	c := csvColumns{name: -1, first: -1, last: -1, phone: -1, labels: -1, note: -1, id: -1}
	sample := rows[:min(len(rows), 100)]
	width := 0
	for _, r := range sample {
		width = max(width, len(r))
	}
	bestPhone, bestName := 0, 0
	for col := range width {
		phones, words := 0, 0
		for _, r := range sample {
			if col >= len(r) {
				continue
			}
			if looksLikePhone(r[col]) {
				phones++
			} else if strings.ContainsFunc(r[col], unicode.IsLetter) {
				words++
			}
		}
		if phones > bestPhone {
			c.phone, bestPhone = col, phones
		}
		if words > bestName && c.name < 0 {
			c.name, bestName = col, words
		}
	}
	if c.name == c.phone {
		c.name = -1
	}
	return c
}

// readContactsCSV reads contacts from CSV text.
func readContactsCSV(text string) ([]importRecord, error) {
	cr := csv.NewReader(strings.NewReader(text))
	cr.Comma = sniffHeaderDelimiter(text)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.TrimLeadingSpace = true
	rows, err := cr.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotContacts, err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	cols, header := headerColumns(rows[0])
	start := 1
	if !header {
		cols, start = guessColumns(rows), 0
		if cols.phone < 0 {
			return nil, fmt.Errorf("%w: no column of phone numbers (a header naming a \"phone\" column helps)", ErrNotContacts)
		}
	} else if cols.phone < 0 {
		return nil, fmt.Errorf("%w: the header names no phone column (expected one called phone, mobile, number, …)", ErrNotContacts)
	}
	cell := func(row []string, i int) string {
		if i < 0 || i >= len(row) {
			return ""
		}
		return unneutralise(strings.TrimSpace(row[i]))
	}
	out := make([]importRecord, 0, len(rows)-start)
	for i := start; i < len(rows); i++ {
		row := rows[i]
		if !strings.ContainsFunc(strings.Join(row, ""), func(r rune) bool { return !unicode.IsSpace(r) }) {
			continue
		}
		rec := importRecord{where: "row " + strconv.Itoa(i+1), phone: cell(row, cols.phone), note: cell(row, cols.note),
			jid: cell(row, cols.id)}
		rec.name = cell(row, cols.name)
		if rec.name == "" {
			rec.name = strings.TrimSpace(cell(row, cols.first) + " " + cell(row, cols.last))
		}
		if l := cell(row, cols.labels); l != "" {
			rec.labels = splitImportLabels(l)
		}
		out = append(out, rec)
	}
	return out, nil
}

// splitImportLabels splits a labels cell: commas, or Google Contacts'
// " ::: ", whose system groups ("* myContacts") are dropped.
func splitImportLabels(s string) []string {
	var out []string
	for part := range strings.SplitSeq(strings.ReplaceAll(s, ":::", ","), ",") {
		part = strings.TrimSpace(part)
		if part == "" || strings.HasPrefix(part, "* ") {
			continue
		}
		out = append(out, part)
	}
	return out
}

// readVCards reads contacts from vCard 3 or 4 text.
func readVCards(text string) ([]importRecord, error) {
	dec := vcard.NewDecoder(strings.NewReader(text))
	var out []importRecord
	for n := 1; ; n++ {
		card, err := dec.Decode()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: card %d: %v", ErrNotContacts, n, err)
		}
		rec := importRecord{where: "card " + strconv.Itoa(n)}
		rec.name = vcardText.Replace(card.PreferredValue(vcard.FieldFormattedName))
		if strings.TrimSpace(rec.name) == "" {
			if nm := card.Name(); nm != nil {
				rec.name = vcardText.Replace(strings.TrimSpace(nm.GivenName + " " + nm.FamilyName))
			}
		}
		if tel := card.Preferred(vcard.FieldTelephone); tel != nil {
			rec.phone = tel.Value
		}
		rec.jid = strings.TrimSpace(card.Value("X-WABOOK-JID"))
		for _, c := range card.Values(vcard.FieldCategories) {
			for part := range strings.SplitSeq(c, ",") {
				if part = strings.TrimSpace(vcardText.Replace(part)); part != "" {
					rec.labels = append(rec.labels, part)
				}
			}
		}
		var notes []string
		for _, v := range card.Values(vcard.FieldNote) {
			if v = strings.TrimSpace(vcardText.Replace(v)); v != "" {
				notes = append(notes, v)
			}
		}
		rec.note = strings.Join(notes, "\n")
		out = append(out, rec)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no vCard in it", ErrNotContacts)
	}
	return out, nil
}
