// Exporting contacts: CSV, vCard 3.0 or 4.0 (with UIDs from the WhatsApp
// ID), JSON.
package app

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/wabook/wabook/model"
)

// VCardFormat is ExportContacts' format for a vCard version (ParseVCardVersion).
func VCardFormat(version string) (string, error) {
	v, err := ParseVCardVersion(version)
	if err != nil {
		return "", err
	}
	if v == VCard4 {
		return FormatVCard4, nil
	}
	return "vcf", nil
}

// ExportContacts writes the contacts matching query (the TUI's query
// language; "" for all; hidden contacts are left out) to w as csv, vcf
// (vCard 3.0), vcf4 (vCard 4.0; VCardFormat) or json (the contact objects
// of the headless commands), ordered by name, and returns how many it
// wrote.
func (s *Service) ExportContacts(ctx context.Context, w io.Writer, format, query string) (int, error) {
	format = strings.ToLower(strings.TrimSpace(format))
	if format == "vcard" {
		format = "vcf"
	}
	switch format {
	case "csv", "vcf", FormatVCard4, "json":
	default:
		return 0, fmt.Errorf("unknown export format %q (use csv, vcf or json)", format)
	}
	q, err := model.ParseQuery(query)
	if err != nil {
		return 0, fmt.Errorf("query: %w", err)
	}
	var lg Snapshot
	if err := s.readLabelsAndGroups(ctx, &lg, false); err != nil {
		return 0, err
	}
	labels, groups := lg.Labels, lg.Groups
	// The rows are written as the store's sort gives them
	// (store.ContactsSorted): a million contacts never sit in memory. The order and the filter are
	// FilterContacts' own.
	m := q.Compile(labels, groups)
	out := newContactWriter(w, format, LabelColorsOf(labels))
	n, err := s.store.ContactsSorted(ctx, q.WantsHidden(), func(c *model.Contact) (string, bool) {
		if !m.Empty() && !m.Match(c, model.Haystack(c)) {
			return "", false
		}
		return exportKey(c), true
	}, out.write)
	if err == nil {
		err = out.close()
	}
	if err != nil {
		return 0, fmt.Errorf("exporting: %w", err)
	}
	return n, nil
}

// exportKey is the order of an export, and of FilterContacts: display
// names, case folded.
func exportKey(c *model.Contact) string { return strings.ToLower(c.DisplayName()) }

// contactWriter writes contacts one at a time in an export format.
type contactWriter struct {
	w       io.Writer
	format  string
	colors  map[string]int
	csv     *csv.Writer
	started bool // the CSV header or the JSON array's opening is written
}

func newContactWriter(w io.Writer, format string, colors map[string]int) *contactWriter {
	return &contactWriter{w: w, format: format, colors: colors}
}

func (cw *contactWriter) write(c *model.Contact) error {
	switch cw.format {
	case "csv":
		if !cw.started {
			cw.started, cw.csv = true, csv.NewWriter(cw.w)
			if err := cw.csv.Write(ContactsCSVHeader); err != nil {
				return err
			}
		}
		return cw.csv.Write(contactCSVRow(c))
	case "vcf":
		return WriteContactsVCardVersion(cw.w, []*model.Contact{c}, VCard3)
	case FormatVCard4:
		return WriteContactsVCardVersion(cw.w, []*model.Contact{c}, VCard4)
	default: // json: what json.MarshalIndent of the whole array writes
		b, err := json.MarshalIndent(NewContactJSON(c, cw.colors), "  ", "  ")
		if err != nil {
			return err
		}
		sep := ",\n  "
		if !cw.started {
			cw.started, sep = true, "[\n  "
		}
		if _, err := io.WriteString(cw.w, sep); err != nil {
			return err
		}
		_, err = cw.w.Write(b)
		return err
	}
}

// close ends the output: the CSV header of an empty export, the JSON
// array's end.
func (cw *contactWriter) close() error {
	switch cw.format {
	case "csv":
		if !cw.started {
			return WriteContactsCSV(cw.w, nil)
		}
		cw.csv.Flush()
		return cw.csv.Error()
	case "json":
		end := "\n]\n"
		if !cw.started {
			end = "[]\n"
		}
		_, err := io.WriteString(cw.w, end)
		return err
	}
	return nil
}

