package serve

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// contactBody is the contact object as a client reads it.
type contactBody struct {
	ContactID    string          `json:"contact_id"`
	ContactName  string          `json:"contact_name"`
	ContactType  string          `json:"contact_type"`
	ContactColor string          `json:"contact_color"`
	ContactImage *string         `json:"contact_image"`
	Labels       []string        `json:"labels"`
	LabelIDs     map[string]bool `json:"label_ids"`
	ChatIDs      []string        `json:"chat_ids"`
	IsInternal   bool            `json:"is_internal"`
	IsMyContact  bool            `json:"is_my_contact"`
	IsWAContact  bool            `json:"is_wa_contact"`
	IsBlocked    bool            `json:"is_blocked"`
	IsImported   *bool           `json:"is_imported"`
	UpdatedAt    string          `json:"updated_at"`
}

func TestGetContact(t *testing.T) {
	t.Parallel()
	a := newAPI(t, HandlerOptions{})
	for _, id := range []string{"14155550101", "14155550101@c.us", "+14155550101", "211111111111111@lid"} {
		r := a.as("GET", "/v1/contacts/"+id, nil)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", id, r.status, r.body)
		}
		var c contactBody
		r.json(t, &c)
		if c.ContactID != "14155550101@c.us" || c.ContactName != "Ada Lovelace" || c.ContactType != "user" ||
			!slices.Equal(c.Labels, []string{"New customer"}) || len(c.LabelIDs) != 1 || c.ContactColor == "" ||
			!slices.Contains(c.ChatIDs, "120363000000000001@g.us") || c.ChatIDs[0] != "14155550101@c.us" ||
			!c.IsMyContact || c.IsImported == nil || c.UpdatedAt == "" {
			t.Fatalf("%s: %+v", id, c)
		}
	}
	a.as("GET", "/v1/contacts/14155550188", nil).err(t, 404, "NOT_FOUND")
	e := a.as("GET", "/v1/contacts/not-a-number", nil).err(t, 422, "VALIDATION_ERROR")
	if e.Fields["contact_id"] == nil {
		t.Fatalf("fields %v", e.Fields)
	}
	// A name with escape sequences is JSON's to carry as sent; encoding
	// escapes the control characters.
	r := a.as("GET", "/v1/contacts/14155550105", nil)
	if r.status != 200 || strings.Contains(string(r.body), "\x1b") {
		t.Fatalf("Eve: %d %q", r.status, r.body)
	}
}

func TestListContacts(t *testing.T) {
	t.Parallel()
	a := newAPI(t, HandlerOptions{})
	var page struct {
		From, To, Count int
		Contacts        []contactBody
	}
	r := a.as("GET", "/v1/contacts", nil)
	r.json(t, &page)
	total := page.Count
	if r.status != 200 || total < 5 || len(page.Contacts) != total || page.From != 0 || page.To != total-1 {
		t.Fatalf("all: %d from %d to %d count %d, %d contacts", r.status, page.From, page.To, page.Count, len(page.Contacts))
	}
	names := make([]string, len(page.Contacts))
	for i, c := range page.Contacts {
		names[i] = c.ContactID
	}
	page.Contacts = nil
	a.as("GET", "/v1/contacts?offset=1&limit=2", nil).json(t, &page)
	if page.From != 1 || page.To != 2 || page.Count != total || len(page.Contacts) != 2 ||
		page.Contacts[0].ContactID != names[1] || page.Contacts[1].ContactID != names[2] {
		t.Fatalf("offset 1 limit 2: %+v", page)
	}
	page.Contacts = nil
	a.as("GET", "/v1/contacts?offset=1000&limit=2000", nil).json(t, &page)
	if page.From != 1000 || page.To != 999 || len(page.Contacts) != 0 {
		t.Fatalf("past the end: %+v", page)
	}
	e := a.as("GET", "/v1/contacts?limit=2001", nil).err(t, 422, "VALIDATION_ERROR")
	if lim := e.Fields["limit"]; lim == nil || lim["max"] != float64(2000) || lim["value"] != float64(2001) {
		t.Fatalf("limit 2001: %+v", e)
	}
	for _, q := range []string{"limit=0", "limit=abc", "offset=-1", "offset=1.5"} {
		a.as("GET", "/v1/contacts?"+q, nil).err(t, 422, "VALIDATION_ERROR")
	}
}

