package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

// LabelJSON is a label in `wabook labels --json`.
type LabelJSON struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	Color     int    `json:"color"`
	ColorHex  string `json:"color_hex"`
	Count     int    `json:"count"`
	WALabelID string `json:"wa_label_id"` // "" until WhatsApp confirmed the label
	// Synced: the label is on WhatsApp and none of its changes failed.
	Synced bool `json:"synced"`
}

// syncState says in a word where a label stands with WhatsApp: "local"
// (never sent), "waiting" (its creation not confirmed yet), "failed" (a
// change of it did not go through), "yes".
func syncState(l model.Label) string {
	switch {
	case l.Unsynced:
		return "failed"
	case l.WALabelID == "":
		return "local"
	case l.WAPending:
		return "waiting"
	}
	return "yes"
}

// Labels lists the labels with their colour, contact count, WhatsApp
// Business id and whether their last change reached WhatsApp.
//
//	wabook labels [--json]
func Labels(ctx context.Context, env Env, args []string) error {
	fs := newFlags("labels")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseNoArgs(fs, args, ""); err != nil {
		return err
	}
	labels, err := env.Svc.Labels(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		out := make([]LabelJSON, len(labels))
		for i, l := range labels {
			waID := l.WALabelID
			if l.WAPending {
				waID = ""
			}
			out[i] = LabelJSON{ID: l.ID, Name: l.Name, Color: l.Color, ColorHex: model.LabelColorHex(l.Color),
				Count: l.Count, WALabelID: waID, Synced: syncState(l) == "yes"}
		}
		return writeJSON(env.Out, out)
	}
	rows := make([][]string, len(labels))
	for i, l := range labels {
		waID := l.WALabelID
		if l.WAPending {
			waID = ""
		}
		rows[i] = []string{l.Name, fmt.Sprintf("%d %s", l.Color, model.LabelColorName(l.Color)),
			strconv.Itoa(l.Count), waID, syncState(l)}
	}
	if err := writeTable(env.Out, []string{"NAME", "COLOUR", "CONTACTS", "WA ID", "SYNCED"}, rows, []int{40, 0, 0, 0, 0}); err != nil {
		return err
	}
	sync := "off"
	if env.Svc.LabelSyncEnabled() {
		sync = "on"
	}
	_, err = fmt.Fprintf(env.Err, "label sync with WhatsApp: %s\n", sync)
	return err
}

const labelUsage = `usage: wabook label add NAME [--color C] | rename OLD NEW [--merge] | rm NAME | color NAME C | sync [on|off|retry]`

