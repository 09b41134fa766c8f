// Command wabook is a WhatsApp address book for the terminal. main parses the
// global flags, wires store, backend and service, and hands over to the TUI
// or a headless command; nothing else lives here.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/charmbracelet/colorprofile"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/cli"
	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/wa"
	"github.com/wabook/wabook/wa/sim"
	"github.com/wabook/wabook/wa/wm"
)

// usage is what wabook help (and --help) prints: the commands come from
// cli's help, so the list and each command's own help agree.
func usage() string { return usageHead + cli.Overview() + usageTail }

const usageHead = `wabook — a WhatsApp address book for the terminal

usage:
  wabook [global flags]                  the terminal UI
  wabook [global flags] COMMAND [flags]  a headless command (below)
  wabook help COMMAND                    what a command does, its flags with their defaults, and examples
                                         (so does wabook COMMAND --help)

commands:
`

const usageTail = `
add, edit, block, unblock, label and import queue what WhatsApp must learn in the outbox; the wabook
holding the connection sends it (when none does, the command itself). --wait waits for WhatsApp's
answer (exit 1 if it refused).

global flags:
  --demo          try wabook on a built-in simulated account (throw-away database)
  --sim FILE      use a simulated account described by a world file; what it changes on its server
                  (blocklist, labels) is kept in PATH.sim.json beside the database, every request it
                  received in PATH.sim-requests.jsonl
  --sim-reset     with --sim: start the simulated server again from the world file
  --db PATH       database file (default $WABOOK_DB or ~/.local/share/wabook/wabook.db)
  --region CC     country for numbers without a country code (default: the account's)
  --log FILE      log file (default: wabook.log next to the database)
  --wa-version V  announce this WhatsApp Web version (2.3000.N) instead of the one wabook picks
  --version       print the versions of wabook, Go and whatsmeow, and the WhatsApp Web version
                  wabook would announce (reads the database if there is one; creates nothing)

exit status: 0 done; 1 an error (one line on stderr); 2 a usage mistake; 3 check or checks retry:
some numbers ended failed (WhatsApp errors, no answer, or cancelled), the results printed all the same

config file: $WABOOK_CONFIG, else $XDG_CONFIG_HOME/wabook/config.json, e.g.
  {"check_batch_size":20,"check_pace":"10s","check_daily_budget":1000,"check_max_age":"168h",
   "wa_version":"2.3000.1031080782","wa_version_url":"https://web.whatsapp.com"}
  wa_version pins the WhatsApp Web version; wa_version_url is where the current one is read ("off": never);
  serve_rate_limit is the requests a minute each token of wabook serve may make (default 6000);
  serve_check_deadline is how long its check requests wait for answers (default "30s");
  webhook_url is where it POSTs the Business API's no_wait check results (serve --webhook overrides it)
`

type globals struct {
	db, sim, region, log string
	demo, simReset       bool
	waVersion            string // --wa-version
	version              bool   // --version
}

func main() {
	// A reader that goes away (wabook contacts | head) must not kill us
	// before the deferred clean-up runs: the demo's throw-away database
	// would stay behind. Writes then fail with EPIPE instead.
	signal.Ignore(syscall.SIGPIPE)
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	return runWith(args, stdout, stderr, nil)
}

