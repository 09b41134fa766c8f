package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

// Queueing wraps a command whose changes WhatsApp may have to learn
// (labels with label sync on, blocks): they are queued in the outbox with
// the change. Afterwards, when another wabook holds the WhatsApp
// connection, it sends them and the command returns at once, saying so;
// when none does, this one connects, sends the outbox and lets go. With
// --wait (anywhere among the arguments) the command waits for WhatsApp's
// answer to what it queued, taking the connection over if its holder
// quits meanwhile, and fails when WhatsApp refused any of it.
func Queueing(cmd Command) Command {
	return func(ctx context.Context, env Env, args []string) error {
		if WantsHelp(args) {
			return cmd(ctx, env, args) // only its help: nothing is queued
		}
		args, wait, err := takeWait(args)
		if err != nil {
			return err
		}
		mark, err := env.Svc.LastOutboxID(ctx)
		if err != nil {
			return err
		}
		cerr := cmd(ctx, env, args)
		var usage *UsageError
		if errors.As(cerr, &usage) || (cerr != nil && ctx.Err() != nil) {
			// Interrupted (Ctrl-C): the command's own words say what
			// became of its change, and the outbox keeps what it queued.
			return cerr
		}
		ids, err := env.Svc.QueuedSince(ctx, mark)
		if err != nil {
			return err
		}
		if derr := deliver(ctx, env, ids, wait); derr != nil && cerr == nil {
			return derr
		}
		return cerr
	}
}

// takeWait removes --wait from args (before a "--").
func takeWait(args []string) ([]string, bool, error) {
	out := make([]string, 0, len(args))
	wait := false
	for i, a := range args {
		if a == "--" {
			out = append(out, args[i:]...)
			break
		}
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != "wait" {
			out = append(out, a)
			continue
		}
		wait = true
		if hasVal {
			b, err := strconv.ParseBool(val)
			if err != nil {
				return nil, false, usagef("--wait: %q is not true or false", val)
			}
			wait = b
		}
	}
	return out, wait, nil
}

// outboxPoll is how often a command waiting for WhatsApp's answers looks.
const outboxPoll = 200 * time.Millisecond

// connectWait bounds how long a command without --wait waits for the
// connection to WhatsApp before leaving its changes queued: offline, a
// script of a hundred label commands must not take hours.
const connectWait = 20 * time.Second

// sendAlone bounds how long a command without --wait that holds the
// connection tries to send what it queued before leaving it queued.
const sendAlone = 2 * time.Minute

// deliver sees the changes ids (queued by this command) through: see
// Queueing.
func deliver(ctx context.Context, env Env, ids []int64, wait bool) error {
	svc := env.Svc
	r, err := svc.OutboxOf(ctx, ids)
	if err != nil || r.Pending == 0 {
		return err
	}
	if env.Holder != 0 {
		// The holder may have quit since this command started.
		took, err := takeOver(ctx, env, "sends the changes")
		if err != nil {
			return err
		}
		if !took && !wait {
			c, _ := svc.OutboxCounts(ctx)
			fmt.Fprintf(env.Err, "wabook: queued; %s for WhatsApp (wabook pid %d holds the connection and sends them; --wait waits for WhatsApp's answer)\n",
				plural(c.Pending, "change waiting", "changes waiting"), env.Holder)
			return nil
		}
		if !took {
			answered, err := waitForHolder(ctx, env, ids)
			if err != nil || answered {
				return err
			}
		}
	}
	return sendQueued(ctx, env, ids, wait)
}

// takeOver takes the connection over when its holder has let it go, and
// says so, with what this one does now (now: "sends the changes").
func takeOver(ctx context.Context, env Env, now string) (bool, error) {
	if env.TakeOver == nil {
		return false, nil
	}
	took, err := env.TakeOver(ctx)
	if took {
		fmt.Fprintf(env.Err, "wabook: wabook pid %d no longer holds the WhatsApp connection; this one %s\n", env.Holder, now)
	}
	return took, err
}

