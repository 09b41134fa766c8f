package wa

import "sync"

// Mailbox is an unbounded first-in first-out queue that one goroutine of
// its own takes from, in order. Putting never blocks: backends put from
// WhatsApp's callbacks and from under their own locks, where waiting for a
// slow taker would stall everything.
type Mailbox[T any] struct {
	mu      sync.Mutex
	pending []T
	stopped bool

	wake chan struct{}
	done chan struct{} // closed by Stop
	over chan struct{} // closed when the goroutine has ended
}

// NewMailbox starts the goroutine, which hands each item to take until take
// returns false or Stop is called; done is closed by Stop, for a take that
// waits to give up. After the last take it calls finally (if not nil).
func NewMailbox[T any](take func(item T, done <-chan struct{}) bool, finally func()) *Mailbox[T] {
	m := &Mailbox[T]{
		wake: make(chan struct{}, 1),
		done: make(chan struct{}),
		over: make(chan struct{}),
	}
	go m.run(take, finally)
	return m
}

// Put queues items; after Stop it drops them.
func (m *Mailbox[T]) Put(items ...T) {
	if len(items) == 0 {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.stopped {
		return
	}
	m.pending = append(m.pending, items...)
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// Stop drops what was not taken yet and tells the goroutine to end, without
// waiting for it (Wait does). It is safe to call more than once.
func (m *Mailbox[T]) Stop() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.stopped {
		m.stopped, m.pending = true, nil
		close(m.done)
	}
}

// Wait returns once the goroutine has ended.
func (m *Mailbox[T]) Wait() { <-m.over }

func (m *Mailbox[T]) run(take func(T, <-chan struct{}) bool, finally func()) {
	defer close(m.over)
	if finally != nil {
		defer finally()
	}
	for {
		m.mu.Lock()
		batch := m.pending
		m.pending = nil
		m.mu.Unlock()
		for _, item := range batch {
			if !take(item, m.done) {
				return
			}
		}
		if len(batch) > 0 {
			continue
		}
		select {
		case <-m.wake:
		case <-m.done:
			return
		}
	}
}

// EventQueue hands events to a consumer in order without ever blocking the
// sender (a Mailbox whose taker sends to a channel). Both backends use it
// for their Events channel.
type EventQueue struct {
	box    *Mailbox[Event]
	events chan Event
}

// NewEventQueue starts a queue whose channel buffers buffer events.
func NewEventQueue(buffer int) *EventQueue {
	q := &EventQueue{events: make(chan Event, buffer)}
	q.box = NewMailbox(func(ev Event, done <-chan struct{}) bool {
		select {
		case q.events <- ev:
			return true
		case <-done:
			return false
		}
	}, func() { close(q.events) })
	return q
}

// Events is the channel events arrive on; Close closes it.
func (q *EventQueue) Events() <-chan Event { return q.events }

// Emit queues events; after Close it drops them.
func (q *EventQueue) Emit(evs ...Event) { q.box.Put(evs...) }

// Close drops what was not received yet, closes Events and waits until the
// queue has stopped. It is safe to call more than once.
func (q *EventQueue) Close() {
	q.box.Stop()
	q.box.Wait()
}
