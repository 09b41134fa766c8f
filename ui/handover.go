package ui

import "runtime"

// handOverEvery is how many steps a long loop beside the UI takes between
// two hand-overs of its processor (handOver): 32 768 rows merged, copied
// or matched take about a millisecond.
const handOverEvery = 1 << 15

// handOver gives the processor to a goroutine waiting for one at every
// handOverEvery-th step i of a loop that runs in a command, beside the UI:
// an index merged or built, a search of a long list. Without it a key's
// Update waited, runnable, while such loops held both processors of a
// 2-core machine until the runtime preempted them, 10 ms or more each
// (an execution trace of BenchmarkKeysDuringSync at a million contacts:
// keys waited 20 to 33 ms behind a refresh's row copy, the sync's writes
// and a search split between the processors). Never on the Update path:
// there it would hand the UI's own turn away.
func handOver(i int) {
	if i&(handOverEvery-1) == handOverEvery-1 {
		runtime.Gosched()
	}
}
