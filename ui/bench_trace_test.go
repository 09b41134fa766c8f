package ui

import (
	"errors"
	"fmt"
	"os"
	"runtime/trace"
	"sync"
	"time"
)

// slowStepTrace is what a key-wait benchmark needs to say why a key
// waited: with WABOOK_BENCH_TRACE set to a file name, the runtime's flight
// recorder keeps the last seconds of an execution trace, and the first
// key wait or step of slowStepFrom or longer while keys are pressed
// (eventLoop.pressUntil) writes them to that file (read it with
// `go tool trace`). Off otherwise: tracing costs time.
type slowStepTrace struct {
	mu       sync.Mutex
	path     string
	recorder *trace.FlightRecorder
	written  bool
}

// slowStepFrom is the wait that gets a trace written: a frame at 20
// frames a second, the key-wait benchmarks' worst allowed.
const slowStepFrom = 50 * time.Millisecond

// benchTrace is the flight recorder of the test binary's run: the runtime
// allows one.
var benchTrace = sync.OnceValue(func() *slowStepTrace {
	path := os.Getenv("WABOOK_BENCH_TRACE")
	if path == "" {
		return nil
	}
	r := trace.NewFlightRecorder(trace.FlightRecorderConfig{MinAge: 2 * time.Second, MaxBytes: 256 << 20})
	if err := r.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "WABOOK_BENCH_TRACE:", err)
		return nil
	}
	return &slowStepTrace{path: path, recorder: r}
})

// slow writes the trace once what (a step, a key's wait) took
// slowStepFrom or longer, a moment later so that it holds its end.
func (s *slowStepTrace) slow(d time.Duration, what string) {
	if s == nil || d < slowStepFrom {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.written {
		return
	}
	s.written = true
	go func() {
		time.Sleep(100 * time.Millisecond)
		s.mu.Lock()
		defer s.mu.Unlock()
		f, err := os.Create(s.path)
		if err == nil {
			_, err = s.recorder.WriteTo(f)
			err = errors.Join(err, f.Close())
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "WABOOK_BENCH_TRACE:", err)
			return
		}
		fmt.Fprintf(os.Stderr, "WABOOK_BENCH_TRACE: %s took %v; the trace of the seconds before is in %s\n", what, d, s.path)
	}()
}
