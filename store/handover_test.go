package store

import (
	"runtime"
	"sync/atomic"
	"testing"

	"database/sql"
)

// A read of many rows (eachRow) lets a goroutine waiting for the processor
// run before it ends: on one processor, a read of a few hundred rows (far
// under the runtime's 10 ms preemption) would otherwise keep it waiting.
func TestLongReadsHandOver(t *testing.T) {
	s := openTemp(t)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	var ran atomic.Bool
	done := make(chan struct{})
	go func() {
		ran.Store(true)
		close(done)
	}()
	rows, ranDuringRead := 0, false
	err := eachRow(t.Context(), s.db, func(r *sql.Rows) error {
		rows++
		if rows == handOverEvery+1 {
			ranDuringRead = ran.Load()
		}
		return nil
	}, `WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ?) SELECT x FROM n`, handOverEvery+1)
	<-done
	if err != nil || rows != handOverEvery+1 {
		t.Fatalf("read %d rows, %v", rows, err)
	}
	if !ranDuringRead {
		t.Errorf("the waiting goroutine ran only after a read of %d rows", rows)
	}
}
