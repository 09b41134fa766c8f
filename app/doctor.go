package app

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"sort"
	"syscall"
	"time"

	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/wa"
)

// keyLastSync is the setting with the time (RFC 3339) the last sync
// completed, for `wabook doctor`.
const keyLastSync = "sync.last_completed"

// recordLastSync remembers when a sync completed. Best effort: doctor then
// shows an older time.
func (s *Service) recordLastSync(ctx context.Context) {
	if err := s.store.SetSetting(ctx, keyLastSync, s.chk.clock().UTC().Format(time.RFC3339)); err != nil {
		s.log.Warn("recording the sync time", "err", err)
	}
}

// DoctorInput is what `wabook doctor` reports on. main gathers it without
// relying on a sound database, the lock or a connection: any part may be
// missing, and the report says so.
type DoctorInput struct {
	WabookVersion string
	DBPath        string
	// Store is nil when the database does not exist (OpenErr nil) or
	// could not be opened (OpenErr says why).
	Store   *store.Store
	OpenErr error
	// Service is nil when no backend could be started on the database (it
	// is damaged); account, app state and the check queue are then unknown.
	Service *Service
	// BackendErr says why no backend could be started, if one could not.
	BackendErr error
	Versions   *Versions
	LogPath    string
	Config     Config // the check budget when there is no database yet
	ConfigPath string
	ConfigErr  error
	// Refresh fetches the WhatsApp Web version now (and caches it).
	Refresh bool
}

// DoctorReport is `wabook doctor`'s answer; its JSON is `doctor --json`.
type DoctorReport struct {
	WabookVersion string          `json:"wabook_version"`
	WAVersion     DoctorWAVersion `json:"wa_version"`
	Database      DoctorDatabase  `json:"database"`
	Lock          DoctorLock      `json:"lock"`
	LogPath       string          `json:"log_path"`
	ConfigPath    string          `json:"config_path"`
	ConfigError   string          `json:"config_error,omitempty"`
	Account       *DoctorAccount  `json:"account"` // null: unknown
	LastSync      string          `json:"last_sync"`
	AppState      DoctorAppState  `json:"app_state"`
	Checks        *DoctorChecks   `json:"checks"` // null: unknown
	// Unknown says why the parts that are null could not be read.
	Unknown string `json:"unknown,omitempty"`
}

// DoctorWAVersion is the WhatsApp Web version a connection would announce.
type DoctorWAVersion struct {
	Version string `json:"version"`
	Source  string `json:"source"` // flag, config, cached, fetched, built-in
	Pinned  bool   `json:"pinned"`
	Note    string `json:"note,omitempty"`
	URL     string `json:"url"` // where versions are fetched from; "" when off
	BuiltIn string `json:"built_in"`
	// Known are the versions the database remembers, most recent first.
	Known []DoctorKnownVersion `json:"known"`
}

// DoctorKnownVersion is one row of the version cache.
type DoctorKnownVersion struct {
	Version     string `json:"version"`
	Source      string `json:"source"`
	FetchedAt   string `json:"fetched_at,omitempty"`
	ConnectedAt string `json:"connected_at,omitempty"`
	RefusedAt   string `json:"refused_at,omitempty"`
}

// DoctorDatabase describes the database file.
type DoctorDatabase struct {
	Path           string `json:"path"`
	Exists         bool   `json:"exists"`
	SchemaVersion  int    `json:"schema_version"`
	SchemaExpected int    `json:"schema_expected"`
	Integrity      string `json:"integrity"` // "ok", SQLite's findings, or why it was not checked
	SizeBytes      int64  `json:"size_bytes"`
	Error          string `json:"error,omitempty"`
}

// DoctorLock says which process holds the WhatsApp connection.
type DoctorLock struct {
	Path string `json:"path"`
	PID  int    `json:"pid"` // 0: nobody
}

// DoctorAccount is the paired account as the session store knows it.
type DoctorAccount struct {
	Paired   bool   `json:"paired"`
	JID      string `json:"jid"`
	PushName string `json:"push_name"`
	Business bool   `json:"business"`
}

// DoctorAppState is what the backend tells about the app state (contacts
// and labels sync); Known is false when the backend does not tell.
type DoctorAppState struct {
	Known           bool              `json:"known"`
	Collections     map[string]uint64 `json:"collections"`
	Problem         string            `json:"problem"`
	NeedsFullResync bool              `json:"needs_full_resync"`
}

// DoctorChecks is the check queue and the day's budget.
type DoctorChecks struct {
	JobsWaiting    int    `json:"jobs_waiting"`
	NumbersPending int    `json:"numbers_pending"`
	Paused         string `json:"paused,omitempty"`
	BackoffUntil   string `json:"backoff_until,omitempty"`
	BudgetLeft     int    `json:"budget_left"`
	BudgetTotal    int    `json:"budget_total"`
	Error          string `json:"error,omitempty"`
}

