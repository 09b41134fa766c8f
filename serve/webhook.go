// The Business API's no_wait callbacks: once every number a callback waits
// for has its answer, its body ({"contacts":[…]}, those numbers only) is
// fixed and POSTed to the webhook, retried with backoff until the webhook
// takes it (any 2xx). Callbacks live in the mirror (app/callbacks.go), so
// a restart sends those it had not delivered. The sender follows the check
// notices (app.Service.Subscribe), with a poll for a queue run by another
// process.
package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

// Webhook delivery defaults.
const (
	DefaultWebhookRetry    = time.Second      // the first wait after a failed delivery, doubling
	DefaultWebhookMaxRetry = 5 * time.Minute  // the longest wait between attempts
	DefaultWebhookGiveUp   = 72 * time.Hour   // a callback undelivered this long is dropped (logged)
	webhookTimeout         = 10 * time.Second // one attempt
	webhookPoll            = 30 * time.Second // a look without a notice
)

// webhookOptions configure the callback sender.
type webhookOptions struct {
	URL string
	// Client sends the callbacks; nil means one with a 10 s timeout.
	Client *http.Client
	// Retry, MaxRetry and GiveUp: the backoff's first and longest wait
	// and when to give up (0: the defaults).
	Retry, MaxRetry, GiveUp time.Duration
	// Poll is the longest wait without a notice (0: 30 s).
	Poll time.Duration
}

// checkWebhookURL refuses a webhook that is not an http(s) URL.
func checkWebhookURL(u string) error {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return fmt.Errorf("serve: webhook %q is not an http(s) URL", u)
	}
	return nil
}

type webhookSender struct {
	svc *app.Service
	log *slog.Logger
	o   webhookOptions
}

// startWebhooks runs the callback sender until ctx ends; the channel is
// closed when it has stopped.
func startWebhooks(ctx context.Context, svc *app.Service, o webhookOptions) <-chan struct{} {
	if o.Client == nil {
		o.Client = &http.Client{Timeout: webhookTimeout}
	}
	if o.Retry <= 0 {
		o.Retry = DefaultWebhookRetry
	}
	if o.MaxRetry <= 0 {
		o.MaxRetry = DefaultWebhookMaxRetry
	}
	if o.GiveUp <= 0 {
		o.GiveUp = DefaultWebhookGiveUp
	}
	if o.Poll <= 0 {
		o.Poll = webhookPoll
	}
	s := &webhookSender{svc: svc, log: svc.Logger(), o: o}
	done := make(chan struct{})
	notices, cancel := svc.Subscribe()
	go func() {
		defer close(done)
		defer cancel()
		s.run(ctx, notices)
	}()
	return done
}

func (s *webhookSender) run(ctx context.Context, notices <-chan app.Notice) {
	for {
		next := s.pass(ctx)
		wait := s.o.Poll
		if !next.IsZero() {
			wait = min(wait, max(time.Until(next), 0))
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-notices:
		case <-t.C:
		}
		t.Stop()
	}
}

// pass delivers what is ready and returns when the next retry is due
// (zero when none waits for one).
func (s *webhookSender) pass(ctx context.Context) time.Time {
	cbs, err := s.svc.Callbacks(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("webhook: reading the callbacks", "err", err)
		}
		return time.Now().Add(s.o.Retry)
	}
	var next time.Time
	soonest := func(t time.Time) {
		if next.IsZero() || t.Before(next) {
			next = t
		}
	}
	for _, cb := range cbs {
		if ctx.Err() != nil {
			return next
		}
		if cb.Body == nil {
			body, ready, err := s.body(ctx, cb)
			if err != nil {
				s.log.Error("webhook: reading a callback's answers", "callback", cb.ID, "err", err)
				soonest(time.Now().Add(s.o.Retry))
				continue
			}
			if !ready {
				continue
			}
			if err := s.svc.SetCallbackBody(ctx, cb.ID, body); err != nil {
				s.log.Error("webhook: keeping a callback's body", "callback", cb.ID, "err", err)
				continue
			}
			cb.Body = body
		}
		if time.Now().Before(cb.NextAt) {
			soonest(cb.NextAt)
			continue
		}
		err := s.post(ctx, cb.Body)
		switch {
		case err == nil:
			s.log.Info("webhook: callback delivered", "callback", cb.ID, "numbers", len(cb.Numbers), "attempts", cb.Attempts+1)
			if err := s.svc.DeleteCallback(ctx, cb.ID); err != nil {
				s.log.Error("webhook: forgetting a delivered callback", "callback", cb.ID, "err", err)
			}
		case ctx.Err() != nil:
			return next
		case time.Since(cb.Created) > s.o.GiveUp:
			s.log.Error("webhook: callback dropped: undelivered too long", "callback", cb.ID, "attempts", cb.Attempts+1, "since", cb.Created, "err", err)
			if err := s.svc.DeleteCallback(ctx, cb.ID); err != nil {
				s.log.Error("webhook: dropping a callback", "callback", cb.ID, "err", err)
			}
		default:
			wait := s.backoff(cb.Attempts + 1)
			s.log.Warn("webhook: delivery failed; retrying", "callback", cb.ID, "attempt", cb.Attempts+1, "in", wait, "err", err)
			at := time.Now().Add(wait)
			if err := s.svc.CallbackFailed(ctx, cb.ID, at, err.Error()); err != nil {
				s.log.Error("webhook: recording a failed delivery", "callback", cb.ID, "err", err)
			}
			soonest(at)
		}
	}
	return next
}

// backoff is the wait after the n-th failed attempt: Retry doubling, at
// most MaxRetry.
func (s *webhookSender) backoff(n int) time.Duration {
	d := s.o.Retry
	for i := 1; i < n && d < s.o.MaxRetry; i++ {
		d *= 2
	}
	return min(d, s.o.MaxRetry)
}

// body is a callback's payload once every number has its answer (ready).
// A number whose job is gone is failed.
func (s *webhookSender) body(ctx context.Context, cb app.Callback) ([]byte, bool, error) {
	byJob := map[int64][]string{}
	for _, n := range cb.Numbers {
		byJob[n.Job] = append(byJob[n.Job], n.Phone)
	}
	answers := map[int64]map[string]model.CheckResult{}
	for job, phones := range byJob {
		got, err := s.svc.JobNumbers(ctx, job, phones)
		if err != nil && !errors.Is(err, app.ErrNoJob) {
			return nil, false, err
		}
		answers[job] = got
	}
	out := wabaContacts{Contacts: make([]wabaContact, len(cb.Numbers))}
	for i, n := range cb.Numbers {
		r, ok := answers[n.Job][n.Phone]
		if !ok {
			r = model.CheckResult{Phone: n.Phone, Status: model.CheckFailed, Error: "its check job is gone"}
		}
		if r.Status == model.CheckProcessing {
			return nil, false, nil
		}
		out.Contacts[i] = wabaOf(n.Input, r)
	}
	b, err := json.Marshal(out)
	return b, err == nil, err
}

// post sends one callback; any 2xx is taken.
func (s *webhookSender) post(ctx context.Context, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.o.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "wabook")
	resp, err := s.o.Client.Do(req)
	if ue := (*url.Error)(nil); errors.As(err, &ue) {
		// Without the URL, which may hold the receiver's secret.
		return ue.Err
	}
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("the webhook answered %s", resp.Status)
	}
	return nil
}

// redactURL is u for the log: without its query and user info, which may
// hold the receiver's secret.
func redactURL(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(unreadable URL)"
	}
	p.User, p.RawQuery, p.Fragment = nil, "", ""
	return p.String()
}
