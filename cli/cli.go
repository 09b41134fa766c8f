// Package cli holds wabook's headless commands. Each writes its result to
// Env.Out (JSON, CSV or a plain table) and returns an error for main to print
// as one line.
package cli

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

// Env is what a command runs with.
type Env struct {
	Svc *app.Service
	Out io.Writer
	Err io.Writer
}

// UsageError is a mistake in how a command was called (exit status 2).
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

func usagef(format string, args ...any) error {
	return &UsageError{Msg: fmt.Sprintf(format, args...)}
}

// newFlags returns a flag set that reports errors instead of exiting, so
// main prints them as one line.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return usagef("usage: wabook %s %s", fs.Name(), flagSummary(fs))
		}
		return usagef("%s: %v", fs.Name(), err)
	}
	return nil
}

func flagSummary(fs *flag.FlagSet) string {
	var parts []string
	fs.VisitAll(func(f *flag.Flag) { parts = append(parts, "[--"+f.Name+"]") })
	return strings.Join(parts, " ")
}

// ContactJSON is a contact in Periskope's contact-object shape.
type ContactJSON struct {
	ContactID    string   `json:"contact_id"`
	ContactName  string   `json:"contact_name"`
	ContactType  string   `json:"contact_type"`
	Phone        string   `json:"phone"`
	PushName     string   `json:"push_name"`
	BusinessName string   `json:"business_name"`
	VerifiedName string   `json:"verified_name"`
	Labels       []string `json:"labels"`
	ChatIDs      []string `json:"chat_ids"`
	IsInternal   bool     `json:"is_internal"`
	IsMyContact  bool     `json:"is_my_contact"`
	IsWAContact  bool     `json:"is_wa_contact"`
	IsBlocked    bool     `json:"is_blocked"`
	IsBusiness   bool     `json:"is_business"`
	ContactColor string   `json:"contact_color"`
	ContactImage *string  `json:"contact_image"`
	About        string   `json:"about"`
	Note         string   `json:"note"`
	LID          string   `json:"lid,omitempty"`
	UpdatedAt    string   `json:"updated_at"`
}

// labelColors maps lowercased label names to palette indexes.
type labelColors map[string]int

// NewContactJSON converts a contact. JSON keeps the text as WhatsApp sent it:
// the encoder escapes control characters, so it is safe to print.
func NewContactJSON(c *model.Contact, colors labelColors) ContactJSON {
	labels := c.Labels
	if labels == nil {
		labels = []string{}
	}
	color := ""
	if len(labels) > 0 {
		if i, ok := colors[strings.ToLower(labels[0])]; ok {
			color = model.LabelColorHex(i)
		}
	}
	var image *string
	if c.AvatarURL != "" {
		u := c.AvatarURL
		image = &u
	}
	return ContactJSON{
		ContactID:    model.ContactID(c.JID),
		ContactName:  c.DisplayName(),
		ContactType:  "user",
		Phone:        c.Phone,
		PushName:     c.PushName,
		BusinessName: c.BusinessName,
		VerifiedName: c.VerifiedName,
		Labels:       labels,
		ChatIDs:      c.ChatIDs(),
		IsInternal:   c.IsInternal,
		IsMyContact:  c.IsMyContact,
		IsWAContact:  c.IsWAContact,
		IsBlocked:    c.IsBlocked,
		IsBusiness:   c.IsBusiness,
		ContactColor: color,
		ContactImage: image,
		About:        c.About,
		Note:         c.Note,
		LID:          c.LID,
		UpdatedAt:    rfc3339(c.UpdatedAt),
	}
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// bidiEscaper writes bidi controls as \u escapes: still the same JSON
// string, but a terminal showing the output cannot be made to reorder it.
var bidiEscaper = strings.NewReplacer(
	"\u202a", `\u202a`, "\u202b", `\u202b`, "\u202c", `\u202c`, "\u202d", `\u202d`, "\u202e", `\u202e`,
	"\u2066", `\u2066`, "\u2067", `\u2067`, "\u2068", `\u2068`, "\u2069", `\u2069`,
	"\u200e", `\u200e`, "\u200f", `\u200f`, "\u061c", `\u061c`,
)

func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = bidiEscaper.WriteString(w, string(b)+"\n")
	return err
}

// csvSafe neutralises cells a spreadsheet would run as a formula and strips
// terminal control sequences.
func csvSafe(s string) string {
	s = model.Sanitize(s)
	if s != "" && strings.ContainsRune("=+-@", rune(s[0])) {
		return "'" + s
	}
	return s
}

var csvHeader = []string{"contact_id", "name", "phone", "push_name", "business_name", "labels", "chat_ids", "is_my_contact", "is_blocked", "is_business", "is_internal", "note", "updated_at"}

func writeCSV(w io.Writer, contacts []*model.Contact) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, c := range contacts {
		row := []string{
			model.ContactID(c.JID), csvSafe(c.DisplayName()), csvSafe(c.Phone), csvSafe(c.PushName), csvSafe(c.BusinessName),
			csvSafe(strings.Join(c.Labels, ", ")), strings.Join(c.ChatIDs(), " "),
			strconv.FormatBool(c.IsMyContact), strconv.FormatBool(c.IsBlocked), strconv.FormatBool(c.IsBusiness),
			strconv.FormatBool(c.IsInternal), csvSafe(c.Note), rfc3339(c.UpdatedAt),
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// writeTable prints aligned columns measured in display cells, so CJK and
// emoji names line up.
func writeTable(w io.Writer, header []string, rows [][]string, maxWidths []int) error {
	widths := make([]int, len(header))
	cells := make([][]string, 0, len(rows)+1)
	cells = append(cells, header)
	for _, r := range rows {
		out := make([]string, len(r))
		for i, cell := range r {
			cell = model.Sanitize(cell)
			if i < len(maxWidths) && maxWidths[i] > 0 {
				cell = model.Truncate(cell, maxWidths[i])
			}
			out[i] = cell
		}
		cells = append(cells, out)
	}
	for _, r := range cells {
		for i, cell := range r {
			widths[i] = max(widths[i], ansi.StringWidth(cell))
		}
	}
	var b strings.Builder
	for _, r := range cells {
		b.Reset()
		for i, cell := range r {
			b.WriteString(cell)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-ansi.StringWidth(cell)+2))
			}
		}
		b.WriteByte('\n')
		if _, err := io.WriteString(w, b.String()); err != nil {
			return err
		}
	}
	return nil
}
