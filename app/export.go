package app

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/wabook/wabook/model"
)

// CSVCell makes a value safe for a spreadsheet: terminal control codes are
// dropped and a cell that a spreadsheet would run as a formula (= + - @) is
// prefixed with an apostrophe. A phone number ("+1 (415) 555-0101") is left
// as it is: made only of digits and dialling punctuation, it can at most be
// read as arithmetic, and an apostrophe would break it for every other tool.
func CSVCell(s string) string {
	s = model.Sanitize(s)
	if s != "" && strings.ContainsRune("=+-@", rune(s[0])) && !isPhoneText(s) {
		return "'" + s
	}
	return s
}

func isPhoneText(s string) bool {
	if s[0] != '+' || len(s) < 2 {
		return false
	}
	for _, r := range s[1:] {
		if !strings.ContainsRune("0123456789 ()-.", r) {
			return false
		}
	}
	return true
}

// CheckResultsHeader is the header of a check-results CSV.
var CheckResultsHeader = []string{"input", "contact_id", "wa_id", "status", "exists", "verified_name", "cached", "checked_at", "error"}

// WriteCheckResultsCSV writes results in the DESIGN §8 check-result fields.
func WriteCheckResultsCSV(w io.Writer, results []model.CheckResult) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CheckResultsHeader); err != nil {
		return err
	}
	for _, r := range results {
		checked := ""
		if !r.CheckedAt.IsZero() {
			checked = r.CheckedAt.UTC().Format(time.RFC3339)
		}
		row := []string{CSVCell(r.Input), strings.TrimPrefix(r.Phone, "+"), r.WAID, r.Status,
			strconv.FormatBool(r.Status == model.CheckValid), CSVCell(r.VerifiedName),
			strconv.FormatBool(r.Cached), checked, CSVCell(r.Error)}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// ExportCheckResultsFile writes results as CSV to path, replacing it only
// once the whole file is written.
func ExportCheckResultsFile(path string, results []model.CheckResult) error {
	tmp, err := os.CreateTemp(dirOf(path), ".wabook-export-*")
	if err != nil {
		return fmt.Errorf("exporting: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := WriteCheckResultsCSV(tmp, results); err != nil {
		tmp.Close()
		return fmt.Errorf("exporting: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("exporting: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("exporting: %w", err)
	}
	return nil
}

func dirOf(path string) string {
	if i := strings.LastIndexByte(path, os.PathSeparator); i >= 0 {
		return path[:i+1]
	}
	return "."
}
