// Periskope's contacts API (base /v1), as its documents in the seeds
// describe it: the contact object, create, patch, labels, the paginated
// list.
package serve

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

// MaxListLimit is the most contacts one page of GET /v1/contacts holds
// (Periskope's limit).
const MaxListLimit = 2000

func (h *Handler) periskopeRoutes() {
	h.route("GET /v1/contacts", reads, h.listContacts)
	h.route("GET /v1/contacts/{contact_id}", reads, h.getContact)
	h.route("POST /v1/contacts/create", writes, h.createContact)
	h.route("PATCH /v1/contacts/{contact_id}", writes, h.patchContact)
	h.route("PATCH /v1/contacts/labels", writes, h.patchLabels)
}

// contactObject is Periskope's contact object: wabook's contact JSON (the
// same fields the CLI prints) with label_ids and is_imported, which
// Periskope's clients read too.
type contactObject struct {
	app.ContactJSON
	LabelIDs   map[string]bool `json:"label_ids"`
	IsImported bool            `json:"is_imported"`
}

// labelIndex is what a contact object needs of the labels: colours and
// ids by lower-cased name.
type labelIndex struct {
	colors app.LabelColorIndex
	ids    map[string]int64
}

func (h *Handler) labelIndex(r *http.Request) (labelIndex, error) {
	labels, err := h.svc.Labels(r.Context())
	if err != nil {
		return labelIndex{}, err
	}
	return newLabelIndex(labels), nil
}

func newLabelIndex(labels []model.Label) labelIndex {
	ix := labelIndex{colors: app.LabelColorsOf(labels), ids: make(map[string]int64, len(labels))}
	for _, l := range labels {
		ix.ids[strings.ToLower(l.Name)] = l.ID
	}
	return ix
}

func (ix labelIndex) object(c *model.Contact) contactObject {
	o := contactObject{ContactJSON: app.NewContactJSON(c, ix.colors), LabelIDs: map[string]bool{},
		IsImported: c.Source == model.SourceImport}
	for _, name := range c.Labels {
		if id, ok := ix.ids[strings.ToLower(name)]; ok {
			o.LabelIDs[fmt.Sprintf("label-%d", id)] = true
		}
	}
	return o
}

// findContact resolves an ID from a request: 404 when it names no
// contact, 422 naming field when it is no phone number or WhatsApp ID.
func (h *Handler) findContact(r *http.Request, field, id string) (model.Contact, error) {
	if strings.TrimSpace(id) == "" {
		return model.Contact{}, validation(field, fieldProblem{Message: "a contact ID is needed (country code and number, e.g. 14155550101, or 14155550101@c.us)"})
	}
	c, err := h.svc.FindContact(r.Context(), id)
	if err == nil || errors.Is(err, app.ErrNotFound) {
		return c, err
	}
	if _, perr := model.ParseContactID(id, h.svc.Region()); perr != nil {
		return c, validation(field, fieldProblem{Message: perr.Error(), Value: id})
	}
	return c, err
}

func (h *Handler) sendContact(w http.ResponseWriter, r *http.Request, status int, c *model.Contact) error {
	ix, err := h.labelIndex(r)
	if err != nil {
		return err
	}
	writeJSON(w, status, ix.object(c))
	return nil
}

// GET /v1/contacts/{contact_id}
func (h *Handler) getContact(w http.ResponseWriter, r *http.Request) error {
	c, err := h.findContact(r, "contact_id", r.PathValue("contact_id"))
	if err != nil {
		return err
	}
	return h.sendContact(w, r, http.StatusOK, &c)
}

// pageParam reads offset or limit: a whole number from 0 (limit from 1)
// to most, def when absent.
func pageParam(r *http.Request, name string, def, least, most int) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	switch {
	case err != nil:
		return 0, validation(name, fieldProblem{Message: "must be a whole number", Value: s})
	case n < least:
		return 0, validation(name, fieldProblem{Message: fmt.Sprintf("must be at least %d", least), Value: n})
	case most > 0 && n > most:
		return 0, validation(name, fieldProblem{Message: fmt.Sprintf("must be at most %d", most), Value: n, Max: most})
	}
	return n, nil
}

// bookPage is one page of the address book in name order (hidden
// contacts left out).
type bookPage struct {
	book     *book
	offset   int // the position of the page's first contact
	total    int // the contacts in the book
	contacts []*model.Contact
}

// readPage reads the page asked by offset and limit: limit defaults to def
// and may be at most most; 0 for either is no limit (every contact from
// offset on). An offset past the end is an empty page.
func (h *Handler) readPage(r *http.Request, def, most int) (bookPage, error) {
	offset, err := pageParam(r, "offset", 0, 0, 0)
	if err != nil {
		return bookPage{}, err
	}
	limit, err := pageParam(r, "limit", def, 1, most)
	if err != nil {
		return bookPage{}, err
	}
	b, err := h.books.latest(r.Context())
	if err != nil {
		return bookPage{}, err
	}
	all := b.jids
	start, end := min(offset, len(all)), len(all)
	if limit > 0 {
		end = min(offset+limit, len(all))
	}
	contacts, err := b.page(r.Context(), h.svc, all[start:end])
	if err != nil {
		return bookPage{}, err
	}
	return bookPage{book: b, offset: offset, total: len(all), contacts: contacts}, nil
}

// contactPage is GET /v1/contacts's answer: from and to are the positions
// of the first and last contact of the page (to is from-1 for an empty
// page), count the number of contacts in the book.
type contactPage struct {
	From     int             `json:"from"`
	To       int             `json:"to"`
	Count    int             `json:"count"`
	Contacts []contactObject `json:"contacts"`
}

