package serve

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/wa/sim"
)

func TestTokensAndHeaders(t *testing.T) {
	t.Parallel()
	a := newAPI(t, HandlerOptions{})
	for _, tc := range []struct {
		name    string
		headers []string
		status  int
	}{
		{"no token", nil, 401},
		{"unknown bearer", []string{"Authorization: Bearer wbk_nope"}, 401},
		{"empty bearer", []string{"Authorization: Bearer "}, 401},
		{"basic auth", []string{"Authorization: Basic " + a.full}, 401},
		{"unknown api key", []string{"X-Api-Key: wbk_nope"}, 401},
		{"bearer", []string{"Authorization: Bearer " + a.full}, 200},
		{"lower-case bearer", []string{"Authorization: bearer " + a.full}, 200},
		{"api key", []string{"X-Api-Key: " + a.full}, 200},
		{"read-only token reads", []string{"X-Api-Key: " + a.ro}, 200},
	} {
		r := a.do("GET", "/v1/contacts/14155550101", nil, tc.headers...)
		if tc.status == 401 {
			r.err(t, 401, "UNAUTHORIZED")
		} else if r.status != tc.status {
			t.Errorf("%s: status %d: %s", tc.name, r.status, r.body)
		}
		// Every answer says where the rate limit stands.
		for _, h := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"} {
			if _, err := strconv.Atoi(r.header.Get(h)); err != nil {
				t.Errorf("%s: %s = %q", tc.name, h, r.header.Get(h))
			}
		}
	}
	if got := a.do("GET", "/v1/contacts/14155550101", nil, "Authorization: Bearer "+a.full).header.Get("X-RateLimit-Limit"); got != strconv.Itoa(DefaultRateLimit) {
		t.Errorf("X-RateLimit-Limit = %s", got)
	}
}

