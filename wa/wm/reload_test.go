package wm

import (
	"context"
	"testing"

	waLog "go.mau.fi/whatsmeow/util/log"
)

// A backend that loaded an unpaired session sees the account another
// process paired meanwhile once it reloads (it takes the connection over
// from that process); while a session runs, Reload leaves it alone.
func TestReloadSeesAPairingMadeElsewhere(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	db := openDB(t)
	b, err := New(ctx, db, Options{Log: waLog.Noop})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	if b.Account().Paired {
		t.Fatal("paired before anything was paired")
	}
	savePairedDevice(t, db, true) // the other process pairs
	if b.Account().Paired {
		t.Fatal("the other process's pairing was seen without a reload")
	}
	if err := b.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	acct := b.Account()
	if !acct.Paired || acct.Phone != "+"+ownPhone || !acct.IsBusiness {
		t.Fatalf("after Reload: %+v", acct)
	}

	before := b.cli()
	b.mu.Lock()
	b.sess = &session{}
	b.mu.Unlock()
	if err := b.Reload(ctx); err != nil || b.cli() != before {
		t.Fatalf("Reload while a session runs: %v, client replaced: %v", err, b.cli() != before)
	}
	b.mu.Lock()
	b.sess = nil
	b.mu.Unlock()
}
