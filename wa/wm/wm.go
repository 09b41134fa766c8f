// Package wm is wabook's whatsmeow adapter: a wa.Backend for a real
// WhatsApp account. It keeps whatsmeow's device store in the same SQLite
// database as the mirror (sqlstore, dialect "sqlite"), turns whatsmeow's
// events into wa events in model terms, and never writes to the terminal:
// whatsmeow logs go to a file.
//
// Everything that reaches the network goes through the small netClient
// interface, so the event handling and the sync can be driven in tests
// without a socket while the device store stays real.
package wm

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/appstate"
	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/proto/waCompanionReg"
	wastore "go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/store/sqlstore"
	"go.mau.fi/whatsmeow/store/sqlstore/upgrades"
	"go.mau.fi/whatsmeow/types"
	waLog "go.mau.fi/whatsmeow/util/log"

	"github.com/wabook/wabook/wa"
)

var _ wa.Backend = (*Backend)(nil)

// Defaults.
const (
	// DefaultDeviceName is the name the phone shows in its linked devices.
	DefaultDeviceName = "wabook"
	// PairDisplayName is the client name sent with a pairing-code request;
	// WhatsApp only accepts "Browser (OS)" names it knows.
	PairDisplayName = "Chrome (Linux)"
	// EventBuffer is the capacity of the Events channel.
	EventBuffer = 1024
	// MaxCheckBatch is the most numbers one CheckNumbers call takes.
	MaxCheckBatch = 20
	// contactChunk is how many contacts one ContactsUpserted carries.
	contactChunk = 1000
	// defaultContactsDelay coalesces bursts of contact changes (a full app
	// state sync emits one event per contact) into one re-read.
	defaultContactsDelay = 2 * time.Second
	// defaultContactsWait is how long the first sync of a newly paired
	// device waits for the phone to send the contact list before it
	// reports the sync complete anyway.
	defaultContactsWait = 2 * time.Minute
	// defaultSyncEvery is how often, at most, a reconnect re-runs a sync
	// stage that succeeded (sync.go, syncPass).
	defaultSyncEvery = 2 * time.Minute
	// defaultHistoryDelay gathers the blobs of a history sync (they come in
	// chunks) into one contact re-read.
	defaultHistoryDelay = 10 * time.Second
	// defaultPairRereadDelay: contacts are read once more this long after a
	// new pairing, when history sync has brought push names and LIDs.
	defaultPairRereadDelay = 3 * time.Minute
	// pairCodeMinLife is the least time a pairing connection must have left
	// for a pairing code to be asked for on it: the user has to open
	// Linked devices on the phone and type eight characters. A fresh
	// connection gives about 160 s.
	pairCodeMinLife = 90 * time.Second
	// pairWait bounds how long PairPhone waits for the pairing socket.
	pairWait = 60 * time.Second
	// logoutWait bounds how long Logout waits for a connection.
	logoutWait = 30 * time.Second
)

// Errors.
var (
	// ErrClosed is returned by every call after Close.
	ErrClosed = errors.New("wm: backend is closed")
	// ErrAlreadyPaired is returned by PairPhone on a paired account.
	ErrAlreadyPaired = errors.New("wm: account is already paired")
)

// Options configure a Backend.
type Options struct {
	// LogPath is the file whatsmeow logs to (zerolog JSON lines, info
	// level and above). "" discards the logs.
	LogPath string
	// Log overrides LogPath (tests).
	Log waLog.Logger
	// LogWriter, when set, is written to instead of opening LogPath: a
	// log file the caller reopens on SIGHUP (wabook serve, app.LogFile),
	// shared with the caller's own log.
	LogWriter io.Writer
	// DeviceName is the name the phone lists the linked device under;
	// "wabook" when empty. The device presents itself as Chrome.
	DeviceName string
	// Backoff is the wait before reconnect attempt n (1-based); by default
	// 2 s doubling to 2 min, with ±10 % jitter.
	Backoff func(attempt int) time.Duration
	// Versions picks the WhatsApp Web version to announce and learns which
	// ones WhatsApp accepts; nil announces whatsmeow's built-in version.
	Versions wa.VersionSource
	// ConfigPath is the config file named when WhatsApp refuses the
	// version and the user is told how to set wa_version there.
	ConfigPath string
	// State keeps the adapter's own marks across restarts (such as "needs a
	// full app-state resync"); nil keeps them in memory only.
	State wa.KV
	// AppStateWait bounds how long Close waits for an app-state save in
	// the middle (appstate.go); DefaultAppStateWait when zero.
	AppStateWait time.Duration
	// ReadOnly builds a backend that only reads the session, for `wabook
	// doctor`: whatsmeow's tables are not upgraded, so New refuses with
	// a *SessionVersionError when they are not at this whatsmeow's version, and
	// it never connects. The database given should refuse writes as well
	// (store.OpenReadOnly).
	ReadOnly bool
}

