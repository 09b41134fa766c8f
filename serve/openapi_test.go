package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/app/apptest"
	"github.com/wabook/wabook/wa/sim"
)

// Every handler test serves through specChecked (newAPI in
// helpers_test.go, newCheckAPI in checks_test.go), so every exchange any test makes is held to
// openapi.json: the answer must be one the spec describes for that
// operation and status, body and headers; a request the server answered
// 2xx must be one the spec allows, and one the spec refuses must have got
// a 4xx. A route added with its tests and its spec entry is covered with
// nothing else to write; TestMain then checks every operation was seen
// answering and refusing.

// apiSpec is openapi.json loaded, validated and routable.
type apiSpec struct {
	doc    *openapi3.T
	router routers.Router

	mu   sync.Mutex
	seen map[string]*opSeen // by "METHOD /path" as the spec writes it
}

// opSeen is what the tests made an operation answer.
type opSeen struct{ ok, refused bool }

var (
	specOnce sync.Once
	theSpec  *apiSpec
	specErr  error
)

// loadSpec loads openapi.json once for the package's tests.
func loadSpec() (*apiSpec, error) {
	specOnce.Do(func() {
		doc, err := openapi3.NewLoader().LoadFromData(openAPISpec)
		if err != nil {
			specErr = fmt.Errorf("openapi.json does not load: %w", err)
			return
		}
		if err := doc.Validate(context.Background()); err != nil {
			specErr = fmt.Errorf("openapi.json is not valid OpenAPI: %w", err)
			return
		}
		closeResponseSchemas(doc)
		router, err := gorillamux.NewRouter(doc)
		if err != nil {
			specErr = fmt.Errorf("openapi.json cannot route: %w", err)
			return
		}
		theSpec = &apiSpec{doc: doc, router: router, seen: map[string]*opSeen{}}
	})
	return theSpec, specErr
}

func mustSpec(t *testing.T) *apiSpec {
	t.Helper()
	s, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// closeResponseSchemas makes every object in an answer's schema refuse
// fields it does not list, for the tests only: the published spec leaves
// answers open (clients should take new fields in their stride), but the
// server must send nothing its spec does not describe. A schema that says
// additionalProperties itself (a map, or the OpenAPI document) is left as
// it is.
func closeResponseSchemas(doc *openapi3.T) {
	done := map[*openapi3.Schema]bool{}
	var walk func(*openapi3.SchemaRef)
	walk = func(ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || done[ref.Value] {
			return
		}
		s := ref.Value
		done[s] = true
		if len(s.Properties) > 0 && s.AdditionalProperties.Has == nil && s.AdditionalProperties.Schema == nil {
			no := false
			s.AdditionalProperties.Has = &no
		}
		for _, p := range s.Properties {
			walk(p)
		}
		walk(s.Items)
		walk(s.AdditionalProperties.Schema)
		for _, list := range []openapi3.SchemaRefs{s.OneOf, s.AnyOf, s.AllOf} {
			for _, r := range list {
				walk(r)
			}
		}
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for _, resp := range op.Responses.Map() {
				if resp.Value == nil {
					continue
				}
				for _, mt := range resp.Value.Content {
					walk(mt.Schema)
				}
			}
		}
	}
}

// credentialsSent is the spec's security as the server reads it: a
// scheme is met when its header carries a token (whether the token is
// known is the server's to say, with 401).
func credentialsSent(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	r := in.RequestValidationInput.Request
	switch sch := in.SecurityScheme; {
	case sch.Type == "http" && strings.EqualFold(sch.Scheme, "bearer"):
		scheme, tok, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
		if ok && strings.EqualFold(scheme, "Bearer") && strings.TrimSpace(tok) != "" {
			return nil
		}
	case sch.Type == "apiKey" && sch.In == "header":
		if strings.TrimSpace(r.Header.Get(sch.Name)) != "" {
			return nil
		}
	default:
		return fmt.Errorf("security scheme %s: the test cannot check it", in.SecuritySchemeName)
	}
	return fmt.Errorf("no credentials for %s", in.SecuritySchemeName)
}

