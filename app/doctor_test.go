package app

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/wa"
	"github.com/wabook/wabook/wa/sim"
)

// diagnosingSim is the simulated account with app-state diagnostics, as
// the whatsmeow adapter reports them.
type diagnosingSim struct {
	*sim.Backend
	diag wa.Diagnostics
}

func (d diagnosingSim) Diagnostics(context.Context) wa.Diagnostics { return d.diag }

func TestDoctorReadsDiagnosticsAndLastSync(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	dbPath := filepath.Join(t.TempDir(), "w.db")
	st, err := store.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	diag := wa.Diagnostics{AppState: map[string]uint64{"regular": 3, "critical_unblock_low": 7},
		AppStateProblem: "contacts did not sync: the saved state does not match WhatsApp's", NeedsFullResync: true}
	be := diagnosingSim{Backend: sim.New(accountWorld()), diag: diag}
	svc := New(st, be, Options{})
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go svc.Run(runCtx)
	before := time.Now().Add(-time.Second)
	if err := svc.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	in := DoctorInput{DBPath: dbPath, Store: st, Service: svc,
		Versions: NewVersions(st, VersionOptions{BuiltIn: testBuiltIn})}
	var r DoctorReport
	eventually(t, "the sync time", func() bool { r = Doctor(ctx, in); return r.LastSync != "" })
	if at, err := time.Parse(time.RFC3339, r.LastSync); err != nil || at.Before(before.Truncate(time.Second)) {
		t.Errorf("last sync %q", r.LastSync)
	}
	if !r.AppState.Known || r.AppState.Collections["regular"] != 3 || r.AppState.Collections["critical_unblock_low"] != 7 ||
		r.AppState.Problem != diag.AppStateProblem || !r.AppState.NeedsFullResync {
		t.Errorf("app state %+v", r.AppState)
	}
	if r.Account == nil || !r.Account.Paired || r.Checks == nil || r.Checks.BudgetTotal != DefaultCheckDailyBudget {
		t.Errorf("account %+v checks %+v", r.Account, r.Checks)
	}
	if r.WAVersion.Version != testBuiltIn || r.WAVersion.Source != wa.VersionFromBuiltIn || r.WAVersion.URL != "" {
		t.Errorf("version %+v", r.WAVersion)
	}

	// Without diagnostics from the backend: unknown, not "fine".
	plain := New(st, sim.New(accountWorld()), Options{})
	in.Service = plain
	if r := Doctor(ctx, in); r.AppState.Known || r.AppState.Problem != "" {
		t.Errorf("app state without a Diagnoser: %+v", r.AppState)
	}
}
