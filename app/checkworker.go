// The check worker: it claims a batch, adds the canary, asks WhatsApp,
// stores the answers in one transaction, paces itself, keeps the day's
// budget and backs off on rate limits (the queue's API is checks.go).
package app

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/wa"
)

// StartChecker starts the check queue's worker: one goroutine, until ctx
// ends or StopChecker. Only the process holding the WhatsApp connection
// runs it. It resumes unfinished jobs, sends a batch left in flight by a
// crash again, and then sends batches of at most check_batch_size numbers,
// one per check_pace (±20%), within check_daily_budget numbers per local
// day; on rate-overlimit it backs off 1 min, doubling to 1 h, and retries
// the same batch. Each batch carries a canary (canary.go) within the batch
// size and the budget; when it comes back "not on WhatsApp", or when
// WhatsApp answers none of the batch (a soft rate limit), nothing is stored
// and the batch is retried after the same backoff, its budget still spent.
// A number left out of a reply that answered others is asked again, at
// most store.MaxUnanswered times, then fails with "no answer"; only an
// explicit answer makes a number invalid. Progress is reported as
// ChecksChanged notices; calling it again while it runs does nothing.
func (s *Service) StartChecker(ctx context.Context) {
	c := s.chk
	c.mu.Lock()
	if c.running {
		c.mu.Unlock()
		return
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	c.running, c.draining, c.cancel, c.done, c.paused = true, false, cancel, done, ""
	c.mu.Unlock()
	go func() {
		defer close(done)
		defer func() {
			c.mu.Lock()
			c.running, c.paused = false, ""
			c.mu.Unlock()
			s.checksChanged()
		}()
		s.runChecker(ctx)
	}()
	s.checksChanged()
}

// StopChecker stops the worker and waits for it. A batch in flight stays
// marked so and is sent again by the next worker.
func (s *Service) StopChecker() {
	c := s.chk
	c.mu.Lock()
	cancel, done := c.cancel, c.done
	c.mu.Unlock()
	if cancel == nil {
		return
	}
	cancel()
	<-done
}

// StopCheckerAfterBatch stops the worker without cutting a query short: a
// batch in flight is answered and its answers stored (or handled as any
// reply is: backoff, retry later), no other batch is claimed, and it
// returns once the worker has ended. A process that ends when its own job
// is done calls it, so that it neither walks away from another job's batch
// mid-query (budget spent, batch sent again) nor starts one. When ctx ends
// first it stops the worker as StopChecker does.
func (s *Service) StopCheckerAfterBatch(ctx context.Context) {
	c := s.chk
	c.mu.Lock()
	cancel, done := c.cancel, c.done
	if cancel != nil {
		c.draining = true
	}
	c.mu.Unlock()
	if cancel == nil {
		return
	}
	s.kickChecker() // out of a pause (pace, backoff, budget) or an idle wait
	select {
	case <-done:
	case <-ctx.Done():
		cancel()
		<-done
	}
}

func (c *checkState) isDraining() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.draining
}

// pause waits d with the injected sleep; a kick (a new job, pause, resume,
// cancel, a connection change) ends it early. It reports whether ctx is
// still alive.
func (c *checkState) pause(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		select {
		case <-c.wake:
			cancel()
		case <-stop:
		}
	}()
	_ = c.sleep(wctx, d)
	return ctx.Err() == nil
}

// idle waits for a kick or the poll interval (real time: jobs may come
// from another process).
func (c *checkState) idle(ctx context.Context) {
	if c.idled != nil {
		select {
		case c.idled <- struct{}{}:
		default:
		}
	}
	t := time.NewTimer(c.poll)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-c.wake:
	case <-t.C:
	}
}

func jitter(p time.Duration) time.Duration {
	if p <= 0 {
		return 0
	}
	return time.Duration(float64(p) * (0.8 + 0.4*rand.Float64()))
}

func nextStep(cur, first, limit time.Duration) time.Duration {
	if cur <= 0 {
		return first
	}
	return min(cur*2, limit)
}

