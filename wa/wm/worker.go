// Two one-way streams: events out to the app through wa.EventQueue, which
// never blocks whatsmeow's dispatcher, and tasks in, the network calls event
// handling needs, run in order on one worker goroutine off that dispatcher.

package wm

import (
	"context"

	"github.com/wabook/wabook/wa"
)

// Events is the stream of everything the backend reports; Close closes it.
func (b *Backend) Events() <-chan wa.Event { return b.events.Events() }

// emit queues events; after Close it drops them.
func (b *Backend) emit(evs ...wa.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.emitLocked(evs...)
}

func (b *Backend) emitLocked(evs ...wa.Event) {
	if b.closed || len(evs) == 0 {
		return
	}
	for _, ev := range evs {
		if cc, ok := ev.(wa.ConnectionChanged); ok {
			b.state = cc.State
		}
	}
	b.events.Emit(evs...)
}

// enqueue runs f on the worker goroutine, after the tasks before it. Tasks
// do the network calls event handling needs, off whatsmeow's dispatcher;
// after Close they are dropped.
func (b *Backend) enqueue(f func(context.Context)) { b.tasks.Put(f) }

// runTask is the worker's taker: it runs each task with the backend's
// context until that ends.
func (b *Backend) runTask(f func(context.Context), _ <-chan struct{}) bool {
	if b.ctx.Err() != nil {
		return false
	}
	f(b.ctx)
	return true
}