// check holds one exchange to the spec. body is the request's body as
// sent; resp the answer.
func (s *apiSpec) check(r *http.Request, body []byte, status int, header http.Header, respBody []byte) error {
	ctx := context.Background()
	req := r.Clone(ctx)
	req.Body = io.NopCloser(bytes.NewReader(body))
	// The server reads any body as JSON, whatever its Content-Type (the
	// tests send none); the spec can only say application/json.
	if len(body) > 0 && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, h := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"} {
		if header.Get(h) == "" {
			return fmt.Errorf("%s %s → %d: no %s", r.Method, r.URL, status, h)
		}
	}
	route, params, err := s.router.FindRoute(req)
	if err != nil {
		return s.checkUnrouted(req, err, status, header, respBody)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: credentialsSent, SkipSettingDefaults: true}}
	reqErr := openapi3filter.ValidateRequest(ctx, in)
	switch {
	case reqErr != nil && status/100 == 2:
		return fmt.Errorf("%s %s: the server answered %d to a request the spec refuses: %s", r.Method, r.URL, status, short(reqErr))
	case reqErr != nil && status/100 != 4:
		return fmt.Errorf("%s %s: the spec refuses the request (%s), yet the server answered %d", r.Method, r.URL, short(reqErr), status)
	}
	// ValidateRequest read the body; the answer's validation reads it
	// again.
	req.Body = io.NopCloser(bytes.NewReader(body))
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true}}
	out.SetBodyBytes(respBody)
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		return fmt.Errorf("%s %s → %d %.300s: %s", r.Method, r.URL, status, bytes.TrimSpace(respBody), short(err))
	}
	s.saw(route.Method+" "+route.Path, status)
	return nil
}

// checkUnrouted holds an answer to a request no operation describes: a
// 404 or a 405 with Allow, or, before routing, 401 or 429; always the
// Error schema.
func (s *apiSpec) checkUnrouted(r *http.Request, routeErr error, status int, header http.Header, body []byte) error {
	want := []int{http.StatusUnauthorized, http.StatusTooManyRequests, http.StatusNotFound}
	if errors.Is(routeErr, routers.ErrMethodNotAllowed) {
		want[2] = http.StatusMethodNotAllowed
	}
	if !slices.Contains(want, status) {
		return fmt.Errorf("%s %s is in no operation of the spec (%v), yet the server answered %d %.300s", r.Method, r.URL, routeErr, status, bytes.TrimSpace(body))
	}
	if status == http.StatusMethodNotAllowed && header.Get("Allow") == "" {
		return fmt.Errorf("%s %s: 405 without Allow", r.Method, r.URL)
	}
	return s.errorBody(body)
}

// errorBody validates body against the spec's Error schema.
func (s *apiSpec) errorBody(body []byte) error {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Errorf("an error answer that is not JSON: %.300q", body)
	}
	if err := s.doc.Components.Schemas["Error"].Value.VisitJSON(v, openapi3.VisitAsResponse()); err != nil {
		return fmt.Errorf("error answer %.300s: %s", bytes.TrimSpace(body), short(err))
	}
	return nil
}

// short is a validation error without the schema and value kin-openapi
// prints whole.
func short(err error) string {
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		msg := se.Reason
		if p := se.JSONPointer(); len(p) > 0 {
			msg += " at /" + strings.Join(p, "/")
		}
		var re *openapi3filter.RequestError
		if errors.As(err, &re) && re.Parameter != nil {
			msg = "parameter " + re.Parameter.Name + ": " + msg
		}
		return msg
	}
	return err.Error()
}

func (s *apiSpec) saw(op string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.seen[op]
	if o == nil {
		o = &opSeen{}
		s.seen[op] = o
	}
	switch {
	case status < 400:
		o.ok = true
	// 401 and 429 come before the route: they say nothing of it.
	case status < 500 && status != http.StatusUnauthorized && status != http.StatusTooManyRequests:
		o.refused = true
	}
}

