package app

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/emersion/go-vcard"
	"github.com/google/uuid"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
)

// MaxImportSize is the largest file PlanImport reads.
const MaxImportSize = 50 << 20

// maxReasons is how many reasons for invalid rows a plan lists.
const maxReasons = 10

// ErrNotContacts is returned for a file that is not a CSV or vCard list of
// contacts.
var ErrNotContacts = errors.New("not a CSV or vCard file of contacts")

// importBeforeCommit, when set, runs inside the import transaction just
// before it commits (the crash test sleeps there and is killed).
var importBeforeCommit func() error

// ImportPlan is what an import would do, worked out before anything is
// written: how many rows make new contacts, update existing ones, or are
// not imported (with the first reasons), and the labels every imported
// contact gets. A row is not imported when its number is unusable, a field
// is over its limit (model.MaxNameBytes, MaxNoteBytes, MaxLabelName,
// MaxContactLabels), or it repeats the number of an earlier row (the first
// row is imported, the repeat reported).
type ImportPlan struct {
	New, Updated, Invalid int
	Reasons               []string // the first 10: `row 12: "abc": not a number`
	Labels                []string

	rows []store.ImportRow
}

// ImportResult is what an import did.
type ImportResult struct {
	New, Updated, Invalid int
	CreatedLabels         []string
}

// importRecord is one contact as read from a file, not yet checked.
type importRecord struct {
	where             string // "row 12", "card 3"
	name, phone, note string
	labels            []string
	// jid is wabook's own ID of the contact, from a file wabook exported
	// (the CSV's contact_id, the vCard's X-WABOOK-JID); "" when none.
	jid string
}

// PlanImport reads a CSV (a header names the name, phone, labels and note
// columns; the delimiter — comma, semicolon or tab — is taken from the
// header line) or a vCard 3/4 file (FN or N, TEL, CATEGORIES as labels,
// NOTE), chosen by name's extension or the content, and works out what
// importing it would do. labels (a comma-separated list) go on every
// imported contact. Nothing is written. A file that is binary, too large
// (over 50 MB) or not a list of contacts is one error.
func (s *Service) PlanImport(ctx context.Context, r io.Reader, name string, labels string) (*ImportPlan, error) {
	extra, err := labelList(labels)
	if err != nil {
		return nil, err
	}
	// The path as given: its last element alone can say nothing ("null"
	// for /dev/null) or name another file of the same name.
	base := name
	if name == "" || name == "-" {
		base = "the input"
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxImportSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", base, err)
	}
	if len(data) > MaxImportSize {
		return nil, fmt.Errorf("%s is larger than %d MB; split it into several files", base, MaxImportSize>>20)
	}
	if bytes.IndexByte(data, 0) >= 0 || !utf8.Valid(data) {
		return nil, fmt.Errorf("%s: %w (it is binary or not UTF-8 text)", base, ErrNotContacts)
	}
	text := strings.TrimPrefix(string(data), "\ufeff")
	if strings.TrimSpace(text) == "" {
		return nil, fmt.Errorf("%s is empty", base)
	}
	ext := strings.ToLower(filepath.Ext(name))
	var recs []importRecord
	if ext == ".vcf" || ext == ".vcard" || strings.HasPrefix(strings.ToUpper(strings.TrimSpace(text)), "BEGIN:VCARD") {
		recs, err = readVCards(text)
	} else {
		recs, err = readContactsCSV(text)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", base, err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("%s: no contacts in it", base)
	}
	p, err := s.plan(ctx, recs, extra)
	if err != nil && ctx.Err() != nil {
		return nil, importCancelled(ctx.Err())
	}
	return p, err
}

// cancelledError is an import that its context ended before it wrote
// anything; it says so in words, and is still context.Canceled to errors.Is.
type cancelledError struct{ err error }

func (e *cancelledError) Error() string { return "import cancelled; nothing was imported" }
func (e *cancelledError) Unwrap() error { return e.err }

func importCancelled(err error) error { return &cancelledError{err: err} }

