package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

// parseArgs parses flags that may come before, between or after the
// positional arguments, which it returns in order. "--" ends the flags.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		// flag stops at the first non-flag, or after "--".
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
}

// isSet reports whether a flag was given.
func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// printContact prints as JSON the contact an add or an edit returned along
// with err, then returns err: a contact that comes back with an error was
// saved, and the user sees what was. Without a contact (no JID) it only
// returns err.
func printContact(ctx context.Context, env Env, c model.Contact, err error) error {
	if err != nil && c.JID == "" {
		return err
	}
	labels, lerr := env.Svc.Labels(ctx)
	if lerr != nil {
		return lerr
	}
	if perr := writeJSON(env.Out, app.NewContactJSON(&c, colorsOf(labels))); perr != nil {
		return perr
	}
	return err
}

// Add adds a contact and prints it as JSON.
//
//	wabook add --name N --phone P [--labels "A, B"] [--internal] [--note T]
func Add(ctx context.Context, env Env, args []string) error {
	fs := newFlags("add")
	name := fs.String("name", "", "the contact's `NAME` (required; no default)")
	phone := fs.String("phone", "", "`PHONE` number in any format; without a country code, --region's country (required; no default)")
	labels := fs.String("labels", "", "comma-separated `LABELS`, created when missing (\"VIP, new customer\"; default: none)")
	internal := fs.Bool("internal", false, "mark as internal (a colleague)")
	note := fs.String("note", "", "a note, `TEXT` (default: none)")
	if err := parseNoArgs(fs, args, "use --name and --phone"); err != nil {
		return err
	}
	if strings.TrimSpace(*phone) == "" || strings.TrimSpace(*name) == "" {
		return usagef(`usage: wabook add --name N --phone P [--labels "A, B"] [--internal] [--note T]`)
	}
	c, err := env.Svc.AddContact(ctx, app.ContactInput{Name: *name, Phone: *phone, Labels: *labels, Note: *note, Internal: *internal})
	return printContact(ctx, env, c, err)
}

// Edit changes a contact and prints it as JSON.
//
//	wabook edit ID [--name N] [--labels "A, B"] [--add-labels ..] [--remove-labels ..] [--note T] [--internal=true|false]
func Edit(ctx context.Context, env Env, args []string) error {
	fs := newFlags("edit")
	name := fs.String("name", "", "new `NAME` (default: unchanged)")
	labels := fs.String("labels", "", "replace the labels with `LABELS` (comma-separated; \"\" removes all; default: unchanged)")
	add := fs.String("add-labels", "", "`LABELS` to add, comma-separated, created when missing (default: none)")
	remove := fs.String("remove-labels", "", "`LABELS` to remove, comma-separated (default: none)")
	note := fs.String("note", "", "new note, `TEXT` (\"\" removes it; default: unchanged)")
	internal := fs.Bool("internal", false, "internal (a colleague): --internal=true or --internal=false (default: unchanged)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	const usage = `usage: wabook edit ID [--name N] [--labels "A, B"] [--add-labels ..] [--remove-labels ..] [--note T] [--internal=true|false]`
	if len(pos) != 1 {
		return usagef(usage)
	}
	var e app.ContactEdit
	if isSet(fs, "name") {
		e.Name = name
	}
	if isSet(fs, "labels") {
		e.Labels = labels
	}
	if isSet(fs, "note") {
		e.Note = note
	}
	if isSet(fs, "internal") {
		e.Internal = internal
	}
	e.AddLabels, e.RemoveLabels = *add, *remove
	if e.Name == nil && e.Labels == nil && e.Note == nil && e.Internal == nil && *add == "" && *remove == "" {
		return usagef("edit: nothing to change; " + usage)
	}
	c, err := env.Svc.EditContact(ctx, pos[0], e)
	return printContact(ctx, env, c, err)
}

// Rm deletes a contact added here or imported; a contact from WhatsApp can
// only be hidden (--hide) or shown again (--unhide).
//
//	wabook rm ID [--hide | --unhide]
func Rm(ctx context.Context, env Env, args []string) error {
	fs := newFlags("rm")
	hide := fs.Bool("hide", false, "hide the contact instead (for contacts from WhatsApp)")
	unhide := fs.Bool("unhide", false, "show a hidden contact again")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || (*hide && *unhide) {
		return usagef("usage: wabook rm ID [--hide | --unhide]")
	}
	c, err := env.Svc.FindContact(ctx, pos[0])
	if err != nil {
		return err
	}
	name := model.Sanitize(c.DisplayName())
	switch {
	case *hide || *unhide:
		if err := env.Svc.HideContact(ctx, c.JID, *hide); err != nil {
			return err
		}
		verb := "hidden"
		if *unhide {
			verb = "shown again"
		}
		_, err = fmt.Fprintf(env.Out, "%s: %s (%s)\n", verb, name, c.Phone)
		return err
	}
	if err := env.Svc.DeleteContact(ctx, c.JID); err != nil {
		if errors.Is(err, app.ErrFromWhatsApp) {
			return fmt.Errorf("%v: use \"wabook rm --hide %s\"", err, model.ContactID(c.JID))
		}
		return err
	}
	_, err = fmt.Fprintf(env.Out, "deleted: %s (%s)\n", name, c.Phone)
	return err
}

// Block blocks a contact on WhatsApp.
//
//	wabook block ID
func Block(ctx context.Context, env Env, args []string) error {
	return setBlocked(ctx, env, "block", args)
}

// Unblock unblocks a contact on WhatsApp.
//
//	wabook unblock ID
func Unblock(ctx context.Context, env Env, args []string) error {
	return setBlocked(ctx, env, "unblock", args)
}

func setBlocked(ctx context.Context, env Env, cmd string, args []string) error {
	fs := newFlags(cmd)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("usage: wabook %s ID  (ID: a phone number, a JID or <digits>@c.us)", cmd)
	}
	if err := env.Svc.SetBlocked(ctx, pos[0], cmd == "block"); err != nil {
		return err
	}
	name := pos[0]
	if c, err := env.Svc.FindContact(ctx, pos[0]); err == nil {
		name = fmt.Sprintf("%s (%s)", model.Sanitize(c.DisplayName()), c.Phone)
	}
	// Queued: WhatsApp's answer is told by Queueing's line on stderr.
	_, err = fmt.Fprintf(env.Out, "%s queued: %s\n", cmd, name)
	return err
}
