package app

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
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
	if err := s.store.SetSetting(ctx, keyLastSync, s.clock().UTC().Format(time.RFC3339)); err != nil {
		s.log.Warn("recording the sync time", "err", err)
	}
}

// DoctorInput is what `wabook doctor` reports on. main gathers it without
// relying on a sound database, the lock or a connection: any part may be
// missing, and the report says so.
type DoctorInput struct {
	WabookVersion string
	DBPath        string
	// Store reads the database (store.OpenReadOnly: doctor changes
	// nothing); it is nil when the database does not exist (OpenErr nil)
	// or could not be opened (OpenErr says why).
	Store   *store.Store
	OpenErr error
	// Integrity is Store's integrity when main checked it already; ""
	// checks it here.
	Integrity string
	// Service is nil when no backend could be started on the database (it
	// is damaged); account, app state and the check queue are then unknown.
	Service *Service
	// BackendErr says why no backend could be started, if one could not.
	BackendErr error
	// NoSession: the database holds no WhatsApp session tables (no
	// account was ever paired with it, such as a simulated account's), so
	// main started no backend, which would have created them: the account
	// is not paired and the app state never synced.
	NoSession  bool
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
	// Outbox counts the changes waiting for WhatsApp and those that
	// failed (null: unknown).
	Outbox *DoctorOutbox `json:"outbox"`
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
	// SchemaNote is "not upgraded" for an older schema (doctor does not
	// migrate) and "not a wabook database" for an SQLite file without
	// wabook's tables, such as an empty file.
	SchemaNote string `json:"schema_note,omitempty"`
	Integrity  string `json:"integrity"` // "ok", SQLite's findings, or why it was not checked
	SizeBytes  int64  `json:"size_bytes"`
	// Readable: the file opened, its integrity is ok and its schema is
	// the one this wabook writes, so what doctor reads from it (last
	// sync, account, queue) can be trusted.
	Readable bool   `json:"readable"`
	Error    string `json:"error,omitempty"`
	// Warning is store.PermissionWarning: the file is open to other
	// users than its owner.
	Warning string `json:"warning,omitempty"`
	// ReadOnly: this user may not write the file; commands that only read
	// work, the others fail.
	ReadOnly bool `json:"read_only,omitempty"`
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
	// Unknown says why, when Known is false.
	Unknown string `json:"unknown,omitempty"`
}