func (s *Service) plan(ctx context.Context, recs []importRecord, extra []string) (*ImportPlan, error) {
	p := &ImportPlan{Labels: extra}
	region := s.Region()
	invalid := func(format string, args ...any) {
		p.Invalid++
		if len(p.Reasons) < maxReasons {
			p.Reasons = append(p.Reasons, model.Sanitize(fmt.Sprintf(format, args...)))
		}
	}
	firstRow := make(map[string]string, len(recs)) // JID → where it first came
	// Rows whose number a national rule rewrote, by index in p.rows: the
	// form as written, which WhatsApp may know the contact by.
	asWritten := map[int]string{}
	for i, rec := range recs {
		if i&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		raw := strings.TrimSpace(rec.phone)
		alias := ""
		jid, e164 := trustedJID(rec.jid, raw, region)
		if jid == "" {
			if raw == "" {
				invalid("%s: no phone number", rec.where)
				continue
			}
			ph, err := model.ParsePhone(raw, region)
			if err != nil {
				invalid("%s: %s: %v", rec.where, quoteCut(raw), err)
				continue
			}
			if !ph.Sendable() {
				invalid("%s: %s: not a valid number for %s", rec.where, quoteCut(raw), ph.Region)
				continue
			}
			jid, e164 = model.JIDFromDigits(ph.Digits), ph.E164
			if other := ph.OtherForm(); other != "" {
				alias = model.JIDFromDigits(other)
			}
		}
		if err := checkImportLabels(rec.labels); err != nil {
			invalid("%s: %v", rec.where, err)
			continue
		}
		labels, err := labelList(rec.labels...)
		if err != nil {
			invalid("%s: %v", rec.where, err)
			continue
		}
		name := cleanName(rec.name)
		if err := model.CheckName(name); err != nil {
			invalid("%s: %v", rec.where, err)
			continue
		}
		if name != "" && (samePhone(name, e164, region) || samePhone(name, "+"+model.JIDUser(jid), region)) {
			name = "" // a name column holding the number (an export of a nameless contact)
		}
		note := cleanNote(rec.note)
		if err := model.CheckNote(note); err != nil {
			invalid("%s: %v", rec.where, err)
			continue
		}
		if first, dup := firstRow[jid]; dup {
			// Which of two rows is right is the user's call, not ours:
			// the first is imported and the repeat reported.
			shown := raw
			if shown == "" {
				shown = e164
			}
			invalid("%s repeats %s from %s", rec.where, cut(shown), first)
			continue
		}
		firstRow[jid] = rec.where
		if alias != "" {
			asWritten[len(p.rows)] = alias
		}
		p.rows = append(p.rows, store.ImportRow{JID: jid, Phone: e164, Name: name, Note: note, Labels: labels})
	}
	jids := make([]string, 0, len(p.rows)+len(asWritten))
	for i := range p.rows {
		jids = append(jids, p.rows[i].JID)
	}
	for _, j := range asWritten {
		jids = append(jids, j)
	}
	existing, err := s.store.ExistingJIDs(ctx, jids)
	if err != nil {
		return nil, err
	}
	// One person, one contact: a number the mirror holds in the form it
	// was written in (WhatsApp's ID for a Brazilian mobile without its
	// ninth digit) updates that contact.
	for _, i := range slices.Sorted(maps.Keys(asWritten)) {
		j := asWritten[i]
		if !existing[p.rows[i].JID] && existing[j] && firstRow[j] == "" {
			firstRow[j] = "moved"
			p.rows[i].JID = j
		}
	}
	for i := range p.rows {
		if existing[p.rows[i].JID] {
			p.Updated++
		}
	}
	p.New = len(p.rows) - p.Updated
	return p, nil
}

// checkImportLabels checks a row's labels against the limits without
// echoing a name, which can be megabytes long.
func checkImportLabels(labels []string) error {
	if err := model.CheckLabelCount(len(labels)); err != nil {
		return err
	}
	for _, l := range labels {
		if err := model.ValidateLabelName(l); err != nil {
			return err
		}
	}
	return nil
}

// cut shortens text from a file for a message: a cell can be megabytes.
func cut(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max]) + "…"
}

// quoteCut is cut's text quoted.
func quoteCut(s string) string { return strconv.Quote(cut(s)) }

