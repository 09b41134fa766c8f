package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/cli"
	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/wa"
	"github.com/wabook/wabook/wa/sim"
	"github.com/wabook/wabook/wa/wm"
)

// wabookVersion is the module version and VCS revision the binary was
// built from.
func wabookVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " " + s.Value[:12]
		}
	}
	return v
}

// moduleVersion is the version of the module path the binary was built
// with (its replacement's when replaced), "unknown" without build info.
func moduleVersion(path string) string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	for _, m := range bi.Deps {
		if m.Path != path {
			continue
		}
		if m.Replace != nil {
			if m.Replace.Version == "" {
				return m.Version + " => " + m.Replace.Path
			}
			return m.Replace.Version
		}
		return m.Version
	}
	return "unknown"
}

// diagnosis is what --version and doctor read: the paths, the config and
// the database when it exists. It changes nothing: the database is opened
// read-only and never migrated (store.OpenReadOnly); only doctor --refresh
// creates a missing database, or writes to a current one, to cache the
// version it fetched.
type diagnosis struct {
	dbPath, logPath, cfgPath string
	cfg                      app.Config
	cfgErr                   error
	// store reads the database; nil when there is none or it could not be
	// opened (openErr says why).
	store   *store.Store
	openErr error
	// schema is the database's schema version (0: not a wabook
	// database); current when it is the one this wabook writes.
	schema  int
	current bool
	// cache is a writable handle for --refresh to cache into, and noCache
	// says why there is none (openCache).
	cache   *store.Store
	noCache string
}

// diagnose gathers it; refresh creates a missing database for --refresh to
// cache into. The paths are made absolute: a report read later, or by
// someone else, must not depend on the directory doctor ran in.
func diagnose(ctx context.Context, g globals, refresh bool) (*diagnosis, error) {
	d := &diagnosis{dbPath: g.db}
	var err error
	if d.cfgPath, err = app.DefaultConfigPath(); err != nil {
		return nil, err
	}
	if d.dbPath == "" {
		if d.dbPath, err = store.DefaultPath(); err != nil {
			return nil, err
		}
	}
	d.logPath = g.log
	if d.logPath == "" {
		d.logPath = filepath.Join(filepath.Dir(d.dbPath), "wabook.log")
	}
	for _, p := range []*string{&d.dbPath, &d.logPath, &d.cfgPath} {
		if abs, err := filepath.Abs(*p); err == nil {
			*p = abs
		}
	}
	d.cfg, d.cfgErr = app.LoadConfig(d.cfgPath) // its errors name the absolute path too
	_, err = os.Stat(d.dbPath)
	switch {
	case errors.Is(err, fs.ErrNotExist) && refresh && d.cfgErr == nil && d.cfg.WAVersionURL != app.VersionURLOff:
		// A new database is made whole at once, like any command makes it.
		st, err := store.Open(d.dbPath)
		if err != nil {
			d.openErr = err
			return d, nil
		}
		st.Close()
	case errors.Is(err, fs.ErrNotExist):
		return d, nil
	case err != nil:
		d.openErr = err
		return d, nil
	}
	if d.store, d.openErr = store.OpenReadOnly(d.dbPath); d.store != nil {
		v, err := d.store.FileSchemaVersion(ctx)
		d.schema, d.current = v, err == nil && v == store.SchemaVersion()
	}
	return d, nil
}

// openCache opens the writable handle --refresh caches the fetched version
// through, when the database is current and sound (integrity is its
// check): an older one is not migrated, and nothing writes to a damaged
// one.
func (d *diagnosis) openCache(integrity string) {
	switch {
	case d.store == nil:
		d.noCache = "the database could not be opened"
	case !d.current && d.schema < store.SchemaVersion():
		d.noCache = app.SchemaNotUpgraded(d.schema)
	case !d.current:
		d.noCache = "the database's schema could not be read"
	case integrity != "ok":
		d.noCache = "the database is damaged"
	default:
		var err error
		if d.cache, err = store.OpenCurrent(d.dbPath); err != nil {
			d.noCache = err.Error()
		}
	}
}

func (d *diagnosis) close() {
	if d.cache != nil {
		d.cache.Close()
	}
	if d.store != nil {
		d.store.Close()
	}
}

// versions is the version source a real connection would use; it never
// fetches unless asked to refresh, and reads the cache only from a current
// database (an older one may lack it).
func (d *diagnosis) versions(g globals) *app.Versions {
	st := d.cache
	if st == nil && d.current {
		st = d.store
	}
	return app.NewVersions(st, app.VersionOptions{Flag: g.waVersion, Config: d.cfg,
		Fetch: wm.VersionFetcher{}.FetchFrom, BuiltIn: wm.BuiltInVersion(), NoCache: d.noCache})
}