// A token added or removed through another handle on the database (as
// wabook token add in another process) counts from the next request.
func TestTokenChangesCountAtOnce(t *testing.T) {
	t.Parallel()
	a := newAPI(t, HandlerOptions{})
	ctx := context.Background()
	st, err := store.Open(a.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	other := app.New(st, sim.New(&sim.World{Account: &sim.WorldAccount{Phone: "+14155550100"}}), app.Options{})
	secret, err := other.AddToken(ctx, "late", false)
	if err != nil {
		t.Fatal(err)
	}
	if r := a.do("GET", "/v1/contacts/14155550101", nil, "X-Api-Key: "+secret); r.status != 200 {
		t.Fatalf("a token added elsewhere: %d %s", r.status, r.body)
	}
	if err := other.RemoveToken(ctx, "late"); err != nil {
		t.Fatal(err)
	}
	a.do("GET", "/v1/contacts/14155550101", nil, "X-Api-Key: "+secret).err(t, 401, "UNAUTHORIZED")
}

// A read-only token may not change anything: 403, and nothing changed.
func TestReadOnlyTokenCannotWrite(t *testing.T) {
	t.Parallel()
	a := newAPI(t, HandlerOptions{})
	ro := "Authorization: Bearer " + a.ro
	a.do("POST", "/v1/contacts/create", map[string]any{"contact_name": "Zed", "contact_id": "14155550177"}, ro).err(t, 403, "READ_ONLY_TOKEN")
	a.do("PATCH", "/v1/contacts/14155550101", map[string]any{"is_internal": true}, ro).err(t, 403, "READ_ONLY_TOKEN")
	a.do("PATCH", "/v1/contacts/labels", map[string]any{"contact_ids": []string{"14155550101"}, "labels": ""}, ro).err(t, 403, "READ_ONLY_TOKEN")
	ctx := context.Background()
	if _, err := a.svc.FindContact(ctx, "14155550177"); err == nil {
		t.Fatal("a read-only token created a contact")
	}
	c, err := a.svc.FindContact(ctx, "14155550101")
	if err != nil || c.IsInternal || len(c.Labels) != 1 {
		t.Fatalf("Ada after refused writes: %+v, %v", c, err)
	}
}

func TestXPhone(t *testing.T) {
	t.Parallel()
	a := newAPI(t, HandlerOptions{})
	for _, ok := range []string{"14155550100", "+14155550100", " 14155550100 "} {
		if r := a.as("GET", "/v1/contacts/14155550101", nil, "x-phone: "+ok); r.status != 200 {
			t.Errorf("x-phone %q: %d %s", ok, r.status, r.body)
		}
	}
	for _, bad := range []string{"14155550101", "phone-abc", "", "1 415 555 0100"} {
		a.as("GET", "/v1/contacts/14155550101", nil, "x-phone: "+bad).err(t, 400, "WRONG_PHONE")
	}
	// Refused before anything is written.
	a.as("POST", "/v1/contacts/create", map[string]any{"contact_name": "Zed", "contact_id": "14155550177"}, "x-phone: 15550000000").err(t, 400, "WRONG_PHONE")
	if _, err := a.svc.FindContact(context.Background(), "14155550177"); err == nil {
		t.Fatal("created with a wrong x-phone")
	}
}

func TestBodyLimit(t *testing.T) {
	t.Parallel()
	a := newAPI(t, HandlerOptions{})
	big := `{"contact_name":"` + strings.Repeat("x", MaxBody) + `","contact_id":"14155550177"}`
	// Announced by Content-Length: refused before it is read.
	a.as("POST", "/v1/contacts/create", big).err(t, 413, "BODY_TOO_LARGE")
	// Sent in chunks, with no length: refused once it passes the limit.
	a.as("POST", "/v1/contacts/create", struct{ *strings.Reader }{strings.NewReader(big)}).err(t, 413, "BODY_TOO_LARGE")
	if _, err := a.svc.FindContact(context.Background(), "14155550177"); err == nil {
		t.Fatal("an oversized body created a contact")
	}
}

// The limit per token: a bucket of RateLimit requests that fills at
// RateLimit a minute; 429 with Retry-After beyond it; another token, or a
// client without one, has a bucket of its own.
func TestRateLimit(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := time.Unix(1_800_000_000, 0)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	a := newAPI(t, HandlerOptions{RateLimit: 3, Clock: clock})
	for i, want := range []string{"2", "1", "0"} {
		r := a.as("GET", "/v1/contacts/14155550101", nil)
		if r.status != 200 || r.header.Get("X-RateLimit-Remaining") != want || r.header.Get("X-RateLimit-Limit") != "3" {
			t.Fatalf("request %d: %d, remaining %s", i+1, r.status, r.header.Get("X-RateLimit-Remaining"))
		}
	}
	r := a.as("GET", "/v1/contacts/14155550101", nil)
	r.err(t, 429, "RATE_LIMITED")
	if r.header.Get("Retry-After") != "20" || r.header.Get("X-RateLimit-Remaining") != "0" ||
		r.header.Get("X-RateLimit-Reset") != strconv.FormatInt(now.Add(time.Minute).Unix(), 10) {
		t.Fatalf("429 headers: %v", r.header)
	}
	if r := a.do("GET", "/v1/contacts/14155550101", nil, "X-Api-Key: "+a.ro); r.status != 200 || r.header.Get("X-RateLimit-Remaining") != "2" {
		t.Fatalf("another token: %d, remaining %s", r.status, r.header.Get("X-RateLimit-Remaining"))
	}
	mu.Lock()
	now = now.Add(20 * time.Second)
	mu.Unlock()
	if r := a.as("GET", "/v1/contacts/14155550101", nil); r.status != 200 || r.header.Get("X-RateLimit-Remaining") != "0" {
		t.Fatalf("20 s later: %d, remaining %s", r.status, r.header.Get("X-RateLimit-Remaining"))
	}
	// Guessing tokens is limited too, by address.
	for range 3 {
		a.do("GET", "/v1/contacts/14155550101", nil, "X-Api-Key: wbk_guess").err(t, 401, "UNAUTHORIZED")
	}
	a.do("GET", "/v1/contacts/14155550101", nil, "X-Api-Key: wbk_guess").err(t, 429, "RATE_LIMITED")
}

// The access log says who did what, never with the secret.
func TestAccessLog(t *testing.T) {
	t.Parallel()
	a := newAPI(t, HandlerOptions{})
	a.as("GET", "/v1/contacts/14155550101?x=1", nil)
	a.do("GET", "/v1/contacts/14155550101", nil, "X-Api-Key: "+a.ro)
	a.do("GET", "/v1/contacts/14155550101", nil, "X-Api-Key: wbk_wrong")
	log := a.log.String()
	for _, want := range []string{
		`msg=http method=GET path=/v1/contacts/14155550101 status=200 duration=`, "token=ops",
		"token=dashboard", "status=401", `token=""`,
	} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	for _, secret := range []string{a.full, a.ro, "wbk_wrong"} {
		if strings.Contains(log, secret) {
			t.Fatalf("the log holds a secret:\n%s", log)
		}
	}
}

func TestUnknownRoutes(t *testing.T) {
	t.Parallel()
	a := newAPI(t, HandlerOptions{})
	a.as("GET", "/v2/nothing", nil).err(t, 404, "NOT_FOUND")
	r := a.as("DELETE", "/v1/contacts/create", nil)
	r.err(t, 405, "METHOD_NOT_ALLOWED")
	if r.header.Get("Allow") == "" {
		t.Fatal("405 without Allow")
	}
	// Without a token, nothing is told about routes.
	a.do("GET", "/v2/nothing", nil).err(t, 401, "UNAUTHORIZED")
}