// samePhone reports whether text is just the number e164 written some way.
func samePhone(text, e164, region string) bool {
	if strings.ContainsFunc(text, unicode.IsLetter) {
		return false
	}
	if d, ok := model.WhatsAppIDDigits(text); ok && "+"+d == e164 {
		return true
	}
	q, err := model.ParsePhone(text, region)
	return err == nil && q.E164 == e164
}

// trustedJID reads the contact's own ID a file exported by wabook carries
// (id: "<digits>@c.us" or "<digits>@s.whatsapp.net") and returns it as the
// JID to import under, with the phone to keep: the file's number when it
// reads as one, else the ID's digits. That ID is what WhatsApp calls the
// contact, even where libphonenumber would make another number of it (a
// Brazilian mobile without its ninth digit) or call it invalid (+44 7700
// 900123), so it is trusted as it stands. jid is "" when id is not such an
// ID (empty, a LID, a group, bare digits of another tool's column).
func trustedJID(id, phone, region string) (jid, e164 string) {
	user, server, ok := strings.Cut(strings.TrimSpace(id), "@")
	if !ok || (server != model.LegacyServer && server != model.UserServer) {
		return "", ""
	}
	d, ok := model.WhatsAppIDDigits(user)
	if !ok || d != user {
		return "", ""
	}
	jid, e164 = model.JIDFromDigits(d), "+"+d
	if len(phone) >= 4 && strings.EqualFold(phone[:4], "tel:") {
		phone, _, _ = strings.Cut(phone[4:], ";") // a vCard 4 URI
	}
	if phone == "" {
		return jid, e164
	}
	if pd, ok := model.WhatsAppIDDigits(phone); ok && pd == d {
		return jid, e164
	}
	if ph, err := model.ParsePhone(phone, region); err == nil {
		e164 = ph.E164
	}
	return jid, e164
}

// ApplyImport writes a plan in one transaction: everything or nothing, even
// if the process is killed. New contacts get source "import"; existing ones
// keep what WhatsApp told us and get the name (when they have none), the
// note and the labels added. Labels from the file and plan.Labels are
// created as needed. With label sync on, the assignments are queued for
// WhatsApp in the same transaction.
func (s *Service) ApplyImport(ctx context.Context, p *ImportPlan) (ImportResult, error) {
	if err := s.writable(ctx); err != nil {
		if ctx.Err() != nil {
			return ImportResult{}, importCancelled(ctx.Err())
		}
		return ImportResult{}, err
	}
	if p == nil {
		return ImportResult{}, errors.New("nothing to import")
	}
	st, lc, err := s.store.ImportContacts(ctx, store.ImportBatch{Rows: p.rows, Labels: p.Labels, BeforeCommit: importBeforeCommit})
	if err != nil && ctx.Err() != nil {
		// The transaction did not commit: Ctrl-C, not a failure.
		return ImportResult{}, importCancelled(ctx.Err())
	}
	if err != nil {
		return ImportResult{}, fmt.Errorf("importing (nothing was imported): %w", err)
	}
	res := ImportResult{New: st.New, Updated: st.Updated, Invalid: p.Invalid}
	for _, l := range lc.Created {
		res.CreatedLabels = append(res.CreatedLabels, l.Name)
	}
	s.notify(DataChanged)
	if !lc.Empty() {
		s.outboxQueued(ctx)
	}
	return res, nil
}

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

// Header names, normalised by headerKey.
var (
	phoneHeaderNames = []string{"phone", "phone number", "phonenumber", "mobile", "mobile phone", "mobile number",
		"cell", "cell phone", "cellphone", "tel", "telephone", "number", "whatsapp", "whatsapp number", "wa id",
		"msisdn", "contact number", "phone 1 value", "primary phone", "telefono", "teléfono", "telefone", "téléphone", "handy"}
	nameHeaderNames = []string{"name", "full name", "fullname", "contact name", "display name", "contact",
		"nombre", "nom", "nome"}
	firstHeaderNames  = []string{"first name", "firstname", "given name", "first"}
	lastHeaderNames   = []string{"last name", "lastname", "family name", "surname", "last"}
	labelHeaderNames  = []string{"labels", "label", "tags", "tag", "categories", "category", "groups", "group membership"}
	idHeaderNames     = []string{"contact id", "jid"}
	noteHeaderNames   = []string{"note", "notes", "comment", "comments", "remarks", "description"}
	phoneHeaderPieces = []string{"phone", "mobile", "whatsapp", "cell", "msisdn"}
)

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

