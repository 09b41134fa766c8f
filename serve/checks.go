// The check routes (Periskope's POST /v1/contacts/check, WAHA's GET
// /api/contacts/check-exists, the Business API's POST /v1/contacts in
// waba.go): every number goes through the service's one check queue, with
// its cache, pace, budget and backoff, so no door asks WhatsApp faster
// than the TUI would. A request finds each number's answer in the cache,
// or joins the job already waiting for it, and queues only the rest; it
// then waits for the answers at most the check deadline.
package serve

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

// MaxCheckNumbers is the most numbers one check request takes.
const MaxCheckNumbers = 10_000

// checker runs the check routes' numbers through the service's queue.
type checker struct {
	h        *Handler
	deadline time.Duration
	webhook  string
	// turn lets one request at a time look numbers up and queue the new
	// ones, so two requests for the same new number queue it once.
	turn chan struct{}
}

// checkRoutes registers every check route, sharing one checker.
func (h *Handler) checkRoutes(opts HandlerOptions) {
	c := &checker{
		h:        h,
		deadline: h.deadline,
		webhook:  cmp.Or(opts.Webhook, h.svc.CheckSettings().WebhookURL),
		turn:     make(chan struct{}, 1),
	}
	h.route("POST /v1/contacts/check", reads, c.periskopeCheck)
	h.route("GET /api/contacts/check-exists", reads, h.waha(c.wahaCheckExists))
	h.route("POST /v1/contacts", reads, c.wabaContacts)
}

// DefaultCheckDeadline is how long a check request waits for answers, and
// a write for WhatsApp's confirmation, when neither HandlerOptions nor the
// config file (serve_check_deadline) says.
const DefaultCheckDeadline = 30 * time.Second

// number is one input of a check request and where it stands.
type number struct {
	input string
	// res.Status: "invalid" with res.Error for an input that is no number
	// (bad, never sent); WhatsApp's answer (valid, invalid, failed); or
	// "processing" while job waits for it.
	res model.CheckResult
	bad bool
	job int64
}

func (n *number) waiting() bool { return !n.bad && n.res.Status == model.CheckProcessing }

// parseNumbers reads inputs with region for numbers without a country
// code ("" reads them as international).
func (c *checker) parseNumbers(inputs []string, region string) []*number {
	out := make([]*number, len(inputs))
	for i, in := range inputs {
		r := c.h.svc.ParseCheckInput(in, region)
		r.Input = in
		out[i] = &number{input: in, res: r, bad: r.Status != model.CheckProcessing}
	}
	return out
}

// tooMany refuses a request over MaxCheckNumbers.
func tooMany(field string, n int) error {
	e := errorf(http.StatusRequestEntityTooLarge, "TOO_MANY_NUMBERS", "%s: %d numbers; at most %d per request", field, n, MaxCheckNumbers)
	e.Fields = map[string]fieldProblem{field: {Message: fmt.Sprintf("at most %d numbers", MaxCheckNumbers), Max: MaxCheckNumbers}}
	return e
}

// start finds where each number stands and queues, as one job, those
// nothing answers or waits for yet: that spends the check budget, which a
// read-only token may not (it may ask what the cache knows, and join a
// check under way). force bypasses the cache (force_check).
func (c *checker) start(ctx context.Context, nums []*number, force bool) error {
	seen := map[string]bool{}
	var phones []string
	for _, n := range nums {
		if !n.bad && !seen[n.res.Phone] {
			seen[n.res.Phone] = true
			phones = append(phones, n.res.Phone)
		}
	}
	if len(phones) == 0 {
		return nil
	}
	select {
	case c.turn <- struct{}{}:
	case <-ctx.Done():
		return errorf(http.StatusServiceUnavailable, "BUSY", "other check requests held the queue past the deadline; try again")
	}
	defer func() { <-c.turn }()
	// The deadline bounds the wait for a turn and for answers, not the
	// look and the queueing: a job half made is never made.
	ctx = context.WithoutCancel(ctx)
	states, err := c.h.svc.NumberStates(ctx, phones, force)
	if err != nil {
		return err
	}
	var need []string
	for _, p := range phones {
		if states[p].Result.Status == "" {
			need = append(need, p)
		}
	}
	if len(need) > 0 {
		if tok := tokenOf(ctx); tok.ReadOnly {
			return errorf(http.StatusForbidden, "READ_ONLY_TOKEN",
				"token %q is read-only: %d of these numbers have no answer in the check cache (%s), and checking them spends the check budget (wabook token add NAME makes a full token)",
				tok.Name, len(need), strings.Join(need[:min(3, len(need))], ", ")+ellipsis(len(need) > 3))
		}
		job, err := c.h.svc.EnqueueCheck(ctx, need, app.CheckOptions{Force: force})
		if err != nil {
			return err
		}
		for _, p := range need {
			states[p] = app.NumberState{Result: model.CheckResult{Phone: p, Status: model.CheckProcessing}, Job: job.ID}
		}
	}
	for _, n := range nums {
		if n.bad {
			continue
		}
		st := states[n.res.Phone]
		n.res, n.job = st.Result, st.Job
		n.res.Input = n.input
	}
	return c.follow(ctx, nums)
}