func TestCreateContact(t *testing.T) {
	t.Parallel()
	a := newAPI(t, HandlerOptions{})
	r := a.as("POST", "/v1/contacts/create", `{"contact_name":"Zed Shaw","contact_id":"14155550177","labels":"vip, Leads","is_internal":true}`)
	var c contactBody
	r.json(t, &c)
	if r.status != 200 || c.ContactID != "14155550177@c.us" || c.ContactName != "Zed Shaw" || !c.IsInternal ||
		!slices.Equal(c.Labels, []string{"VIP", "Leads"}) || len(c.LabelIDs) != 2 {
		t.Fatalf("create: %d %+v", r.status, c)
	}
	// As a chat ID, and the labels as an array.
	r = a.as("POST", "/v1/contacts/create", map[string]any{"contact_name": "Yan", "contact_id": "14155550178@c.us", "labels": []string{"Leads"}})
	if r.status != 200 {
		t.Fatalf("create by chat ID: %d %s", r.status, r.body)
	}
	a.as("POST", "/v1/contacts/create", map[string]any{"contact_name": "Zed again", "contact_id": "+1 415 555 0177"}).err(t, 409, "CONTACT_EXISTS")
	for _, tc := range []struct {
		body, field string
	}{
		{`{"contact_name":"X"}`, "contact_id"},
		{`{"contact_id":"14155550179"}`, "contact_name"},
		{`{"contact_name":"X","contact_id":"12"}`, "contact_id"},
		{`{"contact_name":"X","contact_id":"not a number"}`, "contact_id"},
		{`{"contact_name":"X","contact_id":"14155550179","labels":"` + strings.Repeat("L", 61) + `"}`, "labels"},
		{`{"contact_name":"X","contact_id":"14155550179","labels":5}`, "labels"},
		{`{"contact_name":"X","contact_id":"14155550179","is_internal":"yes"}`, "is_internal"},
		{`{"contact_name":"` + strings.Repeat("n", 1001) + `","contact_id":"14155550179"}`, "contact_name"},
	} {
		e := a.as("POST", "/v1/contacts/create", tc.body).err(t, 422, "VALIDATION_ERROR")
		if e.Fields[tc.field] == nil {
			t.Errorf("%s: fields %v, want %s", tc.body, e.Fields, tc.field)
		}
	}
	for _, bad := range []string{"", "{", `{"contact_name":"X"} {}`, "[1,2]", "null x"} {
		a.as("POST", "/v1/contacts/create", bad).err(t, 400, "BAD_JSON")
	}
	if _, err := a.svc.FindContact(context.Background(), "14155550179"); err == nil {
		t.Fatal("a refused create left a contact")
	}
}

func TestPatchContact(t *testing.T) {
	t.Parallel()
	a := newAPI(t, HandlerOptions{})
	a.as("POST", "/v1/contacts/create", map[string]any{"contact_name": "Zed", "contact_id": "14155550177", "labels": "Leads"})
	r := a.as("PATCH", "/v1/contacts/14155550177", map[string]any{"contact_name": "Zed Shaw", "is_internal": true, "labels": "VIP, Partners"})
	var c contactBody
	r.json(t, &c)
	if r.status != 200 || c.ContactName != "Zed Shaw" || !c.IsInternal || !slices.Equal(c.Labels, []string{"VIP", "Partners"}) {
		t.Fatalf("patch: %d %+v", r.status, c)
	}
	// Only the fields sent change.
	r = a.as("PATCH", "/v1/contacts/14155550177@c.us", `{"is_internal":false}`)
	c = contactBody{}
	r.json(t, &c)
	if c.ContactName != "Zed Shaw" || c.IsInternal || len(c.Labels) != 2 {
		t.Fatalf("patch is_internal: %+v", c)
	}
	a.as("PATCH", "/v1/contacts/14155550188", `{"is_internal":true}`).err(t, 404, "NOT_FOUND")
	a.as("PATCH", "/v1/contacts/not-a-number", `{"is_internal":true}`).err(t, 422, "VALIDATION_ERROR")
	a.as("PATCH", "/v1/contacts/14155550177", `{"is_internal":`).err(t, 400, "BAD_JSON")
	// Ada's name is the phone's: WhatsApp would put it back.
	e := a.as("PATCH", "/v1/contacts/14155550101", `{"contact_name":"Countess"}`).err(t, 422, "VALIDATION_ERROR")
	if e.Fields["contact_name"] == nil {
		t.Fatalf("fields %v", e.Fields)
	}
	e = a.as("PATCH", "/v1/contacts/14155550177", map[string]any{"labels": strings.Repeat("L", 61)}).err(t, 422, "VALIDATION_ERROR")
	if e.Fields["labels"] == nil {
		t.Fatalf("fields %v", e.Fields)
	}
	got, _ := a.svc.FindContact(context.Background(), "14155550177")
	if !slices.Equal(got.Labels, []string{"VIP", "Partners"}) {
		t.Fatalf("after refused patches: %v", got.Labels)
	}
}