// DoctorOutbox is the outbox's state (outbox.go).
type DoctorOutbox struct {
	Pending int    `json:"pending"`
	Failed  int    `json:"failed"`
	Error   string `json:"error,omitempty"`
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
		switch {
		case in.ConfigErr != nil && in.Refresh:
			// The config may name another page (or "off"), or pin a
			// version: fetching from the default page would be a guess.
			c.Note = "not fetched: the config file has an error (see config error); fix it first"
		case in.ConfigErr != nil:
			c.Note = "the config file has an error (see config error): its wa_version and wa_version_url are not read, and wabook will not connect until it is fixed"
		case in.Refresh:
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

	svc := in.Service
	if svc == nil && in.NoSession && in.Store != nil && r.Database.Readable {
		cfg := in.Config
		svc = New(in.Store, noSession{}, Options{Config: &cfg})
	}
	switch {
	case svc != nil:
		a := svc.backend.Account()
		r.Account = &DoctorAccount{Paired: a.Paired, JID: a.JID, PushName: a.PushName, Business: a.IsBusiness}
		r.Checks = doctorChecks(ctx, svc)
		r.Outbox = &DoctorOutbox{}
		if c, err := svc.OutboxCounts(ctx); err != nil {
			r.Outbox.Error = err.Error()
		} else {
			r.Outbox.Pending, r.Outbox.Failed = c.Pending, c.Failed
		}
		r.AppState = svc.appStateHealth(ctx)
	case in.Store == nil && in.OpenErr == nil:
		// No database yet: nothing paired, nothing queued, nothing synced.
		r.Account = &DoctorAccount{}
		budget := in.Config.Normalize().CheckDailyBudget
		r.Checks = &DoctorChecks{BudgetLeft: budget, BudgetTotal: budget}
		r.Outbox = &DoctorOutbox{}
		r.AppState.Known = true
	case r.Database.SchemaNote != "" && r.Database.Integrity == "ok":
		why := SchemaNotUpgraded(r.Database.SchemaVersion)
		r.Unknown = "account, last sync, app state and check queue: " + why
		r.AppState.Unknown = why
	case in.BackendErr != nil:
		r.Unknown = "account, app state and check queue: " + in.BackendErr.Error()
		r.AppState.Unknown = "the WhatsApp client could not start on this database"
	default:
		r.Unknown = "account, last sync, app state and check queue: the database could not be read safely"
		r.AppState.Unknown = "the database could not be read"
	}
	if r.AppState.Collections == nil {
		r.AppState.Collections = map[string]uint64{}
	}
	if r.Database.Readable {
		r.LastSync, _ = in.Store.Setting(ctx, keyLastSync)
	}
	return r
}

// appStateHealth is what the backend tells about the app state, for doctor
// and the Account screen.
func (s *Service) appStateHealth(ctx context.Context) DoctorAppState {
	d, ok := s.backend.(wa.Diagnoser)
	if !ok {
		return DoctorAppState{Unknown: "this backend does not report it", Collections: map[string]uint64{}}
	}
	diag := d.Diagnostics(ctx)
	return DoctorAppState{Known: true, Collections: diag.AppState, Problem: diag.AppStateProblem,
		NeedsFullResync: diag.NeedsFullResync}
}

// noSession is the backend doctor reports through on a database that
// holds no WhatsApp session (DoctorInput.NoSession): never paired, never
// synced, and it makes no call.
type noSession struct{}

var errNoSession = errors.New("no WhatsApp session in this database")

var _ wa.Diagnoser = noSession{}

func (noSession) Events() <-chan wa.Event                           { return nil }
func (noSession) Account() wa.Account                               { return wa.Account{} }
func (noSession) Connect(context.Context) error                     { return errNoSession }
func (noSession) Disconnect()                                       {}
func (noSession) PairPhone(context.Context, string) (string, error) { return "", errNoSession }
func (noSession) Logout(context.Context) error                      { return errNoSession }
func (noSession) Close() error                                      { return nil }
func (noSession) CheckNumbers(context.Context, []string) ([]wa.CheckAnswer, error) {
	return nil, errNoSession
}
func (noSession) UserInfo(context.Context, []string) (map[string]wa.UserInfo, error) {
	return nil, errNoSession
}
func (noSession) ProfilePictureURL(context.Context, string) (string, error) { return "", errNoSession }
func (noSession) SetBlocked(context.Context, string, bool) error            { return errNoSession }
func (noSession) SendLabelEdit(context.Context, wa.LabelEdit) error         { return errNoSession }
func (noSession) SendLabelChat(context.Context, string, string, bool) error {
	return errNoSession
}

// Diagnostics: no app-state collection was ever synced.
func (noSession) Diagnostics(context.Context) wa.Diagnostics {
	return wa.Diagnostics{AppState: map[string]uint64{}}
}

func doctorDatabase(ctx context.Context, in DoctorInput) DoctorDatabase {
	d := DoctorDatabase{Path: in.DBPath, SchemaExpected: store.SchemaVersion()}
	for _, p := range []string{in.DBPath, in.DBPath + "-wal"} {
		if fi, err := os.Stat(p); err == nil {
			d.SizeBytes += fi.Size()
			d.Exists = d.Exists || p == in.DBPath
		}
	}
	if d.Exists {
		d.Warning = store.PermissionWarning(in.DBPath)
		d.ReadOnly = syscall.Access(in.DBPath, 0x2 /* W_OK */) != nil
	}
	switch {
	case in.Store != nil:
		d.Integrity = in.Integrity
		if d.Integrity == "" {
			d.Integrity = in.Store.Integrity(ctx)
		}
		v, err := in.Store.FileSchemaVersion(ctx)
		switch {
		case err != nil:
			d.Error = err.Error()
		case v == 0:
			d.SchemaNote = "not a wabook database"
		case v < d.SchemaExpected:
			d.SchemaNote = "not upgraded"
		}
		d.SchemaVersion = v
		d.Readable = d.Integrity == "ok" && err == nil && v == d.SchemaExpected
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

// SchemaNotUpgraded says why doctor reads nothing more from a database
// at schema v, older than the one this wabook writes (0: none at all).
func SchemaNotUpgraded(v int) string {
	if v == 0 {
		return "not a wabook database"
	}
	return fmt.Sprintf("the database has schema %d and this wabook writes %d; doctor does not upgrade it (any other wabook command does)",
		v, store.SchemaVersion())
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
			c.NumbersPending += j.Counts.Processing
		}
	}
	return c
}

// lockHolderNow is the pid of the process holding the lock for dbPath, 0
// when none does. It only looks: the lock file is neither created nor taken
// for longer than the probe.
func lockHolderNow(dbPath string) int {
	path := LockPath(dbPath)
	f, err := OpenRegularFile(path, os.O_RDONLY, 0)
	if err != nil {
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

// Versions words the collections and their versions in name order, as
// doctor and the account screen show them ("critical_block v3, regular
// v12"), "never synced" when there are none.
func (a DoctorAppState) Versions() string {
	var cols []string
	for _, n := range slices.Sorted(maps.Keys(a.Collections)) {
		cols = append(cols, fmt.Sprintf("%s v%d", n, a.Collections[n]))
	}
	if len(cols) == 0 {
		return "never synced"
	}
	return strings.Join(cols, ", ")
}
