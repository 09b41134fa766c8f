package cli

import (
	"context"
	"flag"
	"fmt"
	"strconv"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

// Outbox lists the changes waiting for WhatsApp (and failed ones), or acts
// on failed ones.
//
//	wabook outbox [--json] [--all]
//	wabook outbox retry ID|--all
//	wabook outbox drop ID
func Outbox(ctx context.Context, env Env, args []string) error {
	if len(args) > 0 && (args[0] == "retry" || args[0] == "drop") {
		return outboxAct(ctx, env, args[0], args[1:])
	}
	fs := newFlags("outbox")
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	all := fs.Bool("all", false, "list the changes WhatsApp confirmed this week too")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("usage: wabook outbox [--json] [--all] | retry ID|--all | drop ID")
	}
	items, err := env.Svc.Outbox(ctx, *all)
	if err != nil {
		return err
	}
	if *asJSON {
		out := make([]app.OutboxJSON, len(items))
		for i, it := range items {
			out[i] = app.NewOutboxJSON(it)
		}
		if err := writeJSON(env.Out, out); err != nil {
			return err
		}
	} else if len(items) > 0 {
		rows := make([][]string, len(items))
		for i, it := range items {
			rows[i] = []string{strconv.FormatInt(it.ID, 10), it.State, app.DescribeChange(it), strconv.Itoa(it.Attempts), model.Sanitize(it.Error)}
		}
		if err := writeTable(env.Out, []string{"ID", "STATE", "CHANGE", "TRIES", "LAST ERROR"}, rows, []int{0, 0, 50, 0, 60}); err != nil {
			return err
		}
	}
	c, err := env.Svc.OutboxCounts(ctx)
	if err != nil {
		return err
	}
	who := "no wabook holds the WhatsApp connection now: the next UI, sync, or command that queues a change sends them"
	if env.Holder != 0 {
		who = fmt.Sprintf("wabook pid %d holds the WhatsApp connection and sends them", env.Holder)
	}
	_, err = fmt.Fprintf(env.Err, "%s waiting, %d failed; %s\n", plural(c.Pending, "change", "changes"), c.Failed, who)
	return err
}

// outboxActFlags is the flag set of outbox retry or drop, with --all
// (retry only).
func outboxActFlags(act string) (*flag.FlagSet, *bool) {
	fs := newFlags("outbox " + act)
	var all *bool
	if act == "retry" {
		all = fs.Bool("all", false, "send every failed change again (instead of ID)")
	}
	return fs, all
}

func outboxAct(ctx context.Context, env Env, act string, args []string) error {
	fs, all := outboxActFlags(act)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	usage := "usage: wabook outbox drop ID"
	if act == "retry" {
		usage = "usage: wabook outbox retry ID|--all"
	}
	var id int64
	switch {
	case all != nil && *all && len(pos) == 0:
	case len(pos) == 1 && (all == nil || !*all):
		if id, err = strconv.ParseInt(pos[0], 10, 64); err != nil || id <= 0 {
			return usagef("outbox %s: %q is not a change id (see wabook outbox); %s", act, pos[0], usage)
		}
	default:
		return usagef("%s", usage)
	}
	if act == "drop" {
		it, err := env.Svc.DropOutbox(ctx, id)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(env.Out, "dropped: %s (WhatsApp will not learn it)\n", app.DescribeChange(it))
		return err
	}
	ids, err := env.Svc.RetryOutbox(ctx, id)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Out, "queued again: %s\n", plural(len(ids), "change", "changes"))
	// Retried changes keep their place in the order.
	return deliver(ctx, env, ids, false)
}
