// What the worker does with WhatsApp's reply to a batch: store it, or
// back off (rate limit, failed call, tripped canary, soft rate limit).
package checkq

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/wa"
)

// send asks WhatsApp about send (the batch and its canary) and handles
// the reply. It reports false when the worker was stopped meanwhile.
func (w *worker) send(ctx context.Context, b *store.CheckBatch, send []string, canary string, cst canaryState) bool {
	q := w.q
	answers, err := q.backend.CheckNumbers(ctx, send)
	// The pace runs from the reply: a slow reply must not let the next
	// batch go out at once.
	w.nextAt = q.clock().Add(jitter(q.cfg.CheckPace))
	prevCanaryOnly := w.canaryOnly
	w.canaryOnly = false
	bg := context.WithoutCancel(ctx)
	if ctx.Err() != nil {
		if err == nil && canaryVerdict(canary, answers) != canaryTrip && answeredAny(b.Phones, answers) {
			// WhatsApp answered before we were stopped: keep the
			// answers, or the next run would ask for them again.
			if cerr := q.commitBatch(bg, b, answersToResults(b.Phones, answers)); cerr != nil {
				q.log.Error("check queue: storing the last answers", "err", cerr)
			}
		}
		return false // otherwise the batch stays in flight: the next worker sends it again
	}
	if err != nil {
		w.callFailed(bg, b, err)
		return true
	}
	if w.believed(bg, b, send, canary, &cst, answers, prevCanaryOnly) {
		w.store(ctx, b, cst, answers)
	}
	return true
}

// backOff starts a wait of step and saves it (with the canary's state
// when cst is not nil), saying why in plain words; pausedNow then shows
// it.
func (w *worker) backOff(ctx context.Context, step time.Duration, why func(until time.Time) string, cst *canaryState) {
	w.bo.until = w.q.clock().Add(step)
	w.bo.reason = why(w.bo.until)
	w.q.saveCheckState(ctx, cst, &w.bo)
}

// pausedNow tells the front ends about the backoff.
func (w *worker) pausedNow() {
	w.q.setPaused(w.bo.reason)
	w.q.checksChanged()
}

// callFailed backs off after WhatsApp refused the batch (rate-overlimit,
// its budget given back) or the call failed.
func (w *worker) callFailed(bg context.Context, b *store.CheckBatch, err error) {
	q := w.q
	if errors.Is(err, wa.ErrRateLimited) {
		// Refused, nothing looked up: give the budget back.
		if err := q.st.ReleaseCheckBatch(bg, b); err != nil {
			q.log.Warn("check budget", "err", err)
		}
		w.bo.step = nextStep(w.bo.step, rateBackoffFirst, rateBackoffMax)
		w.backOff(bg, w.bo.step, func(until time.Time) string {
			return fmt.Sprintf("WhatsApp asked to slow down (rate-overlimit): waiting %s, until %s",
				w.bo.step, until.Format("15:04:05"))
		}, nil)
		q.log.Warn("check rate-limited", "backoff", w.bo.step)
		w.pausedNow()
		return
	}
	// The rate-limit step is kept (and saved) as it was.
	w.errStep = nextStep(w.errStep, errBackoffFirst, errBackoffMax)
	w.backOff(bg, w.errStep, func(until time.Time) string {
		return fmt.Sprintf("checking failed (%v); retrying at %s", err, until.Format("15:04:05"))
	}, nil)
	if err := q.st.SetCheckJobError(bg, b.JobID, err.Error()); err != nil {
		q.log.Warn("check job error", "err", err)
	}
	q.log.Warn("check failed", "err", err, "retry_in", w.errStep)
	w.pausedNow()
}