// unseen lists the operations no test made answer, or refuse.
func (s *apiSpec) unseen() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, op := range specOperations(s.doc) {
		o := s.seen[op]
		switch {
		case o == nil || !o.ok && !o.refused:
			out = append(out, op+" (never served)")
		case !o.ok:
			out = append(out, op+" (never answered with success)")
		case !o.refused:
			out = append(out, op+" (never refused: no 4xx other than 401 and 429)")
		}
	}
	return out
}

// specChecked serves next and holds each exchange to the spec, failing t
// on the first mismatch of each.
func specChecked(t *testing.T, next http.Handler) http.Handler {
	s := mustSpec(t)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The whole body, for the validator; the handler reads it again
		// under its own limit (and still sees the announced length).
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("reading the request body: %v", err)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		maps.Copy(w.Header(), rec.Header())
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
		if err := s.check(r, body, rec.Code, rec.Header(), rec.Body.Bytes()); err != nil {
			t.Errorf("against openapi.json: %v", err)
		}
	})
}

// specOperations lists the spec's operations as "METHOD /path".
func specOperations(doc *openapi3.T) []string {
	var out []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			out = append(out, method+" "+path)
		}
	}
	slices.Sort(out)
	return out
}

// TestMain runs the tests, then, when every test ran and passed, checks
// that together they made every operation of the spec answer and refuse
// (through specChecked).
func TestMain(m *testing.M) {
	code := m.Run()
	filtered := false
	for _, f := range []string{"test.run", "test.skip", "test.list"} {
		if fl := flag.Lookup(f); fl != nil && fl.Value.String() != "" {
			filtered = true
		}
	}
	if code == 0 && !filtered {
		s, err := loadSpec()
		if err == nil {
			if missing := s.unseen(); len(missing) > 0 {
				fmt.Fprintf(os.Stderr, "FAIL: operations of openapi.json no handler test exercised (each needs a success and a refusal):\n\t%s\n",
					strings.Join(missing, "\n\t"))
				code = 1
			}
		}
	}
	os.Exit(code)
}

func TestSpecLoadsAndValidates(t *testing.T) {
	t.Parallel()
	s := mustSpec(t)
	if !strings.HasPrefix(s.doc.OpenAPI, "3.0") {
		t.Fatalf("openapi %q", s.doc.OpenAPI)
	}
	for _, name := range []string{"bearerAuth", "apiKeyAuth"} {
		if s.doc.Components.SecuritySchemes[name] == nil {
			t.Errorf("no security scheme %s", name)
		}
	}
	if k := s.doc.Components.SecuritySchemes["apiKeyAuth"].Value; k.In != "header" || k.Name != "X-Api-Key" {
		t.Errorf("apiKeyAuth is %s %s", k.In, k.Name)
	}
	// What every operation must say, whatever it does.
	for path, item := range s.doc.Paths.Map() {
		for method, op := range item.Operations() {
			name := method + " " + path
			open := op.Security != nil && len(*op.Security) == 0
			want := []int{400, 413, 429, 500}
			if !open {
				want = append(want, 401)
			}
			if op.RequestBody != nil {
				want = append(want, 422)
			}
			for _, st := range want {
				if op.Responses.Status(st) == nil {
					t.Errorf("%s: no %d answer", name, st)
				}
			}
			for code, resp := range op.Responses.Map() {
				for _, h := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"} {
					if resp.Value.Headers[h] == nil {
						t.Errorf("%s %s: no %s header", name, code, h)
					}
				}
				if code[0] == '4' || code[0] == '5' {
					if mt := resp.Value.Content.Get("application/json"); mt == nil || mt.Schema.Ref != "#/components/schemas/Error" {
						t.Errorf("%s %s: not the Error schema", name, code)
					}
				}
			}
			if r := op.Responses.Status(429); r != nil && r.Value.Headers["Retry-After"] == nil {
				t.Errorf("%s: 429 without Retry-After", name)
			}
		}
	}
}

