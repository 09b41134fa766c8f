package store

import "time"

// now is the store's clock (SetClock), in unix seconds: the times it writes
// (updated_at, outbox rows, check cache) follow the clock the app runs on.
func (s *Store) now() int64 { return s.clock().Unix() }

// SetClock makes clock the store's time source in place of time.Now, for the
// times it writes itself (app.New hands down its Options.Clock). Call it
// before the store is shared between goroutines.
func (s *Store) SetClock(clock func() time.Time) {
	if clock == nil {
		clock = time.Now
	}
	s.clock = clock
}

// fromUnix and toUnix read and write a time as the tables keep it: unix
// seconds, 0 for none.
func fromUnix(sec int64) time.Time {
	if sec == 0 {
		return time.Time{}
	}
	return time.Unix(sec, 0)
}

func toUnix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// fromUnixMilli reads a time kept in unix milliseconds, 0 for none.
func fromUnixMilli(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}