// runWith is run; seen, when not nil, is given the backend and the service
// the run built, so a test can ask the simulated account what it was asked
// and the service what it runs.
func runWith(args []string, stdout, stderr io.Writer, seen func(wa.Backend, *app.Service)) int {
	var g globals
	fs := flag.NewFlagSet("wabook", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&g.db, "db", "", "")
	fs.StringVar(&g.sim, "sim", "", "")
	fs.StringVar(&g.region, "region", "", "")
	fs.StringVar(&g.log, "log", "", "")
	fs.BoolVar(&g.demo, "demo", false, "")
	fs.BoolVar(&g.simReset, "sim-reset", false, "")
	fs.StringVar(&g.waVersion, "wa-version", "", "")
	fs.BoolVar(&g.version, "version", false, "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage())
			return 0
		}
		fmt.Fprintf(stderr, "wabook: %v (see wabook --help)\n", err)
		return 2
	}
	command, rest := "", fs.Args()
	if len(rest) > 0 {
		command, rest = rest[0], rest[1:]
	}
	if command == "help" {
		if len(rest) == 0 {
			fmt.Fprint(stdout, usage())
			return 0
		}
		command, rest = rest[0], append(rest[1:], "--help")
	}
	spec, known := cli.Commands[command]
	runCommand := spec.Run
	if command != "" && !known {
		fmt.Fprintf(stderr, "wabook: unknown command %q (see wabook help)\n", command)
		return 2
	}
	if command != "" && cli.WantsHelp(rest) {
		return commandHelp(command, runCommand, rest, stdout, stderr)
	}
	// An empty path is a script's unset variable, not a wish for the
	// default: it must not quietly open the user's real address book.
	for _, name := range []string{"db", "sim", "log"} {
		if f := fs.Lookup(name); isSet(fs, name) && f.Value.String() == "" {
			what := map[string]string{"db": "or leave --db out for the default database",
				"sim": "(a world file) or leave --sim out for your own account", "log": "or leave --log out for the default log"}[name]
			fmt.Fprintf(stderr, "wabook: --%s is empty: give a file %s\n", name, what)
			return 2
		}
	}
	if g.demo && g.sim != "" {
		fmt.Fprintln(stderr, "wabook: use either --demo or --sim, not both")
		return 2
	}
	if g.simReset && g.sim == "" {
		// --demo's server starts from its world at every run anyway.
		fmt.Fprintln(stderr, "wabook: --sim-reset goes with --sim FILE (--demo starts afresh every time)")
		return 2
	}
	if g.demo && g.db != "" {
		fmt.Fprintln(stderr, "wabook: --demo uses a throw-away database; to keep one, use --sim FILE --db PATH")
		return 2
	}
	if g.region != "" && !model.KnownRegion(g.region) {
		fmt.Fprintf(stderr, "wabook: --region %s is not a country code (use two letters, like US, FR, BR)\n", model.QuoteInput(g.region))
		return 2
	}
	if g.waVersion != "" {
		if _, err := model.ParseWAVersion(g.waVersion); err != nil {
			fmt.Fprintf(stderr, "wabook: --wa-version: %v\n", err)
			return 2
		}
	}
	if g.version {
		return printVersion(context.Background(), g, stdout, stderr)
	}

	// SIGHUP is a dropped terminal for the TUI and the commands: they end.
	// serve is a daemon: SIGHUP reopens its log (runServe) and it ends on
	// SIGTERM and SIGINT only.
	stopSignals := []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}
	var hup chan os.Signal
	if command == "serve" {
		stopSignals = stopSignals[:2]
		hup = make(chan os.Signal, 1)
		signal.Notify(hup, syscall.SIGHUP)
		defer signal.Stop(hup)
	}
	ctx, stop := signal.NotifyContext(context.Background(), stopSignals...)
	defer stop()

	if command == "doctor" {
		return runDoctor(ctx, g, rest, stdout, stderr)
	}

	var profile <-chan colorprofile.Profile
	if runCommand == nil {
		profile = detectColorProfile() // beside the wiring (tui.go)
	}
	w, err := wire(ctx, g, seen)
	if err != nil {
		fmt.Fprintf(stderr, "wabook: %v\n", app.PlainError(err))
		return 1
	}
	// One process at a time owns the WhatsApp connection.
	lock, lockErr := app.AcquireLock(w.dbPath)
	// Shutdown in order: stop applying events and checking numbers, close
	// the backend and the database, and only then let the lock go, so a
	// second wabook never connects while this one still is.
	defer func() {
		stop()
		w.stopService()
		w.close()
		if lockErr == nil {
			lock.Release()
		}
		w.takenLock.Release() // taken over from a wabook that quit (runTUI)
	}()
	var locked *app.LockedError
	switch {
	case lockErr == nil || errors.As(lockErr, &locked):
	case w.store.ReadOnly() && errors.Is(lockErr, os.ErrPermission):
		// A read-only database in a folder this user may not write: no
		// lock file can be made there, and none is needed to read (writes
		// are refused by the store).
	default:
		fmt.Fprintf(stderr, "wabook: %v\n", app.PlainError(lockErr))
		return 1
	}

	if runCommand == nil {
		return runTUI(ctx, w, locked, profile, stderr)
	}
	// Nothing writes to a damaged database: check it before the service
	// starts applying events or a command changes anything.
	if err := w.store.Verify(ctx); err != nil {
		fmt.Fprintf(stderr, "wabook: %v\n", err)
		return 1
	}
	// The check queue is not started here: a command that waits for a
	// check job runs it (cli.Env.Holder), one that returns at once must not
	// start a batch and walk away from it.
	w.startService(ctx)
	if cli.NeedsConnection(command) && locked != nil {
		fmt.Fprintf(stderr, "wabook: %v\n", locked)
		return 1
	}
	if w.simulated && locked == nil && !cli.NeedsConnection(command) && !w.store.ReadOnly() {
		// The simulated phone is the source of truth: mirror it first.
		syncCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := w.svc.SyncOnce(syncCtx)
		cancel()
		if err != nil && !errors.Is(err, wa.ErrNotPaired) {
			fmt.Fprintf(stderr, "wabook: %v\n", app.PlainError(err))
			return 1
		}
	}
	if lockErr == nil && !cli.HoldsConnection(command) {
		lock.Release()
	}
	env := cli.Env{Svc: w.svc, Out: stdout, Err: stderr}
	env.Serve = func(ctx context.Context, o cli.ServeOptions) error { return runServe(ctx, w, o, stdout, hup) }
	if locked != nil {
		env.Holder = locked.PID
		env.TakeOver = func(ctx context.Context) (bool, error) {
			if w.takenLock != nil {
				return true, nil
			}
			l, err := app.AcquireLock(w.dbPath)
			if err != nil {
				return false, nil // still held
			}
			w.takenLock = l
			if err := w.svc.TakeOver(ctx); err != nil {
				return false, fmt.Errorf("taking the WhatsApp connection over: %w", err)
			}
			return true, nil
		}
	}
	return commandExit(runCommand(ctx, env, rest), stderr)
}