// Label changes one label.
//
//	wabook label add NAME [--color C]
//	wabook label rename OLD NEW [--merge]
//	wabook label rm NAME
//	wabook label color NAME C
//	wabook label sync [on|off|retry]
func Label(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 {
		return usagef(labelUsage)
	}
	sub, args := args[0], args[1:]
	if WantsHelp([]string{sub}) {
		return helpOf("label", nil)
	}
	fs, color, merge := labelFlags(sub)
	if fs == nil {
		return usagef("label: unknown action %q; %s", sub, labelUsage)
	}
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	svc := env.Svc
	if sub == "sync" {
		return labelSync(ctx, env, pos)
	}
	if len(pos) == 0 {
		return usagef(labelUsage)
	}
	switch sub {
	case "add":
		n := -1 // the next colour
		if *color != "" {
			var cerr error
			if n, cerr = model.ParseLabelColor(*color); cerr != nil {
				return usagef("label add: --color: %v", cerr)
			}
		}
		l, _, err := svc.CreateLabel(ctx, strings.Join(pos, " "), n)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(env.Out, "created: %s (colour %d %s)\n", model.Sanitize(l.Name), l.Color, model.LabelColorName(l.Color))
		return err
	case "rename":
		if len(pos) != 2 {
			return usagef(`usage: wabook label rename OLD NEW [--merge]  (quote names with spaces)`)
		}
		l, err := findLabel(ctx, env, pos[0])
		if err != nil {
			return err
		}
		verb, into := "renamed", model.NormalizeLabelName(pos[1])
		if other, lerr := svc.LabelByName(ctx, pos[1]); lerr == nil && other.ID != l.ID {
			// The contacts went to the label that exists, under its name
			// as it is spelt, whatever case NEW was typed in.
			verb, into = "merged", other.Name
		}
		_, err = svc.RenameLabel(ctx, l.ID, pos[1], *merge)
		if errors.Is(err, app.ErrLabelExists) && !*merge {
			return fmt.Errorf("%v: add --merge to move its contacts there", err)
		}
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(env.Out, "%s: %s → %s\n", verb, model.Sanitize(l.Name), model.Sanitize(into))
		return err
	case "rm":
		l, err := findLabel(ctx, env, strings.Join(pos, " "))
		if err != nil {
			return err
		}
		_, err = svc.DeleteLabel(ctx, l.ID)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(env.Out, "deleted: %s (%d contacts lost it)\n", model.Sanitize(l.Name), l.Count)
		return err
	case "color":
		if len(pos) < 2 {
			return usagef("usage: wabook label color NAME COLOUR  (COLOUR: 0–19 or a name such as sky or lime)")
		}
		n, cerr := model.ParseLabelColor(pos[len(pos)-1])
		if cerr != nil {
			return usagef("label color: %v", cerr)
		}
		l, err := findLabel(ctx, env, strings.Join(pos[:len(pos)-1], " "))
		if err != nil {
			return err
		}
		_, err = svc.SetLabelColor(ctx, l.ID, n)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(env.Out, "%s: colour %d %s\n", model.Sanitize(l.Name), n, model.LabelColorName(n))
		return err
	}
	return nil
}

// labelFlags is the flag set of a label action (nil for an unknown one),
// with --color (add) and --merge (rename).
func labelFlags(sub string) (fs *flag.FlagSet, color *string, merge *bool) {
	fs = newFlags("label " + sub)
	switch sub {
	case "add":
		color = fs.String("color", "", "palette colour `C`: 0–19 or a name such as sky or lime (default: the next colour in the palette)")
	case "rename":
		merge = fs.Bool("merge", false, "when a label NEW exists, move OLD's contacts to it and delete OLD")
	case "rm", "color", "sync":
	default:
		return nil, nil, nil
	}
	return fs, color, merge
}

// labelActionFlags builds a label action's flag set, for label's help.
func labelActionFlags(sub string) func() *flag.FlagSet {
	return func() *flag.FlagSet { fs, _, _ := labelFlags(sub); return fs }
}

func labelSync(ctx context.Context, env Env, pos []string) error {
	svc := env.Svc
	switch {
	case len(pos) == 0:
		state := "off"
		if svc.LabelSyncEnabled() {
			state = "on"
		}
		_, err := fmt.Fprintf(env.Out, "label sync with WhatsApp: %s\n", state)
		return err
	case len(pos) > 1:
		return usagef("usage: wabook label sync [on|off|retry]")
	}
	switch pos[0] {
	case "on", "off":
		n, err := svc.SetLabelSync(ctx, pos[0] == "on")
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(env.Out, "label sync with WhatsApp: %s\n", pos[0]); err != nil || n == 0 {
			return err
		}
		_, err = fmt.Fprintf(env.Out, "queued for WhatsApp: %s (the labels and chats it has not seen)\n", plural(n, "change", "changes"))
		return err
	case "retry":
		n, err := svc.ResyncLabels(ctx)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(env.Out, "queued again: %s\n", plural(n, "label", "labels"))
		return err
	}
	return usagef("usage: wabook label sync [on|off|retry]")
}

// findLabel finds a label by name, ignoring case.
func findLabel(ctx context.Context, env Env, name string) (model.Label, error) {
	l, err := env.Svc.LabelByName(ctx, name)
	if errors.Is(err, app.ErrNoLabel) {
		return l, fmt.Errorf("no label named %q (see wabook labels)", model.NormalizeLabelName(name))
	}
	return l, err
}
