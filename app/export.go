package app

import (
	"encoding/csv"
	"io"
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
	s = model.Clean(s)
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

// CheckResultJSON is a check result in the Business API's /v1/contacts shape
// with Periskope's fields (README, "Headless commands").
type CheckResultJSON struct {
	Input        string  `json:"input"`
	ContactID    string  `json:"contact_id"`
	WAID         string  `json:"wa_id"`
	Status       string  `json:"status"`
	Exists       bool    `json:"exists"`
	VerifiedName *string `json:"verified_name"`
	Cached       bool    `json:"cached"`
	CheckedAt    string  `json:"checked_at"`
	Error        string  `json:"error"`
}

// NewCheckResultJSON converts a result. contact_id is the wa_id for numbers
// on WhatsApp, else the digits of the normalised number ("" when the input
// is not a number).
func NewCheckResultJSON(r model.CheckResult) CheckResultJSON {
	out := CheckResultJSON{
		Input:     r.Input,
		ContactID: strings.TrimPrefix(r.Phone, "+"),
		WAID:      r.WAID,
		Status:    r.Status,
		Exists:    r.Status == model.CheckValid,
		Cached:    r.Cached,
		Error:     r.Error,
	}
	if !r.CheckedAt.IsZero() {
		out.CheckedAt = r.CheckedAt.UTC().Format(time.RFC3339)
	}
	if r.WAID != "" {
		out.ContactID = r.WAID
	}
	if r.VerifiedName != "" {
		v := r.VerifiedName
		out.VerifiedName = &v
	}
	return out
}

// WriteCheckResultsCSV writes results with the fields of CheckResultJSON, for
// `wabook check --csv` and the Checks screen's export alike.
func WriteCheckResultsCSV(w io.Writer, results []model.CheckResult) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CheckResultsHeader); err != nil {
		return err
	}
	for _, r := range results {
		j := NewCheckResultJSON(r)
		vn := ""
		if j.VerifiedName != nil {
			vn = *j.VerifiedName
		}
		row := []string{CSVCell(j.Input), j.ContactID, j.WAID, j.Status, strconv.FormatBool(j.Exists),
			CSVCell(vn), strconv.FormatBool(j.Cached), j.CheckedAt, CSVCell(j.Error)}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
