package checkq

import (
	"errors"
	"time"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
)

// CancelledError is the error of a number its job's cancellation kept
// from being sent; its status is failed, as the Business API has no other
// word for it, and the job counts it under CheckCancelled.
const CancelledError = store.CancelledError

// CheckCancelled is the key of Job.Counts for the numbers a cancellation
// kept from being sent (failed, with CancelledError). They are not counted
// under "failed", which stays WhatsApp's errors.
const CheckCancelled = store.CountCancelled

// Limits of a check job.
const (
	// MaxInputs is the most numbers one job takes.
	MaxInputs = 100_000
	// maxInputLen is the longest input kept; longer ones are invalid.
	maxInputLen = 200
)

// Errors of the check queue.
var (
	// ErrNoJob is returned for a job ID that names no job.
	ErrNoJob = errors.New("no such check job")
	// ErrUnknownRegion is returned by Enqueue for a region that is not an
	// ISO country code libphonenumber knows.
	ErrUnknownRegion = errors.New("unknown region")
	// ErrNothingToRetry is returned by Retry for a job without failed
	// numbers.
	ErrNothingToRetry = store.ErrNothingToRetry
)

// CheckOptions are the options of one check job.
type CheckOptions struct {
	// Force ignores cached results: every number is sent again.
	Force bool
	// MaxAge is how old a cached result may be; 0 means the configured
	// check_max_age (7 days by default).
	MaxAge time.Duration
	// Region is the ISO region ("FR") for numbers written without a
	// country code; "" means the queue's Region (--region, else the
	// account's own country).
	Region string
}

// Job is a check job as the UI and `wabook checks` show it.
type Job struct {
	ID        int64
	CreatedAt time.Time
	State     JobState
	Total     int // inputs, duplicates included
	Counts    JobCounts
	Cached    int // inputs answered from the cache
	// ETA is the expected time until the job is done, from the pace, the
	// batches left (of this job and the jobs before it), the daily budget
	// and any backoff; 0 when done, paused or cancelled.
	ETA time.Duration
	// Error is the last job-level problem (a failed WhatsApp call that
	// will be retried), "" when none.
	Error   string
	Options CheckOptions
}

// JobState is where a check job stands (Job.State); its value is the word
// `wabook checks` prints and the queue stores.
type JobState string

// Job states.
const (
	JobQueued    JobState = store.JobQueued    // waiting for the worker
	JobRunning   JobState = store.JobRunning   // the worker has sent some of it
	JobPaused    JobState = store.JobPaused    // paused by the user; nothing is sent
	JobCancelled JobState = store.JobCancelled // cancelled; unchecked numbers failed with "cancelled"
	JobDone      JobState = store.JobDone      // every number has its final result
)

// Runnable reports whether the worker will still send some of the job.
func (s JobState) Runnable() bool { return s == JobQueued || s == JobRunning }

// JobCounts is the number of a job's inputs per status.
type JobCounts struct {
	Processing int // waiting for an answer
	Valid      int
	Invalid    int
	Failed     int // WhatsApp's errors and "no answer"
	// Cancelled: never sent because the job was cancelled (CheckCancelled);
	// not counted under Failed.
	Cancelled int
}

// jobCounts reads the store's per-status counts.
func jobCounts(m map[string]int) JobCounts {
	return JobCounts{Processing: m[model.CheckProcessing], Valid: m[model.CheckValid], Invalid: m[model.CheckInvalid],
		Failed: m[model.CheckFailed], Cancelled: m[CheckCancelled]}
}

// Map is the counts keyed by status, as `wabook checks --json` prints them
// ("processing", "valid", "invalid", "failed", "cancelled"; always all five).
func (c JobCounts) Map() map[string]int {
	return map[string]int{model.CheckProcessing: c.Processing, model.CheckValid: c.Valid, model.CheckInvalid: c.Invalid,
		model.CheckFailed: c.Failed, CheckCancelled: c.Cancelled}
}

func jobOptions(o store.CheckJobOptions) CheckOptions {
	return CheckOptions{Force: o.Force, MaxAge: time.Duration(o.MaxAgeS) * time.Second, Region: o.Region}
}
