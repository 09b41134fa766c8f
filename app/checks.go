package app

import (
	"context"
	"fmt"
	"time"

	"github.com/wabook/wabook/app/checkq"
	"github.com/wabook/wabook/model"
)

// The check queue lives in app/checkq; the front ends know its words from
// app (they import app and model only), and the Service's methods hand
// over to it.
type (
	Job           = checkq.Job          // a check job as the UI and `wabook checks` show it
	JobState      = checkq.JobState     // where a check job stands (Job.State)
	JobCounts     = checkq.JobCounts    // the number of a job's inputs per status
	CheckOptions  = checkq.CheckOptions // the options of one check job
	CheckerStatus = checkq.Status       // what the check queue's worker is doing
)

// Job states.
const (
	JobQueued    JobState = checkq.JobQueued
	JobRunning   JobState = checkq.JobRunning
	JobPaused    JobState = checkq.JobPaused
	JobCancelled JobState = checkq.JobCancelled
	JobDone      JobState = checkq.JobDone

	CancelledError = checkq.CancelledError // the error of a number a cancellation kept from being sent
	CheckCancelled = checkq.CheckCancelled // the key of Job.Counts for those numbers
	MaxCheckInputs = checkq.MaxInputs      // the most numbers one job takes
)

// Errors of the check queue.
var (
	ErrNoJob          = checkq.ErrNoJob
	ErrUnknownRegion  = checkq.ErrUnknownRegion
	ErrNothingToRetry = checkq.ErrNothingToRetry
)

// newChecks builds the service's check queue.
func (s *Service) newChecks(opts Options) *checkq.Queue {
	cfg := DefaultConfig()
	if opts.Config != nil {
		cfg = *opts.Config
	}
	return checkq.New(checkq.Options{
		Store: s.store, Backend: s.backend, Config: cfg,
		Clock: s.clock, Sleep: opts.Sleep, Poll: opts.CheckPoll, Log: s.log,
		Connected:   func() bool { return s.Status().Conn == StateConnected },
		Region:      s.Region,
		Writable:    s.writable,
		Changed:     func() { s.notify(ChecksChanged) },
		StoreFailed: func(err error) { s.updateStatus(func(st *Status) { st.LastError = err.Error() }) },
		Idled:       opts.checkIdled,
	})
}

// CheckSettings returns the check-queue settings in force.
func (s *Service) CheckSettings() Config { return s.chk.Settings() }

// EnqueueCheck queues a check of inputs (phone numbers in any format) and
// returns the job (checkq.Queue.Enqueue); a region of "" means
// Service.Region() (--region, else the account's own country).
func (s *Service) EnqueueCheck(ctx context.Context, inputs []string, opts CheckOptions) (Job, error) {
	return s.chk.Enqueue(ctx, inputs, opts)
}

// Job returns one job with its counts and ETA.
func (s *Service) Job(ctx context.Context, id int64) (Job, error) { return s.chk.Job(ctx, id) }

// Jobs lists every check job, newest first, with counts per status and ETA.
func (s *Service) Jobs(ctx context.Context) ([]Job, error) { return s.chk.Jobs(ctx) }

// JobResults returns a job's results in input order, one per input.
func (s *Service) JobResults(ctx context.Context, id int64) ([]model.CheckResult, error) {
	return s.chk.Results(ctx, id)
}

// PauseJob stops sending a queued or running job's numbers; a batch already
// in flight still gets its results. Pausing a finished job is an error.
func (s *Service) PauseJob(ctx context.Context, id int64) error { return s.chk.Pause(ctx, id) }

// ResumeJob queues a paused job again. Resuming a job that is not paused is
// an error.
func (s *Service) ResumeJob(ctx context.Context, id int64) error { return s.chk.Resume(ctx, id) }

// CancelJob cancels a queued, running or paused job: numbers not yet
// answered become "failed" with the error "cancelled" and are never sent.
func (s *Service) CancelJob(ctx context.Context, id int64) error { return s.chk.Cancel(ctx, id) }

// RetryJob queues a job's failed numbers again and returns how many
// inputs that is. ErrNoJob for an unknown job, ErrNothingToRetry when none
// failed.
func (s *Service) RetryJob(ctx context.Context, id int64) (int, error) { return s.chk.Retry(ctx, id) }

// WaitJob blocks until the job is done or cancelled (whichever process runs
// the queue), or ctx ends.
func (s *Service) WaitJob(ctx context.Context, id int64) error { return s.chk.Wait(ctx, id) }

// StartChecker starts the check queue's worker (checkq.Queue.Start) until
// ctx ends or StopChecker. Only the process holding the WhatsApp
// connection runs it.
func (s *Service) StartChecker(ctx context.Context) { s.chk.Start(ctx) }

// StopChecker stops the worker and waits for it. A batch in flight stays
// marked so and is sent again by the next worker.
func (s *Service) StopChecker() { s.chk.Stop() }

// StopCheckerAfterBatch stops the worker once the batch in flight is
// answered and stored, claiming no other (checkq.Queue.StopAfterBatch).
func (s *Service) StopCheckerAfterBatch(ctx context.Context) { s.chk.StopAfterBatch(ctx) }

// CheckerStatus reports the worker's state, the day's budget and any
// backoff. It reads the store, so it also tells about a queue another
// process runs.
func (s *Service) CheckerStatus() CheckerStatus {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return s.chk.Status(ctx)
}

// SaveValidAsContacts saves every valid result of a job as a contact, with
// labels, in one transaction, and returns how many contacts that is. A
// number not yet in the address book becomes a local contact (JID from the
// wa_id WhatsApp answered with, phone the number checked); an existing
// contact is kept and gains the labels. One person stays one contact: a
// contact kept under another form of the number than WhatsApp's ID (an
// import adds a Brazilian mobile's ninth digit, WhatsApp may know it
// without) moves to WhatsApp's ID with its name, labels and note. labels are names, each possibly a comma-separated list ("VIP,
// new customer"); names are matched ignoring case and missing ones are
// created.
func (s *Service) SaveValidAsContacts(ctx context.Context, jobID int64, labels []string) (int, error) {
	if err := s.writable(ctx); err != nil {
		return 0, err
	}
	var names []string
	for _, l := range labels {
		for _, n := range model.SplitLabelList(l) {
			if err := model.ValidateLabelName(n); err != nil {
				return 0, fmt.Errorf("label %q: %w", n, err)
			}
			dup := false
			for _, seen := range names {
				dup = dup || model.SameLabelName(seen, n)
			}
			if !dup {
				names = append(names, n)
			}
		}
	}
	results, err := s.JobResults(ctx, jobID)
	if err != nil {
		return 0, err
	}
	var cs []model.Contact
	for _, r := range results {
		if r.Status != model.CheckValid || r.WAID == "" {
			continue
		}
		// The phone is the number checked, the JID WhatsApp's ID for it:
		// the store moves a contact kept under the number's own form.
		phone := r.Phone
		if phone == "" {
			phone = "+" + r.WAID
		}
		cs = append(cs, model.Contact{
			JID:          model.JIDFromDigits(r.WAID),
			Phone:        phone,
			VerifiedName: r.VerifiedName,
			IsWAContact:  true,
			Source:       model.SourceLocal,
		})
	}
	if len(cs) == 0 {
		return 0, nil
	}
	n, err := s.store.SaveCheckedContacts(ctx, cs, names)
	if err != nil {
		return 0, fmt.Errorf("saving contacts: %w", err)
	}
	s.notify(DataChanged)
	s.outboxQueued(ctx) // the labels, with label sync on
	return n, nil
}