func TestPatchLabels(t *testing.T) {
	t.Parallel()
	a := newAPI(t, HandlerOptions{})
	ctx := context.Background()
	labelsOf := func(id string) []string {
		c, err := a.svc.FindContact(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return c.Labels
	}
	r := a.as("PATCH", "/v1/contacts/labels", map[string]any{"contact_ids": []string{"14155550101", "14155550104@c.us"}, "labels": "vip, Leads"})
	if r.status != 204 || len(r.body) != 0 {
		t.Fatalf("patch labels: %d %s", r.status, r.body)
	}
	// Replaced: Ada's "New customer" is gone.
	if got := labelsOf("14155550101"); !slices.Equal(got, []string{"VIP", "Leads"}) {
		t.Fatalf("Ada: %v", got)
	}
	if got := labelsOf("14155550104"); !slices.Equal(got, []string{"VIP", "Leads"}) {
		t.Fatalf("Grace: %v", got)
	}
	// One unknown ID: nothing changes for the others either.
	e := a.as("PATCH", "/v1/contacts/labels", map[string]any{"contact_ids": []string{"14155550101", "14155550188"}, "labels": ""}).err(t, 404, "NOT_FOUND")
	if !strings.Contains(e.Message, "14155550188") {
		t.Fatalf("404 does not name the ID: %s", e.Message)
	}
	a.as("PATCH", "/v1/contacts/labels", map[string]any{"contact_ids": []string{"14155550101", "nope"}, "labels": ""}).err(t, 422, "VALIDATION_ERROR")
	a.as("PATCH", "/v1/contacts/labels", map[string]any{"contact_ids": []string{"14155550101"}, "labels": strings.Repeat("L", 61)}).err(t, 422, "VALIDATION_ERROR")
	a.as("PATCH", "/v1/contacts/labels", map[string]any{"contact_ids": []string{}, "labels": "A"}).err(t, 422, "VALIDATION_ERROR")
	a.as("PATCH", "/v1/contacts/labels", map[string]any{"contact_ids": []string{"14155550101"}}).err(t, 422, "VALIDATION_ERROR")
	a.as("PATCH", "/v1/contacts/labels", `{"contact_ids": "14155550101"}`).err(t, 422, "VALIDATION_ERROR")
	a.as("PATCH", "/v1/contacts/labels", `{"contact_ids": [`).err(t, 400, "BAD_JSON")
	if got := labelsOf("14155550101"); !slices.Equal(got, []string{"VIP", "Leads"}) {
		t.Fatalf("Ada after refused patches: %v", got)
	}
	// "" takes every label off.
	if r := a.as("PATCH", "/v1/contacts/labels", map[string]any{"contact_ids": []string{"14155550101"}, "labels": ""}); r.status != 204 {
		t.Fatalf("clear: %d %s", r.status, r.body)
	}
	if got := labelsOf("14155550101"); len(got) != 0 {
		t.Fatalf("Ada after clearing: %v", got)
	}
}