// SessionVersionError is returned by New with Options.ReadOnly when
// whatsmeow's tables are at another version than the one this whatsmeow
// would upgrade them to.
type SessionVersionError struct{ Stored, Want int }

func (e *SessionVersionError) Error() string {
	return fmt.Sprintf("the WhatsApp session tables are at version %d and this wabook's whatsmeow uses %d: not upgraded", e.Stored, e.Want)
}

// errReadOnly is returned by Connect on a backend built with
// Options.ReadOnly.
var errReadOnly = errors.New("wm: this backend only reads the session: it does not connect")

// netClient is everything the backend asks WhatsApp over the network
// outside connecting and pairing. *whatsmeow.Client implements it; tests
// substitute a fake.
type netClient interface {
	GetJoinedGroups(ctx context.Context) ([]*types.GroupInfo, error)
	GetGroupInfo(ctx context.Context, jid types.JID) (*types.GroupInfo, error)
	GetUserInfo(ctx context.Context, jids []types.JID) (map[types.JID]types.UserInfo, error)
	GetProfilePictureInfo(ctx context.Context, jid types.JID, params *whatsmeow.GetProfilePictureParams) (*types.ProfilePictureInfo, error)
	SendAppState(ctx context.Context, patch appstate.PatchInfo) error
	// SendIQ sends an info query wabook builds itself and returns the
	// reply (see PROTOCOL.md for each query's shape). As in whatsmeow, a
	// reply of type "error" comes back with a *whatsmeow.IQError.
	SendIQ(ctx context.Context, q whatsmeow.DangerousInfoQuery) (*waBinary.Node, error)
	// FetchAppState syncs one app-state collection (fullSync: from
	// scratch) and dispatches its events to the handlers, as whatsmeow's
	// Client.FetchAppState does.
	FetchAppState(ctx context.Context, name appstate.WAPatchName, fullSync, onlyIfNotSynced bool) error
}

// liveNet is the netClient of a real connection.
type liveNet struct{ *whatsmeow.Client }

func (l liveNet) SendIQ(ctx context.Context, q whatsmeow.DangerousInfoQuery) (*waBinary.Node, error) {
	return l.DangerousInternals().SendIQ(ctx, q)
}

var _ netClient = liveNet{}

// session is one run of Connect: the retry loop, pairing and the live
// connection, until Disconnect, Logout, Close or a permanent failure.
type session struct {
	ctx     context.Context
	cancel  context.CancelFunc
	qrReady chan struct{} // closed when the pairing socket shows its first code
	qrOnce  sync.Once
	phone   bool // PairPhone was used: QR codes are no longer shown (b.mu)
	// version is the WhatsApp Web version this session announces, chosen
	// on its first attempt; versionRetried: it replaces one WhatsApp
	// refused, so another refusal is final (b.mu; version.go).
	version        wa.VersionChoice
	versionRetried bool
	// qrDeadline is when whatsmeow closes the pairing connection, known
	// from its first QR event (b.mu).
	qrDeadline time.Time
	// waiting: the session sleeps between two connect attempts; a Connect
	// then sends on wake to try at once (backoff.go, wakeLocked) (b.mu).
	waiting bool
	wake    chan struct{}
	// lastErr says in a few words why the last connect attempt failed,
	// "" before any failed (b.mu).
	lastErr string
	// failures counts the failed connect attempts; failed is closed and
	// replaced at each, so PairPhone learns of them as they happen
	// (backoff.go, announceRetry) (b.mu).
	failures int
	failed   chan struct{}

	// handlerCtx is what whatsmeow's handlers get: it ends after ctx,
	// once no app-state save is in the middle (appstateguard.go).
	handlerCtx context.Context
}

