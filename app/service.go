// Package app is the service both front ends use: it applies the backend's
// events to the store, keeps the connection status, and answers the UI and
// the headless commands. It is the only place where wa and store meet.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wabook/wabook/app/checkq"
	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/wa"
)

// ErrNotFound is returned when an ID names no contact of the mirror.
var ErrNotFound = errors.New("no such contact")

// Status is what the status bar and the Account screen show.
type Status struct {
	Account     wa.Account
	Conn        wa.ConnState
	Attempt     int
	Until       time.Time
	Detail      string
	SyncStage   string
	SyncDone    int
	SyncTotal   int
	Synced      bool
	PairCode    string
	PairTimeout time.Duration
	PairIssued  time.Time
	PairError   string
	LastError   string
	// PhoneCode is the pairing code to type on the phone, valid until
	// PhoneCodeExpires (PairPhone); "" when none is waiting.
	PhoneCode        string
	PhoneCodeExpires time.Time

	// AppStateProblem says in plain words what went wrong with the sync
	// of contacts and labels (WhatsApp's app state), "" when nothing;
	// NeedsFullResync: a full resync is due (FullResync repairs it).
	AppStateProblem string
	NeedsFullResync bool
	Resyncing       bool // FullResync is running

	// WAVersion is the WhatsApp Web version the backend announces and its
	// source, zero when the backend does not say (wa.VersionReporter).
	WAVersion wa.VersionChoice

	// Outbox counts the changes waiting for WhatsApp and those that
	// failed (outbox.go), whichever process queued them.
	Outbox OutboxCounts
}

// NoticeKind says what changed.
type NoticeKind int

const (
	// DataChanged: contacts, labels or groups changed; reload the snapshot.
	DataChanged NoticeKind = iota
	// StatusChanged: connection, sync or pairing status changed.
	StatusChanged
	// ChecksChanged: the check queue moved (a job, a result, a pause,
	// a backoff or the budget); ask Jobs, JobResults, CheckerStatus.
	ChecksChanged
)

// Notice tells a front end that something changed. It carries no data: the
// front end asks for what it needs, so bursts of changes coalesce.
type Notice struct{ Kind NoticeKind }

// Options configure a Service.
type Options struct {
	// Region is the default region for numbers written without a country
	// code; "" means the account's own country.
	Region string
	Log    *slog.Logger
	// LogPath is where Log writes, for the Account screen ("" when
	// nowhere).
	LogPath string

	// Config holds the check-queue settings (LoadConfig); nil means the
	// defaults.
	Config *Config
	// Clock and Sleep drive the check queue's pace, budget days and
	// backoff; nil means time.Now and a real timer. Sleep must return
	// ctx.Err() when ctx ends first. Tests pass fakes.
	Clock func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	// CommitPoll is how often Run looks whether another process (or
	// another handle on the file) has committed to the mirror, to send
	// DataChanged and ChecksChanged (default 500 ms).
	CommitPoll time.Duration
	// CheckPoll is how often an idle checker looks for jobs queued by
	// another process (default 1 s).
	CheckPoll time.Duration
	// OutboxRetry is the outbox sender's first wait after WhatsApp did not
	// take a change (default 1 s, doubling to a minute); tests shorten it.
	OutboxRetry time.Duration

	// checkIdled (tests) is signalled each time the checker found nothing
	// to send (checkq.Options.Idled).
	checkIdled chan<- struct{}
}

// Service connects a backend to the store.
type Service struct {
	store   *store.Store
	backend wa.Backend
	region  string
	log     *slog.Logger
	logPath string           // Options.LogPath
	clock   func() time.Time // Options.Clock, else time.Now
	// searchLimit is how many contacts SearchContacts reads at most
	// (searchScanLimit; a test sets a small one).
	searchLimit int

	mu     sync.Mutex
	status Status
	synced chan struct{} // closed on SyncCompleted; replaced on reconnect

	resyncs int           // full resyncs applied (appstate.go)
	applied chan struct{} // closed and replaced when one is applied

	notices chan Notice
	subs    subscribers // Subscribe's front ends (subscribe.go)
	// commitPoll: how often watchOtherWriters looks (Options.CommitPoll).
	commitPoll time.Duration
	// watched, when set (tests only, watch_test.go), runs after each look
	// of watchOtherWriters, once its notices are sent.
	watched func()

	// writesReady is closed once the database may be written (see
	// HoldWrites); writesErr says why it may not.
	writesReady chan struct{}
	writesErr   error
	// otherCommits counts the looks of watchOtherWriters that found
	// commits of another connection (DataVersion).
	otherCommits atomic.Uint64
	dataPending  atomic.Bool
	statPending  atomic.Bool
	checkPending atomic.Bool

	chk *checkq.Queue // the check queue (checks.go)
	ob  *outboxState  // the outbox sender (outbox.go)
}

