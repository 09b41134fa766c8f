package serve

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/ui"
)

// DefaultRateLimit is the requests a minute each token may make by
// default: high, so that only a runaway script meets it; the check queue's
// own pace and budget, not this, keep WhatsApp safe.
const DefaultRateLimit = 6000

// MaxBody is the largest request body taken (1 MB).
const MaxBody = 1 << 20

// HandlerOptions configure the HTTP APIs.
type HandlerOptions struct {
	// RateLimit is the requests a minute per token (and per address for
	// requests without a valid token); 0 means DefaultRateLimit.
	RateLimit int
	// Clock drives the rate limit (tests); nil means time.Now.
	Clock func() time.Time
	// CheckDeadline bounds how long a check request waits for answers,
	// and a write for WhatsApp to confirm its changes (writewait.go); 0
	// means the config file's serve_check_deadline, else
	// DefaultCheckDeadline (checks.go).
	CheckDeadline time.Duration
	// Webhook is where the Business API's no_wait callbacks go; "" means
	// the config file's webhook_url, else none (webhook.go).
	Webhook string
	// Indexes is the contact index the lists are read from, shared with
	// the SSH sessions (Run gives both the same); nil: one of its own.
	Indexes *ui.Indexes
	// Stopping ends when serve begins to stop (Run's context): a request
	// waiting for WhatsApp then answers at once, as at the deadline, so
	// that it is answered within the grace. nil: never.
	Stopping context.Context
}

// Handler serves the seeds' HTTP APIs over one service: Periskope's
// contacts API under /v1 and WAHA's under /api. Every request goes through
// ServeHTTP's steps in order: rate limit (its headers on every answer),
// token, x-phone, body size, route, write access; and is logged.
type Handler struct {
	svc   *app.Service
	log   *slog.Logger
	mux   *http.ServeMux
	limit *limiter
	books *books // the lists' contacts, kept between requests (book.go)
	// routes is every pattern registered and its access: serve looks up
	// the public ones, and openapi_test.go compares them with the spec.
	routes map[string]access
	// deadline bounds how long a request waits for WhatsApp: a check's
	// answers, a write's confirmation (writewait.go); stopping cuts it
	// short (HandlerOptions.Stopping, waitFor).
	deadline time.Duration
	stopping context.Context
}

// NewHandler builds the APIs' handler.
func NewHandler(svc *app.Service, opts HandlerOptions) *Handler {
	if opts.RateLimit <= 0 {
		opts.RateLimit = DefaultRateLimit
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Indexes == nil {
		opts.Indexes = ui.NewIndexes(svc)
	}
	if opts.Stopping == nil {
		opts.Stopping = context.Background() // never ends
	}
	h := &Handler{stopping: opts.Stopping, svc: svc, log: svc.Logger(), mux: http.NewServeMux(), limit: newLimiter(opts.RateLimit, opts.Clock),
		books: newBooks(opts.Indexes, svc), routes: map[string]access{},
		deadline: cmp.Or(opts.CheckDeadline, svc.CheckSettings().ServeCheckDeadline, DefaultCheckDeadline)}
	h.periskopeRoutes()
	h.wahaRoutes()
	h.route("GET /openapi.json", public, h.openAPI)
	h.checkRoutes(opts)
	return h
}

// waitFor is the context a request waits for WhatsApp on: it ends at the
// deadline, or as soon as serve begins to stop, whichever comes first, so
// that a stop never leaves a request waiting past the grace (Run).
func (h *Handler) waitFor(r *http.Request) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(r.Context(), h.deadline)
	unhook := context.AfterFunc(h.stopping, cancel)
	return ctx, func() { unhook(); cancel() }
}

// access says what a route does: reads pass with any token; writes (and,
// later, spending the check budget) need a full one; public needs none
// (openapi.go says why only the API's description is).
type access int

const (
	reads access = iota
	writes
	public
)

// route registers a handler for pattern ("METHOD /path/{wildcard}").
func (h *Handler) route(pattern string, acc access, fn func(w http.ResponseWriter, r *http.Request) error) {
	h.routes[pattern] = acc
	h.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		tok := tokenOf(r.Context())
		if acc == writes && tok.ReadOnly {
			writeError(w, errorf(http.StatusForbidden, "READ_ONLY_TOKEN",
				"token %q is read-only: %s %s changes the address book (wabook token add NAME makes a full token)", tok.Name, r.Method, r.URL.Path))
			return
		}
		if err := fn(w, r); err != nil {
			writeError(w, h.plainError(r, err))
		}
	})
}

type tokenKey struct{}

func tokenOf(ctx context.Context) app.Token {
	t, _ := ctx.Value(tokenKey{}).(app.Token)
	return t
}