// Backend is the whatsmeow adapter. All methods are safe for concurrent use.
type Backend struct {
	// Set at construction, read-only after.
	container     *sqlstore.Container
	log           waLog.Logger
	logFile       *os.File
	backoff       func(int) time.Duration
	ctx           context.Context // ends on Close
	readOnly      bool            // Options.ReadOnly: never connects
	cancel        context.CancelFunc
	contactsDelay time.Duration
	contactsWait  time.Duration
	wsHTTP        *http.Client // overrides whatsmeow's websocket HTTP client (tests)
	netOverride   netClient    // overrides the client's network calls (tests)
	versions      wa.VersionSource
	configPath    string
	now           func() time.Time

	// pairCode asks for a pairing code on a client's connection
	// (askPairCode; tests substitute it).
	pairCode func(ctx context.Context, cli *whatsmeow.Client, phone string) (string, error)
	// connect opens a client's connection (cli.ConnectContext; tests
	// substitute it to play a login WhatsApp accepts at first).
	connect func(ctx context.Context, cli *whatsmeow.Client) error
	// pairWait bounds how long PairPhone waits for a pairing connection
	// (the pairWait constant; tests shorten it).
	pairWait time.Duration
	// afterFunc arms the timers of the contact re-reads and of the wait
	// for the contact list (time.AfterFunc; tests fire them by hand, to
	// know how many are pending).
	afterFunc func(d time.Duration, f func()) *time.Timer
	// loops is how many connectLoops run (tests check a session never runs
	// two at once).
	loops atomic.Int32
	// versionCalls are the version source's calls in flight (they write
	// the version cache); Close waits for them.
	versionCalls sync.WaitGroup
	// Sync pacing (sync.go).
	syncEvery       time.Duration
	historyDelay    time.Duration
	pairRereadDelay time.Duration

	events *wa.EventQueue
	done   chan struct{}

	// App-state safety (appstate.go, appstateguard.go).
	guard        *appStateGuard
	appStateWait time.Duration
	kv           wa.KV
	shields      sync.WaitGroup // one per shielded context; Close waits
	resyncMu     sync.Mutex     // one full resync at a time
	// markMu orders the writes of the resync mark to State; marksDone
	// (under markMu) ends them once Close is done with the shields, since
	// the caller closes the database after Close.
	markMu    sync.Mutex
	marksDone bool
	// markEpoch (under mu) moves on at each logout: shields made before
	// it mark nothing (logout.go, loggedOutHere).
	markEpoch uint64
	// shieldEnding, when set (tests only), runs after a shield has decided
	// to end and before it cancels its context: the moment a save that
	// starts just then would be cut in half.
	shieldEnding func()

	// tasks is the worker goroutine's queue (worker.go).
	tasks *wa.Mailbox[func(context.Context)]

	mu            sync.Mutex
	closed        bool
	client        *whatsmeow.Client
	sess          *session
	stale         []context.CancelFunc // sessions detached after a permanent failure
	state         wa.ConnState
	attempt       int
	loggedOut     bool // the device was logged out; a new one is made on Connect
	contactsTimer *time.Timer
	awaitContacts *time.Timer // first sync waits for the phone's contact list

	applied wa.VersionChoice // the WhatsApp Web version whatsmeow announces now (version.go)
	// acct is a copy of the device's identity, taken where whatsmeow's
	// writes to it are known to be done (see refreshAccount), so Account
	// never reads fields whatsmeow may be writing during pairing.
	acct wa.Account
	// Sync pacing (sync.go): when each stage last succeeded, the re-reads
	// scheduled after a history sync and after a new pairing, and the LIDs
	// of contacts not mirrored for want of a phone number.
	lastSync                map[string]time.Time
	historyTimer, pairTimer *time.Timer
	unmapped                map[types.JID]bool
	resyncReason            string // why a full app-state resync is due; "" when none
	asProblem               string // the last app-state problem reported
	autoTried               bool   // the automatic resync for the current mark ran
}

// New opens whatsmeow's device store in db (upgrading its tables), loads the
// first device (or makes a new, unpaired one) and returns a backend that is
// not connected yet. db must be a modernc.org/sqlite database opened with
// foreign keys on.
func New(ctx context.Context, db *sql.DB, opts Options) (*Backend, error) {
	if db == nil {
		return nil, errors.New("wm: nil database")
	}
	log, logFile, err := openLog(opts)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*Backend, error) {
		if logFile != nil {
			logFile.Close()
		}
		return nil, err
	}
	container := sqlstore.NewWithDB(db, "sqlite", log.Sub("Database"))
	if opts.ReadOnly {
		if err := sessionVersionIsCurrent(ctx, db); err != nil {
			return fail(err)
		}
	} else if err := container.Upgrade(ctx); err != nil {
		return fail(fmt.Errorf("wm: preparing the WhatsApp session tables: %w", err))
	}
	device, err := container.GetFirstDevice(ctx)
	if err != nil {
		return fail(fmt.Errorf("wm: loading the WhatsApp session: %w", err))
	}
	setDeviceProps(opts.DeviceName)

	bctx, cancel := context.WithCancel(context.Background())
	b := &Backend{
		container:     container,
		log:           log,
		logFile:       logFile,
		backoff:       opts.Backoff,
		ctx:           bctx,
		cancel:        cancel,
		contactsDelay: defaultContactsDelay,
		contactsWait:  defaultContactsWait,
		events:        wa.NewEventQueue(EventBuffer),
		lastSync:      map[string]time.Time{},
		done:          make(chan struct{}),
		versions:      opts.Versions,
		configPath:    opts.ConfigPath,
		appStateWait:  opts.AppStateWait,
		kv:            opts.State,
		readOnly:      opts.ReadOnly,
	}
	b.now, b.pairCode, b.connect, b.pairWait = time.Now, askPairCode, connectClient, pairWait
	b.afterFunc = time.AfterFunc
	b.syncEvery, b.historyDelay, b.pairRereadDelay = defaultSyncEvery, defaultHistoryDelay, defaultPairRereadDelay
	if b.backoff == nil {
		b.backoff = DefaultBackoff
	}
	if b.appStateWait <= 0 {
		b.appStateWait = DefaultAppStateWait
	}
	b.guard = newAppStateGuard(b.saveFailed)
	b.client = b.newClient(device)
	b.acct = accountOf(device)
	b.tasks = wa.NewMailbox(b.runTask, nil)
	b.loadResyncMark(ctx)
	return b, nil
}

