// Running wabook serve: the connection, the check queue and the outbox
// started as the TUI starts them, the log reopened on SIGHUP, then
// serve.Run until a stop.
package main

import (
	"context"
	"io"
	"os"
	"time"

	"github.com/wabook/wabook/cli"
	"github.com/wabook/wabook/serve"
)

// runServe runs wabook serve on a wiring that holds the connection lock
// and whose database passed its check (main refuses serve otherwise, as
// for any command that must hold the connection). It returns when ctx
// ends (SIGTERM, SIGINT) and the requests in flight are done (they answer
// at once: serve.Run); main then stops the queue and the outbox, closes
// the backend and the database, and lets the lock go. hup delivers SIGHUP, which reopens the log file
// (logrotate moved it) without stopping anything.
func runServe(ctx context.Context, w *wiring, o cli.ServeOptions, out io.Writer, hup <-chan os.Signal) error {
	svc := w.svc
	log := svc.Logger()
	// SIGHUP also reads the SSH authorized keys again (serve.Config.Reload).
	reload := make(chan struct{}, 1)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
			}
			select {
			case reload <- struct{}{}:
			default: // one is already waiting
			}
			if w.logFile == nil {
				continue
			}
			if err := w.logFile.Reopen(); err != nil {
				log.Error("SIGHUP: the log file stays the old one", "err", err)
				continue
			}
			log.Info("SIGHUP: log file reopened", "path", w.logFile.Path())
		}
	}()
	// The connection, the check queue and the outbox run until serve.Run
	// has returned, not only until the signal: the requests in flight at a
	// stop answer with what is still queued (serve.Run), and the grace
	// lets the sender go on meanwhile. main stops them afterwards.
	work, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	// A failed connect leaves the mirror worth serving; the service keeps
	// the error (wabook doctor, the Account screen) and the log says it.
	if err := svc.Connect(work); err != nil {
		log.Warn("serve: connecting to WhatsApp failed; serving the mirror as it is", "err", err)
	} else if w.simulated {
		// A simulated account's mirror starts empty (--demo) and its sync
		// takes a moment: the first request must not find an empty book.
		// A real account's mirror is served as it stands while WhatsApp
		// syncs, which may take minutes.
		syncCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
		if err := svc.WaitSynced(syncCtx); err != nil {
			log.Warn("serve: the simulated account did not sync", "err", err)
		}
		cancel()
	}
	svc.StartChecker(work)
	svc.StartOutbox(work)
	log.Info("serve: started", "pid", os.Getpid(), "http", o.HTTP, "ssh", o.SSH)
	return serve.Run(ctx, svc, serve.Config{
		HTTP:           o.HTTP,
		SSH:            o.SSH,
		Webhook:        o.Webhook,
		TLSCert:        o.TLSCert,
		TLSKey:         o.TLSKey,
		InsecureHTTP:   o.InsecureHTTP,
		AuthorizedKeys: o.AuthorizedKeys,
		HostKey:        w.dbPath + ".ssh_host_key",
		Reload:         reload,
		Demo:           w.demo,
		RateLimit:      w.cfg.ServeRateLimit,
	}, out)
}