// handlerRoutes is what NewHandler registers, by pattern.
func handlerRoutes(t *testing.T) map[string]access {
	t.Helper()
	svc, _, _ := apptest.Run(t, sim.New(testWorld(t)), app.Options{})
	return NewHandler(svc, HandlerOptions{}).routes
}

// Every route the Handler serves is in the spec, and every operation of
// the spec is served; a write route says 403, a route without a token is
// one the spec says needs none.
func TestSpecListsEveryRoute(t *testing.T) {
	t.Parallel()
	s := mustSpec(t)
	routes := handlerRoutes(t)
	var served []string
	for pattern, acc := range routes {
		method, path, ok := strings.Cut(pattern, " ")
		if !ok || strings.Contains(path, "...}") || strings.HasSuffix(path, "/") && path != "/" {
			t.Errorf("route %q: the spec has no words for a pattern without a method, a {rest...} or a subtree", pattern)
			continue
		}
		served = append(served, pattern)
		op := s.doc.Paths.Find(path)
		var o *openapi3.Operation
		if op != nil {
			o = op.GetOperation(method)
		}
		if o == nil {
			continue
		}
		open := o.Security != nil && len(*o.Security) == 0
		if open != (acc == public) {
			t.Errorf("%s: the spec says a token is needed: %v; the handler: %v", pattern, !open, acc != public)
		}
		if acc == writes && o.Responses.Status(http.StatusForbidden) == nil {
			t.Errorf("%s writes: the spec has no 403 for a read-only token", pattern)
		}
	}
	slices.Sort(served)
	described := specOperations(s.doc)
	for _, p := range served {
		if !slices.Contains(described, p) {
			t.Errorf("%s is served but not in openapi.json", p)
		}
	}
	for _, p := range described {
		if !slices.Contains(served, p) {
			t.Errorf("%s is in openapi.json but not served", p)
		}
	}
}

