package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
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
// a file. The format comes from --format, else from the file's extension;
// the two must agree. An existing file is kept unless --force.
//
//	wabook export [--format csv|vcf|json] [--vcard-version 3.0|4.0] [--query Q] [-o FILE [--force]]
func Export(ctx context.Context, env Env, args []string) error {
	fs := newFlags("export")
	format := fs.String("format", "", "output `FORMAT`: csv, vcf or json (default: from the -o file's extension, else csv)")
	query := fs.String("query", "", "export only the contacts matching search `Q` (the UI's search language; default: every contact)")
	out := fs.String("o", "", "write to `FILE` instead of standard output (default: standard output)")
	force := fs.Bool("force", false, "overwrite the -o file when it exists")
	vcardVersion := fs.String("vcard-version", app.VCard3, "vCard `VERSION` of a vcf export: 3.0 (read by phones, mail clients and abook) or 4.0 (default: 3.0)")
	if err := parseNoArgs(fs, args, "use -o FILE"); err != nil {
		return err
	}
	f := strings.ToLower(*format)
	if f == "vcard" {
		f = "vcf"
	}
	if *format != "" && !slices.Contains(app.ExportFormats, f) {
		return usagef("export: unknown --format %q (use csv, vcf or json)", *format)
	}
	toFile := *out != "" && *out != "-"
	byExt := ""
	if toFile {
		byExt = formatOfExt(*out)
	}
	switch ext := filepath.Ext(*out); {
	case f == "" && byExt != "":
		f = byExt
	case f == "" && toFile && ext != "":
		// contacts.xlsx would be a CSV file no spreadsheet opens as one.
		return usagef("export: cannot tell the format from %q; add --format csv, vcf or json, or name the file .csv, .vcf or .json", ext)
	case f == "":
		f = "csv"
	case byExt != "" && byExt != f:
		// A .vcf full of CSV is read by nothing that opens .vcf files.
		return usagef("export: --format %s contradicts the file name %s (a %s file); drop --format or name the file .%s",
			f, filepath.Base(*out), byExt, f)
	}
	if f == "vcf" {
		var err error
		if f, err = app.VCardFormat(*vcardVersion); err != nil {
			return usagef("export: --vcard-version: %v", err)
		}
	}
	if _, err := model.ParseQuery(*query); err != nil {
		return usagef("--query: %v", err)
	}
	if !toFile {
		_, err := env.Svc.ExportContacts(ctx, env.Out, f, *query)
		return err
	}
	if !*force {
		if _, err := os.Lstat(*out); err == nil {
			return fmt.Errorf("export: %s exists; add --force to overwrite it", *out)
		}
	}
	n, err := exportToFile(ctx, env.Svc, *out, f, *query, *force)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(env.Err, "exported %d contacts to %s\n", n, *out)
	return err
}

// formatOfExt is the export format a file name's extension names, "" for
// any other extension.
func formatOfExt(path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return "csv"
	case ".vcf", ".vcard":
		return "vcf"
	case ".json":
		return "json"
	}
	return ""
}

// exportToFile writes the export next to path, 0600, and moves it into
// place: a failure never leaves half a file. Without overwrite the move is
// a hard link, which fails when path exists, so a file that appeared
// during the export is not replaced either.
func exportToFile(ctx context.Context, svc *app.Service, path, format, query string, overwrite bool) (int, error) {
	n, err := svc.ExportContactsFile(ctx, path, format, query, overwrite)
	if errors.Is(err, fs.ErrExist) {
		return 0, fmt.Errorf("export: %s exists; add --force to overwrite it", path)
	}
	return n, err
}
