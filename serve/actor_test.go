package serve

import (
	"context"
	"strings"
	"testing"
	"time"
)

// A change through the HTTP API is recorded as the token's name.
func TestAPIChangeRecordsTheTokensName(t *testing.T) {
	t.Parallel()
	a := newAPI(t, HandlerOptions{})
	ctx := context.Background()
	ci, err := a.svc.AddToken(ctx, "ci", false)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().Truncate(time.Millisecond)
	r := a.do("PATCH", "/v1/contacts/14155550101", `{"is_internal":true}`, "Authorization: Bearer "+ci)
	if r.status != 200 {
		t.Fatalf("PATCH: %d %s", r.status, r.body)
	}
	c, err := a.svc.FindContact(ctx, "14155550101")
	if err != nil {
		t.Fatal(err)
	}
	if c.LastChangedBy != "ci" || c.LastChangedAt.Before(start) {
		t.Errorf("changed by %q at %v, want ci since %v", c.LastChangedBy, c.LastChangedAt, start)
	}
	// Another token's change is its own.
	a.as("PATCH", "/v1/contacts/labels", map[string]any{"contact_ids": []string{"14155550101"}, "labels": "VIP"})
	if c, _ := a.svc.FindContact(ctx, "14155550101"); c.LastChangedBy != "ops" {
		t.Errorf("after the ops token's change: changed by %q, want ops", c.LastChangedBy)
	}
}

// A change in an SSH session is recorded as the operator's name: the
// comment of their key in the authorized-keys file.
func TestSSHChangeRecordsTheOperator(t *testing.T) {
	t.Parallel()
	svc := testService(t)
	key, line := newOperator(t, "Ada Operator")
	f := startSSH(t, svc, SSHOptions{}, line)
	s := f.open(t, key, 100, 30)
	s.waitFor("the list", "6 contacts", "Ada Lovelace")
	// Label the third contact in name order, Eve (as in
	// TestSSHSessionsShareOneService).
	s.keys("\x1b[B")
	s.keys("\x1b[B")
	s.keys(" ")
	s.keys("l")
	for _, k := range "Shared" {
		s.keys(string(k))
	}
	s.keys("\r")
	s.keys("\r")
	s.waitFor("the label applied", "added Shared on 1 contact")
	c, err := svc.FindContact(context.Background(), "14155550105")
	if err != nil {
		t.Fatal(err)
	}
	if c.LastChangedBy != "Ada Operator" || c.LastChangedAt.IsZero() {
		t.Errorf("Eve changed by %q at %v, want Ada Operator", c.LastChangedBy, c.LastChangedAt)
	}
}

// The contact object says who made the last change and when: a change
// made with token alice shows alice in GET /v1/contacts/{id}; a contact
// nobody changed here has null for both.
func TestContactObjectNamesTheLastChangesAuthor(t *testing.T) {
	t.Parallel()
	a := newAPI(t, HandlerOptions{})
	var c struct {
		ChangedBy *string `json:"changed_by"`
		ChangedAt *string `json:"changed_at"`
		UpdatedAt string  `json:"updated_at"`
	}
	r := a.as("GET", "/v1/contacts/14155550101", nil)
	r.json(t, &c)
	if r.status != 200 || c.ChangedBy != nil || c.ChangedAt != nil || !strings.Contains(string(r.body), `"changed_by":null`) {
		t.Fatalf("before any change: %d %s", r.status, r.body)
	}
	alice, err := a.svc.AddToken(context.Background(), "alice", false)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().Truncate(time.Millisecond)
	if r := a.do("PATCH", "/v1/contacts/14155550101", `{"labels":"VIP"}`, "Authorization: Bearer "+alice); r.status != 200 {
		t.Fatalf("PATCH: %d %s", r.status, r.body)
	}
	// Read with another token: the author is the change's, not the reader's.
	r = a.as("GET", "/v1/contacts/14155550101", nil)
	r.json(t, &c)
	if c.ChangedBy == nil || *c.ChangedBy != "alice" || c.ChangedAt == nil {
		t.Fatalf("after alice's change: %s", r.body)
	}
	at, err := time.Parse(time.RFC3339Nano, *c.ChangedAt)
	if err != nil || at.Before(start) || at.After(time.Now()) {
		t.Fatalf("changed_at %q (%v), want since %v", *c.ChangedAt, err, start)
	}
}
