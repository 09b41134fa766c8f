package serve

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/wa/sim"
)

// checkSetup is a served sim account for the check routes.
type checkSetup struct {
	deadline time.Duration     // serve_check_deadline (config file); 0: 5 s
	noWorker bool              // the check queue's worker is not started
	failing  map[string]string // numbers the sim fails, with the error
	webhook  string
	dbPath   string // an existing database (a restart); "" for a fresh one
}

// checkAPI is an api with the sim backend and the service's context.
type checkAPI struct {
	*api
	be  *sim.Backend
	st  *store.Store
	ctx context.Context
	// stop ends the service early (a restart); it also runs at cleanup.
	stop func()
}

// newCheckAPI serves a sim account whose check queue paces at a
// millisecond.
func newCheckAPI(t *testing.T, s checkSetup) *checkAPI {
	t.Helper()
	w := testWorld(t)
	if s.failing != nil {
		w.Failing = s.failing
	}
	be := sim.New(w)
	cfg := app.DefaultConfig()
	cfg.CheckPace = time.Millisecond
	cfg.ServeCheckDeadline = s.deadline
	if cfg.ServeCheckDeadline == 0 {
		cfg.ServeCheckDeadline = 5 * time.Second
	}
	path := s.dbPath
	if path == "" {
		path = filepath.Join(t.TempDir(), "wabook.db")
	}
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	logBuf := &syncBuffer{}
	svc := app.New(st, be, app.Options{Log: slog.New(slog.NewTextHandler(logBuf, nil)), Config: &cfg, OutboxRetry: time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{})
	go func() { svc.Run(ctx); close(ran) }()
	srv := httptest.NewServer(specChecked(t, NewHandler(svc, HandlerOptions{Webhook: s.webhook}))) // openapi_test.go
	var once sync.Once
	stop := func() {
		once.Do(func() {
			srv.Close()
			cancel()
			svc.StopChecker()
			svc.StopOutbox()
			<-ran
			be.Close()
			st.Close()
		})
	}
	t.Cleanup(stop)
	syncCtx, done := context.WithTimeout(ctx, 10*time.Second)
	defer done()
	if err := svc.SyncOnce(syncCtx); err != nil {
		t.Fatal(err)
	}
	// Names of their own: a restart opens a database with the first
	// run's tokens.
	run := time.Now().UnixNano()
	full, err := svc.AddToken(ctx, fmt.Sprint("ops", run), false)
	if err != nil {
		t.Fatal(err)
	}
	ro, err := svc.AddToken(ctx, fmt.Sprint("dashboard", run), true)
	if err != nil {
		t.Fatal(err)
	}
	if !s.noWorker {
		svc.StartChecker(ctx)
	}
	return &checkAPI{api: &api{t: t, url: srv.URL, svc: svc, full: full, ro: ro, log: logBuf, dbPath: path}, be: be, st: st, ctx: ctx, stop: stop}
}

func (a *checkAPI) jobs() int {
	a.t.Helper()
	js, err := a.svc.Jobs(a.ctx)
	if err != nil {
		a.t.Fatal(err)
	}
	return len(js)
}

// jobsDone waits until every job is done (the deadline of a test that
// asks again may be shorter than a slow machine's first batch).
func (a *checkAPI) jobsDone() {
	a.t.Helper()
	waitFor(a.t, func() bool {
		js, err := a.svc.Jobs(a.ctx)
		if err != nil {
			a.t.Fatal(err)
		}
		for _, j := range js {
			if j.State != app.JobDone {
				return false
			}
		}
		return true
	})
}

// sent counts how many times phone went to WhatsApp.
func (a *checkAPI) sent(phone string) int {
	n := 0
	for _, p := range a.be.CheckedNumbers() {
		if p == phone {
			n++
		}
	}
	return n
}

func (a *checkAPI) asRO(method, path string, body any) reply {
	a.t.Helper()
	return a.do(method, path, body, "Authorization: Bearer "+a.ro)
}

type periskopeBody struct {
	ContactID string `json:"contact_id"`
	Exists    bool   `json:"exists"`
}

func TestPeriskopeCheck(t *testing.T) {
	t.Parallel()
	a := newCheckAPI(t, checkSetup{})
	ids := map[string]any{"contact_ids": []string{"14155550101", "14155550102@c.us", "+14155550150", "14155550101"}}
	r := a.as("POST", "/v1/contacts/check", ids)
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	var got []periskopeBody
	r.json(t, &got)
	want := []periskopeBody{{"14155550101@c.us", true}, {"14155550102@c.us", true}, {"14155550150@c.us", false}, {"14155550101@c.us", true}}
	if !slices.Equal(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	if a.jobs() != 1 || a.sent("+14155550101") != 1 || a.sent("+14155550150") != 1 {
		t.Fatalf("jobs %d, sent %v", a.jobs(), a.be.CheckedNumbers())
	}
	// Asked again: the cache answers; nothing is queued or sent.
	calls := a.be.CheckCalls()
	if r := a.as("POST", "/v1/contacts/check", ids); r.status != 200 || a.jobs() != 1 || a.be.CheckCalls() != calls {
		t.Fatalf("again: %d %s; jobs %d, calls %d→%d", r.status, r.body, a.jobs(), calls, a.be.CheckCalls())
	}
	// A read-only token asks what the cache knows, not more.
	if r := a.asRO("POST", "/v1/contacts/check", ids); r.status != 200 {
		t.Fatalf("read-only, cached: %d %s", r.status, r.body)
	}
	e := a.asRO("POST", "/v1/contacts/check", map[string]any{"contact_ids": []string{"14155550101", "14155550160"}}).err(t, 403, "READ_ONLY_TOKEN")
	if !strings.Contains(e.Message, "+14155550160") || a.jobs() != 1 || a.sent("+14155550160") != 0 {
		t.Fatalf("read-only, uncached: %+v; jobs %d", e, a.jobs())
	}
}

func TestPeriskopeCheckQueuedJoins(t *testing.T) {
	t.Parallel()
	a := newCheckAPI(t, checkSetup{noWorker: true, deadline: 300 * time.Millisecond})
	ids := map[string]any{"contact_ids": []string{"14155550101", "14155550150"}}
	for i := range 2 {
		start := time.Now()
		r := a.as("POST", "/v1/contacts/check", ids)
		took := time.Since(start)
		var body struct {
			Code     string          `json:"code"`
			Message  string          `json:"message"`
			Pending  []string        `json:"pending"`
			Answered []periskopeBody `json:"answered"`
		}
		r.json(t, &body)
		secs, _ := strconv.Atoi(r.header.Get("Retry-After"))
		if r.status != 429 || body.Code != "CHECK_PENDING" || secs < 1 || len(body.Pending) != 2 || len(body.Answered) != 0 {
			t.Fatalf("request %d: %d %s (Retry-After %q)", i, r.status, r.body, r.header.Get("Retry-After"))
		}
		// Never past the deadline (a little slack for the machine).
		if took < 300*time.Millisecond || took > 2*time.Second {
			t.Fatalf("request %d answered after %v; the deadline is 300ms", i, took)
		}
		// The retry joined the job: still one.
		if a.jobs() != 1 {
			t.Fatalf("request %d: %d jobs", i, a.jobs())
		}
	}
	// A read-only token may join the check under way: it spends nothing.
	if r := a.asRO("POST", "/v1/contacts/check", ids); r.status != 429 || a.jobs() != 1 {
		t.Fatalf("read-only join: %d %s; jobs %d", r.status, r.body, a.jobs())
	}
	a.svc.StartChecker(a.ctx)
	a.jobsDone()
	r := a.as("POST", "/v1/contacts/check", ids)
	if r.status != 200 || a.jobs() != 1 || a.sent("+14155550150") != 1 {
		t.Fatalf("after the worker ran: %d %s; jobs %d; sent %v", r.status, r.body, a.jobs(), a.be.CheckedNumbers())
	}
}

func TestPeriskopeCheckFailed(t *testing.T) {
	t.Parallel()
	a := newCheckAPI(t, checkSetup{failing: map[string]string{"+14155550109": "timeout"}})
	ids := map[string]any{"contact_ids": []string{"14155550101", "14155550109"}}
	for i := range 2 {
		r := a.as("POST", "/v1/contacts/check", ids)
		var body struct {
			Code     string          `json:"code"`
			Failed   []failedNumber  `json:"failed"`
			Answered []periskopeBody `json:"answered"`
		}
		r.json(t, &body)
		if r.status != 502 || body.Code != "CHECK_FAILED" || len(body.Failed) != 1 ||
			body.Failed[0].ContactID != "14155550109@c.us" || body.Failed[0].Input != "14155550109" || body.Failed[0].Error != "timeout" ||
			!slices.Equal(body.Answered, []periskopeBody{{"14155550101@c.us", true}}) {
			t.Fatalf("request %d: %d %s", i, r.status, r.body)
		}
	}
	// The failure answered the second request: not queued or sent again.
	if a.jobs() != 1 || a.sent("+14155550109") != 1 {
		t.Fatalf("jobs %d, sent %v", a.jobs(), a.be.CheckedNumbers())
	}
}

func TestPeriskopeCheckBadRequests(t *testing.T) {
	t.Parallel()
	a := newCheckAPI(t, checkSetup{noWorker: true})
	e := a.as("POST", "/v1/contacts/check", map[string]any{"contact_ids": []string{"14155550101", "call me", "123"}}).err(t, 422, "VALIDATION_ERROR")
	if e.Fields["contact_ids[1]"] == nil || e.Fields["contact_ids[2]"] == nil || e.Fields["contact_ids[0]"] != nil ||
		!strings.Contains(e.Message, `"call me"`) {
		t.Fatalf("%+v", e)
	}
	a.as("POST", "/v1/contacts/check", map[string]any{"contact_ids": []string{}}).err(t, 422, "VALIDATION_ERROR")
	a.as("POST", "/v1/contacts/check", `{"contact_ids": "14155550101"}`).err(t, 422, "VALIDATION_ERROR")
	a.as("POST", "/v1/contacts/check", `{"contact_ids": [`).err(t, 400, "BAD_JSON")
	many := make([]string, MaxCheckNumbers+1)
	for i := range many {
		many[i] = fmt.Sprintf("1415555%04d", i%10000)
	}
	e = a.as("POST", "/v1/contacts/check", map[string]any{"contact_ids": many}).err(t, 413, "TOO_MANY_NUMBERS")
	if !strings.Contains(e.Message, "10000") {
		t.Fatalf("%+v", e)
	}
	if a.jobs() != 0 {
		t.Fatalf("bad requests queued %d jobs", a.jobs())
	}
	// The read-only token is refused before anything is queued.
	a.asRO("POST", "/v1/contacts/check", map[string]any{"contact_ids": []string{"14155550150"}}).err(t, 403, "READ_ONLY_TOKEN")
	a.do("POST", "/v1/contacts/check", map[string]any{"contact_ids": []string{"14155550150"}}).err(t, 401, "UNAUTHORIZED")
	if a.jobs() != 0 {
		t.Fatalf("refused requests queued %d jobs", a.jobs())
	}
}

type wahaExistsBody struct {
	NumberExists bool    `json:"numberExists"`
	ChatID       *string `json:"chatId"`
}

func TestWAHACheckExists(t *testing.T) {
	t.Parallel()
	a := newCheckAPI(t, checkSetup{failing: map[string]string{"+14155550109": "timeout"}})
	wahaGet := func(q string) reply { return a.do("GET", "/api/contacts/check-exists?"+q, nil, "X-Api-Key: "+a.full) }
	var b wahaExistsBody
	r := wahaGet("phone=14155550101&session=default")
	r.json(t, &b)
	if r.status != 200 || !b.NumberExists || b.ChatID == nil || *b.ChatID != "14155550101@c.us" {
		t.Fatalf("%d %s", r.status, r.body)
	}
	b = wahaExistsBody{}
	r = wahaGet("phone=14155550150")
	r.json(t, &b)
	if r.status != 200 || b.NumberExists || b.ChatID != nil || !strings.Contains(string(r.body), `"chatId":null`) {
		t.Fatalf("%d %s", r.status, r.body)
	}
	wahaGet("phone=14155550109").err(t, 502, "CHECK_FAILED")
	e := wahaGet("phone=hello").err(t, 422, "VALIDATION_ERROR")
	if e.Fields["phone"] == nil {
		t.Fatalf("%+v", e)
	}
	wahaGet("").err(t, 422, "VALIDATION_ERROR")
	wahaGet("phone=14155550101&session=other").err(t, 404, "SESSION_NOT_FOUND")
	// Read-only: the cached answer, yes; a new number, no.
	if r := a.do("GET", "/api/contacts/check-exists?phone=14155550150", nil, "X-Api-Key: "+a.ro); r.status != 200 {
		t.Fatalf("read-only cached: %d %s", r.status, r.body)
	}
	a.do("GET", "/api/contacts/check-exists?phone=14155550161", nil, "X-Api-Key: "+a.ro).err(t, 403, "READ_ONLY_TOKEN")
}

func TestWAHACheckExistsQueued(t *testing.T) {
	t.Parallel()
	a := newCheckAPI(t, checkSetup{noWorker: true, deadline: 200 * time.Millisecond})
	for range 2 {
		r := a.do("GET", "/api/contacts/check-exists?phone=14155550102", nil, "X-Api-Key: "+a.full)
		if r.status != 429 || r.header.Get("Retry-After") == "" || a.jobs() != 1 {
			t.Fatalf("%d %s; jobs %d", r.status, r.body, a.jobs())
		}
	}
	a.svc.StartChecker(a.ctx)
	a.jobsDone()
	var b wahaExistsBody
	r := a.do("GET", "/api/contacts/check-exists?phone=14155550102", nil, "X-Api-Key: "+a.full)
	r.json(t, &b)
	if r.status != 200 || !b.NumberExists || a.jobs() != 1 || a.sent("+14155550102") != 1 {
		t.Fatalf("%d %s; jobs %d", r.status, r.body, a.jobs())
	}
}

type wabaBody struct {
	Contacts []wabaContact `json:"contacts"`
}

func TestWABAContactsWait(t *testing.T) {
	t.Parallel()
	a := newCheckAPI(t, checkSetup{failing: map[string]string{"+14155550109": "timeout"}})
	r := a.as("POST", "/v1/contacts", map[string]any{"blocking": "wait",
		"contacts": []string{"+1 (415) 555-0101", "415 555 0150", "not a number", "+14155550109"}})
	var b wabaBody
	r.json(t, &b)
	want := []wabaContact{
		{Input: "+1 (415) 555-0101", Status: "valid", WAID: "14155550101"},
		{Input: "415 555 0150", Status: "invalid"}, // no +: the account's country (US)
		{Input: "not a number", Status: "invalid"},
		{Input: "+14155550109", Status: "failed"},
	}
	if r.status != 200 || !slices.Equal(b.Contacts, want) {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if strings.Contains(string(r.body), `"wa_id":""`) {
		t.Fatalf("wa_id on a number that is not valid: %s", r.body)
	}
	// Read-only: cached numbers yes; force_check or a new number no.
	if r := a.asRO("POST", "/v1/contacts", map[string]any{"blocking": "wait", "contacts": []string{"+14155550101"}}); r.status != 200 {
		t.Fatalf("read-only cached: %d %s", r.status, r.body)
	}
	a.asRO("POST", "/v1/contacts", map[string]any{"contacts": []string{"+14155550101"}, "force_check": true}).err(t, 403, "READ_ONLY_TOKEN")
	a.asRO("POST", "/v1/contacts", map[string]any{"contacts": []string{"+14155550162"}}).err(t, 403, "READ_ONLY_TOKEN")
	// force_check sends a cached number again.
	before := a.sent("+14155550101")
	r = a.as("POST", "/v1/contacts", map[string]any{"blocking": "wait", "contacts": []string{"+14155550101"}, "force_check": true})
	if r.status != 200 || a.sent("+14155550101") <= before {
		t.Fatalf("force_check: %d %s; sent %v", r.status, r.body, a.be.CheckedNumbers())
	}
	a.as("POST", "/v1/contacts", map[string]any{"blocking": "maybe", "contacts": []string{"+14155550101"}}).err(t, 422, "VALIDATION_ERROR")
	a.as("POST", "/v1/contacts", map[string]any{"contacts": []string{}}).err(t, 422, "VALIDATION_ERROR")
	a.as("POST", "/v1/contacts", map[string]any{"contacts": make([]string, MaxCheckNumbers+1)}).err(t, 413, "TOO_MANY_NUMBERS")
}

func TestWABAContactsDeadline(t *testing.T) {
	t.Parallel()
	a := newCheckAPI(t, checkSetup{noWorker: true, deadline: 200 * time.Millisecond})
	start := time.Now()
	r := a.as("POST", "/v1/contacts", map[string]any{"blocking": "wait", "contacts": []string{"+14155550101", "+14155550150"}})
	took := time.Since(start)
	var b wabaBody
	r.json(t, &b)
	if r.status != 200 || len(b.Contacts) != 2 || b.Contacts[0].Status != "processing" || b.Contacts[1].Status != "processing" {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if took < 200*time.Millisecond || took > 2*time.Second {
		t.Fatalf("answered after %v; the deadline is 200ms", took)
	}
	// no_wait answers at once; without a webhook nothing is kept.
	start = time.Now()
	r = a.as("POST", "/v1/contacts", map[string]any{"contacts": []string{"+14155550101"}})
	if r.status != 200 || time.Since(start) > time.Second || a.jobs() != 1 {
		t.Fatalf("no_wait: %d %s after %v; jobs %d", r.status, r.body, time.Since(start), a.jobs())
	}
	if cbs, err := a.svc.Callbacks(a.ctx); err != nil || len(cbs) != 0 {
		t.Fatalf("callbacks without a webhook: %v, %v", cbs, err)
	}
}

// hook is a loopback webhook that fails its first `fail` deliveries with
// 500 and records the bodies it took.
type hook struct {
	mu       sync.Mutex
	fail     int
	attempts int
	bodies   []string
	got      chan struct{}
}

func newHook(t *testing.T, fail int) (*hook, string) {
	h := &hook{fail: fail, got: make(chan struct{}, 10)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		defer h.mu.Unlock()
		h.attempts++
		if r.Method != "POST" || r.Header.Get("Content-Type") != "application/json" || h.attempts <= h.fail {
			w.WriteHeader(500)
			return
		}
		h.bodies = append(h.bodies, string(b))
		h.got <- struct{}{}
	}))
	t.Cleanup(srv.Close)
	return h, srv.URL + "/hook?secret=s3cr3t"
}

func (h *hook) wait(t *testing.T) (string, int) {
	t.Helper()
	select {
	case <-h.got:
	case <-time.After(10 * time.Second):
		t.Fatal("the webhook got no callback")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.bodies[len(h.bodies)-1], h.attempts
}

func TestWABANoWaitWebhook(t *testing.T) {
	t.Parallel()
	h, url := newHook(t, 1)
	a := newCheckAPI(t, checkSetup{noWorker: true, webhook: url})
	sent := startWebhooks(a.ctx, a.svc, webhookOptions{URL: url, Retry: 20 * time.Millisecond, Poll: 100 * time.Millisecond})
	defer func() { a.stop(); <-sent }()
	// One number the cache knows, two not yet.
	if err := a.st.PutCheck(a.ctx, model.CheckResult{Phone: "+14155550104", Status: "valid", WAID: "14155550104"}); err != nil {
		t.Fatal(err)
	}
	r := a.as("POST", "/v1/contacts", map[string]any{"contacts": []string{"+14155550104", "+1 415 555 0102", "+14155550150"}})
	var b wabaBody
	r.json(t, &b)
	if r.status != 200 || len(b.Contacts) != 3 || b.Contacts[0].Status != "valid" ||
		b.Contacts[1].Status != "processing" || b.Contacts[2].Status != "processing" {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if cbs, err := a.svc.Callbacks(a.ctx); err != nil || len(cbs) != 1 || len(cbs[0].Numbers) != 2 {
		t.Fatalf("callbacks %+v, %v", cbs, err)
	}
	a.svc.StartChecker(a.ctx)
	body, attempts := h.wait(t)
	var cb wabaBody
	if err := json.Unmarshal([]byte(body), &cb); err != nil {
		t.Fatal(err)
	}
	want := []wabaContact{{Input: "+1 415 555 0102", Status: "valid", WAID: "14155550102"}, {Input: "+14155550150", Status: "invalid"}}
	if !slices.Equal(cb.Contacts, want) || attempts != 2 {
		t.Fatalf("callback %s after %d attempts", body, attempts)
	}
	waitFor(t, func() bool { cbs, _ := a.svc.Callbacks(a.ctx); return len(cbs) == 0 })
	if strings.Contains(a.log.String(), "s3cr3t") {
		t.Fatal("the webhook's query reached the log")
	}
}

func TestWABAWebhookSurvivesRestart(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "wabook.db")
	// The first run checks the number but its webhook answers 500.
	down, url := newHook(t, 1_000_000)
	a := newCheckAPI(t, checkSetup{webhook: url, dbPath: path, noWorker: true})
	sent := startWebhooks(a.ctx, a.svc, webhookOptions{URL: url, Retry: 20 * time.Millisecond})
	r := a.as("POST", "/v1/contacts", map[string]any{"contacts": []string{"+14155550102"}})
	if r.status != 200 || !strings.Contains(string(r.body), "processing") {
		t.Fatalf("%d %s", r.status, r.body)
	}
	a.svc.StartChecker(a.ctx)
	// Two refused deliveries, each recorded (the sender writes the
	// attempt after the webhook's answer, so wait for the record).
	waitFor(t, func() bool {
		down.mu.Lock()
		defer down.mu.Unlock()
		return down.attempts >= 2
	})
	waitFor(t, func() bool {
		cbs, err := a.svc.Callbacks(a.ctx)
		return err == nil && len(cbs) == 1 && cbs[0].Attempts >= 2
	})
	a.stop()
	<-sent
	cbs, err := callbacksAt(t, path)
	if err != nil || len(cbs) != 1 || cbs[0].Body == "" || cbs[0].Attempts < 2 || !strings.Contains(cbs[0].LastError, "500") {
		t.Fatalf("kept callbacks %+v, %v", cbs, err)
	}

	// The next run (its worker off: the body kept is what is sent)
	// delivers it to a webhook that takes it.
	h, url := newHook(t, 0)
	b := newCheckAPI(t, checkSetup{webhook: url, dbPath: path, noWorker: true})
	sent = startWebhooks(b.ctx, b.svc, webhookOptions{URL: url, Retry: 20 * time.Millisecond})
	defer func() { b.stop(); <-sent }()
	body, _ := h.wait(t)
	if body != `{"contacts":[{"input":"+14155550102","status":"valid","wa_id":"14155550102"}]}` {
		t.Fatalf("callback %s", body)
	}
	waitFor(t, func() bool { cbs, _ := b.svc.Callbacks(b.ctx); return len(cbs) == 0 })
}

// callbacksAt reads the callbacks kept in the database at path.
func callbacksAt(t *testing.T, path string) ([]store.Callback, error) {
	t.Helper()
	st, err := store.Open(path)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	return st.Callbacks(context.Background())
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("condition not met in 10 s")
}