// The cases issue 14 names, and a success for every route, each checked
// against the spec by specChecked as it is served; this test checks the
// statuses.
func TestAnswersMatchSpec(t *testing.T) {
	t.Parallel()
	a := newAPI(t, HandlerOptions{})
	full := "Authorization: Bearer " + a.full
	ro := "X-Api-Key: " + a.ro
	created := `{"contact_name":"Zed Shaw","contact_id":"14155550177","labels":"VIP, Leads","is_internal":true}`
	for _, tc := range []struct {
		method, path string
		body         any
		headers      []string
		status       int
	}{
		{"GET", "/openapi.json", nil, nil, 200},
		{"GET", "/openapi.json", nil, []string{"x-phone: 19999999999"}, 400},

		{"GET", "/v1/contacts", nil, []string{full}, 200},
		{"GET", "/v1/contacts?offset=1&limit=2", nil, []string{full, "x-phone: 14155550100"}, 200},
		{"GET", "/v1/contacts?offset=1000", nil, []string{full}, 200},
		{"GET", "/v1/contacts?limit=2001", nil, []string{full}, 422},
		{"GET", "/v1/contacts", nil, []string{full, "x-phone: 19999999999"}, 400},
		{"GET", "/v1/contacts", nil, nil, 401},

		{"GET", "/v1/contacts/14155550101", nil, []string{ro}, 200},
		{"GET", "/v1/contacts/14155550103@c.us", nil, []string{full}, 200},
		{"GET", "/v1/contacts/14155550188", nil, []string{full}, 404},
		{"GET", "/v1/contacts/not-a-number", nil, []string{full}, 422},
		{"GET", "/v1/contacts/14155550101", nil, []string{"X-Api-Key: wbk_nope"}, 401},

		{"POST", "/v1/contacts/create", created, []string{full}, 200},
		{"POST", "/v1/contacts/create", created, []string{full}, 409},
		{"POST", "/v1/contacts/create", `{"contact_name":`, []string{full}, 400},
		{"POST", "/v1/contacts/create", `{"contact_name":"X"}`, []string{full}, 422},
		{"POST", "/v1/contacts/create", `{"contact_name":"X","contact_id":"14155550179","labels":5}`, []string{full}, 422},
		{"POST", "/v1/contacts/create", created, []string{ro}, 403},
		{"POST", "/v1/contacts/create", `{"contact_name":"` + strings.Repeat("x", MaxBody) + `"}`, []string{full}, 413},

		{"PATCH", "/v1/contacts/14155550177", `{"contact_name":"Zed A. Shaw","labels":["Leads"]}`, []string{full}, 200},
		{"PATCH", "/v1/contacts/14155550177", `{"is_internal":false,"labels":null}`, []string{full}, 200},
		{"PATCH", "/v1/contacts/14155550188", `{"is_internal":true}`, []string{full}, 404},
		{"PATCH", "/v1/contacts/14155550177", `{"is_internal":"yes"}`, []string{full}, 422},
		{"PATCH", "/v1/contacts/14155550177", `[1,2]`, []string{full}, 400},
		{"PATCH", "/v1/contacts/14155550177", `{"is_internal":true}`, []string{ro}, 403},

		{"PATCH", "/v1/contacts/labels", `{"contact_ids":["14155550177","14155550101"],"labels":"VIP"}`, []string{full}, 204},
		{"PATCH", "/v1/contacts/labels", `{"contact_ids":["14155550188"],"labels":""}`, []string{full}, 404},
		{"PATCH", "/v1/contacts/labels", `{"contact_ids":[],"labels":"A"}`, []string{full}, 422},
		{"PATCH", "/v1/contacts/labels", `{"contact_ids":["14155550101"],"labels":""}`, []string{ro}, 403},
		{"PATCH", "/v1/contacts/labels", `{"contact_ids":["14155550101"],"labels":""}`, []string{full, "x-phone: 14155550101"}, 400},

		{"GET", "/api/contacts/all", nil, []string{ro}, 200},
		{"GET", "/api/contacts/all?session=default&limit=2&offset=1", nil, []string{ro}, 200},
		{"GET", "/api/contacts/all?session=work", nil, []string{ro}, 404},
		{"GET", "/api/contacts/all?limit=x", nil, []string{ro}, 422},
		{"GET", "/api/contacts?contactId=14155550101&session=default", nil, []string{ro}, 200},
		{"GET", "/api/contacts?contactId=14155550188", nil, []string{ro}, 404},
		{"GET", "/api/contacts?contactId=", nil, []string{ro}, 422},
		{"GET", "/api/contacts/about?contactId=14155550101", nil, []string{ro}, 200},
		{"GET", "/api/contacts/about?contactId=14155550101&session=work", nil, []string{ro}, 404},
		{"GET", "/api/contacts/profile-picture?contactId=14155550101", nil, []string{ro}, 200},
		{"GET", "/api/contacts/profile-picture?contactId=14155550104", nil, []string{ro}, 200},
		{"GET", "/api/contacts/profile-picture?contactId=bogus", nil, []string{ro}, 422},

		// No operation of the spec: the Error schema all the same.
		{"GET", "/v2/nothing", nil, []string{full}, 404},
		{"DELETE", "/v1/contacts/create", nil, []string{full}, 405},
		{"GET", "/v2/nothing", nil, nil, 401},
	} {
		r := a.do(tc.method, tc.path, tc.body, tc.headers...)
		if r.status != tc.status {
			t.Errorf("%s %s: %d, want %d: %s", tc.method, tc.path, r.status, tc.status, r.body)
		}
	}
}

