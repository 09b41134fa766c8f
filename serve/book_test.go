package serve

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/ui"
)

// listPage is GET /v1/contacts's answer as a client reads it.
type listPage struct {
	From, To, Count int
	Contacts        []contactBody
}

func (a *api) list(query string) listPage {
	a.t.Helper()
	var p listPage
	r := a.as("GET", "/v1/contacts"+query, nil)
	if r.status != 200 {
		a.t.Fatalf("GET /v1/contacts%s: %d %s", query, r.status, r.body)
	}
	r.json(a.t, &p)
	return p
}

func (p listPage) find(id string) *contactBody {
	for i := range p.Contacts {
		if p.Contacts[i].ContactID == id {
			return &p.Contacts[i]
		}
	}
	return nil
}

// The lists are kept between requests, never stale: a write through the
// API, through the service (as an SSH session makes it) or by another
// process is in the very next list (another process's once the service has
// noticed it, as every UI does).
func TestListsShowEachWriteInTheNextRequest(t *testing.T) {
	t.Parallel()
	a := newAPI(t, HandlerOptions{})
	before := a.list("")
	if before.find("14155550104@c.us") == nil {
		t.Fatalf("Grace is not listed: %+v", before)
	}

	if r := a.as("PATCH", "/v1/contacts/labels", map[string]any{"contact_ids": []string{"14155550104"}, "labels": "Fresh"}); r.status != 204 {
		t.Fatalf("patch labels: %d %s", r.status, r.body)
	}
	if c := a.list("").find("14155550104@c.us"); c == nil || !slices.Equal(c.Labels, []string{"Fresh"}) || len(c.LabelIDs) != 1 {
		t.Fatalf("after PATCH /v1/contacts/labels: %+v", c)
	}

	// Alan T, known by his push name, named here: he moves to the top.
	if r := a.as("PATCH", "/v1/contacts/442079460958", map[string]any{"contact_name": "Aaron Alan"}); r.status != 200 {
		t.Fatalf("patch: %d %s", r.status, r.body)
	}
	var all []wahaContactJSON
	a.do("GET", "/api/contacts/all", nil, "X-Api-Key: "+a.full).json(t, &all)
	if len(all) == 0 || all[0].ID != "442079460958@c.us" || all[0].Name != "Aaron Alan" {
		t.Fatalf("WAHA's list after the rename: %+v", all)
	}
	if p := a.list("?limit=1"); p.Contacts[0].ContactName != "Aaron Alan" || p.Count != before.Count {
		t.Fatalf("the renamed contact is not first in name order: %+v", p)
	}

	// The service's own write, as a session's UI makes it.
	if _, err := a.svc.AddContact(context.Background(), app.ContactInput{Name: "Zed Service", Phone: "+14155550177"}); err != nil {
		t.Fatal(err)
	}
	if p := a.list(""); p.Count != before.Count+1 || p.find("14155550177@c.us") == nil {
		t.Fatalf("after the service's add: count %d, want %d", p.Count, before.Count+1)
	}

	// Another process's write: listed once the service has said
	// DataChanged.
	notices, stop := a.svc.Subscribe()
	defer stop()
	other, err := store.Open(a.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.InsertContact(context.Background(), model.Contact{Phone: "+14155550178", FullName: "Other Process"}, nil); err != nil {
		t.Fatal(err)
	}
	for n := range notices {
		if n.Kind == app.DataChanged {
			break
		}
	}
	if p := a.list(""); p.find("14155550178@c.us") == nil {
		t.Fatalf("another process's add is not listed after DataChanged: count %d", p.Count)
	}
}

// Requests that find the shared index changed refresh it once and derive
// one list from it, while the others wait for that one: the first
// derivation is held until a second starts (which only a missing single
// flight lets happen) or a while has passed.
func TestListsRefreshOnceForConcurrentRequests(t *testing.T) {
	t.Parallel()
	svc := testService(t)
	bs := newBooks(ui.NewIndexes(svc), svc)
	var calls atomic.Int32
	second := make(chan struct{})
	bs.derive = func(ctx context.Context, svc *app.Service, from ui.Book) (*book, error) {
		switch calls.Add(1) {
		case 1:
			select {
			case <-second:
			case <-time.After(300 * time.Millisecond):
			}
		case 2:
			close(second)
		}
		return newBook(ctx, svc, from)
	}
	ctx := context.Background()
	first, err := bs.latest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddContact(ctx, app.ContactInput{Name: "Once Only", Phone: "+14155550179"}); err != nil {
		t.Fatal(err)
	}
	calls.Store(0)
	start := make(chan struct{})
	got := make(chan *book, 16)
	var wg sync.WaitGroup
	for range cap(got) {
		wg.Go(func() {
			<-start
			b, err := bs.latest(ctx)
			if err != nil {
				t.Error(err)
			}
			got <- b
		})
	}
	close(start)
	wg.Wait()
	close(got)
	for b := range got {
		if b == nil || b == first || len(b.jids) != len(first.jids)+1 {
			t.Fatalf("a request got a stale or no list")
		}
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("16 requests after one change derived the list %d times, want 1", n)
	}
	if w := bs.indexes.WholeReads(); w != 1 {
		t.Errorf("the mirror was read whole %d times, want 1", w)
	}
}

// The lists answer what a whole read of the mirror, sorted as the CLI's
// JSON sorts it (app.FilterContacts), answers: the same contacts, the
// same objects, in the same name order (contacts of the same name, which
// FilterContacts leaves in table order, by WhatsApp ID).
func TestListsAnswerAsAWholeRead(t *testing.T) {
	t.Parallel()
	svc, _, ctx := bigBook(t, 3000)
	tok, err := svc.AddToken(ctx, "ops", false)
	if err != nil {
		t.Fatal(err)
	}
	a := &api{t: t, svc: svc, full: tok}
	srv := httptest.NewServer(NewHandler(svc, HandlerOptions{}))
	defer srv.Close()
	a.url = srv.URL
	// Names the index keeps sanitised (an emoji sequence's joiners
	// dropped for the terminal) in another order than as stored: the
	// lists follow the stored names.
	for _, in := range []app.ContactInput{{Name: "\U0001F469\u200d\U0001F469 Zed", Phone: "+14155550181"}, {Name: "\U0001F469\U0001F469 Abe", Phone: "+14155550182"}} {
		if _, err := svc.AddContact(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	// A change once the lists are kept: they follow it.
	first := a.list("?limit=1").Contacts[0].ContactID
	if r := a.as("PATCH", "/v1/contacts/labels", map[string]any{"contact_ids": []string{first}, "labels": "Kept, VIP"}); r.status != 204 {
		t.Fatalf("patch labels: %d %s", r.status, r.body)
	}
	snap, err := svc.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want, err := app.FilterContacts(snap, "")
	if err != nil {
		t.Fatal(err)
	}
	var got []contactBody
	for off := 0; ; off += MaxListLimit {
		p := a.list(fmt.Sprintf("?offset=%d", off))
		if p.Count != len(want) {
			t.Fatalf("count %d, want %d", p.Count, len(want))
		}
		if len(p.Contacts) == 0 {
			break
		}
		got = append(got, p.Contacts...)
	}
	if len(got) != len(want) {
		t.Fatalf("%d contacts listed, want %d", len(got), len(want))
	}
	ix := newLabelIndex(snap.Labels)
	byID := map[string]string{}
	for _, c := range want {
		js, _ := json.Marshal(ix.object(c))
		byID[model.ContactID(c.JID)] = string(js)
	}
	for i, c := range got {
		if strings.ToLower(c.ContactName) != strings.ToLower(want[i].DisplayName()) {
			t.Fatalf("contact %d is %q, want %q", i, c.ContactName, want[i].DisplayName())
		}
		js, _ := json.Marshal(c)
		var w contactBody
		json.Unmarshal([]byte(byID[c.ContactID]), &w)
		wjs, _ := json.Marshal(w)
		if string(js) != string(wjs) {
			t.Fatalf("contact %s:\n got %s\nwant %s", c.ContactID, js, wjs)
		}
	}
}