func ellipsis(more bool) string {
	if more {
		return ", …"
	}
	return ""
}

// follow reads the answers the waiting numbers' jobs hold now.
func (c *checker) follow(ctx context.Context, nums []*number) error {
	byJob := map[int64][]*number{}
	for _, n := range nums {
		if n.waiting() {
			byJob[n.job] = append(byJob[n.job], n)
		}
	}
	for job, ns := range byJob {
		phones := make([]string, len(ns))
		for i, n := range ns {
			phones[i] = n.res.Phone
		}
		got, err := c.h.svc.JobNumbers(ctx, job, phones)
		if err != nil {
			return err
		}
		for _, n := range ns {
			if r, ok := got[n.res.Phone]; ok && r.Status != model.CheckProcessing {
				n.res = r
				n.res.Input = n.input
			}
		}
	}
	return nil
}

func anyWaiting(nums []*number) bool {
	for _, n := range nums {
		if n.waiting() {
			return true
		}
	}
	return false
}

// wait follows the numbers until none waits or ctx ends (the deadline):
// at each check notice, and every app.FollowPoll.
func (c *checker) wait(ctx context.Context, nums []*number) error {
	first := true
	err := c.h.svc.Follow(ctx, func(ctx context.Context) (bool, error) {
		if !first {
			if err := c.follow(ctx, nums); err != nil {
				return false, err
			}
		}
		first = false
		return !anyWaiting(nums), nil
	})
	if ctx.Err() != nil {
		return nil // the deadline: the request answers with what it has
	}
	return err
}

// run starts the numbers' checks and, with wait, waits for their answers
// until the deadline.
func (c *checker) run(r *http.Request, nums []*number, force, wait bool) error {
	ctx, cancel := context.WithTimeout(r.Context(), c.deadline)
	defer cancel()
	if err := c.start(ctx, nums, force); err != nil {
		return err
	}
	if !wait {
		return nil
	}
	return c.wait(ctx, nums)
}

// retryAfter is when the waiting numbers' answers are expected, in
// seconds (the latest ETA of their jobs; the deadline when the queue
// cannot say), from 1 s to an hour.
func (c *checker) retryAfter(ctx context.Context, nums []*number) int {
	var eta time.Duration
	seen := map[int64]bool{}
	for _, n := range nums {
		if !n.waiting() || seen[n.job] {
			continue
		}
		seen[n.job] = true
		if j, err := c.h.svc.Job(ctx, n.job); err == nil {
			eta = max(eta, j.ETA)
		}
	}
	if eta <= 0 {
		eta = c.deadline
	}
	return min(max(int((eta+time.Second-1)/time.Second), 1), 3600)
}

// badNumbers is the 422 naming every input that is no number; field
// names one input ("contact_ids[2]", or "phone").
func badNumbers(nums []*number, field func(i int) string) error {
	e := &apiError{Status: http.StatusUnprocessableEntity, Code: "VALIDATION_ERROR", Fields: map[string]fieldProblem{}}
	var names []string
	for i, n := range nums {
		if n.bad {
			f := field(i)
			e.Fields[f] = fieldProblem{Message: "not a phone number WhatsApp could know: " + n.res.Error, Value: n.input}
			names = append(names, fmt.Sprintf("%s %q (%s)", f, n.input, n.res.Error))
		}
	}
	if len(names) == 0 {
		return nil
	}
	e.Message = "invalid numbers: " + strings.Join(names[:min(5, len(names))], "; ") + ellipsis(len(names) > 5)
	return e
}

// waID is the WhatsApp ID of a checked number: WhatsApp's own when it
// answered with one (a Brazilian mobile may differ from the number
// asked), else the number's digits.
func waID(r model.CheckResult) string {
	return cmp.Or(r.WAID, strings.TrimPrefix(r.Phone, "+"))
}

// chatID is the WhatsApp chat ID of a checked number (waID@c.us).
func chatID(r model.CheckResult) string {
	return waID(r) + "@" + model.LegacyServer
}

// checkPending is the 429 of a check whose answers are not all in yet
// (the numbers stay queued; asking again joins them), and checkFailed the
// 502 of one where WhatsApp gave errors: each lists the numbers concerned
// beside those answered, in the route's own result shape.
type checkPending struct {
	Code     string   `json:"code"`
	Message  string   `json:"message"`
	Pending  []string `json:"pending"`
	Answered any      `json:"answered"`
}

type failedNumber struct {
	ContactID string `json:"contact_id"`
	Input     string `json:"input"`
	Error     string `json:"error"`
}

type checkFailed struct {
	Code     string         `json:"code"`
	Message  string         `json:"message"`
	Failed   []failedNumber `json:"failed"`
	Answered any            `json:"answered"`
}

