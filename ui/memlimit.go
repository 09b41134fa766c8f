package ui

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"
)

// MemoryLimit is the soft memory limit the terminal UI runs under while
// its contact index rests (HoldMemoryLimit, tui.go; the key-wait
// benchmarks hold it too, as their collections then run as the program's
// do). It keeps the UI's memory in check on big address books: the
// contact list's index holds about 163 bytes a contact, 16 MB at 100 000
// and 159 MB at 1 000 000 (BenchmarkIndexHeap, memory_bench_test.go), and
// without a limit the runtime lets the heap grow to twice that between
// collections. 224 MiB leaves the collector some 50 MB over the index at
// a million and keeps the process under 300 MB resident. GOMEMLIMIT
// overrides it.
const MemoryLimit = 224 << 20

// Memory is a process's soft memory limit (debug.SetMemoryLimit), held
// while the contact index rests and lifted while a big one is built.
// Building an index of a million contacts holds more than the index it
// makes (the arenas being filled, the assignment tables of the read, the
// copy that lays the rows out in name order: about 250 MB live at the
// end), and a refresh holds the index on screen beside the next one: under
// a limit that holds one index, the collector then runs back to back and
// the runtime gives pages back to the system on the allocation path, so
// the UI's own allocations waited 30 to 150 ms for it
// (BenchmarkKeysDuringLoad, BenchmarkKeysDuringSync). Lifted, the build
// runs under the collector's usual pacing; once the index it made is
// installed and the one it replaced let go, the UI settles the memory: the
// free pages go back to the system and the limit holds again. The runtime's
// limit is one per process, so is this: one Memory for the program.
type Memory struct {
	mu   sync.Mutex
	rest int64
	// from is the book size from which a build lifts the limit: below it
	// an index and its build fit the limit many times over.
	from     int
	building int    // builds under way that lifted the limit
	builds   uint64 // builds that lifted the limit since the start
	settles  uint64 // settles asked for since the start: the latest runs
	lifted   bool   // lifted and not settled since
	// quiet is how long settle waits for another build before it starts:
	// settleQuiet in the program.
	quiet time.Duration
}

// liftFrom is Memory.from in the program: at 250 000 contacts an index is
// about 40 MB, a build's peak about 60, a sixth of MemoryLimit.
const liftFrom = 250_000

// HoldMemoryLimit sets the process's soft memory limit to rest and returns
// the Memory that lifts it while a big index is built (Options.Memory).
func HoldMemoryLimit(rest int64) *Memory {
	debug.SetMemoryLimit(rest)
	return &Memory{rest: rest, from: liftFrom, quiet: settleQuiet}
}

// build lifts the limit for the build of an index of about n contacts,
// when n is a big book, until end is called. The limit stays lifted after
// it until settle. Nothing for a nil Memory.
func (m *Memory) build(n int) (end func()) {
	if m == nil || n < m.from {
		return func() {}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.building++
	m.builds++
	// Set again even when lifted: a settle under way may have brought the
	// limit part of the way down.
	debug.SetMemoryLimit(math.MaxInt64)
	m.lifted = true
	return func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		m.building--
	}
}

// settler returns the settle to run once the index a lifted build made is
// installed: it brings the process's memory back under the limit and holds
// it there again, unless another build has started meanwhile. The limit
// comes down in steps (settleStep, settlePause apart), each of which the
// runtime meets by giving back a few megabytes of free pages: at once
// (debug.FreeOSMemory) the runtime gives back hundreds of megabytes
// without letting any goroutine stop it, and every other one that needed
// the collector waited (keys waited 50 to 250 ms after a million-contact
// load or sync); at once by setting the limit, the collector ran back to
// back until the pages were given back. It first waits quiet for another
// build, as refreshes come one after the other while a sync sends changes:
// settling between them gave the pages back for the next build to take
// again, and its collection ran beside that build. A build that starts
// while it waits or steps down ends it; the settle after that build's
// index is installed takes over. settler counts the builds when it is
// called (on the Update path, as the index is installed): while one runs,
// the index it builds is not installed yet, and its own settle will come,
// so settler's settle does nothing; a later settler's settle ends an
// earlier one, so that two never step the limit down together. The settle
// runs a collection and waits between steps: off the Update path.
func (m *Memory) settler() (settle func()) {
	if m == nil {
		return func() {}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.building > 0 {
		return func() {}
	}
	m.settles++
	gen, req := m.builds, m.settles
	return func() { m.settleFrom(gen, req) }
}

// settleFrom is settle, for the builds up to gen, as the settle asked for
// req-th.
func (m *Memory) settleFrom(gen, req uint64) {
	if m.quiet > 0 {
		wait := time.NewTimer(m.quiet)
		<-wait.C
	}
	m.mu.Lock()
	due := m.due(gen, req)
	m.mu.Unlock()
	if !due {
		return
	}
	runtime.GC()
	pace := time.NewTicker(settlePause)
	defer pace.Stop()
	step := int64(math.MaxInt64)
	for {
		m.mu.Lock()
		if !m.due(gen, req) {
			m.mu.Unlock()
			return
		}
		// Each step is lower than the last, so that settle ends even when
		// the runtime cannot give back what the step asks for.
		step = max(m.rest, min(step, inUse())-settleStep)
		debug.SetMemoryLimit(step)
		if step == m.rest {
			m.lifted = false
			m.mu.Unlock()
			return
		}
		m.mu.Unlock()
		<-pace.C
	}
}

// due is whether the settle for the builds up to gen, asked for req-th,
// is still to run: the limit is lifted and no build or other settle was
// asked for since. m.mu is held.
func (m *Memory) due(gen, req uint64) bool {
	return m.lifted && m.building == 0 && m.builds == gen && m.settles == req
}

// settleQuiet is how long settle waits for another build: longer than a
// refresh waits for its turn after the one before (maxRefreshWait).
const settleQuiet = maxRefreshWait + 500*time.Millisecond

// settleStep and settlePause are how far settle brings the limit down at a
// time and how long it lets the runtime give the pages back.
const (
	settleStep  = 32 << 20
	settlePause = 20 * time.Millisecond
)

// inUse is the memory the runtime holds and has not given back, what its
// limit counts.
func inUse() int64 {
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64() - s[1].Value.Uint64())
}

// isLifted is whether a build lifted the limit and it is not settled yet.
func (m *Memory) isLifted() bool {
	if m == nil {
		return false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.lifted
}
