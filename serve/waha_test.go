package serve

import (
	"testing"
)

type wahaBody struct {
	ID          string `json:"id"`
	Number      string `json:"number"`
	Name        string `json:"name"`
	PushName    string `json:"pushname"`
	ShortName   string `json:"shortName"`
	IsMe        bool   `json:"isMe"`
	IsGroup     bool   `json:"isGroup"`
	IsWAContact bool   `json:"isWAContact"`
	IsMyContact bool   `json:"isMyContact"`
	IsBlocked   bool   `json:"isBlocked"`
}

func TestWAHA(t *testing.T) {
	t.Parallel()
	a := newAPI(t, HandlerOptions{})
	key := "X-Api-Key: " + a.ro
	var all []wahaBody
	r := a.do("GET", "/api/contacts/all", nil, key)
	r.json(t, &all)
	if r.status != 200 || len(all) < 5 {
		t.Fatalf("all: %d, %d contacts", r.status, len(all))
	}
	var some []wahaBody
	a.do("GET", "/api/contacts/all?session=default&limit=2&offset=1", nil, key).json(t, &some)
	if len(some) != 2 || some[0].ID != all[1].ID {
		t.Fatalf("limit 2 offset 1: %+v", some)
	}
	for _, q := range []string{"contactId=14155550101", "contactId=14155550101@c.us&session=default"} {
		var c wahaBody
		r := a.do("GET", "/api/contacts?"+q, nil, key)
		r.json(t, &c)
		if r.status != 200 || c.ID != "14155550101@c.us" || c.Number != "14155550101" || c.Name != "Ada Lovelace" ||
			c.PushName != "ada" || c.ShortName != "Ada" || !c.IsMyContact || c.IsMe || c.IsGroup {
			t.Fatalf("%s: %d %+v", q, r.status, c)
		}
	}
	var blocked wahaBody
	a.do("GET", "/api/contacts?contactId=14155550103", nil, key).json(t, &blocked)
	if !blocked.IsBlocked {
		t.Fatalf("Mallory: %+v", blocked)
	}
	var about map[string]any
	a.do("GET", "/api/contacts/about?contactId=14155550101", nil, key).json(t, &about)
	if about["about"] != "Hey there!" {
		t.Fatalf("about: %v", about)
	}
	var pic map[string]any
	r = a.do("GET", "/api/contacts/profile-picture?contactId=14155550101", nil, key)
	r.json(t, &pic)
	if v, ok := pic["profilePictureURL"]; r.status != 200 || !ok || (v != nil && v == "") {
		t.Fatalf("profile picture: %d %v", r.status, pic)
	}

	for _, path := range []string{"/api/contacts?contactId=14155550101", "/api/contacts/all", "/api/contacts/about?contactId=14155550101",
		"/api/contacts/profile-picture?contactId=14155550101"} {
		a.do("GET", path+sep(path)+"session=work", nil, key).err(t, 404, "SESSION_NOT_FOUND")
	}
	a.do("GET", "/api/contacts?contactId=14155550188", nil, key).err(t, 404, "NOT_FOUND")
	a.do("GET", "/api/contacts/about?contactId=14155550188", nil, key).err(t, 404, "NOT_FOUND")
	e := a.do("GET", "/api/contacts?contactId=", nil, key).err(t, 422, "VALIDATION_ERROR")
	if e.Fields["contactId"] == nil {
		t.Fatalf("fields %v", e.Fields)
	}
	a.do("GET", "/api/contacts/profile-picture?contactId=bogus", nil, key).err(t, 422, "VALIDATION_ERROR")
	a.do("GET", "/api/contacts/all?limit=x", nil, key).err(t, 422, "VALIDATION_ERROR")
	a.do("GET", "/api/contacts/all", nil).err(t, 401, "UNAUTHORIZED")
}

func sep(path string) string {
	for _, c := range path {
		if c == '?' {
			return "&"
		}
	}
	return "?"
}
