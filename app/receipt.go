package app

import (
	"context"
	"slices"
	"sync"
)

// A Receipt collects the ids of the outbox changes that the writes done
// with a context queued for WhatsApp (WithReceipt). serve's Periskope
// writes wait for WhatsApp's answer to exactly those (WaitChanges) before
// answering, as its block routes wait for the one change QueueBlock
// returns.
//
// Why a receipt on the context rather than another return value: the
// writes that may queue changes (AddContact, EditContact, ReplaceLabels,
// ApplyLabels, ApplyImport, QueueBlock) are called by every front end
// through ui.Service and cli's commands, and only serve waits; a value on
// the context reaches the write the way the actor does (actor.go)
// without changing the signature every caller and test fake shares, and a
// write that queues nothing leaves it empty. The ids come from the store,
// which learns them as it inserts the rows (store.LabelChanges.Queued).
type Receipt struct {
	mu  sync.Mutex
	ids []int64
}

type receiptKey struct{}

// WithReceipt returns ctx carrying a new, empty Receipt, and the receipt.
func WithReceipt(ctx context.Context) (context.Context, *Receipt) {
	r := &Receipt{}
	return context.WithValue(ctx, receiptKey{}, r), r
}

// Queued is the ids of the changes queued so far, in the order queued.
func (r *Receipt) Queued() []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.ids)
}

// noteQueued adds ids to ctx's receipt, if it carries one.
func noteQueued(ctx context.Context, ids ...int64) {
	r, _ := ctx.Value(receiptKey{}).(*Receipt)
	if r == nil || len(ids) == 0 {
		return
	}
	r.mu.Lock()
	r.ids = append(r.ids, ids...)
	r.mu.Unlock()
}
