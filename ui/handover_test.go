package ui

import (
	"runtime"
	"sync/atomic"
	"testing"
)

// A loop that hands over lets a goroutine waiting for the processor run
// before the loop ends: on one processor, a loop this short (far under the
// runtime's 10 ms preemption) would otherwise keep it waiting to the end.
func TestHandOverLetsAWaitingGoroutineRun(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	var ran atomic.Bool
	done := make(chan struct{})
	go func() {
		ran.Store(true)
		close(done)
	}()
	for i := range handOverEvery {
		handOver(i)
	}
	ranDuringLoop := ran.Load()
	<-done
	if !ranDuringLoop {
		t.Errorf("the waiting goroutine ran only after a loop of %d steps", handOverEvery)
	}
}
