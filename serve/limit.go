package serve

import (
	"math"
	"sync"
	"time"
)

// limiter is a token bucket per key (a token's name, or the address of a
// client without one): a bucket holds up to perMinute requests and fills
// at perMinute a minute, so a client may burst to the limit and then goes
// at the rate.
type limiter struct {
	perMinute int
	clock     func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// quota is what the X-RateLimit headers say after a request.
type quota struct {
	ok        bool
	limit     int
	remaining int
	reset     time.Time     // when the bucket is full again
	retry     time.Duration // until the next request is allowed (when !ok)
}

// maxBuckets bounds the map: past it, the full buckets (clients quiet for
// a minute) are forgotten, which changes nothing for them.
const maxBuckets = 10000

func newLimiter(perMinute int, clock func() time.Time) *limiter {
	return &limiter{perMinute: perMinute, clock: clock, buckets: map[string]*bucket{}}
}

// take counts one request of key.
func (l *limiter) take(key string) quota {
	now := l.clock()
	rate := float64(l.perMinute) / 60 // per second
	capacity := float64(l.perMinute)
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) >= maxBuckets {
			l.prune(now, rate, capacity)
		}
		b = &bucket{tokens: capacity, last: now}
		l.buckets[key] = b
	}
	if dt := now.Sub(b.last).Seconds(); dt > 0 {
		b.tokens = math.Min(capacity, b.tokens+dt*rate)
	}
	b.last = now
	q := quota{limit: l.perMinute}
	if b.tokens >= 1 {
		b.tokens--
		q.ok = true
	} else {
		q.retry = time.Duration((1 - b.tokens) / rate * float64(time.Second))
	}
	q.remaining = int(math.Floor(b.tokens))
	q.reset = now.Add(time.Duration((capacity - b.tokens) / rate * float64(time.Second)))
	return q
}

func (l *limiter) prune(now time.Time, rate, capacity float64) {
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*rate >= capacity {
			delete(l.buckets, k)
		}
	}
}