// GET /v1/contacts?offset&limit: the address book in name order (hidden
// contacts left out).
func (h *Handler) listContacts(w http.ResponseWriter, r *http.Request) error {
	p, err := h.readPage(r, MaxListLimit, MaxListLimit)
	if err != nil {
		return err
	}
	ix := p.book.labels
	out := contactPage{From: p.offset, To: p.offset + len(p.contacts) - 1, Count: p.total, Contacts: make([]contactObject, len(p.contacts))}
	for i, c := range p.contacts {
		out.Contacts[i] = ix.object(c)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// labelsValue is a labels field: Periskope sends "A, B"; an array of
// names is taken too.
type labelsValue struct {
	list string
	set  bool
}

func (l *labelsValue) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*l = labelsValue{list: s, set: true}
		return nil
	}
	var names []string
	if err := json.Unmarshal(b, &names); err == nil {
		for _, n := range names {
			if strings.Contains(n, ",") {
				return fmt.Errorf("label %q: a name in a list may not contain a comma", n)
			}
		}
		*l = labelsValue{list: strings.Join(names, ","), set: true}
		return nil
	}
	if string(b) == "null" {
		return nil
	}
	return errors.New(`labels must be a comma-separated string ("A, B") or an array of names`)
}

// decodeFields is decodeBody with a labels field's own error named.
func decodeFields(r *http.Request, v any) error {
	err := decodeBody(r, v)
	var ae *apiError
	if err != nil && !errors.As(err, &ae) {
		return err
	}
	if ae != nil && ae.Code == "BAD_JSON" && strings.Contains(ae.Message, "labels must be") {
		return validation("labels", fieldProblem{Message: `must be a comma-separated string ("A, B") or an array of names`})
	}
	return err
}

// POST /v1/contacts/create {contact_name, contact_id, labels, is_internal}:
// the contact, once WhatsApp took its labels (writewait.go).
func (h *Handler) createContact(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		ContactName *string     `json:"contact_name"`
		ContactID   *string     `json:"contact_id"`
		Labels      labelsValue `json:"labels"`
		IsInternal  bool        `json:"is_internal"`
	}
	if err := decodeFields(r, &in); err != nil {
		return err
	}
	switch {
	case in.ContactID == nil || strings.TrimSpace(*in.ContactID) == "":
		return validation("contact_id", fieldProblem{Message: "is required: country code and number, e.g. 14155550101"})
	case in.ContactName == nil || strings.TrimSpace(*in.ContactName) == "":
		return validation("contact_name", fieldProblem{Message: "is required"})
	}
	// Periskope's contact_id may come as a chat ID (<digits>@c.us).
	phone := *in.ContactID
	if user, server, ok := strings.Cut(phone, "@"); ok && (server == model.LegacyServer || server == model.UserServer) {
		phone = "+" + strings.TrimPrefix(user, "+")
	} else if model.AllDigits(phone) {
		phone = "+" + phone
	}
	ctx, rc := app.WithReceipt(r.Context())
	c, err := h.svc.AddContact(ctx, app.ContactInput{Name: *in.ContactName, Phone: phone,
		Labels: in.Labels.list, Internal: in.IsInternal})
	if err != nil {
		return err
	}
	return h.confirmed(w, r, rc, &c, func() error { return h.sendContact(w, r, http.StatusOK, &c) })
}

// PATCH /v1/contacts/{contact_id} {contact_name, is_internal, labels}:
// only the fields sent change; labels replaces. The name and is_internal
// stay in the mirror; labels wait for WhatsApp (writewait.go).
func (h *Handler) patchContact(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		ContactName *string     `json:"contact_name"`
		IsInternal  *bool       `json:"is_internal"`
		Labels      labelsValue `json:"labels"`
	}
	if err := decodeFields(r, &in); err != nil {
		return err
	}
	c, err := h.findContact(r, "contact_id", r.PathValue("contact_id"))
	if err != nil {
		return err
	}
	e := app.ContactEdit{Name: in.ContactName, Internal: in.IsInternal}
	if in.Labels.set {
		e.Labels = &in.Labels.list
	}
	ctx, rc := app.WithReceipt(r.Context())
	if c, err = h.svc.EditContact(ctx, c.JID, e); err != nil {
		return err
	}
	return h.confirmed(w, r, rc, &c, func() error { return h.sendContact(w, r, http.StatusOK, &c) })
}

// PATCH /v1/contacts/labels {contact_ids, labels}: each contact gets
// exactly these labels, all in one transaction; 204 once WhatsApp took
// them (writewait.go).
func (h *Handler) patchLabels(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		ContactIDs []string    `json:"contact_ids"`
		Labels     labelsValue `json:"labels"`
	}
	if err := decodeFields(r, &in); err != nil {
		return err
	}
	switch {
	case len(in.ContactIDs) == 0:
		return validation("contact_ids", fieldProblem{Message: "is required: a list of contact IDs"})
	case !in.Labels.set:
		return validation("labels", fieldProblem{Message: `is required: "A, B", or "" to take every label off`})
	}
	for i, id := range in.ContactIDs {
		if _, err := h.findContact(r, fmt.Sprintf("contact_ids[%d]", i), id); err != nil {
			return err
		}
	}
	ctx, rc := app.WithReceipt(r.Context())
	if err := h.svc.ReplaceLabels(ctx, in.ContactIDs, in.Labels.list); err != nil {
		return err
	}
	return h.confirmed(w, r, rc, nil, func() error {
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
}