// believed reads the canary's answer and whether WhatsApp answered the
// batch at all; when the reply is not to be believed it backs off, the
// batch staying in flight, and reports false.
func (w *worker) believed(bg context.Context, b *store.CheckBatch, send []string, canary string, cst *canaryState, answers []wa.CheckAnswer, prevCanaryOnly bool) bool {
	q := w.q
	own := q.backend.Account().Phone
	verdict := canaryVerdict(canary, answers)
	batchAnswered := answeredAny(b.Phones, answers)
	switch {
	case canary == own && verdict == canaryPass:
		cst.self, cst.selfAt = selfAnswers, time.Time{}
	case canary == own && verdict == canaryLeftOut && batchAnswered:
		// Left out of a reply that answered others: WhatsApp does not
		// answer it for now; contacts serve for a day. A reply that
		// answered nothing, or an error for it alone, tells nothing.
		cst.self, cst.selfAt = selfSilent, q.clock()
	}
	if verdict == canaryTrip {
		w.tripped(bg, canary, cst)
		return false
	}
	if cst.tripped != "" && (verdict == canaryPass || verdict == canaryNone && existsAny(b.Phones, answers)) {
		// Another canary (or the batch itself) was answered honestly:
		// the trip was that contact leaving WhatsApp, not a throttle.
		if cst.tripped != canary && cst.tripped != own && cst.streak < 2 {
			cst.retired = append(cst.retired, cst.tripped)
			q.log.Info("check canary retired", "canary", cst.tripped)
		}
		cst.tripped, cst.streak = "", 0
	}
	soft := !batchAnswered && !answeredAny(send, answers)
	if !batchAnswered && !soft {
		// Only the canary answered. A soft rate limit too, unless the
		// batch holds only numbers WhatsApp already left out of replies
		// that answered others, or the last reply was the same: then
		// these numbers are not answered, and each is charged a retry so
		// that it ends with "no answer" rather than backing off for ever.
		soft = b.LeftOut < len(b.Phones) && !prevCanaryOnly
		w.canaryOnly = soft
	}
	if !soft {
		return true
	}
	// The batch stays in flight; its numbers are not charged a retry.
	w.bo.step = nextStep(w.bo.step, rateBackoffFirst, rateBackoffMax)
	w.backOff(bg, w.bo.step, func(until time.Time) string {
		return fmt.Sprintf("WhatsApp answered none of the %d numbers asked (a soft rate limit): waiting %s, until %s",
			len(b.Phones), w.bo.step, until.Format("15:04:05"))
	}, cst)
	q.log.Warn("check soft rate limit", "backoff", w.bo.step)
	w.pausedNow()
	return false
}

// tripped backs off after the canary came back "not on WhatsApp": the
// reply is not believed, nothing is stored, and the batch stays in flight
// to be sent again (with another canary). Two different canaries in a row
// are a throttle: the backoff doubles twice.
func (w *worker) tripped(bg context.Context, canary string, cst *canaryState) {
	q := w.q
	throttle := cst.tripped != "" && cst.tripped != canary
	if throttle {
		cst.streak++
	} else if cst.tripped == "" {
		cst.streak = 1
	}
	cst.trips++
	cst.lastTrip = q.clock()
	cst.tripped = canary
	w.bo.step = nextStep(w.bo.step, rateBackoffFirst, rateBackoffMax)
	if throttle {
		w.bo.step = nextStep(w.bo.step, rateBackoffFirst, rateBackoffMax)
	}
	w.backOff(bg, w.bo.step, func(until time.Time) string {
		if throttle {
			return fmt.Sprintf("two canaries in a row came back \"not on WhatsApp\": WhatsApp is throttling checks; nothing stored, waiting %s, until %s",
				w.bo.step, until.Format("15:04:05"))
		}
		return fmt.Sprintf("the canary %s came back \"not on WhatsApp\": WhatsApp may be throttling checks; nothing stored, waiting %s, until %s",
			canary, w.bo.step, until.Format("15:04:05"))
	}, cst)
	q.log.Warn("check canary tripped", "canary", canary, "throttle", throttle, "backoff", w.bo.step)
	w.pausedNow()
}

// store keeps a believed reply's answers and ends any backoff.
func (w *worker) store(ctx context.Context, b *store.CheckBatch, cst canaryState, answers []wa.CheckAnswer) {
	q := w.q
	bg := context.WithoutCancel(ctx)
	if err := q.commitBatch(bg, b, answersToResults(b.Phones, answers)); err != nil {
		// The batch stays in flight and is sent again: better than
		// losing its answers silently.
		q.saveCheckState(bg, &cst, nil)
		q.log.Error("storing check results", "err", err)
		q.o.StoreFailed(err)
		q.idle(ctx)
		return
	}
	var reset *backoff
	if w.bo.step != 0 || w.errStep != 0 || !w.bo.until.IsZero() {
		w.bo, w.errStep = backoff{}, 0
		reset = &backoff{}
	}
	q.saveCheckState(bg, &cst, reset)
	q.checksChanged()
}

// commitBatch stores a batch's answers, retrying a few times: a busy
// database must not make the batch be sent again.
func (q *Queue) commitBatch(ctx context.Context, b *store.CheckBatch, results []model.CheckResult) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		if err = q.st.CompleteCheckBatch(ctx, b.ID, results, q.clock()); err == nil {
			return nil
		}
		// The injected sleep: tests drive it, and it ends with ctx.
		if serr := q.sleep(ctx, time.Duration(attempt+1)*100*time.Millisecond); serr != nil {
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
