package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

// Import imports contacts from a CSV or vCard file: it prints what the
// import will do (new, updated and invalid rows, with reasons), then
// imports everything in one transaction unless --dry-run.
//
//	wabook import FILE [--labels "A, B"] [--dry-run]
func Import(ctx context.Context, env Env, args []string) error {
	fs := newFlags("import")
	labels := fs.String("labels", "", "labels for every imported contact (comma-separated)")
	dry := fs.Bool("dry-run", false, "only show what would be imported")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef(`usage: wabook import FILE [--labels "A, B"] [--dry-run]  (FILE: .csv or .vcf; - reads stdin)`)
	}
	path := pos[0]
	var in io.Reader = os.Stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		defer f.Close()
		in = f
	}
	svc := env.Svc
	plan, err := svc.PlanImport(ctx, in, path, *labels)
	if err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "new: %d\nupdated: %d\ninvalid: %d\n", plan.New, plan.Updated, plan.Invalid)
	for _, r := range plan.Reasons {
		fmt.Fprintf(&b, "  %s\n", model.Sanitize(r))
	}
	if more := plan.Invalid - len(plan.Reasons); more > 0 {
		fmt.Fprintf(&b, "  … and %d more\n", more)
	}
	if len(plan.Labels) > 0 {
		fmt.Fprintf(&b, "labels for every contact: %s\n", strings.Join(plan.Labels, ", "))
	}
	if _, err := io.WriteString(env.Out, b.String()); err != nil {
		return err
	}
	if *dry {
		_, err := fmt.Fprintln(env.Out, "dry run: nothing imported")
		return err
	}
	if plan.New+plan.Updated == 0 {
		return errors.New("nothing to import: no row has a valid phone number")
	}
	res, err := svc.ApplyImport(ctx, plan)
	if err != nil && res.New+res.Updated == 0 {
		return err
	}
	fmt.Fprintf(env.Out, "imported: %d new, %d updated\n", res.New, res.Updated)
	return err
}

// Export writes the contacts (all, or those matching --query) as CSV,
// vCard or JSON, to stdout or, atomically and readable only by the user, to
// a file.
//
//	wabook export --format csv|vcf|json [--vcard-version 3.0|4.0] [--query Q] [-o FILE]
func Export(ctx context.Context, env Env, args []string) error {
	fs := newFlags("export")
	format := fs.String("format", "", "csv, vcf or json (default: from the -o file's extension, else csv)")
	query := fs.String("query", "", "search query (the TUI's query language)")
	out := fs.String("o", "", "write to this file instead of stdout")
	vcardVersion := fs.String("vcard-version", app.VCard3, "vCard version of a vcf export: 3.0 or 4.0")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("export: unexpected argument %q (use -o FILE)", pos[0])
	}
	f := strings.ToLower(*format)
	if f == "" {
		switch strings.ToLower(filepath.Ext(*out)) {
		case ".vcf", ".vcard":
			f = "vcf"
		case ".json":
			f = "json"
		default:
			f = "csv"
		}
	}
	if f == "vcard" {
		f = "vcf"
	}
	if !slices.Contains(app.ExportFormats, f) {
		return usagef("export: unknown --format %q (use csv, vcf or json)", *format)
	}
	if f == "vcf" {
		if f, err = app.VCardFormat(*vcardVersion); err != nil {
			return usagef("export: --vcard-version: %v", err)
		}
	}
	if _, err := model.ParseQuery(*query); err != nil {
		return usagef("--query: %v", err)
	}
	if *out == "" || *out == "-" {
		_, err := env.Svc.ExportContacts(ctx, env.Out, f, *query)
		return err
	}
	n, err := exportToFile(ctx, env.Svc, *out, f, *query)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(env.Err, "exported %d contacts to %s\n", n, *out)
	return err
}

// exportToFile writes the export next to path, 0600, and renames it into
// place: a failure never leaves half a file.
func exportToFile(ctx context.Context, svc *app.Service, path, format, query string) (int, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".wabook-export-*")
	if err != nil {
		return 0, fmt.Errorf("exporting: %w", err)
	}
	defer os.Remove(tmp.Name()) // after the rename: nothing left to remove
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return 0, fmt.Errorf("exporting: %w", err)
	}
	n, err := svc.ExportContacts(ctx, tmp, format, query)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, fmt.Errorf("exporting: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return 0, fmt.Errorf("exporting: %w", err)
	}
	return n, nil
}