// vcardText undoes the escapes go-vcard's decoder leaves (\; and \N).
var vcardText = strings.NewReplacer(`\;`, ";", `\N`, "\n")

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

// ExportFormats are the formats ExportContacts writes.
var ExportFormats = []string{"csv", "vcf", "json"}

// FormatVCard4 is ExportContacts' format for vCard 4.0; "vcf" is 3.0.
const FormatVCard4 = "vcf4"

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
	snap, err := s.Snapshot(ctx)
	if err != nil {
		return 0, err
	}
	contacts, err := FilterContacts(snap, query)
	if err != nil {
		return 0, err
	}
	switch format {
	case "csv":
		err = WriteContactsCSV(w, contacts)
	case "vcf":
		err = WriteContactsVCardVersion(w, contacts, VCard3)
	case FormatVCard4:
		err = WriteContactsVCardVersion(w, contacts, VCard4)
	case "json":
		colors := LabelColorsOf(snap.Labels)
		out := make([]ContactJSON, len(contacts))
		for i, c := range contacts {
			out[i] = NewContactJSON(c, colors)
		}
		var b []byte
		if b, err = json.MarshalIndent(out, "", "  "); err == nil {
			_, err = w.Write(append(b, '\n'))
		}
	}
	if err != nil {
		return 0, fmt.Errorf("exporting: %w", err)
	}
	return len(contacts), nil
}

// ContactsCSVHeader is the header of a contacts CSV.
var ContactsCSVHeader = []string{"contact_id", "name", "phone", "push_name", "business_name", "labels", "chat_ids",
	"is_my_contact", "is_blocked", "is_business", "is_internal", "note", "updated_at"}

// WriteContactsCSV writes contacts as CSV, every text cell through CSVCell.
func WriteContactsCSV(w io.Writer, contacts []*model.Contact) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(ContactsCSVHeader); err != nil {
		return err
	}
	for _, c := range contacts {
		row := []string{
			model.ContactID(c.JID), CSVCell(c.DisplayName()), CSVCell(c.Phone), CSVCell(c.PushName), CSVCell(c.BusinessName),
			CSVCell(strings.Join(c.Labels, ", ")), strings.Join(c.ChatIDs(), " "),
			strconv.FormatBool(c.IsMyContact), strconv.FormatBool(c.IsBlocked), strconv.FormatBool(c.IsBusiness),
			strconv.FormatBool(c.IsInternal), csvNoteCell(c.Note), rfc3339(c.UpdatedAt),
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
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
		lines[i] = model.Sanitize(l)
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// vcardEscape escapes a text value (RFC 6350 §3.4).
var vcardEscape = strings.NewReplacer(`\`, `\\`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`, ",", `\,`, ";", `\;`)

// The vCard versions WriteContactsVCardVersion writes.
const (
	VCard3 = "3.0" // the default: what phones, mail clients and abook read
	VCard4 = "4.0"
)

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

// vcardUIDSpace is the name space of the cards' UIDs (RFC 4122 §4.3): a
// UUID made from the contact's JID in it is the same in every export, so
// tools that keep cards by UID (khard, vdir, CardDAV) update a card instead
// of adding another.
var vcardUIDSpace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://github.com/wabook/wabook/vcard-uid"))

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
	text := func(s string) string { return vcardEscape.Replace(model.Sanitize(s)) }
	for _, c := range contacts {
		b.Reset()
		line("BEGIN:VCARD")
		line("VERSION:" + version)
		line("UID:" + VCardUID(c.JID))
		line("FN:" + text(c.DisplayName()))
		given, family := "", ""
		if full := model.Sanitize(c.FullName); full != "" {
			given = model.Sanitize(c.FirstName)
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
		if bn := model.Sanitize(c.BusinessName); bn != "" {
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
