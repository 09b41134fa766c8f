// Exporting the rows shown and importing a file, from the contact list.
package ui

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

// exportForm writes the rows shown (the current search) to a file.
func (a contactActions) exportForm(query string, n int) tea.Cmd {
	svc, c := a.svc, a.common
	f := newFormDialog(c, fmt.Sprintf("Export the %d contacts shown", n)).
		addChoice("Format", exportFormats).
		addPath("File", "wabook-contacts."+exportFormats[0], "where to write, e.g. ~/contacts.csv")
	format, file := f.fields[0], f.fields[1]
	// The name and the format never contradict each other: the file's
	// extension follows a new choice, and the choice follows an extension
	// typed that names another format. A name with no known extension is
	// left as typed.
	format.onChange = func() {
		name := file.input.Value()
		if _, known := formatOf(name); known {
			ext := filepath.Ext(name)
			file.input.SetValue(strings.TrimSuffix(name, ext) + "." + format.choices[format.choice])
			file.input.CursorEnd()
			file.hint = ""
		}
	}
	file.onEdit = func() {
		if i, known := formatOf(file.input.Value()); known {
			format.choice = i
		}
	}
	export := func(path, format string, overwrite bool) tea.Cmd {
		return c.run(func(ctx context.Context) (string, *app.Undo, error) {
			count, err := exportFile(ctx, svc, path, format, query, overwrite)
			return fmt.Sprintf("exported %d contacts to %s", count, shortPath(path, 48)), nil, err
		})
	}
	f.submit = func(v []string, _ []bool) (string, tea.Cmd) {
		format, typed := v[0], strings.TrimSpace(v[1])
		if typed == "" {
			return "A file name is needed.", nil
		}
		if i, known := formatOf(typed); known && exportFormats[i] != format {
			return fmt.Sprintf("%s names a %s file, but the format chosen is %s: choose %s, or change the name.",
				filepath.Base(typed), exportFormats[i], format, exportFormats[i]), nil
		}
		// What exists is looked up off the Update path (a disk may be
		// slow); the form stays open until it is known.
		return "", f.await(func(context.Context) formVerdict {
			return fileToWrite(typed, fmt.Sprintf("the %d contacts shown", n), func(path string, overwrite bool) tea.Cmd {
				return export(path, format, overwrite)
			})
		})
	}
	a.open(f)
	return nil
}

// formatOf is the export format a file name's extension names, if any.
func formatOf(name string) (int, bool) {
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(name), "."))
	i := slices.Index(exportFormats, ext)
	return i, i >= 0
}

// fileToWrite looks (off the Update path) at where a typed file name
// leads, for a form that writes what (its words, for the question): a
// folder that is not there, or a name that is a folder, keeps the form
// open, saying so; an existing file is replaced only after a yes; else
// write runs with the absolute path. write's overwrite says whether a file
// may be replaced: without it, one that appears meanwhile is not lost
// (app.WriteFileAtomic).
func fileToWrite(typed, what string, write func(path string, overwrite bool) tea.Cmd) formVerdict {
	path, err := filepath.Abs(expandHome(typed))
	if err != nil {
		return refuse("Cannot write %s: %v.", model.Sanitize(typed), plainError(err))
	}
	shown := model.Sanitize(path)
	if st, err := os.Stat(filepath.Dir(path)); err != nil || !st.IsDir() {
		return refuse("No folder %s to write into.", model.Sanitize(filepath.Dir(path)))
	}
	st, err := os.Stat(path)
	switch {
	case err == nil && st.IsDir():
		return refuse("%s is a folder: add a file name.", shown)
	case err == nil:
		return askFirst(fmt.Sprintf("%s exists already. Replace it with %s?", shown, what),
			func() tea.Cmd { return write(path, true) })
	case !errors.Is(err, fs.ErrNotExist):
		return refuse("Cannot write %s: %v.", shown, plainError(err))
	}
	return proceed(func() tea.Cmd { return write(path, false) })
}