// New returns a service over an open store and a backend. Call Run to start
// applying events.
func New(st *store.Store, be wa.Backend, opts Options) *Service {
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Service{
		store:       st,
		backend:     be,
		region:      opts.Region,
		log:         log,
		logPath:     opts.LogPath,
		synced:      make(chan struct{}),
		applied:     make(chan struct{}),
		notices:     make(chan Notice, 4),
		commitPoll:  opts.CommitPoll,
		clock:       opts.Clock,
		searchLimit: searchScanLimit,
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.commitPoll <= 0 {
		s.commitPoll = 500 * time.Millisecond
	}
	if opts.Clock != nil {
		// The mirror's own times follow the app's clock. Only when one is
		// given: a second service on the same store (doctor's) must not
		// reset the first one's.
		st.SetClock(opts.Clock)
	}
	s.status.Account = be.Account()
	s.chk = s.newChecks(opts)
	s.ob = newOutboxState(opts.OutboxRetry)
	if c, err := st.CountOutbox(context.Background()); err == nil {
		s.status.Outbox = c
	}
	if w := store.PermissionWarning(st.Path()); w != "" {
		log.Warn(w)
	}
	return s
}

// Notices is the stream of change notices for one front end. Notices of the
// same kind coalesce until the front end has read the one pending.
func (s *Service) Notices() <-chan Notice { return s.notices }

func (s *Service) pending(kind NoticeKind) *atomic.Bool {
	switch kind {
	case StatusChanged:
		return &s.statPending
	case ChecksChanged:
		return &s.checkPending
	}
	return &s.dataPending
}

func (s *Service) notify(kind NoticeKind) {
	s.notifySubscribers(kind)
	pending := s.pending(kind)
	if pending.Swap(true) {
		return
	}
	select {
	case s.notices <- Notice{Kind: kind}:
	default:
		pending.Store(false)
	}
}

// Acknowledge marks a notice as read so the next change sends a new one.
func (s *Service) Acknowledge(n Notice) { s.pending(n.Kind).Store(false) }

// Status returns the current connection and sync status.
func (s *Service) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status
}

// Region is the region used for numbers without a country code.
func (s *Service) Region() string {
	if s.region != "" {
		return s.region
	}
	if r := model.RegionOfPhone(s.backend.Account().Phone); r != "" {
		return r
	}
	return "US"
}

func (s *Service) updateStatus(f func(*Status)) {
	s.mu.Lock()
	f(&s.status)
	s.mu.Unlock()
	s.notify(StatusChanged)
}

// Connect asks the backend to connect (and pair, when needed).
func (s *Service) Connect(ctx context.Context) error {
	if err := s.backend.Connect(ctx); err != nil {
		s.updateStatus(func(st *Status) { st.LastError = err.Error() })
		return fmt.Errorf("connecting to WhatsApp: %w", err)
	}
	return nil
}

// Run applies backend events to the store until ctx ends or the backend
// closes its event stream.
func (s *Service) Run(ctx context.Context) {
	wctx, stopWatching := context.WithCancel(ctx)
	watching := make(chan struct{})
	go func() {
		defer close(watching)
		s.watchOtherWriters(wctx)
	}()
	// Nothing reads the store once Run returns, whether ctx ended or the
	// backend closed its events.
	defer func() { stopWatching(); <-watching }()
	events := s.backend.Events()
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-events:
			if !ok {
				return
			}
			if err := s.apply(ctx, ev); err != nil {
				s.log.Error("applying event", "event", fmt.Sprintf("%T", ev), "err", err)
				s.updateStatus(func(st *Status) { st.LastError = err.Error() })
			}
		}
	}
}

