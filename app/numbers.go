package app

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-vcard"
	"github.com/wabook/wabook/model"
)

// Limits on a list of numbers to check: a check job is meant for a
// customer list, not a dump, and WhatsApp bans accounts that query too many.
const (
	MaxNumbersInput = 10 << 20 // bytes of pasted text or file
	MaxNumbersJob   = 100_000  // numbers in one job
)

// ErrNotNumbers is returned for input that is not a text, CSV or vCard list.
var ErrNotNumbers = errors.New("not a list of phone numbers (text, CSV or vCard)")

// ReadNumbersFile reads the numbers in a .txt, .csv or .vcf file.
func ReadNumbersFile(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is said once, below
		}
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	defer f.Close()
	nums, err := ReadNumbers(f, filepath.Ext(path))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return nums, nil
}

// ReadNumbers extracts phone numbers from pasted text or a file's content:
// a vCard (every TEL), a CSV with a header (the phone column) or without
// (every cell with enough digits), or plain text with numbers separated by
// new lines, commas, semicolons or tabs. Spaces inside a number are kept:
// "06 12 34 56 78" is one number. ext ("csv", ".vcf") is a hint.
func ReadNumbers(r io.Reader, ext string) ([]string, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxNumbersInput+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxNumbersInput {
		return nil, fmt.Errorf("the list is larger than %d MB; split it into several jobs", MaxNumbersInput>>20)
	}
	if bytes.IndexByte(data, 0) >= 0 || !utf8.Valid(data) {
		return nil, ErrNotNumbers
	}
	// Old Mac files and terminals that paste with CR end lines with a lone
	// CR, which the CSV and vCard readers take for part of a line: one
	// line break is one line, whichever it is.
	text := model.UnixLines(strings.TrimPrefix(string(data), "\ufeff"))
	ext = strings.ToLower(strings.TrimPrefix(ext, "."))
	var nums []string
	switch {
	case ext == "vcf" || strings.HasPrefix(strings.ToUpper(strings.TrimSpace(text)), "BEGIN:VCARD"):
		nums, err = vcardNumbers(text)
	case ext == "csv":
		nums, err = csvNumbers(text)
	default:
		nums = splitNumbers(text)
	}
	if err != nil {
		return nil, err
	}
	if len(nums) > MaxNumbersJob {
		return nil, fmt.Errorf("%d numbers; one job takes at most %d", len(nums), MaxNumbersJob)
	}
	return nums, nil
}

// splitNumbers splits free text on line breaks, commas, semicolons and tabs.
func splitNumbers(text string) []string {
	fields := strings.FieldsFunc(text, func(r rune) bool {
		return r == '\n' || r == '\r' || r == ',' || r == ';' || r == '\t'
	})
	out := fields[:0]
	for _, f := range fields {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func vcardNumbers(text string) ([]string, error) {
	dec := vcard.NewDecoder(strings.NewReader(text))
	var out []string
	for {
		card, err := dec.Decode()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading the vCard: %w", err)
		}
		for _, f := range card[vcard.FieldTelephone] {
			if v := strings.TrimSpace(strings.TrimPrefix(f.Value, "tel:")); v != "" {
				out = append(out, v)
			}
		}
	}
}

// phoneHeaders name the column that holds the number.
var phoneHeaders = []string{"phone", "number", "mobile", "tel", "whatsapp", "wa_id", "msisdn", "cell"}

func csvNumbers(text string) ([]string, error) {
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = sniffDelimiter(text)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	rows, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("reading the CSV: %w", err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	col := -1
	for i, h := range rows[0] {
		h = strings.ToLower(strings.TrimSpace(h))
		for _, want := range phoneHeaders {
			if strings.Contains(h, want) {
				col = i
				break
			}
		}
		if col >= 0 {
			break
		}
	}
	var out []string
	if col >= 0 {
		for _, row := range rows[1:] {
			if col < len(row) {
				if v := strings.TrimSpace(row[col]); v != "" {
					out = append(out, v)
				}
			}
		}
		return out, nil
	}
	// No header names the column: take every cell that looks like a number.
	for _, row := range rows {
		for _, cell := range row {
			if digitCount(cell) >= 5 {
				out = append(out, strings.TrimSpace(cell))
			}
		}
	}
	return out, nil
}

// sniffDelimiter picks the CSV delimiter among , ; and tab by the first line.
func sniffDelimiter(text string) rune {
	first, _, _ := strings.Cut(text, "\n")
	best, n := ',', strings.Count(first, ",")
	for _, d := range []rune{';', '\t'} {
		if c := strings.Count(first, string(d)); c > n {
			best, n = d, c
		}
	}
	return best
}