func (s *Service) runChecker(ctx context.Context) {
	c := s.chk
	cfg := c.cfg
	until, rateStep, reason := s.loadBackoff(ctx)
	var errStep time.Duration
	var nextAt time.Time
	canaryOnly := false // the last reply was taken for a soft rate limit that answered the canary
	if last, err := s.store.LastCheckBatchAt(ctx); err == nil && !last.IsZero() {
		nextAt = last.Add(jitter(cfg.CheckPace))
	}
	for ctx.Err() == nil && !c.isDraining() {
		has, err := s.store.HasCheckWork(ctx)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Error("check queue", "err", err)
				c.idle(ctx)
			}
			continue
		}
		if !has {
			s.setPaused("")
			c.idle(ctx)
			continue
		}
		if s.Status().Conn != wa.StateConnected {
			s.setPaused("waiting for the WhatsApp connection")
			c.idle(ctx)
			continue
		}
		now := c.clock()
		if now.Before(until) {
			s.setPaused(reason)
			c.pause(ctx, until.Sub(now))
			continue
		}
		account, day := s.checkAccount(), dayOf(now)
		used, err := s.store.CheckBudgetUsed(ctx, account, day)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Error("check budget", "err", err)
				c.idle(ctx)
			}
			continue
		}
		left := cfg.CheckDailyBudget - used
		if left <= 0 {
			s.setPaused(budgetReason(cfg))
			c.pause(ctx, nextDay(now).Sub(now))
			continue
		}
		if now.Before(nextAt) {
			c.pause(ctx, nextAt.Sub(now))
			continue
		}
		cst := s.loadCanary(ctx)
		canary, note := s.pickCanary(ctx, cst, now, nil)
		reserve := 0
		switch {
		case canary == "":
		case cfg.CheckBatchSize < 2 || cfg.CheckDailyBudget < 2:
			canary, note = "", "no canary: batches of one number leave no room for it"
		case left < 2:
			// A canary and a number do not fit in what is left today.
			s.setPaused(budgetReason(cfg))
			c.pause(ctx, nextDay(now).Sub(now))
			continue
		default:
			reserve = 1
		}
		if c.isDraining() {
			return // asked to stop after the batch in flight, which there is none of
		}
		b, err := s.store.ClaimCheckBatch(ctx, store.CheckClaim{
			Max: min(cfg.CheckBatchSize, left), Reserve: reserve, Now: now, Account: account, Day: day,
		})
		switch {
		case errors.Is(err, store.ErrBatchTooBig):
			s.setPaused(budgetReason(cfg))
			c.pause(ctx, nextDay(now).Sub(now))
			continue
		case err != nil:
			if ctx.Err() == nil {
				s.log.Error("check queue", "err", err)
				c.idle(ctx)
			}
			continue
		case b == nil:
			// Jobs were found complete (answered from the cache).
			s.checksChanged()
			c.idle(ctx)
			continue
		}
		switch {
		case canary != "" && slices.Contains(b.Phones, canary):
			// The canary is asked anyway, as one of the batch's numbers:
			// another one takes the slot charged for it; else it serves
			// as the canary at no cost and the slot is given back.
			if other, _ := s.pickCanary(ctx, cst, now, b.Phones); other != "" && b.Reserved > 0 {
				canary = other
			} else if b.Reserved > 0 {
				if err := s.store.ReleaseCheckReserve(ctx, b); err != nil {
					s.log.Warn("check budget", "err", err)
				}
			}
		case canary != "" && b.Reserved == 0:
			canary, note = "", "no canary: the batch left in flight fills the batch size"
		}
		send := b.Phones
		if canary != "" && !slices.Contains(send, canary) {
			send = append(slices.Clone(send), canary)
		}
		cst.last, cst.note = canary, note
		s.saveCheckState(ctx, &cst, nil)
		s.setPaused("")
		s.checksChanged()
		answers, err := s.backend.CheckNumbers(ctx, send)
		// The pace runs from the reply: a slow reply must not let the
		// next batch go out at once.
		nextAt = c.clock().Add(jitter(cfg.CheckPace))
		prevCanaryOnly := canaryOnly
		canaryOnly = false
		bg := context.WithoutCancel(ctx)
		if ctx.Err() != nil {
			if err == nil && canaryVerdict(canary, answers) != canaryTrip && answeredAny(b.Phones, answers) {
				// WhatsApp answered before we were stopped: keep the
				// answers, or the next run would ask for them again.
				if cerr := s.commitBatch(bg, b, answersToResults(b.Phones, answers)); cerr != nil {
					s.log.Error("check queue: storing the last answers", "err", cerr)
				}
			}
			return // otherwise the batch stays in flight: the next worker sends it again
		}
		switch {
		case errors.Is(err, wa.ErrRateLimited):
			// Refused, nothing looked up: give the budget back.
			if err := s.store.ReleaseCheckBatch(bg, b); err != nil {
				s.log.Warn("check budget", "err", err)
			}
			rateStep = nextStep(rateStep, rateBackoffFirst, rateBackoffMax)
			until = c.clock().Add(rateStep)
			reason = fmt.Sprintf("WhatsApp asked to slow down (rate-overlimit): waiting %s, until %s",
				rateStep, until.Format("15:04:05"))
			s.saveCheckState(bg, nil, &backoff{until, rateStep, reason})
			s.log.Warn("check rate-limited", "backoff", rateStep)
			s.setPaused(reason)
			s.checksChanged()
			continue
		case err != nil:
			errStep = nextStep(errStep, errBackoffFirst, errBackoffMax)
			until = c.clock().Add(errStep)
			reason = fmt.Sprintf("checking failed (%v); retrying at %s", err, until.Format("15:04:05"))
			s.saveCheckState(bg, nil, &backoff{until, rateStep, reason})
			if err := s.store.SetCheckJobError(bg, b.JobID, err.Error()); err != nil {
				s.log.Warn("check job error", "err", err)
			}
			s.log.Warn("check failed", "err", err, "retry_in", errStep)
			s.setPaused(reason)
			s.checksChanged()
			continue
		}
		own := s.backend.Account().Phone
		verdict := canaryVerdict(canary, answers)
		batchAnswered := answeredAny(b.Phones, answers)
		switch {
		case canary == own && verdict == canaryPass:
			cst.self, cst.selfAt = selfAnswers, time.Time{}
		case canary == own && verdict == canaryLeftOut && batchAnswered:
			// Left out of a reply that answered others: WhatsApp does not
			// answer it for now; contacts serve for a day. A reply that
			// answered nothing, or an error for it alone, tells nothing.
			cst.self, cst.selfAt = selfSilent, c.clock()
		}
		if verdict == canaryTrip {
			// Not believed: nothing is stored, the batch stays in flight
			// and is sent again (with another canary) after the backoff.
			throttle := cst.tripped != "" && cst.tripped != canary
			if throttle {
				cst.streak++
			} else if cst.tripped == "" {
				cst.streak = 1
			}
			cst.trips++
			cst.lastTrip = c.clock()
			cst.tripped = canary
			rateStep = nextStep(rateStep, rateBackoffFirst, rateBackoffMax)
			if throttle {
				rateStep = nextStep(rateStep, rateBackoffFirst, rateBackoffMax)
			}
			until = c.clock().Add(rateStep)
			if throttle {
				reason = fmt.Sprintf("two canaries in a row came back \"not on WhatsApp\": WhatsApp is throttling checks; nothing stored, waiting %s, until %s",
					rateStep, until.Format("15:04:05"))
			} else {
				reason = fmt.Sprintf("the canary %s came back \"not on WhatsApp\": WhatsApp may be throttling checks; nothing stored, waiting %s, until %s",
					canary, rateStep, until.Format("15:04:05"))
			}
			s.saveCheckState(bg, &cst, &backoff{until, rateStep, reason})
			s.log.Warn("check canary tripped", "canary", canary, "throttle", throttle, "backoff", rateStep)
			s.setPaused(reason)
			s.checksChanged()
			continue
		}
		if cst.tripped != "" && (verdict == canaryPass || verdict == canaryNone && existsAny(b.Phones, answers)) {
			// Another canary (or the batch itself) was answered honestly:
			// the trip was that contact leaving WhatsApp, not a throttle.
			if cst.tripped != canary && cst.tripped != own && cst.streak < 2 {
				cst.retired = append(cst.retired, cst.tripped)
				s.log.Info("check canary retired", "canary", cst.tripped)
			}
			cst.tripped, cst.streak = "", 0
		}
		soft := !batchAnswered && !answeredAny(send, answers)
		if !batchAnswered && !soft {
			// Only the canary answered. A soft rate limit too, unless the
			// batch holds only numbers WhatsApp already left out of replies
			// that answered others, or the last reply was the same: then
			// these numbers are not answered, and each is charged a retry
			// so that it ends with "no answer" rather than backing off for
			// ever.
			soft = b.LeftOut < len(b.Phones) && !prevCanaryOnly
			canaryOnly = soft
		}
		if soft {
			// The batch stays in flight; its numbers are not charged a
			// retry.
			rateStep = nextStep(rateStep, rateBackoffFirst, rateBackoffMax)
			until = c.clock().Add(rateStep)
			reason = fmt.Sprintf("WhatsApp answered none of the %d numbers asked (a soft rate limit): waiting %s, until %s",
				len(b.Phones), rateStep, until.Format("15:04:05"))
			s.saveCheckState(bg, &cst, &backoff{until, rateStep, reason})
			s.log.Warn("check soft rate limit", "backoff", rateStep)
			s.setPaused(reason)
			s.checksChanged()
			continue
		}
		if err := s.commitBatch(bg, b, answersToResults(b.Phones, answers)); err != nil {
			// The batch stays in flight and is sent again: better than
			// losing its answers silently.
			s.saveCheckState(bg, &cst, nil)
			s.log.Error("storing check results", "err", err)
			s.updateStatus(func(st *Status) { st.LastError = err.Error() })
			c.idle(ctx)
			continue
		}
		var reset *backoff
		if rateStep != 0 || errStep != 0 || !until.IsZero() {
			rateStep, errStep, until, reason = 0, 0, time.Time{}, ""
			reset = &backoff{}
		}
		s.saveCheckState(bg, &cst, reset)
		s.checksChanged()
	}
}