// WriteContactsCSV writes contacts as CSV, every text cell through CSVCell.
func WriteContactsCSV(w io.Writer, contacts []*model.Contact) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(ContactsCSVHeader); err != nil {
		return err
	}
	for _, c := range contacts {
		if err := cw.Write(contactCSVRow(c)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// contactCSVRow is a contact's row under ContactsCSVHeader.
func contactCSVRow(c *model.Contact) []string {
	return []string{
		model.ContactID(c.JID), CSVCell(c.DisplayName()), CSVCell(c.Phone), CSVCell(c.PushName), CSVCell(c.BusinessName),
		CSVCell(strings.Join(c.Labels, ", ")), strings.Join(c.ChatIDs(), " "),
		strconv.FormatBool(c.IsMyContact), strconv.FormatBool(c.IsBlocked), strconv.FormatBool(c.IsBusiness),
		strconv.FormatBool(c.IsInternal), csvNoteCell(c.Note), rfc3339(c.UpdatedAt),
	}
}

// csvNoteCell is CSVCell for a note, keeping its line breaks (a quoted CSV
// cell holds them, and the import keeps them): each line is sanitised on
// its own.
func csvNoteCell(note string) string {
	out := noteLines(note)
	if out != "" && strings.ContainsRune("=+-@", rune(out[0])) && !isPhoneText(out) {
		return "'" + out // as CSVCell does
	}
	return out
}

// noteLines is a note with each line sanitised and its line breaks kept.
func noteLines(note string) string {
	lines := strings.Split(strings.ReplaceAll(note, "\r\n", "\n"), "\n")
	for i, l := range lines {
		lines[i] = model.Clean(l)
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// ParseVCardVersion reads a --vcard-version value: "3.0" or "4.0" ("3",
// "4" and "" for the default, 3.0, are accepted too).
func ParseVCardVersion(v string) (string, error) {
	switch strings.TrimSpace(v) {
	case "", "3", "3.0":
		return VCard3, nil
	case "4", "4.0":
		return VCard4, nil
	}
	return "", fmt.Errorf("unknown vCard version %q (use 3.0 or 4.0)", cut(v))
}

// VCardUID is the UID of a contact's card: a name-based UUID of its JID.
func VCardUID(jid string) string {
	return "urn:uuid:" + uuid.NewSHA1(vcardUIDSpace, []byte(jid)).String()
}

// WriteContactsVCard writes contacts as vCard 3.0 (WriteContactsVCardVersion).
func WriteContactsVCard(w io.Writer, contacts []*model.Contact) error {
	return WriteContactsVCardVersion(w, contacts, VCard3)
}

// WriteContactsVCardVersion writes contacts as vCard 3.0 (RFC 2426) or 4.0
// (RFC 6350): UID (VCardUID), FN, N, TEL (E.164; 3.0 as TYPE=CELL text,
// which abook and older phones read, 4.0 as a tel: URI), ORG (business
// name), CATEGORIES (labels), NOTE and X-WABOOK-JID, the contact's ID, which
// an import trusts, so a round trip keeps WhatsApp's ID. Text is sanitised
// for terminals and escaped.
func WriteContactsVCardVersion(w io.Writer, contacts []*model.Contact, version string) error {
	v4 := version == VCard4
	if !v4 && version != VCard3 {
		return fmt.Errorf("unknown vCard version %q (use 3.0 or 4.0)", cut(version))
	}
	var b strings.Builder
	line := func(s string) { writeFolded(&b, s) }
	text := func(s string) string { return vcardEscape.Replace(model.Clean(s)) }
	for _, c := range contacts {
		b.Reset()
		line("BEGIN:VCARD")
		line("VERSION:" + version)
		line("UID:" + VCardUID(c.JID))
		line("FN:" + text(c.DisplayName()))
		given, family := "", ""
		if full := model.Clean(c.FullName); full != "" {
			given = model.Clean(c.FirstName)
			if rest, ok := strings.CutPrefix(full, given); ok && given != "" {
				family = strings.TrimSpace(rest)
			} else {
				given = full
			}
		}
		if given != "" || !v4 { // 3.0 requires N
			line("N:" + vcardEscape.Replace(family) + ";" + vcardEscape.Replace(given) + ";;;")
		}
		if c.Phone != "" {
			if v4 {
				line("TEL;TYPE=cell;VALUE=uri:tel:" + c.Phone)
			} else {
				line("TEL;TYPE=CELL:" + c.Phone)
			}
		}
		if bn := model.Clean(c.BusinessName); bn != "" {
			line("ORG:" + vcardEscape.Replace(bn))
		}
		if len(c.Labels) > 0 {
			cats := make([]string, len(c.Labels))
			for i, l := range c.Labels {
				cats[i] = text(l)
			}
			line("CATEGORIES:" + strings.Join(cats, ","))
		}
		if note := noteLines(c.Note); note != "" {
			line("NOTE:" + vcardEscape.Replace(note))
		}
		line("X-WABOOK-JID:" + c.JID)
		line("END:VCARD")
		if _, err := io.WriteString(w, b.String()); err != nil {
			return err
		}
	}
	return nil
}

// writeFolded writes a content line, folded at 75 octets without splitting
// a UTF-8 sequence, ended by CRLF.
func writeFolded(b *strings.Builder, s string) {
	const limit = 75
	first := true
	for len(s) > 0 {
		n := limit
		if !first {
			n = limit - 1 // the leading space counts
			b.WriteByte(' ')
		}
		if n >= len(s) {
			n = len(s)
		} else {
			for n > 0 && !utf8.RuneStart(s[n]) {
				n--
			}
		}
		b.WriteString(s[:n])
		b.WriteString("\r\n")
		s = s[n:]
		first = false
	}
}

// ExportContactsFile writes the export (ExportContacts) to path through a
// temporary file moved into place (WriteFileAtomic), so a failure never
// leaves half a file. An existing path is replaced only when overwrite is
// set; otherwise the error wraps fs.ErrExist, for the caller to say what
// replaces it (--force, a question).
func (s *Service) ExportContactsFile(ctx context.Context, path, format, query string, overwrite bool) (int, error) {
	var n int
	err := WriteFileAtomic(path, overwrite, func(w io.Writer) (err error) {
		n, err = s.ExportContacts(ctx, w, format, query)
		return err
	})
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return 0, fmt.Errorf("exporting: %w", err)
	}
	return n, err
}