// printVersion is `wabook --version`: wabook's version, the Go and
// whatsmeow versions it was built with (what a bug report needs), and the
// WhatsApp Web version a connection would announce, read from the flag,
// the config and the cache only; it never fetches, and creates no
// database (diagnose without refresh only opens an existing one,
// read-only).
func printVersion(ctx context.Context, g globals, stdout, stderr io.Writer) int {
	fmt.Fprintf(stdout, "wabook %s\nGo %s\nwhatsmeow %s\n", wabookVersion(), runtime.Version(), moduleVersion("go.mau.fi/whatsmeow"))
	if g.demo || g.sim != "" {
		fmt.Fprintln(stdout, "WhatsApp Web: none (simulated account)")
		return 0
	}
	d, err := diagnose(ctx, g, false)
	if err != nil {
		fmt.Fprintf(stderr, "wabook: %v\n", err)
		return 1
	}
	defer d.close()
	c := d.versions(g).Current(ctx)
	fmt.Fprintf(stdout, "WhatsApp Web %s (%s)\n", c.Version, c.Source)
	if d.cfgErr != nil {
		// The config may pin a version or name another page: the line
		// above is what wabook would pick without it.
		fmt.Fprintf(stderr, "wabook: %v (the WhatsApp Web version above ignores the config file; every other command stops on it)\n", d.cfgErr)
		return 1
	}
	if c.Note != "" {
		fmt.Fprintf(stdout, "  %s\n", c.Note)
	}
	return 0
}

// runDoctor is `wabook doctor`. Unlike other commands it works while
// another wabook holds the lock and on a damaged database (it reports the
// damage instead of refusing), creates the database only for --refresh to
// cache into, and never connects to WhatsApp.
func runDoctor(ctx context.Context, g globals, args []string, stdout, stderr io.Writer) int {
	if g.demo {
		fmt.Fprintln(stderr, "wabook: doctor looks at a database; --demo has only a throw-away one")
		return 2
	}
	flags, err := cli.ParseDoctorArgs(args)
	if err != nil {
		fmt.Fprintf(stderr, "wabook: %v\n", err)
		return 2
	}
	// --refresh caches what it fetches, so it makes the database when
	// there is none yet.
	d, err := diagnose(ctx, g, flags.Refresh)
	if err != nil {
		fmt.Fprintf(stderr, "wabook: %v\n", err)
		return 1
	}
	defer d.close()
	in := app.DoctorInput{WabookVersion: wabookVersion(), DBPath: d.dbPath, Store: d.store, OpenErr: d.openErr,
		LogPath: d.logPath, Config: d.cfg, ConfigPath: d.cfgPath, ConfigErr: d.cfgErr}
	if d.store != nil {
		in.Integrity = d.store.Integrity(ctx)
	}
	if flags.Refresh {
		d.openCache(in.Integrity)
	}
	in.Versions = d.versions(g)

	// The account, app state and queue come from a backend, which only
	// starts on a sound, current database that already has whatsmeow's
	// tables at this whatsmeow's version: whatsmeow creates or upgrades
	// them otherwise, and doctor writes nothing. The backend reads through
	// the read-only connection.
	if d.store != nil && in.Integrity == "ok" && d.current {
		var backend wa.Backend
		switch {
		case g.sim == "" && !d.store.HasTable(ctx, "whatsmeow_version"):
			in.NoSession = true
		case g.sim != "":
			world, err := sim.LoadWorldFile(g.sim)
			if err != nil {
				fmt.Fprintf(stderr, "wabook: %v\n", err)
				return 1
			}
			backend = sim.New(world)
		default:
			// State: the marks the connected backend keeps (such as a due
			// full app-state resync) are read from the same settings.
			b, err := wm.New(ctx, d.store.DB(), wm.Options{State: app.SettingsKV(d.store), ReadOnly: true})
			var other *wm.SessionVersionError
			switch {
			case errors.As(err, &other):
				in.BackendErr = err
			case err != nil:
				in.BackendErr = fmt.Errorf("starting the WhatsApp client: %w", err)
			default:
				backend = b
			}
		}
		if backend != nil {
			defer backend.Close()
			cfg := d.cfg
			in.Service = app.New(d.store, backend, app.Options{Region: strings.ToUpper(g.region), Config: &cfg})
		}
	}
	env := cli.Env{Out: stdout, Err: stderr, Doctor: &in}
	return commandExit(cli.Commands["doctor"].Run(ctx, env, args), stderr)
}