// GET /openapi.json is the spec, whatever token comes with it (or none).
func TestOpenAPIServed(t *testing.T) {
	t.Parallel()
	a := newAPI(t, HandlerOptions{RateLimit: 2})
	for _, headers := range [][]string{nil, {"X-Api-Key: wbk_nope"}} {
		r := a.do("GET", "/openapi.json", nil, headers...)
		if r.status != 200 || !bytes.Equal(r.body, openAPISpec) || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
			t.Fatalf("%v: %d %s %.60s", headers, r.status, r.header.Get("Content-Type"), r.body)
		}
	}
	// Limited by address as any request without a token.
	a.do("GET", "/openapi.json", nil).err(t, 429, "RATE_LIMITED")
}

// The checker is not vacuous: answers that stray from the spec fail it.
func TestSpecCheckerCatchesStrays(t *testing.T) {
	t.Parallel()
	s := mustSpec(t)
	hd := func(kv ...string) http.Header {
		h := http.Header{"X-Ratelimit-Limit": {"10"}, "X-Ratelimit-Remaining": {"9"}, "X-Ratelimit-Reset": {"1800000000"}}
		for i := 0; i+1 < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return h
	}
	get := func(path string, headers ...string) *http.Request {
		r := httptest.NewRequest("GET", path, nil)
		for _, h := range headers {
			k, v, _ := strings.Cut(h, ": ")
			r.Header.Set(k, v)
		}
		return r
	}
	ct := "application/json; charset=utf-8"
	tok := "Authorization: Bearer wbk_x"
	good := `{"about":"hi"}`
	if err := s.check(get("/api/contacts/about?contactId=1", tok), nil, 200, hd("Content-Type", ct), []byte(good)); err != nil {
		t.Fatalf("a good answer fails: %v", err)
	}
	for _, tc := range []struct {
		name   string
		req    *http.Request
		body   string
		status int
		header http.Header
		resp   string
	}{
		{"an undescribed status", get("/api/contacts/about?contactId=1", tok), "", 418, hd("Content-Type", ct), good},
		{"a field the spec lacks", get("/api/contacts/about?contactId=1", tok), "", 200, hd("Content-Type", ct), `{"about":"hi","mood":"ok"}`},
		{"a required field missing", get("/api/contacts?contactId=1", tok), "", 200, hd("Content-Type", ct), `{"id":"1@c.us"}`},
		{"a wrong type", get("/api/contacts/profile-picture?contactId=1", tok), "", 200, hd("Content-Type", ct), `{"profilePictureURL":5}`},
		{"an error without code", get("/api/contacts?contactId=1", tok), "", 404, hd("Content-Type", ct), `{"message":"x"}`},
		{"no rate-limit headers", get("/api/contacts/about?contactId=1", tok), "", 200, http.Header{"Content-Type": {ct}}, good},
		{"a rate-limit header not a number", get("/api/contacts/about?contactId=1", tok), "", 200, hd("Content-Type", ct, "X-RateLimit-Reset", "soon"), good},
		{"429 without Retry-After", get("/api/contacts/about?contactId=1", tok), "", 429, hd("Content-Type", ct), `{"code":"RATE_LIMITED","message":"x"}`},
		{"success for a request the spec refuses", get("/v1/contacts?limit=5000", tok), "", 200, hd("Content-Type", ct), `{"from":0,"to":-1,"count":0,"contacts":[]}`},
		{"success without a token", get("/api/contacts/about?contactId=1"), "", 200, hd("Content-Type", ct), good},
		{"an unrouted path answered 200", get("/v2/x", tok), "", 200, hd("Content-Type", ct), good},
		{"405 without Allow", httptest.NewRequest("DELETE", "/v1/contacts/create", nil), "", 405, hd("Content-Type", ct), `{"code":"METHOD_NOT_ALLOWED","message":"x"}`},
	} {
		if err := s.check(tc.req, []byte(tc.body), tc.status, tc.header, []byte(tc.resp)); err == nil {
			t.Errorf("%s: passes", tc.name)
		}
	}
}
