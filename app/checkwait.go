// What a caller waiting for numbers' answers needs (wabook serve's check
// routes): where each number stands, across every job of the queue, so
// that a request asked again joins the check under way instead of
// queueing it twice.
package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wabook/wabook/app/checkq"
	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
)

// FailedAnswerAge is how long a number's failure (WhatsApp's error for
// it) counts as its answer for NumberStates: a client asking again soon
// after learns of the failure instead of spending the budget on it again
// at once; later it is checked again.
const FailedAnswerAge = 5 * time.Minute

// NumberState is where one number stands: a final Result (valid or
// invalid from the cache, or a recent failure), or the Job it waits in
// (Result.Status "processing"), or neither (Status "", Job 0): nothing is
// under way for it and only a new job would answer it.
type NumberState = store.NumberState

// ParseCheckInput reads one number as a check job does
// (checkq.Normalize): Phone in E.164 and Status "processing" when it may
// be sent, else Status "invalid" with the reason in Error. region is for
// numbers without a country code; "" reads them as international.
func (s *Service) ParseCheckInput(in, region string) model.CheckResult {
	return checkq.Normalize(in, region, s.clock())
}

// NumberStates says where each phone (E.164) stands: a cached answer
// within check_max_age, else the oldest queued or running job waiting for
// it, else a failure younger than FailedAnswerAge. With force (the
// Business API's force_check) neither the cache nor failures count: only
// a job under way.
func (s *Service) NumberStates(ctx context.Context, phones []string, force bool) (map[string]NumberState, error) {
	var l store.NumberLookup
	if !force {
		now := s.clock()
		l.CacheSince = now.Add(-s.chk.Settings().CheckMaxAge)
		l.FailedSince = now.Add(-FailedAnswerAge)
	}
	return s.store.NumberStates(ctx, phones, l)
}

// JobNumbers returns what job holds for phones (E.164), by phone: the
// answer, or Status "processing" while it waits (a cancelled job's
// numbers are failed with CancelledError). Phones the job does not hold
// are left out; ErrNoJob when there is no such job.
func (s *Service) JobNumbers(ctx context.Context, job int64, phones []string) (map[string]model.CheckResult, error) {
	rs, err := s.store.JobNumbers(ctx, job, phones)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: %d", ErrNoJob, job)
	}
	return rs, err
}
