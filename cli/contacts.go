package cli

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

// Contacts prints the contacts matching --query.
//
//	wabook contacts [--query Q] [--format table|json|csv|vcf]
func Contacts(ctx context.Context, env Env, args []string) error {
	fs := newFlags("contacts")
	query := fs.String("query", "", "show only the contacts matching search `Q` (the UI's search language; default: every contact)")
	format := fs.String("format", "table", "output `FORMAT`: table, json, csv or vcf")
	if err := parseOnlyFlags(fs, args, "use --query"); err != nil {
		return err
	}
	if !slices.Contains([]string{"table", "json", "csv", "vcf"}, *format) {
		return usagef("contacts: unknown --format %q (use table, json, csv or vcf)", *format)
	}
	snap, err := env.Svc.Snapshot(ctx)
	if err != nil {
		return err
	}
	contacts, err := filter(snap, *query)
	if err != nil {
		return err
	}
	colors := colorsOf(snap.Labels)
	switch *format {
	case "json":
		out := make([]app.ContactJSON, len(contacts))
		for i, c := range contacts {
			out[i] = app.NewContactJSON(c, colors)
		}
		return writeJSON(env.Out, out)
	case "csv":
		return app.WriteContactsCSV(env.Out, contacts)
	case "vcf":
		return app.WriteContactsVCard(env.Out, contacts)
	}
	rows := make([][]string, len(contacts))
	for i, c := range contacts {
		rows[i] = []string{c.DisplayName(), c.Phone, strings.Join(c.Labels, ", "), strconv.Itoa(len(c.ChatIDs()))}
	}
	return writeTable(env.Out, []string{"NAME", "PHONE", "LABELS", "CHATS"}, rows, []int{40, 0, 40, 0})
}

// filter applies a query and orders by display name, as the TUI does.
func filter(snap *app.Snapshot, query string) ([]*model.Contact, error) {
	if _, err := model.ParseQuery(query); err != nil {
		return nil, usagef("--query: %v", err)
	}
	return app.FilterContacts(snap, query)
}

func colorsOf(labels []model.Label) app.LabelColorIndex { return app.LabelColorsOf(labels) }

// Show prints one contact.
//
//	wabook show ID [--json]
func Show(ctx context.Context, env Env, args []string) error {
	fs := newFlags("show")
	asJSON := fs.Bool("json", false, "print JSON")
	// Accept the ID before or after the flags.
	var id string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		id, args = args[0], args[1:]
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if id == "" && fs.NArg() > 0 {
		id = fs.Arg(0)
	} else if fs.NArg() > 0 {
		return usagef("show: unexpected argument %q", fs.Arg(0))
	}
	if id == "" {
		return usagef("usage: wabook show ID [--json]  (ID: a phone number, a JID or <digits>@c.us)")
	}
	c, err := env.Svc.FindContact(ctx, id)
	if err != nil {
		return err
	}
	labels, err := env.Svc.Labels(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(env.Out, app.NewContactJSON(&c, colorsOf(labels)))
	}
	groups, err := env.Svc.Groups(ctx)
	if err != nil {
		return err
	}
	names := make(map[string]string, len(groups))
	for _, g := range groups {
		names[g.JID] = g.Name
	}
	yes := func(b bool) string { return strconv.FormatBool(b) }
	rows := [][]string{
		{"Name", c.DisplayName()}, {"Contact ID", model.ContactID(c.JID)}, {"Phone", c.Phone},
		{"LID", c.LID}, {"Push name", c.PushName}, {"Business name", c.BusinessName},
		{"About", c.About}, {"Labels", strings.Join(c.Labels, ", ")},
		{"In address book", yes(c.IsMyContact)}, {"Blocked", yes(c.IsBlocked)},
		{"Business", yes(c.IsBusiness)}, {"Internal", yes(c.IsInternal)}, {"Note", c.Note},
	}
	if c.Hidden {
		rows = append(rows, []string{"Hidden", "true (wabook rm --unhide shows it again)"})
	}
	for i, id := range c.ChatIDs() {
		label := ""
		if i == 0 {
			label = "Chats"
		}
		desc := "1-1 chat"
		if i > 0 {
			desc = names[id]
		}
		rows = append(rows, []string{label, fmt.Sprintf("%s  %s", id, desc)})
	}
	for _, r := range rows {
		r[1] = model.Sanitize(r[1])
	}
	return writeTable(env.Out, []string{"FIELD", "VALUE"}, rows, []int{0, 100})
}