// shortPath is path as the status bar shows it: the home folder as ~, and
// when still longer than width cells, the folders nearest the name with
// "…/" for the rest. The file's own name is always whole.
func shortPath(path string, width int) string {
	if home, err := os.UserHomeDir(); err == nil && home != "" {
		if rel, err := filepath.Rel(home, path); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			path = filepath.Join("~", rel)
		}
	}
	path = model.Sanitize(path)
	if lipgloss.Width(path) <= width {
		return path
	}
	parts := strings.Split(path, string(filepath.Separator))
	short := parts[len(parts)-1]
	for i := len(parts) - 2; i > 0; i-- {
		next := parts[i] + string(filepath.Separator) + short
		if lipgloss.Width("…/"+next) > width {
			break
		}
		short = next
	}
	return "…" + string(filepath.Separator) + short
}

// exportFile writes an export next to path and renames it into place, so a
// failure never leaves half a file; without overwrite an existing file is
// an error.
func exportFile(ctx context.Context, svc Service, path, format, query string, overwrite bool) (int, error) {
	n, err := svc.ExportContactsFile(ctx, path, format, query, overwrite)
	if errors.Is(err, fs.ErrExist) {
		return 0, fmt.Errorf("exporting: %s appeared meanwhile; export again to replace it", path)
	}
	return n, err
}

// importForm asks for a file and labels, shows the plan, and imports on
// confirmation: nothing is written before. A file that cannot be read
// keeps the form open, with what was typed.
func (a contactActions) importForm() tea.Cmd {
	svc := a.svc
	f := newFormDialog(a.common, "Import contacts from a CSV or vCard file").
		addPath("File", "", "contacts.csv or cards.vcf").
		addText("Labels", "", "labels for every imported contact (optional)")
	f.submit = func(v []string, _ []bool) (string, tea.Cmd) {
		typed := strings.TrimSpace(v[0])
		if typed == "" {
			return "A file is needed.", nil
		}
		path, labels := expandHome(typed), v[1]
		return "", f.await(func(ctx context.Context) formVerdict {
			file, err := os.Open(path)
			if err != nil {
				return refuse("Cannot read %s: %s.", model.Sanitize(typed), plainError(err))
			}
			defer file.Close()
			if st, err := file.Stat(); err == nil && st.IsDir() {
				return refuse("%s is a folder: add a file name (tab completes).", model.Sanitize(typed))
			}
			plan, err := svc.PlanImport(ctx, file, path, labels)
			if err != nil {
				return refuse("Cannot import %s: %v", model.Sanitize(typed), err)
			}
			msg := importPlanMsg{plan: plan, path: path}
			return proceed(func() tea.Cmd { return func() tea.Msg { return msg } })
		})
	}
	a.open(f)
	return nil
}

type importPlanMsg struct {
	plan *app.ImportPlan
	path string
}

func (a contactActions) showImportPlan(msg importPlanMsg) {
	p, svc := msg.plan, a.svc
	body := []string{
		fmt.Sprintf("%d new contact%s, %d updated, %d row%s that cannot be imported.", p.New, plural(p.New), p.Updated, p.Invalid, plural(p.Invalid)),
	}
	if len(p.Labels) > 0 {
		body = append(body, "Every imported contact gets: "+strings.Join(p.Labels, ", "))
	}
	if len(p.Reasons) > 0 {
		body = append(body, "", "Rows left out:")
		for _, r := range p.Reasons {
			body = append(body, "  "+model.Sanitize(r))
		}
	}
	d := newMessage(a.common, "Import "+model.Sanitize(filepath.Base(msg.path)), body)
	if p.New+p.Updated > 0 {
		d.action = "imports"
		d.onOK = func() tea.Cmd {
			return a.run(func(ctx context.Context) (string, *app.Undo, error) {
				res, err := svc.ApplyImport(ctx, p)
				return fmt.Sprintf("imported: %d new, %d updated", res.New, res.Updated), nil, err
			})
		}
	}
	a.open(d)
}

func expandHome(path string) string {
	if strings.HasPrefix(path, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, path[2:])
		}
	}
	return path
}