// sessionVersionIsCurrent checks, without writing, that whatsmeow's
// tables are at the version container.Upgrade would bring them to (one
// step per entry of whatsmeow's upgrade table, recorded in the row of
// whatsmeow_version that Upgrade reads and rewrites): only then are they
// what this whatsmeow's queries expect.
func sessionVersionIsCurrent(ctx context.Context, db *sql.DB) error {
	var stored int
	if err := db.QueryRowContext(ctx, `SELECT version FROM whatsmeow_version LIMIT 1`).Scan(&stored); err != nil {
		return fmt.Errorf("wm: reading the WhatsApp session tables' version: %w", err)
	}
	if want := len(upgrades.Table); stored != want {
		return &SessionVersionError{Stored: stored, Want: want}
	}
	return nil
}

var devicePropsOnce sync.Once

// setDeviceProps sets how the linked device presents itself. whatsmeow keeps
// these in package globals, so the first backend of the process decides.
func setDeviceProps(name string) {
	if name == "" {
		name = DefaultDeviceName
	}
	devicePropsOnce.Do(func() {
		wastore.DeviceProps.Os = &name
		wastore.DeviceProps.PlatformType = waCompanionReg.DeviceProps_CHROME.Enum()
	})
}

// newClient wraps a device in a configured whatsmeow client.
func (b *Backend) newClient(device *wastore.Device) *whatsmeow.Client {
	b.guard.wrap(device)
	cli := whatsmeow.NewClient(device, watchLog{Logger: b.log.Sub("Client"), seen: b.appStateFailed})
	cli.EnableAutoReconnect = true
	cli.EmitAppStateEventsOnFullSync = true
	cli.AutoReconnectHook = b.autoReconnectHook
	if b.wsHTTP != nil {
		cli.SetWebsocketHTTPClient(b.wsHTTP)
		cli.SetPreLoginHTTPClient(b.wsHTTP)
	}
	cli.AddEventHandler(b.handle)
	return cli
}

// cli is the current whatsmeow client.
func (b *Backend) cli() *whatsmeow.Client {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.client
}

// net is what network calls go through.
func (b *Backend) net() netClient {
	if b.netOverride != nil {
		return b.netOverride
	}
	return liveNet{b.cli()}
}

// Close ends the session, closes Events (events not yet received are
// dropped) and the log file. It is safe to call more than once.
func (b *Backend) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	b.tasks.Stop()
	cancels := b.detachLocked()
	b.stopTimersLocked()
	cli := b.client
	close(b.done)
	b.mu.Unlock()

	for _, c := range cancels {
		c()
	}
	b.cancel()
	cli.Disconnect()
	// The version source's calls end soon with their context cancelled;
	// none may touch the database after Close returns.
	b.versionCalls.Wait()
	// Handlers still saving app state finish (bounded) before the caller
	// closes the database.
	b.shields.Wait()
	// A save that was left in the middle fails after this; its shield has
	// saved the mark already.
	b.markMu.Lock()
	b.marksDone = true
	b.markMu.Unlock()
	cli.RemoveEventHandlers()
	b.events.Close()
	b.tasks.Wait()
	if b.logFile != nil {
		return b.logFile.Close()
	}
	return nil
}

func (b *Backend) stopTimersLocked() {
	if b.contactsTimer != nil {
		b.contactsTimer.Stop()
		b.contactsTimer = nil
	}
	if b.awaitContacts != nil {
		b.awaitContacts.Stop()
		b.awaitContacts = nil
	}
	for _, t := range []**time.Timer{&b.historyTimer, &b.pairTimer} {
		if *t != nil {
			(*t).Stop()
			*t = nil
		}
	}
}
