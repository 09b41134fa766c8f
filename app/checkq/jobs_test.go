package checkq

import (
	"encoding/json"
	"maps"
	"testing"

	"github.com/wabook/wabook/model"
)

// Job.Counts is a struct, but `wabook checks --json` keeps printing the
// store's map: the same five keys, the same numbers, the same bytes.
func TestJobCountsKeepTheStoresMap(t *testing.T) {
	t.Parallel()
	tests := []map[string]int{
		{model.CheckProcessing: 0, model.CheckValid: 0, model.CheckInvalid: 0, model.CheckFailed: 0, CheckCancelled: 0},
		{model.CheckProcessing: 1, model.CheckValid: 2, model.CheckInvalid: 3, model.CheckFailed: 4, CheckCancelled: 5},
		{model.CheckProcessing: 73, model.CheckValid: 0, model.CheckInvalid: 9, model.CheckFailed: 0, CheckCancelled: 11},
	}
	for _, m := range tests {
		c := jobCounts(m)
		if got := c.Map(); !maps.Equal(got, m) {
			t.Errorf("jobCounts(%v).Map() = %v", m, got)
		}
		want, _ := json.Marshal(m)
		got, _ := json.Marshal(c.Map())
		if string(got) != string(want) {
			t.Errorf("JSON %s, want %s", got, want)
		}
	}
	c := jobCounts(tests[1])
	if c != (JobCounts{Processing: 1, Valid: 2, Invalid: 3, Failed: 4, Cancelled: 5}) {
		t.Errorf("jobCounts = %+v", c)
	}
}

func TestJobStateRunnable(t *testing.T) {
	t.Parallel()
	for s, want := range map[JobState]bool{JobQueued: true, JobRunning: true, JobPaused: false, JobCancelled: false, JobDone: false} {
		if s.Runnable() != want {
			t.Errorf("%s.Runnable() = %v", s, !want)
		}
	}
}
