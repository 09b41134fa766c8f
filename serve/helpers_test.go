package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/app/apptest"
	"github.com/wabook/wabook/wa/sim"
)

// syncBuffer is a log the handler writes from its goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// api is a served sim account: its URL, the service, a full and a
// read-only token, and the service's log.
type api struct {
	t        *testing.T
	url      string
	svc      *app.Service
	full, ro string
	log      *syncBuffer
	dbPath   string
}

func testWorld(t *testing.T) *sim.World {
	t.Helper()
	w, err := sim.LoadWorldFile(filepath.Join("..", "testdata", "world.json"))
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func newAPI(t *testing.T, opts HandlerOptions) *api {
	t.Helper()
	return newAPIOn(t, sim.New(testWorld(t)), opts)
}

// newAPIOn is newAPI over a backend the test keeps (to make it fail, or
// read what WhatsApp holds).
func newAPIOn(t *testing.T, be *sim.Backend, opts HandlerOptions) *api {
	t.Helper()
	return newAPIWith(t, be, app.Options{OutboxRetry: time.Millisecond}, opts)
}

// newAPIWith is newAPIOn with the service's options (its log is the
// api's).
func newAPIWith(t *testing.T, be *sim.Backend, appOpts app.Options, opts HandlerOptions) *api {
	t.Helper()
	logBuf := &syncBuffer{}
	appOpts.Log = slog.New(slog.NewTextHandler(logBuf, nil))
	svc, st, ctx := apptest.Run(t, be, appOpts)
	apptest.Sync(ctx, t, svc)
	full, err := svc.AddToken(ctx, "ops", false)
	if err != nil {
		t.Fatal(err)
	}
	ro, err := svc.AddToken(ctx, "dashboard", true)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(specChecked(t, NewHandler(svc, opts))) // openapi_test.go
	t.Cleanup(srv.Close)
	return &api{t: t, url: srv.URL, svc: svc, full: full, ro: ro, log: logBuf, dbPath: st.Path()}
}

// reply is an answer, its body decoded when it is JSON.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("%v in %s", err, r.body)
	}
}

// errBody is the JSON error every route answers with.
type errBody struct {
	Code    string                    `json:"code"`
	Message string                    `json:"message"`
	Fields  map[string]map[string]any `json:"fields"`
}

func (r reply) err(t *testing.T, status int, code string) errBody {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q for an error", ct)
	}
	var e errBody
	r.json(t, &e)
	if e.Code != code || e.Message == "" {
		t.Fatalf("error %+v, want code %s", e, code)
	}
	return e
}

// do sends a request with headers given as "Name: value" pairs; body is
// sent as it is (a string) or as JSON.
func (a *api) do(method, path string, body any, headers ...string) reply {
	a.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case io.Reader:
		rd = b
	default:
		js, err := json.Marshal(b)
		if err != nil {
			a.t.Fatal(err)
		}
		rd = bytes.NewReader(js)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, a.url+path, rd)
	if err != nil {
		a.t.Fatal(err)
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Add(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		a.t.Fatal(err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

// as sends a request with the full token.
func (a *api) as(method, path string, body any, headers ...string) reply {
	a.t.Helper()
	return a.do(method, path, body, append([]string{"Authorization: Bearer " + a.full}, headers...)...)
}
