package cli

import (
	"context"
	"errors"
	"flag"
)

// ServeOptions are wabook serve's flags, as the command read them; main
// turns them into serve.Config (cli may not import serve, which sits above
// it).
type ServeOptions struct {
	HTTP, SSH       string // "host:port" or "off"
	Webhook         string
	TLSCert, TLSKey string
	InsecureHTTP    bool
	AuthorizedKeys  string
}

func serveFlags() (*flag.FlagSet, *ServeOptions) {
	fs := newFlags("serve")
	o := &ServeOptions{}
	fs.StringVar(&o.HTTP, "http", "127.0.0.1:8080", "the HTTP APIs' `ADDR` (host:port), or off")
	fs.StringVar(&o.SSH, "ssh", "127.0.0.1:2222", "the SSH `ADDR` (host:port; the terminal UI for the team), or off")
	fs.StringVar(&o.Webhook, "webhook", "", "the `URL` the Business API's no_wait check results are POSTed to once answered (default: webhook_url in the config file)")
	fs.StringVar(&o.TLSCert, "tls-cert", "", "certificate `FILE` (PEM) for HTTPS; with --tls-key")
	fs.StringVar(&o.TLSKey, "tls-key", "", "private key `FILE` (PEM) for HTTPS; with --tls-cert")
	fs.BoolVar(&o.InsecureHTTP, "insecure-http", false, "allow plain HTTP on an address other than loopback (tokens then cross the network readable)")
	fs.StringVar(&o.AuthorizedKeys, "authorized-keys", "", "the `FILE` of SSH keys allowed in, one per line with the operator's name as comment (default: ~/.config/wabook/authorized_keys)")
	return fs, o
}

// Serve runs wabook serve: it reads the flags and hands over to
// Env.Serve, which main wires (the connection, the check queue, the
// outbox, the listeners).
//
//	wabook serve [--http ADDR|off] [--ssh ADDR|off] [--webhook URL] [--tls-cert F --tls-key F] [--insecure-http] [--authorized-keys F]
func Serve(ctx context.Context, env Env, args []string) error {
	fs, o := serveFlags()
	if err := parseOnlyFlags(fs, args, ""); err != nil {
		return err
	}
	if (o.TLSCert == "") != (o.TLSKey == "") {
		return usagef("serve: --tls-cert and --tls-key go together")
	}
	if o.HTTP == "" || o.SSH == "" {
		return usagef("serve: --http and --ssh take an address (host:port) or off")
	}
	if env.Serve == nil {
		return errors.New("serve: this wabook cannot serve here")
	}
	return env.Serve(ctx, *o)
}
