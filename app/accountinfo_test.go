package app_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/app/apptest"
	"github.com/wabook/wabook/wa"
	"github.com/wabook/wabook/wa/sim"
)

// diagnosing is the simulated account with the app-state report the
// whatsmeow adapter gives.
type diagnosing struct{ *sim.Backend }

func (diagnosing) Diagnostics(context.Context) wa.Diagnostics {
	return wa.Diagnostics{AppState: map[string]uint64{"regular": 7, "critical_block": 3}, AppStateProblem: "a patch failed"}
}

// AccountInfo tells the Account screen what doctor knows: the files, the
// mirror's counts, the last sync and the app state's health, as the
// backend reports it or why it does not.
func TestAccountInfo(t *testing.T) {
	t.Parallel()
	world, err := sim.LoadWorldFile(filepath.Join("..", "testdata", "world.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name     string
		backend  func() wa.Backend
		appState app.DoctorAppState
	}{
		{"simulated", func() wa.Backend { return sim.New(world) },
			app.DoctorAppState{Unknown: "this backend does not report it", Collections: map[string]uint64{}}},
		{"diagnosing", func() wa.Backend { return diagnosing{sim.New(world)} },
			app.DoctorAppState{Known: true, Collections: map[string]uint64{"regular": 7, "critical_block": 3}, Problem: "a patch failed"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			be := tt.backend()
			svc, st, ctx := apptest.Run(t, be, app.Options{LogPath: "/var/log/wabook.log"})
			before, err := svc.AccountInfo(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !before.LastSync.IsZero() {
				t.Errorf("last sync before any: %v", before.LastSync)
			}
			start := time.Now().Add(-time.Second)
			apptest.Sync(ctx, t, svc)
			info, err := svc.AccountInfo(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if info.DBPath != st.Path() || info.LogPath != "/var/log/wabook.log" {
				t.Errorf("paths %q, %q; want %q, /var/log/wabook.log", info.DBPath, info.LogPath, st.Path())
			}
			if info.LastSync.Before(start) {
				t.Errorf("last sync %v, want after %v", info.LastSync, start)
			}
			snap, err := svc.Snapshot(ctx)
			if err != nil {
				t.Fatal(err)
			}
			want := app.MirrorCounts{Contacts: len(snap.Contacts), Groups: len(snap.Groups), Labels: len(snap.Labels)}
			for _, c := range snap.Contacts {
				if c.IsBlocked {
					want.Blocked++
				}
			}
			if info.Counts != want || want.Contacts == 0 || want.Groups == 0 || want.Labels == 0 || want.Blocked == 0 {
				t.Errorf("counts %+v, want %+v (the test world has some of each)", info.Counts, want)
			}
			if got := info.AppState; got.Known != tt.appState.Known || got.Unknown != tt.appState.Unknown ||
				got.Problem != tt.appState.Problem || len(got.Collections) != len(tt.appState.Collections) {
				t.Errorf("app state %+v, want %+v", got, tt.appState)
			}
		})
	}
}