// waitForHolder waits while another wabook holds the connection and some
// of ids are pending. answered: they all were answered (and told);
// otherwise that wabook quit and this one took the connection over, to send
// them itself.
func waitForHolder(ctx context.Context, env Env, ids []int64) (answered bool, err error) {
	svc := env.Svc
	them := "it"
	if len(ids) > 1 {
		them = "them"
	}
	fmt.Fprintf(env.Err, "wabook: queued; waiting for wabook pid %d, which holds the WhatsApp connection, to send %s (Ctrl-C stops waiting, the changes stay queued)\n", env.Holder, them)
	for {
		wctx, cancel := context.WithTimeout(ctx, time.Second)
		r, err := svc.WaitOutbox(wctx, ids, outboxPoll)
		cancel()
		switch {
		case err == nil:
			return true, outcome(env, r, true)
		case ctx.Err() != nil:
			return false, fmt.Errorf("stopped waiting; %s queued (see wabook outbox)", plural(r.Pending, "change stays", "changes stay"))
		case !errors.Is(err, context.DeadlineExceeded):
			return false, err
		}
		took, err := takeOver(ctx, env, "sends the changes")
		if err != nil || took {
			return false, err
		}
	}
}

// sendQueued connects (this process holds the connection), sends the
// outbox — what others queued too, in order — until ids are answered, and
// lets go.
func sendQueued(ctx context.Context, env Env, ids []int64, wait bool) error {
	svc := env.Svc
	leave := func(why string) error {
		c, _ := svc.OutboxCounts(ctx)
		msg := fmt.Sprintf("queued; %s for WhatsApp (%s; the next wabook holding the connection sends them)",
			plural(c.Pending, "change waiting", "changes waiting"), why)
		if wait {
			return errors.New(msg)
		}
		fmt.Fprintln(env.Err, "wabook: "+msg)
		return nil
	}
	if !svc.Status().Account.Paired {
		return leave(`this account is not paired: run "wabook pair"`)
	}
	if svc.Status().Conn != app.StateConnected {
		if err := svc.Connect(ctx); err != nil {
			return leave(err.Error())
		}
	}
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	svc.StartOutbox(sctx)
	defer svc.StopOutbox()
	start := time.Now()
	toldOffline := false
	for {
		r, err := svc.OutboxOf(ctx, ids)
		if err != nil {
			return err
		}
		if r.Pending == 0 {
			return outcome(env, r, wait)
		}
		connected := svc.Status().Conn == app.StateConnected
		why := svc.OutboxWaiting()
		switch {
		case wait && !connected && !toldOffline && time.Since(start) > 5*time.Second:
			toldOffline = true
			fmt.Fprintln(env.Err, "wabook: waiting for the connection to WhatsApp (Ctrl-C stops waiting, the changes stay queued)")
		case wait:
		case !connected && time.Since(start) > connectWait:
			return leave("no connection to WhatsApp")
		case strings.Contains(why, "did not take") || strings.Contains(why, "own labels"):
			return leave(why)
		case time.Since(start) > sendAlone:
			if why == "" {
				why = "no answer from WhatsApp yet"
			}
			return leave(why)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("stopped; %s queued (see wabook outbox)", plural(r.Pending, "change stays", "changes stay"))
		case <-time.After(outboxPoll):
		}
	}
}

// outcome tells how the changes a command queued ended: one line on
// stderr, and with --wait an error when WhatsApp refused any.
func outcome(env Env, r app.OutboxResult, wait bool) error {
	if len(r.Failed) == 0 {
		msg := "WhatsApp confirmed " + plural(r.Done, "change", "changes")
		if r.Superseded > 0 {
			msg += fmt.Sprintf(" (%d replaced by newer changes before they went out)", r.Superseded)
		}
		fmt.Fprintln(env.Err, "wabook: "+msg)
		return nil
	}
	first := r.Failed[0]
	msg := fmt.Sprintf("WhatsApp refused %d of %s: %s: %s (see wabook outbox; retry with wabook outbox retry %d)",
		len(r.Failed), plural(r.Queued, "change", "changes"), app.DescribeChange(first), model.Sanitize(first.Error), first.ID)
	if wait {
		return errors.New(msg)
	}
	fmt.Fprintln(env.Err, "wabook: "+msg)
	return nil
}