// statusWriter remembers the status and size of an answer, for the log.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += n
	return n, err
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// ServeHTTP runs a request through the steps every route shares.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w}
	var tok app.Token
	defer func() {
		status := sw.status
		if status == 0 {
			status = http.StatusOK
		}
		// The token's name, never its secret; the path without its query.
		h.log.Info("http", "method", r.Method, "path", r.URL.Path, "status", status,
			"duration", time.Since(start).Round(time.Microsecond), "token", tok.Name,
			"remote", r.RemoteAddr, "bytes", sw.bytes)
	}()
	if e := h.serve(sw, r, &tok); e != nil {
		writeError(sw, e)
	}
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request, tok *app.Token) *apiError {
	secret, hasSecret := credentials(r)
	var authErr error = app.ErrBadToken
	if hasSecret {
		*tok, authErr = h.svc.Authenticate(r.Context(), secret)
	}
	// A request without a valid token is limited by its address, so
	// guessing tokens is as limited as using one.
	key := "addr:" + clientHost(r)
	if authErr == nil {
		key = "token:" + tok.Name
	}
	q := h.limit.take(key)
	hd := w.Header()
	hd.Set("X-RateLimit-Limit", fmt.Sprint(q.limit))
	hd.Set("X-RateLimit-Remaining", fmt.Sprint(q.remaining))
	hd.Set("X-RateLimit-Reset", fmt.Sprint(q.reset.Unix()))
	if !q.ok {
		secs := int((q.retry + time.Second - 1) / time.Second)
		e := errorf(http.StatusTooManyRequests, "RATE_LIMITED", "over %d requests a minute; try again in %d s", q.limit, secs)
		e.RetryAfter = secs
		return e
	}
	handler, pattern := h.mux.Handler(r)
	switch {
	case h.routes[pattern] == public: // needs no token (openapi.go)
	case !hasSecret:
		return errorf(http.StatusUnauthorized, "UNAUTHORIZED", "a token is needed: Authorization: Bearer TOKEN or X-Api-Key: TOKEN (wabook token add NAME makes one)")
	case errors.Is(authErr, app.ErrBadToken):
		return errorf(http.StatusUnauthorized, "UNAUTHORIZED", "unknown token")
	case authErr != nil:
		return h.plainError(r, authErr)
	}
	if e := h.checkPhone(r); e != nil {
		return e
	}
	if r.ContentLength > MaxBody {
		return errorf(http.StatusRequestEntityTooLarge, "BODY_TOO_LARGE", "the request body is over %d bytes", MaxBody)
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
	// The token's name is who the request's changes are recorded as
	// (app.WithActor).
	r = r.WithContext(context.WithValue(app.WithActor(r.Context(), tok.Name), tokenKey{}, *tok))
	if pattern == "" {
		return unrouted(handler, r)
	}
	h.mux.ServeHTTP(w, r)
	return nil
}

// credentials is the token a request carries: Authorization: Bearer T
// (Periskope, the Business API) or X-Api-Key: T (WAHA).
func credentials(r *http.Request) (string, bool) {
	if a := r.Header.Get("Authorization"); a != "" {
		scheme, t, ok := strings.Cut(strings.TrimSpace(a), " ")
		if ok && strings.EqualFold(scheme, "Bearer") && strings.TrimSpace(t) != "" {
			return strings.TrimSpace(t), true
		}
	}
	if t := strings.TrimSpace(r.Header.Get("X-Api-Key")); t != "" {
		return t, true
	}
	return "", false
}

func clientHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// checkPhone refuses a request whose x-phone (Periskope's header naming
// the phone to act as) is not the served account's number in digits.
func (h *Handler) checkPhone(r *http.Request) *apiError {
	vals, sent := r.Header["X-Phone"]
	if !sent {
		return nil
	}
	v := strings.TrimSpace(strings.Join(vals, ","))
	acct := strings.TrimPrefix(h.svc.Account().Phone, "+")
	switch {
	case acct == "":
		return errorf(http.StatusBadRequest, "WRONG_PHONE", "x-phone: no WhatsApp account is linked to this wabook yet")
	case strings.TrimPrefix(v, "+") != acct:
		return errorf(http.StatusBadRequest, "WRONG_PHONE", "x-phone %q is not this wabook's account (%s); send its number in digits, or no x-phone", v, acct)
	}
	return nil
}

// unrouted answers a request no route takes, in JSON: 405 with Allow when
// the path has routes for other methods, else 404. The mux's own handler
// says which (into a recorder: its plain-text body is not ours).
func unrouted(handler http.Handler, r *http.Request) *apiError {
	rec := &headerRecorder{h: http.Header{}}
	handler.ServeHTTP(rec, r)
	if rec.status == http.StatusMethodNotAllowed {
		e := errorf(http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "%s is not served for %s (allowed: %s)", r.Method, r.URL.Path, rec.h.Get("Allow"))
		e.Allow = rec.h.Get("Allow")
		return e
	}
	return errorf(http.StatusNotFound, "NOT_FOUND", "no such route: %s %s", r.Method, r.URL.Path)
}

type headerRecorder struct {
	h      http.Header
	status int
}

func (r *headerRecorder) Header() http.Header         { return r.h }
func (r *headerRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (r *headerRecorder) WriteHeader(code int)        { r.status = code }
