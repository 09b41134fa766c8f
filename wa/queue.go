package wa

import "sync"

// EventQueue hands events to a consumer in order without ever blocking the
// sender: backends emit from WhatsApp's callbacks and from under their own
// locks, where waiting for a slow reader would stall everything. Both
// backends use it for their Events channel.
type EventQueue struct {
	mu      sync.Mutex
	pending []Event
	closed  bool

	events chan Event
	wake   chan struct{}
	done   chan struct{}
	pumped chan struct{}
}

// NewEventQueue starts a queue whose channel buffers buffer events.
func NewEventQueue(buffer int) *EventQueue {
	q := &EventQueue{
		events: make(chan Event, buffer),
		wake:   make(chan struct{}, 1),
		done:   make(chan struct{}),
		pumped: make(chan struct{}),
	}
	go q.pump()
	return q
}

// Events is the channel events arrive on; Close closes it.
func (q *EventQueue) Events() <-chan Event { return q.events }

// Emit queues events; after Close it drops them.
func (q *EventQueue) Emit(evs ...Event) {
	if len(evs) == 0 {
		return
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return
	}
	q.pending = append(q.pending, evs...)
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// Close drops what was not received yet, closes Events and waits until the
// queue has stopped. It is safe to call more than once.
func (q *EventQueue) Close() {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		<-q.pumped
		return
	}
	q.closed, q.pending = true, nil
	close(q.done)
	q.mu.Unlock()
	<-q.pumped
}

// pump forwards queued events to the channel, in order.
func (q *EventQueue) pump() {
	defer close(q.pumped)
	defer close(q.events)
	for {
		q.mu.Lock()
		batch := q.pending
		q.pending = nil
		q.mu.Unlock()
		for _, ev := range batch {
			select {
			case q.events <- ev:
			case <-q.done:
				return
			}
		}
		if len(batch) > 0 {
			continue
		}
		select {
		case <-q.wake:
		case <-q.done:
			return
		}
	}
}
