package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/app/qrtext"
	"github.com/wabook/wabook/model"
)

// Sync connects, mirrors the account and prints a one-line summary. With
// --full it also fetches contacts and labels again from scratch (WhatsApp's
// app state), which repairs an app state whose saved copy went wrong.
//
//	wabook sync [--full] [--timeout D]
func Sync(ctx context.Context, env Env, args []string) error {
	fs := newFlags("sync")
	full := fs.Bool("full", false, "also fetch contacts and labels again from scratch")
	timeout := fs.Duration("timeout", 2*time.Minute, "give up after this long")
	if err := parseOnlyFlags(fs, args, ""); err != nil {
		return err
	}
	if !env.Svc.Account().Paired {
		return errors.New("this account is not paired yet: run \"wabook pair\" first")
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	if err := env.Svc.SyncOnce(ctx); err != nil {
		return err
	}
	if *full {
		if err := env.Svc.FullResync(ctx); err != nil {
			return err
		}
		fmt.Fprintln(env.Out, "contacts and labels fetched again from scratch")
	}
	if err := printSummary(ctx, env); err != nil {
		return err
	}
	// Holding the connection now, it sends what others queued too.
	items, err := env.Svc.Outbox(ctx, false)
	if err != nil {
		return err
	}
	var pending []int64
	for _, it := range items {
		if it.State == app.OutboxPending {
			pending = append(pending, it.ID)
		}
	}
	if len(pending) == 0 {
		return nil
	}
	return sendQueued(ctx, env, pending, false)
}

func printSummary(ctx context.Context, env Env) error {
	snap, err := env.Svc.Snapshot(ctx)
	if err != nil {
		return err
	}
	blocked := 0
	for i := range snap.Contacts {
		if snap.Contacts[i].IsBlocked {
			blocked++
		}
	}
	_, err = fmt.Fprintf(env.Out, "synced: %d contacts, %d groups, %d labels, %d blocked\n",
		len(snap.Contacts), len(snap.Groups), len(snap.Labels), blocked)
	return err
}

// Pair links wabook to a WhatsApp account: a QR code to scan, or with
// --code a code to type on the phone. It returns once the account is paired
// and mirrored. Each connection problem met on the way is printed on
// stderr as it happens: without them a pairing that cannot reach WhatsApp
// would only be silent.
//
//	wabook pair [--code +PHONE] [--timeout D]
func Pair(ctx context.Context, env Env, args []string) error {
	fs := newFlags("pair")
	phone := fs.String("code", "", "pair by phone number: the account's number `+PHONE`; prints a code to type on the phone (default: none: print a QR code to scan)")
	timeout := fs.Duration("timeout", 5*time.Minute, "give up after this long")
	if err := parseOnlyFlags(fs, args, ""); err != nil {
		return err
	}
	svc := env.Svc
	if acc := svc.Account(); acc.Paired {
		return fmt.Errorf("already paired with %s: run \"wabook logout\" first to pair another account", acc.Phone)
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	if err := svc.Connect(ctx); err != nil {
		return err
	}
	// Asking for a code waits for a pairing connection; meanwhile the
	// loop below reports why there is none.
	type phoneCode struct {
		code string
		err  error
	}
	var codes chan phoneCode
	if *phone != "" {
		codes = make(chan phoneCode, 1)
		go func() {
			code, err := svc.PairPhone(ctx, *phone)
			codes <- phoneCode{code, err}
		}()
	}
	shown := ""
	var problems connProblems
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		st := svc.Status()
		problems.report(env.Err, st)
		switch {
		case st.Account.Paired:
			fmt.Fprintf(env.Out, "paired with %s\n", st.Account.Phone)
			if err := svc.WaitSynced(ctx); err != nil {
				return err
			}
			return printSummary(ctx, env)
		case st.PairError != "":
			return fmt.Errorf("pairing failed: %s", st.PairError)
		case *phone == "" && st.PairCode != "" && st.PairCode != shown:
			shown = st.PairCode
			// Drawn in its own colours unless NO_COLOR asks for none; then
			// reverse video, as on the dark background most terminals have.
			lines, _, _, err := qrtext.Render(st.PairCode, qrtext.Style(os.Getenv("NO_COLOR") == "", true))
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Out, "Scan with WhatsApp: Settings → Linked devices → Link a device.\n%s\n\n", strings.Join(lines, "\n"))
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("pairing did not finish: %w", ctx.Err())
		case r := <-codes:
			codes = nil
			if r.err != nil {
				return r.err
			}
			fmt.Fprintf(env.Out, "On your phone: WhatsApp → Settings → Linked devices → Link a device →\n"+
				"\"Link with phone number instead\", then type this code:\n\n    %s\n\n", r.code)
		case <-tick.C:
		}
	}
}

// connProblems prints the connection's trouble while pairing, one line
// per new attempt or reason ("no connection to WhatsApp (cannot look up
// web.whatsapp.com); retrying in 4s"), as the Account screen shows it.
type connProblems struct {
	last string
}

func (p *connProblems) report(w io.Writer, st app.Status) {
	if st.Detail == "" || (st.Conn != app.StateReconnecting && st.Conn != app.StateConnecting) {
		return
	}
	key := fmt.Sprintf("%d %s", st.Attempt, st.Detail)
	if key == p.last {
		return
	}
	p.last = key
	fmt.Fprintln(w, model.Sanitize(st.Detail))
}

// Logout ends the WhatsApp session of this device; the mirror stays.
//
//	wabook logout
func Logout(ctx context.Context, env Env, args []string) error {
	fs := newFlags("logout")
	if err := parseOnlyFlags(fs, args, ""); err != nil {
		return err
	}
	acc := env.Svc.Account()
	if !acc.Paired {
		return errors.New("not paired: there is no session to log out of")
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := env.Svc.Logout(ctx); err != nil {
		return err
	}
	_, err := fmt.Fprintf(env.Out, "logged out of %s; the address book stays in the database\n", acc.Phone)
	return err
}
