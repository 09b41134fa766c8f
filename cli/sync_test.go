package cli

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wabook/wabook/wa"
	"github.com/wabook/wabook/wa/sim"
)

func labelWorld() *sim.World {
	return &sim.World{
		Account:  &sim.WorldAccount{Phone: "+14155550100", Business: true},
		Contacts: []sim.WorldContact{{Phone: "+14155550101", FullName: "Ada Lovelace"}},
		Labels:   []sim.WorldLabel{{ID: "1", Name: "VIP", Color: 3, Chats: []string{"+14155550101"}}},
	}
}

// `wabook sync --full` fetches contacts and labels again: what the mirror
// lost comes back before the summary is printed.
func TestSyncFull(t *testing.T) {
	t.Parallel()

	env, out, _, be := newSimEnv(t, labelWorld(), newClock(), false)
	ctx := context.Background()
	const ada = "14155550101@s.whatsapp.net"
	// A removal the account never made reaches the mirror (as a broken
	// app state would leave it).
	be.Inject(wa.LabelAssociationChanged{WALabelID: "1", ChatJID: ada, Assigned: false})
	be.Inject(wa.AppStateProblem{Problem: "mismatching LTHash", NeedsFullResync: true})
	waitFor(t, func() bool { return env.Svc.Status().NeedsFullResync })

	if err := Sync(ctx, env, []string{"--full"}); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); !strings.Contains(got, "contacts and labels fetched again from scratch\n") ||
		!strings.Contains(got, "synced: 1 contacts, 0 groups, 1 labels, 0 blocked") {
		t.Fatalf("output:\n%s", got)
	}
	c, err := env.Svc.FindContact(ctx, ada)
	if err != nil || !slices.Equal(c.Labels, []string{"VIP"}) {
		t.Fatalf("after sync --full: labels %v, %v", c.Labels, err)
	}
	if st := env.Svc.Status(); st.NeedsFullResync || st.AppStateProblem != "" {
		t.Fatalf("status after sync --full: %+v", st)
	}
}

// A failing resync is an error, and without --full nothing is refetched.
func TestSyncFullFailsAndPlainSyncDoesNotResync(t *testing.T) {
	t.Parallel()

	env, out, _, be := newSimEnv(t, labelWorld(), newClock(), false)
	boom := errors.New("mismatching patch MAC")
	be.FailNext("FullResync", boom)
	if err := Sync(context.Background(), env, []string{"--full"}); !errors.Is(err, boom) {
		t.Fatalf("sync --full = %v, want %v", err, boom)
	}
	if strings.Contains(out.String(), "synced:") {
		t.Fatalf("summary printed after a failed resync:\n%s", out)
	}
	// The queued failure was consumed by the --full run; a plain sync
	// would have left a second one queued untouched.
	be.FailNext("FullResync", boom)
	if err := Sync(context.Background(), env, nil); err != nil {
		t.Fatalf("plain sync: %v", err)
	}
	if err := env.Svc.FullResync(context.Background()); !errors.Is(err, boom) {
		t.Fatalf("a plain sync ran the full resync: FullResync = %v", err)
	}
	if err := Sync(context.Background(), env, []string{"--full", "extra"}); err == nil {
		t.Fatal("an extra argument was accepted")
	} else if ue := (*UsageError)(nil); !errors.As(err, &ue) {
		t.Fatalf("extra argument: %v, want a usage error", err)
	}
}

// waitFor polls until cond holds: events are applied by Run's goroutine.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
