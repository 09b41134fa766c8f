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

	tea "charm.land/bubbletea/v2"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/cli"
	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/ui"
	"github.com/wabook/wabook/wa"
	"github.com/wabook/wabook/wa/sim"
)

const usage = `wabook — a WhatsApp address book for the terminal

usage:
  wabook [global flags]                  the terminal UI
  wabook [global flags] COMMAND [flags]

commands:
  contacts [--query Q] [--format table|json|csv]   list contacts
  show ID [--json]                                  one contact (phone, JID or <digits>@c.us)

global flags:
  --demo          try wabook on a built-in simulated account (throw-away database)
  --sim FILE      use a simulated account described by a world file
  --db PATH       database file (default $WABOOK_DB or ~/.local/share/wabook/wabook.db)
  --region CC     country for numbers without a country code (default: the account's)
  --log FILE      log file (default: wabook.log next to the database)
`

type globals struct {
	db, sim, region, log string
	demo                 bool
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	var g globals
	fs := flag.NewFlagSet("wabook", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&g.db, "db", "", "")
	fs.StringVar(&g.sim, "sim", "", "")
	fs.StringVar(&g.region, "region", "", "")
	fs.StringVar(&g.log, "log", "", "")
	fs.BoolVar(&g.demo, "demo", false, "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			return 0
		}
		fmt.Fprintf(stderr, "wabook: %v (see wabook --help)\n", err)
		return 2
	}
	command, rest := "", fs.Args()
	if len(rest) > 0 {
		command, rest = rest[0], rest[1:]
	}
	commands := map[string]func(context.Context, cli.Env, []string) error{
		"contacts": cli.Contacts,
		"show":     cli.Show,
	}
	var runCommand func(context.Context, cli.Env, []string) error
	if command != "" {
		var ok bool
		if runCommand, ok = commands[command]; !ok {
			if command == "help" {
				fmt.Fprint(stdout, usage)
				return 0
			}
			fmt.Fprintf(stderr, "wabook: unknown command %q (see wabook --help)\n", command)
			return 2
		}
	}
	if g.demo && g.sim != "" {
		fmt.Fprintln(stderr, "wabook: use either --demo or --sim, not both")
		return 2
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()

	svc, cleanup, err := wire(g)
	if err != nil {
		fmt.Fprintf(stderr, "wabook: %v\n", err)
		return 1
	}
	defer cleanup()
	go svc.Run(ctx)

	if runCommand == nil {
		return runTUI(ctx, svc, stderr)
	}
	if g.demo || g.sim != "" {
		// The simulated phone is the source of truth: mirror it first.
		syncCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := svc.SyncOnce(syncCtx)
		cancel()
		if err != nil && !errors.Is(err, wa.ErrNotPaired) {
			fmt.Fprintf(stderr, "wabook: %v\n", err)
			return 1
		}
	}
	env := cli.Env{Svc: svc, Out: stdout, Err: stderr}
	if err := runCommand(ctx, env, rest); err != nil {
		fmt.Fprintf(stderr, "wabook: %v\n", err)
		var usageErr *cli.UsageError
		if errors.As(err, &usageErr) {
			return 2
		}
		return 1
	}
	return 0
}

// wire opens the database, picks the backend and builds the service.
func wire(g globals) (*app.Service, func(), error) {
	var cleanups []func()
	cleanup := func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}
	dbPath := g.db
	if g.demo {
		dir, err := os.MkdirTemp("", "wabook-demo-")
		if err != nil {
			return nil, nil, fmt.Errorf("creating the demo database: %w", err)
		}
		cleanups = append(cleanups, func() { os.RemoveAll(dir) })
		dbPath = filepath.Join(dir, "wabook.db")
	} else if dbPath == "" {
		p, err := store.DefaultPath()
		if err != nil {
			return nil, nil, err
		}
		dbPath = p
	}

	var backend wa.Backend
	switch {
	case g.demo:
		backend = sim.New(sim.DemoWorld())
	case g.sim != "":
		world, err := sim.LoadWorldFile(g.sim)
		if err != nil {
			cleanup()
			return nil, nil, err
		}
		backend = sim.New(world)
	default:
		cleanup()
		return nil, nil, errors.New("connecting to a real WhatsApp account is not available in this build yet; try --demo, or --sim FILE")
	}
	cleanups = append(cleanups, func() { backend.Close() })

	st, err := store.Open(dbPath)
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	cleanups = append(cleanups, func() { st.Close() })

	logPath := g.log
	if logPath == "" {
		logPath = filepath.Join(filepath.Dir(dbPath), "wabook.log")
	}
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("opening the log file: %w", err)
	}
	cleanups = append(cleanups, func() { logFile.Close() })
	log := slog.New(slog.NewTextHandler(logFile, &slog.HandlerOptions{Level: slog.LevelInfo}))

	svc := app.New(st, backend, app.Options{Region: strings.ToUpper(g.region), Log: log})
	return svc, cleanup, nil
}

func runTUI(ctx context.Context, svc *app.Service, stderr io.Writer) int {
	// A failed connect leaves the mirror worth browsing offline; the service
	// keeps the error and the status bar shows it.
	_ = svc.Connect(ctx)
	p := tea.NewProgram(ui.New(svc, ui.Options{}), tea.WithContext(ctx))
	if _, err := p.Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, tea.ErrInterrupted) && !errors.Is(err, context.Canceled) {
		fmt.Fprintf(stderr, "wabook: %v\n", err)
		return 1
	}
	return 0
}
