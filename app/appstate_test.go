package app

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/wabook/wabook/wa"
)

// A full resync brings back what the mirror lost (here a label assignment
// and a push name update that went wrong), clears the app-state problem
// the backend reported, and returns only once the mirror has it.
func TestFullResyncRepairsTheMirrorAndClearsTheProblem(t *testing.T) {
	t.Parallel()

	svc, backend := syncedService(t)
	ctx := context.Background()
	const ada = "14155550101@s.whatsapp.net"

	backend.Inject(wa.LabelAssociationChanged{WALabelID: "1", ChatJID: ada, Assigned: false})
	backend.Inject(wa.AppStateProblem{Problem: "the saved app state no longer matches WhatsApp's (mismatching LTHash)", NeedsFullResync: true})
	eventually(t, "the problem in the status", func() bool {
		st := svc.Status()
		return st.NeedsFullResync && st.AppStateProblem != ""
	})
	if c, err := svc.store.Contact(ctx, ada); err != nil || len(c.Labels) != 0 {
		t.Fatalf("before the resync: %v, %v", c.Labels, err)
	}

	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := svc.FullResync(rctx); err != nil {
		t.Fatal(err)
	}
	// No polling: FullResync returns once the mirror has it.
	c, err := svc.store.Contact(ctx, ada)
	if err != nil || !slices.Equal(c.Labels, []string{"New customer"}) {
		t.Fatalf("after the resync: labels %v, %v", c.Labels, err)
	}
	if st := svc.Status(); st.NeedsFullResync || st.AppStateProblem != "" || st.Resyncing {
		t.Fatalf("status after the resync: %+v", st)
	}
}

// A failed resync returns the backend's error and leaves the problem shown.
func TestFullResyncFailureKeepsTheProblem(t *testing.T) {
	t.Parallel()

	svc, backend := syncedService(t)
	backend.Inject(wa.AppStateProblem{Problem: "saving the app state failed", NeedsFullResync: true})
	eventually(t, "the problem in the status", func() bool { return svc.Status().NeedsFullResync })
	boom := errors.New("mismatching patch MAC")
	backend.FailNext("FullResync", boom)
	if err := svc.FullResync(context.Background()); !errors.Is(err, boom) {
		t.Fatalf("FullResync = %v, want %v", err, boom)
	}
	if st := svc.Status(); !st.NeedsFullResync || st.AppStateProblem != "saving the app state failed" || st.Resyncing {
		t.Fatalf("status after a failed resync: %+v", st)
	}
}

// The backend's marks live in the mirror's settings table.
func TestSettingsKV(t *testing.T) {
	t.Parallel()

	svc, _ := syncedService(t)
	ctx := context.Background()
	kv := SettingsKV(svc.store)
	if v, err := kv.Get(ctx, "wa_app_state_resync"); err != nil || v != "" {
		t.Fatalf("unset: %q, %v", v, err)
	}
	if err := kv.Set(ctx, "wa_app_state_resync", "due"); err != nil {
		t.Fatal(err)
	}
	if v, err := svc.store.Setting(ctx, "wa_app_state_resync"); err != nil || v != "due" {
		t.Fatalf("in the settings table: %q, %v", v, err)
	}
}
