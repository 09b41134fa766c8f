// Package serve is wabook serve: one long-running process that holds the
// WhatsApp connection and serves the seeds' HTTP APIs (Periskope's under
// /v1, WAHA's under /api) behind tokens. main wires it (the lock, the
// database check, the connection, the check queue and the outbox) and
// hands over to Run.
package serve

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/ui"
)

// Default addresses: loopback only, so nothing is reachable from the
// network unless asked for.
const (
	DefaultHTTP = "127.0.0.1:8080"
	DefaultSSH  = "127.0.0.1:2222"
	// Off turns a listener off.
	Off = "off"
)

// DefaultGrace is how long a stop waits for the requests in flight.
const DefaultGrace = 10 * time.Second

// Config is what serve listens on and how.
type Config struct {
	HTTP string // host:port, or Off; "" means DefaultHTTP
	SSH  string // host:port, or Off; "" means DefaultSSH
	// Webhook is where check results that were not ready at once are
	// POSTed (the Business API's no_wait callbacks, webhook.go); "" means
	// the config file's webhook_url, else none.
	Webhook string
	// TLSCert and TLSKey (PEM files) make the HTTP listener HTTPS; an
	// address other than loopback needs them, or InsecureHTTP.
	TLSCert, TLSKey string
	InsecureHTTP    bool
	// AuthorizedKeys is the SSH keys file ("" for the default,
	// DefaultAuthorizedKeys).
	AuthorizedKeys string
	// HostKey is the SSH host key's file, made on the first start (the
	// caller puts it beside the database).
	HostKey string
	// Reload is told when the authorized-keys file should be read again
	// (SIGHUP), without dropping sessions; nil for never.
	Reload <-chan struct{}
	// Demo: the throw-away demo database. Run makes a one-off full token
	// and prints it.
	Demo bool
	// RateLimit is the requests a minute per token (0: DefaultRateLimit).
	RateLimit int
	// Grace bounds the wait for requests in flight at a stop (0:
	// DefaultGrace).
	Grace time.Duration

	// indexes, when set (tests), is the contact index Run shares between
	// the SSH sessions and the HTTP lists; nil: Run makes one.
	indexes *ui.Indexes
}

// Run serves until ctx ends, then stops accepting, lets the requests in
// flight finish (at most Grace; then they are cut) and returns. What it
// listens on, and the demo's token, are printed on out as it starts.
func Run(ctx context.Context, svc *app.Service, cfg Config, out io.Writer) error {
	if cfg.HTTP == "" {
		cfg.HTTP = DefaultHTTP
	}
	if cfg.SSH == "" {
		cfg.SSH = DefaultSSH
	}
	if cfg.Grace <= 0 {
		cfg.Grace = DefaultGrace
	}
	if cfg.indexes == nil {
		// One index for every SSH session and HTTP list: its memory is
		// paid once.
		cfg.indexes = ui.NewIndexes(svc)
	}
	log := svc.Logger()
	if cfg.HTTP == Off && cfg.SSH == Off {
		return errors.New("serve: --http and --ssh are both off: nothing to serve")
	}
	var httpLn net.Listener
	var tlsConf *tls.Config
	if cfg.HTTP != Off {
		var err error
		if tlsConf, err = checkHTTP(cfg); err != nil {
			return err
		}
		if httpLn, err = net.Listen("tcp", cfg.HTTP); err != nil {
			return fmt.Errorf("serve: HTTP on %s: %w", cfg.HTTP, err)
		}
		defer httpLn.Close()
	}
	var ssh *SSHServer
	if cfg.SSH != Off {
		var err error
		if ssh, err = listenSSH(ctx, svc, cfg, out, log); err != nil {
			return err
		}
		defer func() {
			stopCtx, cancel := context.WithTimeout(context.Background(), cfg.Grace)
			defer cancel()
			if err := ssh.Shutdown(stopCtx); err != nil {
				log.Warn("serve: SSH sessions still open after the grace", "err", err)
			}
		}()
	}
	cfg.Webhook = cmp.Or(cfg.Webhook, svc.CheckSettings().WebhookURL)
	if cfg.Webhook != "" {
		if err := checkWebhookURL(cfg.Webhook); err != nil {
			return err
		}
		// It stops with ctx; a callback undelivered then (or added by a
		// request still in flight) stays in the mirror for the next start.
		sendCtx, stopSending := context.WithCancel(ctx)
		sent := startWebhooks(sendCtx, svc, webhookOptions{URL: cfg.Webhook})
		defer func() { stopSending(); <-sent }()
		log.Info("serve: the Business API's no_wait callbacks go to the webhook", "webhook", redactURL(cfg.Webhook))
	}

	if cfg.Demo {
		secret, err := svc.AddToken(ctx, "demo", false)
		if err != nil {
			return fmt.Errorf("serve: the demo's token: %w", err)
		}
		fmt.Fprintf(out, "demo token (full access; it goes with the demo database when serve stops):\n  export TOKEN=%s\n", secret)
	}

	if httpLn == nil {
		<-ctx.Done()
		return nil
	}
	return serveHTTP(ctx, svc, cfg, httpLn, tlsConf, out, log)
}