// Doctor gathers the report. It never connects to WhatsApp; with Refresh
// it fetches the WhatsApp Web version page.
func Doctor(ctx context.Context, in DoctorInput) DoctorReport {
	r := DoctorReport{WabookVersion: in.WabookVersion, LogPath: in.LogPath, ConfigPath: in.ConfigPath}
	if in.ConfigErr != nil {
		r.ConfigError = in.ConfigErr.Error()
	}

	if v := in.Versions; v != nil {
		c := v.Current(ctx)
		if in.Refresh {
			c = v.Refresh(ctx)
		}
		r.WAVersion = DoctorWAVersion{Version: c.Version, Source: c.Source, Pinned: c.Pinned, Note: c.Note,
			URL: v.URL(), BuiltIn: v.BuiltIn(), Known: []DoctorKnownVersion{}}
	}
	if in.Store != nil {
		if recs, err := in.Store.WAVersions(ctx); err == nil {
			for _, k := range recs {
				r.WAVersion.Known = append(r.WAVersion.Known, DoctorKnownVersion{Version: k.Version, Source: k.Source,
					FetchedAt: rfc3339(k.FetchedAt), ConnectedAt: rfc3339(k.ConnectedAt), RefusedAt: rfc3339(k.RefusedAt)})
			}
		}
	}

	r.Database = doctorDatabase(ctx, in)
	r.Lock = DoctorLock{Path: LockPath(in.DBPath), PID: lockHolderNow(in.DBPath)}

	switch {
	case in.Service != nil:
		a := in.Service.Backend().Account()
		r.Account = &DoctorAccount{Paired: a.Paired, JID: a.JID, PushName: a.PushName, Business: a.IsBusiness}
		r.Checks = doctorChecks(ctx, in.Service)
		if d, ok := in.Service.Backend().(wa.Diagnoser); ok {
			diag := d.Diagnostics(ctx)
			r.AppState = DoctorAppState{Known: true, Collections: diag.AppState, Problem: diag.AppStateProblem,
				NeedsFullResync: diag.NeedsFullResync}
		}
	case in.Store == nil && in.OpenErr == nil:
		// No database yet: nothing paired, nothing queued.
		r.Account = &DoctorAccount{}
		budget := in.Config.normalize().CheckDailyBudget
		r.Checks = &DoctorChecks{BudgetLeft: budget, BudgetTotal: budget}
	case in.BackendErr != nil:
		r.Unknown = "account, app state and check queue: " + in.BackendErr.Error()
	default:
		r.Unknown = "account, app state and check queue: the database could not be read safely"
	}
	if r.AppState.Collections == nil {
		r.AppState.Collections = map[string]uint64{}
	}
	if in.Store != nil && r.Database.Integrity == "ok" {
		r.LastSync, _ = in.Store.Setting(ctx, keyLastSync)
	}
	return r
}

func doctorDatabase(ctx context.Context, in DoctorInput) DoctorDatabase {
	d := DoctorDatabase{Path: in.DBPath, SchemaExpected: store.SchemaVersion()}
	for _, p := range []string{in.DBPath, in.DBPath + "-wal"} {
		if fi, err := os.Stat(p); err == nil {
			d.SizeBytes += fi.Size()
			d.Exists = d.Exists || p == in.DBPath
		}
	}
	switch {
	case in.Store != nil:
		d.Integrity = in.Store.Integrity(ctx)
		v, err := in.Store.FileSchemaVersion(ctx)
		if err != nil {
			d.Error = err.Error()
		}
		d.SchemaVersion = v
	case in.OpenErr != nil:
		d.Error = in.OpenErr.Error()
		d.Integrity = "not checked: the file could not be opened"
		if errors.Is(in.OpenErr, store.ErrCorrupt) {
			d.Integrity = "damaged"
		}
	default:
		d.Integrity = "no database yet (it is created on first use)"
	}
	return d
}

func doctorChecks(ctx context.Context, s *Service) *DoctorChecks {
	st := s.CheckerStatus()
	c := &DoctorChecks{Paused: st.Paused, BackoffUntil: rfc3339(st.BackoffUntil), BudgetLeft: st.BudgetLeft,
		BudgetTotal: st.BudgetTotal}
	jobs, err := s.Jobs(ctx)
	if err != nil {
		c.Error = err.Error()
		return c
	}
	for _, j := range jobs {
		if j.State == JobQueued || j.State == JobRunning || j.State == JobPaused {
			c.JobsWaiting++
			c.NumbersPending += j.Counts["processing"]
		}
	}
	return c
}

// lockHolderNow is the pid of the process holding the lock for dbPath, 0
// when none does. It only looks: the lock file is neither created nor taken
// for longer than the probe.
func lockHolderNow(dbPath string) int {
	path := LockPath(dbPath)
	f, err := os.OpenFile(path, os.O_RDONLY, 0)
	if errors.Is(err, fs.ErrNotExist) || err != nil {
		return 0
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err == nil {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		return 0 // a stale file: nobody holds it
	}
	pid, _ := lockHolder(path)
	return pid
}

// SortedCollections lists app-state collections in name order.
func (a DoctorAppState) SortedCollections() []string {
	names := make([]string, 0, len(a.Collections))
	for n := range a.Collections {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