func (s *Service) apply(ctx context.Context, ev wa.Event) error {
	switch e := ev.(type) {
	case wa.ConnectionChanged:
		defer s.chk.Kick()   // it waits for a connection
		defer s.kickOutbox() // so does the outbox
		// The version is chosen before each connect attempt, whose
		// outcome comes as a ConnectionChanged.
		var version wa.VersionChoice
		if vr, ok := s.backend.(wa.VersionReporter); ok {
			version = vr.AnnouncedVersion()
		}
		s.updateStatus(func(st *Status) {
			st.Conn, st.Attempt, st.Until, st.Detail = e.State, e.Attempt, e.Until, e.Detail
			st.WAVersion = version
			if e.State == wa.StateConnected {
				st.PairCode, st.PhoneCode = "", ""
			}
		})
	case wa.SyncProgress:
		s.updateStatus(func(st *Status) { st.SyncStage, st.SyncDone, st.SyncTotal = e.Stage, e.Done, e.Total })
	case wa.SyncCompleted:
		defer s.kickOutbox() // label changes wait for the labels' first sync
		s.recordLastSync(ctx)
		s.mu.Lock()
		s.status.Synced = true
		s.status.SyncStage = ""
		select {
		case <-s.synced:
		default:
			close(s.synced)
		}
		s.mu.Unlock()
		s.notify(StatusChanged)
	case wa.PairCode:
		s.updateStatus(func(st *Status) {
			st.Conn = wa.StatePairing
			st.PairCode, st.PairTimeout, st.PairIssued, st.PairError = e.Code, e.Timeout, time.Now(), ""
		})
	case wa.PairSucceeded:
		s.updateStatus(func(st *Status) { st.Account, st.PairCode, st.PairError, st.PhoneCode = e.Account, "", "", "" })
	case wa.PairFailed:
		// The pairing connection is gone, and the phone code with it.
		s.updateStatus(func(st *Status) { st.PairCode, st.PairError, st.PhoneCode = "", e.Reason, "" })
	case wa.LoggedOut:
		s.updateStatus(func(st *Status) {
			st.Conn, st.Detail, st.Synced = wa.StateLoggedOut, e.Reason, false
			st.Account = s.backend.Account()
		})
	case wa.ContactsUpserted:
		return s.dataChange(s.store.UpsertContacts(ctx, e.Contacts))
	case wa.PushNameChanged:
		return s.dataChange(s.store.SetPushName(ctx, e.JID, e.PushName))
	case wa.GroupsReplaced:
		return s.dataChange(s.store.ReplaceGroups(ctx, e.Groups))
	case wa.GroupUpserted:
		return s.dataChange(s.store.UpsertGroup(ctx, e.Group))
	case wa.GroupLeft:
		return s.dataChange(s.store.DeleteGroup(ctx, e.JID))
	case wa.BlocklistReplaced:
		return s.dataChange(s.store.ReplaceBlocklist(ctx, e.JIDs))
	case wa.BlockChanged:
		return s.dataChange(s.store.SetBlocked(ctx, e.JID, e.Blocked))
	case wa.LabelEdited:
		if e.Deleted {
			return s.dataChange(s.store.DeleteWALabel(ctx, e.WALabelID))
		}
		_, err := s.store.UpsertWALabel(ctx, e.WALabelID, e.Name, e.Color)
		return s.dataChange(err)
	case wa.LabelAssociationChanged:
		return s.dataChange(s.store.SetWALabelChat(ctx, e.WALabelID, e.ChatJID, e.WAChatJID, e.Assigned))
	case wa.AppStateProblem, wa.AppStateResynced:
		s.applyAppState(ev)
	default:
		s.log.Warn("unhandled backend event", "event", fmt.Sprintf("%T", ev))
	}
	return nil
}

func (s *Service) dataChange(err error) error {
	if err != nil {
		return err
	}
	s.notify(DataChanged)
	return nil
}

// WaitSynced blocks until the backend reports a complete sync. It fails when
// the account needs pairing first or is logged out.
func (s *Service) WaitSynced(ctx context.Context) error {
	s.mu.Lock()
	synced := s.synced
	s.mu.Unlock()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-synced:
			return nil
		case <-ctx.Done():
			return fmt.Errorf("waiting for WhatsApp to sync: %w", ctx.Err())
		case <-tick.C:
			st := s.Status()
			switch {
			case st.Conn == wa.StatePairing:
				return fmt.Errorf("this account is not paired yet: run \"wabook pair\" first: %w", wa.ErrNotPaired)
			case st.Conn == wa.StateLoggedOut:
				return fmt.Errorf("the WhatsApp session is logged out: run \"wabook pair\": %w", wa.ErrNotPaired)
			}
		}
	}
}

// SyncOnce connects, applies events until the initial sync completes, and
// returns. Run must be running.
func (s *Service) SyncOnce(ctx context.Context) error {
	if err := s.Connect(ctx); err != nil {
		return err
	}
	return s.WaitSynced(ctx)
}

// HoldWrites makes every changing call wait until ReleaseWrites: the TUI
// draws its first frame while the database is being checked, and nothing
// may write to it before the check passes.
func (s *Service) HoldWrites() {
	s.mu.Lock()
	s.writesReady = make(chan struct{})
	s.mu.Unlock()
}

// ReleaseWrites lets the held calls go on, or fail with err when the
// database must not be written.
func (s *Service) ReleaseWrites(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.writesReady == nil {
		return
	}
	s.writesErr = err
	close(s.writesReady)
}

// writable waits for ReleaseWrites when writes are held.
func (s *Service) writable(ctx context.Context) error {
	if s.store.ReadOnly() {
		return s.store.ReadOnlyError()
	}
	s.mu.Lock()
	ready := s.writesReady
	s.mu.Unlock()
	if ready == nil {
		return nil
	}
	select {
	case <-ready:
	case <-ctx.Done():
		return ctx.Err()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writesErr
}