// commandExit is a sub-command's exit code: 0 when it succeeded or its
// reader went away (EPIPE: the reader has what it wanted), 2 for a usage
// error, 3 for a check whose numbers did not all get an answer, else 1;
// an error is told on stderr in one line.
func commandExit(err error, stderr io.Writer) int {
	if err == nil || errors.Is(err, syscall.EPIPE) {
		return 0
	}
	fmt.Fprintf(stderr, "wabook: %v\n", app.PlainError(err))
	var usageErr *cli.UsageError
	var failed *cli.FailedNumbersError
	switch {
	case errors.As(err, &usageErr):
		return 2
	case errors.As(err, &failed):
		return 3
	}
	return 1
}

// commandHelp prints a command's help (wabook COMMAND --help, wabook help
// COMMAND). It runs the command with only its help flag: it answers from
// its flag set before it would open or change anything, so no database,
// lock or backend is made for it.
func commandHelp(name string, cmd cli.Command, args []string, stdout, stderr io.Writer) int {
	err := cmd(context.Background(), cli.Env{Out: stdout, Err: stderr}, cli.HelpArgs(name, args))
	var help *cli.HelpRequest
	if !errors.As(err, &help) {
		fmt.Fprintf(stderr, "wabook: %s did not give its help (%v)\n", name, err)
		return 1
	}
	fmt.Fprint(stdout, help.Text)
	return 0
}

// isSet reports whether a flag was given on the command line.
func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// wiring is what a run works with.
type wiring struct {
	running   chan struct{} // closed when the service's event loop ends
	svc       *app.Service
	store     *store.Store
	dbPath    string
	simulated bool
	cleanups  []func()
	// takenLock is the connection lock a UI took over when the wabook
	// holding it quit; released with the rest, after close.
	takenLock *app.Lock
	// logFile is the log (nil when there is none); serve reopens it on
	// SIGHUP.
	logFile *app.LogFile
	// demo: the throw-away database of --demo.
	demo bool
	// cfg is the config file as read (serve's rate limit).
	cfg app.Config
}

// startService starts applying backend events to the store.
func (w *wiring) startService(ctx context.Context) {
	w.running = make(chan struct{})
	go func() {
		defer close(w.running)
		w.svc.Run(ctx)
	}()
}

// stopService waits for the event loop (its context must be done) and
// stops the check queue.
func (w *wiring) stopService() {
	if w.running != nil {
		<-w.running
	}
	w.svc.StopChecker()
	w.svc.StopOutbox()
}