// checkHTTP refuses plain HTTP beyond loopback unless asked for, and
// loads the TLS files (a bad one is an error before anything listens).
func checkHTTP(cfg Config) (*tls.Config, error) {
	host, _, err := net.SplitHostPort(cfg.HTTP)
	if err != nil {
		return nil, fmt.Errorf("serve: --http %q: %w (use host:port, e.g. %s, or off)", cfg.HTTP, err, DefaultHTTP)
	}
	if cfg.TLSCert != "" || cfg.TLSKey != "" {
		if cfg.TLSCert == "" || cfg.TLSKey == "" {
			return nil, errors.New("serve: --tls-cert and --tls-key go together")
		}
		pair, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			return nil, fmt.Errorf("serve: loading the TLS certificate and key: %w", err)
		}
		return &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}, nil
	}
	if !isLoopback(host) && !cfg.InsecureHTTP {
		return nil, fmt.Errorf("serve: --http %s is reachable from the network and tokens would cross it readable: "+
			"give --tls-cert and --tls-key, or --insecure-http to serve plain HTTP anyway", cfg.HTTP)
	}
	return nil, nil
}

// isLoopback reports whether host names only this machine: a loopback IP
// or "localhost". An empty host (every interface) or another name is not.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func serveHTTP(ctx context.Context, svc *app.Service, cfg Config, ln net.Listener, tlsConf *tls.Config, out io.Writer, log *slog.Logger) error {
	// Requests run on a context of their own, not ctx: a stop lets those
	// in flight finish; it is cancelled only when the grace is over.
	reqCtx, cancelReqs := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelReqs()
	srv := &http.Server{
		Handler:           NewHandler(svc, HandlerOptions{RateLimit: cfg.RateLimit, Webhook: cfg.Webhook, Indexes: cfg.indexes}),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return reqCtx },
		TLSConfig:         tlsConf,
	}
	scheme := "http"
	if tlsConf != nil {
		scheme = "https"
	}
	addr := ln.Addr().String()
	log.Info("serve: HTTP listening", "addr", addr, "tls", tlsConf != nil)
	fmt.Fprintf(out, "HTTP: %s://%s (Periskope's contacts API under /v1, WAHA's under /api)\n", scheme, addr)

	done := make(chan error, 1)
	go func() {
		var err error
		if tlsConf != nil {
			err = srv.ServeTLS(ln, "", "")
		} else {
			err = srv.Serve(ln)
		}
		done <- err
	}()
	select {
	case err := <-done:
		return fmt.Errorf("serve: HTTP: %w", err)
	case <-ctx.Done():
	}
	log.Info("serve: stopping: no new requests; waiting for those in flight", "grace", cfg.Grace)
	stopCtx, cancel := context.WithTimeout(context.Background(), cfg.Grace)
	defer cancel()
	err := srv.Shutdown(stopCtx)
	if errors.Is(err, context.DeadlineExceeded) {
		log.Warn("serve: requests still running after the grace; cutting them", "grace", cfg.Grace)
		cancelReqs()
		srv.Close()
		err = nil
	}
	<-done
	log.Info("serve: HTTP stopped")
	return err
}

// DefaultAuthorizedKeys is the SSH keys file when none is given:
// ~/.config/wabook/authorized_keys (XDG_CONFIG_HOME respected).
func DefaultAuthorizedKeys() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("serve: where the authorized-keys file is: %w", err)
	}
	return filepath.Join(dir, "wabook", "authorized_keys"), nil
}

// listenSSH serves the TUI over SSH on cfg.SSH until ctx ends. The demo
// with no authorized-keys file lets any key in, and says so; a real serve
// without one lets nobody in until the file appears (SIGHUP).
func listenSSH(ctx context.Context, svc *app.Service, cfg Config, out io.Writer, log *slog.Logger) (*SSHServer, error) {
	keys := cfg.AuthorizedKeys
	if keys == "" {
		var err error
		if keys, err = DefaultAuthorizedKeys(); err != nil {
			return nil, err
		}
	}
	_, statErr := os.Stat(keys)
	anyKey := cfg.Demo && cfg.AuthorizedKeys == "" && errors.Is(statErr, fs.ErrNotExist)
	srv, err := NewSSHServer(svc, SSHOptions{HostKeyPath: cfg.HostKey, AuthorizedKeys: keys, AcceptAnyKey: anyKey, Logger: log,
		Indexes: cfg.indexes})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.SSH)
	if err != nil {
		return nil, fmt.Errorf("serve: SSH on %s: %w", cfg.SSH, err)
	}
	go func() {
		if err := srv.Serve(ln); err != nil {
			log.Error("serve: SSH stopped", "err", err)
		}
	}()
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-cfg.Reload:
			}
			if err := srv.Reload(); err != nil {
				log.Error("SIGHUP: the authorized keys stay as they were", "err", err)
			} else {
				log.Info("SIGHUP: authorized keys read again", "path", keys)
			}
		}
	}()
	who := "the keys in " + keys
	if anyKey {
		who = "any key (the demo only: " + keys + " does not exist)"
	}
	log.Info("serve: SSH listening", "addr", ln.Addr().String(), "fingerprint", srv.HostKeyFingerprint())
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	fmt.Fprintf(out, "SSH: ssh -p %s %s (host key %s; lets in %s)\n", port, host, srv.HostKeyFingerprint(), who)
	return srv, nil
}
