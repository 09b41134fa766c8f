package app

import (
	"path/filepath"
	"sync"
	"testing"

	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/wa"
	"github.com/wabook/wabook/wa/sim"
)

// versionTelling is the simulated account as a backend that reports the
// WhatsApp Web version it announces (the real adapter does).
type versionTelling struct {
	*sim.Backend
	mu sync.Mutex
	v  wa.VersionChoice
}

func (b *versionTelling) AnnouncedVersion() wa.VersionChoice {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.v
}

func (b *versionTelling) set(v wa.VersionChoice) {
	b.mu.Lock()
	b.v = v
	b.mu.Unlock()
}

// The status carries the version the backend announces, read at each
// connection change (a connect attempt's outcome); a backend that does not
// tell leaves it empty.
func TestStatusCarriesTheAnnouncedVersion(t *testing.T) {
	t.Parallel()

	svc, _ := syncedService(t)
	if got := svc.Status().WAVersion; got != (wa.VersionChoice{}) {
		t.Fatalf("the simulated account announces no version, status has %+v", got)
	}

	st, err := store.Open(filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	sb := sim.New(&sim.World{Account: &sim.WorldAccount{Phone: "+14155550100"}})
	t.Cleanup(func() { sb.Close(); st.Close() })
	be := &versionTelling{Backend: sb}
	svc = New(st, be, Options{})
	go svc.Run(t.Context())
	for _, v := range []wa.VersionChoice{
		{Version: "2.3000.1099999999", Source: wa.VersionFromFetch},
		{Version: "2.3000.1100000000", Source: wa.VersionFromCache},
	} {
		be.set(v)
		sb.Inject(wa.ConnectionChanged{State: wa.StateReconnecting, Attempt: 1, Detail: "no connection"})
		eventually(t, "version "+v.Version, func() bool { return svc.Status().WAVersion == v })
	}
}