// commitBatch stores a batch's answers, retrying a few times: a busy
// database must not make the batch be sent again.
func (s *Service) commitBatch(ctx context.Context, b *store.CheckBatch, results []model.CheckResult) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		if err = s.store.CompleteCheckBatch(ctx, b.ID, results, s.chk.clock()); err == nil {
			return nil
		}
		// The injected sleep: tests drive it, and it ends with ctx.
		if serr := s.chk.sleep(ctx, time.Duration(attempt+1)*100*time.Millisecond); serr != nil {
			return err
		}
	}
	return err
}

// answeredAny reports whether WhatsApp answered any of phones.
func answeredAny(phones []string, answers []wa.CheckAnswer) bool {
	for _, r := range answersToResults(phones, answers) {
		if r.Status != model.CheckProcessing {
			return true
		}
	}
	return false
}

// existsAny reports whether WhatsApp said any of phones is on WhatsApp.
func existsAny(phones []string, answers []wa.CheckAnswer) bool {
	for _, r := range answersToResults(phones, answers) {
		if r.Status == model.CheckValid {
			return true
		}
	}
	return false
}

// answersToResults turns WhatsApp's answers into one result per number
// sent: a number WhatsApp did not answer (missing, or Answered false) stays
// "processing", to be asked again; a per-number error is failed; only an
// explicit "not on WhatsApp" is invalid; wa_id is the number of the JID
// WhatsApp answered with.
func answersToResults(phones []string, answers []wa.CheckAnswer) []model.CheckResult {
	by := make(map[string]wa.CheckAnswer, len(answers))
	for _, a := range answers {
		by[strings.TrimPrefix(strings.TrimSpace(a.Query), "+")] = a
	}
	out := make([]model.CheckResult, len(phones))
	for i, p := range phones {
		r := model.CheckResult{Phone: p}
		a, ok := by[strings.TrimPrefix(p, "+")]
		switch {
		case !ok || !a.Answered:
			r.Status = model.CheckProcessing
		case a.Err != nil:
			r.Status, r.Error = model.CheckFailed, a.Err.Error()
		case a.Exists:
			r.Status = model.CheckValid
			r.WAID = model.JIDUser(a.JID)
			if r.WAID == "" {
				r.WAID = strings.TrimPrefix(p, "+")
			}
			r.JID = model.JIDFromDigits(r.WAID)
			r.VerifiedName = a.VerifiedName
		default:
			r.Status = model.CheckInvalid
		}
		out[i] = r
	}
	return out
}