func (w *wiring) close() {
	for i := len(w.cleanups) - 1; i >= 0; i-- {
		w.cleanups[i]()
	}
}

// wire opens the database and the log, picks the backend and builds the
// service (handing both to seen, when set).
func wire(ctx context.Context, g globals, seen func(wa.Backend, *app.Service)) (*wiring, error) {
	w := &wiring{simulated: g.demo || g.sim != "", demo: g.demo}
	fail := func(err error) (*wiring, error) {
		w.close()
		return nil, err
	}
	// A broken world file is reported before anything is created.
	var world *sim.World
	switch {
	case g.demo:
		world = sim.DemoWorld()
	case g.sim != "":
		var err error
		if world, err = sim.LoadWorldFile(g.sim); err != nil {
			return nil, err
		}
	}

	cfgPath, err := app.DefaultConfigPath()
	if err != nil {
		return nil, err
	}
	cfg, err := app.LoadConfig(cfgPath)
	if err != nil {
		return nil, err
	}
	w.cfg = cfg

	w.dbPath = g.db
	if g.demo {
		dir, err := os.MkdirTemp("", "wabook-demo-")
		if err != nil {
			return nil, fmt.Errorf("creating the demo database: %w", err)
		}
		w.cleanups = append(w.cleanups, func() { os.RemoveAll(dir) })
		w.dbPath = filepath.Join(dir, "wabook.db")
	} else if w.dbPath == "" {
		p, err := store.DefaultPath()
		if err != nil {
			return nil, err
		}
		w.dbPath = p
	}

	st, err := store.Open(w.dbPath)
	if err != nil {
		return fail(err)
	}
	w.cleanups = append(w.cleanups, func() { st.Close() })
	w.store = st

	logPath := g.log
	if logPath == "" {
		logPath = filepath.Join(filepath.Dir(w.dbPath), "wabook.log")
	}
	var logTo io.Writer = io.Discard
	logFile, err := app.OpenLogFile(logPath)
	switch {
	case err == nil:
		w.cleanups = append(w.cleanups, func() { logFile.Close() })
		logTo = logFile
		w.logFile = logFile
	case st.ReadOnly() && g.log == "" && errors.Is(err, os.ErrPermission):
		// A database someone shares read-only, in a folder this user may
		// not write: reading it needs no log (--log gives one elsewhere).
		logPath = ""
	default:
		return fail(fmt.Errorf("opening the log file: %w", err))
	}
	log := slog.New(slog.NewTextHandler(logTo, &slog.HandlerOptions{Level: slog.LevelInfo}))

	var backend wa.Backend
	if world != nil {
		// The simulated server keeps its state beside the database (for
		// --demo, in the throw-away directory), as WhatsApp keeps it
		// between two runs.
		b, err := sim.Open(world, sim.PersistBeside(w.dbPath, g.simReset))
		if err != nil {
			return fail(fmt.Errorf("starting the simulated account: %w", err))
		}
		backend = b
	} else {
		// whatsmeow creates its tables on first use: that is a write, so
		// the file must be sound first. Later starts only read them.
		if !st.HasTable(ctx, "whatsmeow_version") {
			if err := st.Verify(ctx); err != nil {
				return fail(err)
			}
		}
		versions := app.NewVersions(st, app.VersionOptions{Flag: g.waVersion, Config: cfg,
			Fetch: wm.VersionFetcher{}.FetchFrom, BuiltIn: wm.BuiltInVersion()})
		opts := wm.Options{LogPath: logPath, Versions: versions, ConfigPath: cfgPath,
			State: app.SettingsKV(st), ReadOnly: st.ReadOnly()}
		if w.logFile != nil {
			// One file, reopened as one on SIGHUP (wabook serve).
			opts.LogWriter = w.logFile
		}
		b, err := wm.New(ctx, st.DB(), opts)
		if err != nil {
			return fail(fmt.Errorf("starting the WhatsApp client: %w", err))
		}
		backend = b
	}
	w.cleanups = append(w.cleanups, func() { backend.Close() })
	w.svc = app.New(st, backend, app.Options{Region: strings.ToUpper(g.region), Log: log, LogPath: logPath, Config: &cfg})
	if seen != nil {
		seen(backend, w.svc)
	}
	return w, nil
}