// answerStrict answers a route that knows only yes and no (Periskope,
// WAHA): 200 with ok when every number has WhatsApp's answer; 429 with
// Retry-After while some wait; 502 when some failed. answered is the
// route's shape of the numbers answered.
func (c *checker) answerStrict(w http.ResponseWriter, r *http.Request, nums []*number, ok any, answered func() any) {
	var pending []string
	var failed []failedNumber
	for _, n := range nums {
		switch {
		case n.waiting():
			pending = append(pending, chatID(n.res))
		case n.res.Status == model.CheckFailed:
			failed = append(failed, failedNumber{ContactID: chatID(n.res), Input: n.input, Error: n.res.Error})
		}
	}
	switch {
	case len(pending) > 0:
		secs := c.retryAfter(r.Context(), nums)
		w.Header().Set("Retry-After", fmt.Sprint(secs))
		writeJSON(w, http.StatusTooManyRequests, checkPending{Code: "CHECK_PENDING",
			Message: fmt.Sprintf("%d of %d numbers are still queued for WhatsApp (the check queue's pace and budget hold them); ask again in %d s: the same request joins them",
				len(pending), len(nums), secs),
			Pending: pending, Answered: answered()})
	case len(failed) > 0:
		writeJSON(w, http.StatusBadGateway, checkFailed{Code: "CHECK_FAILED",
			Message: fmt.Sprintf("WhatsApp gave an error for %d of %d numbers; they are checked again when asked after %s",
				len(failed), len(nums), app.FailedAnswerAge),
			Failed: failed, Answered: answered()})
	default:
		writeJSON(w, http.StatusOK, ok)
	}
}

// periskopeResult is Periskope's answer for one number.
type periskopeResult struct {
	ContactID string `json:"contact_id"`
	Exists    bool   `json:"exists"`
}

// POST /v1/contacts/check {contact_ids}: [{contact_id, exists}], 200 only
// when WhatsApp answered every number.
func (c *checker) periskopeCheck(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		ContactIDs []string `json:"contact_ids"`
	}
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	switch {
	case len(in.ContactIDs) == 0:
		return validation("contact_ids", fieldProblem{Message: "is required: a non-empty list of numbers, country code and number (e.g. 14155550101)"})
	case len(in.ContactIDs) > MaxCheckNumbers:
		return tooMany("contact_ids", len(in.ContactIDs))
	}
	ids := make([]string, len(in.ContactIDs))
	for i, id := range in.ContactIDs {
		ids[i] = chatIDNumber(id)
	}
	nums := c.parseNumbers(ids, "")
	for i, n := range nums {
		n.input = in.ContactIDs[i]
	}
	if err := badNumbers(nums, func(i int) string { return fmt.Sprintf("contact_ids[%d]", i) }); err != nil {
		return err
	}
	if err := c.run(r, nums, false, true); err != nil {
		return err
	}
	results := func(all bool) []periskopeResult {
		out := []periskopeResult{}
		for _, n := range nums {
			if all || n.res.Status == model.CheckValid || n.res.Status == model.CheckInvalid {
				out = append(out, periskopeResult{ContactID: chatID(n.res), Exists: n.res.Status == model.CheckValid})
			}
		}
		return out
	}
	c.answerStrict(w, r, nums, results(true), func() any { return results(false) })
	return nil
}

// chatIDNumber reads "<digits>@c.us" (Periskope's and WAHA's contact IDs)
// as the number "+digits"; anything else is left as it is.
func chatIDNumber(id string) string {
	id = strings.TrimSpace(id)
	if user, server, ok := strings.Cut(id, "@"); ok && (server == model.LegacyServer || server == model.UserServer) {
		return "+" + strings.TrimPrefix(user, "+")
	}
	return id
}

// wahaExists is WAHA's check-exists answer; chatId is null when the
// number is not on WhatsApp.
type wahaExists struct {
	NumberExists bool    `json:"numberExists"`
	ChatID       *string `json:"chatId"`
}

// GET /api/contacts/check-exists?phone=: {numberExists, chatId}, under
// the same rules as Periskope's check.
func (c *checker) wahaCheckExists(w http.ResponseWriter, r *http.Request) error {
	phone := strings.TrimSpace(r.URL.Query().Get("phone"))
	if phone == "" {
		return validation("phone", fieldProblem{Message: "is required: country code and number, e.g. 14155550101"})
	}
	nums := c.parseNumbers([]string{chatIDNumber(phone)}, "")
	nums[0].input = phone
	if err := badNumbers(nums, func(int) string { return "phone" }); err != nil {
		return err
	}
	if err := c.run(r, nums, false, true); err != nil {
		return err
	}
	answer := func() wahaExists {
		n := nums[0]
		if n.res.Status != model.CheckValid {
			return wahaExists{}
		}
		id := chatID(n.res)
		return wahaExists{NumberExists: true, ChatID: &id}
	}
	c.answerStrict(w, r, nums, answer(), func() any { return []wahaExists{} })
	return nil
}
