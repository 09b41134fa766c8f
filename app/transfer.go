package app

import (
	"bytes"
	"context"
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
	ctx = attributed(ctx)
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
	noteQueued(ctx, lc.Queued...)
	if !lc.Empty() {
		s.outboxQueued(ctx)
	}
	return res, nil
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

// vcardText undoes the escapes go-vcard's decoder leaves (\; and \N).
var vcardText = strings.NewReplacer(`\;`, ";", `\N`, "\n")

// ExportFormats are the formats ExportContacts writes.
var ExportFormats = []string{"csv", "vcf", "json"}

// FormatVCard4 is ExportContacts' format for vCard 4.0; "vcf" is 3.0.
const FormatVCard4 = "vcf4"

// ContactsCSVHeader is the header of a contacts CSV.
var ContactsCSVHeader = []string{"contact_id", "name", "phone", "push_name", "business_name", "labels", "chat_ids",
	"is_my_contact", "is_blocked", "is_business", "is_internal", "note", "updated_at"}

// vcardEscape escapes a text value (RFC 6350 §3.4).
var vcardEscape = strings.NewReplacer(`\`, `\\`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`, ",", `\,`, ";", `\;`)

// The vCard versions WriteContactsVCardVersion writes.
const (
	VCard3 = "3.0" // the default: what phones, mail clients and abook read
	VCard4 = "4.0"
)

// vcardUIDSpace is the name space of the cards' UIDs (RFC 4122 §4.3): a
// UUID made from the contact's JID in it is the same in every export, so
// tools that keep cards by UID (khard, vdir, CardDAV) update a card instead
// of adding another.
var vcardUIDSpace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://github.com/wabook/wabook/vcard-uid"))
