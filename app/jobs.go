package app

import (
	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
)

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
