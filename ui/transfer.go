// Exporting the rows shown and importing a file, from the contact list.
package ui

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
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
	// The file's extension follows the format, in the field, where it
	// shows; a name with another extension is left as typed.
	format.onChange = func() {
		name := file.input.Value()
		ext := filepath.Ext(name)
		for _, known := range exportFormats {
			if ext == "."+known {
				file.input.SetValue(strings.TrimSuffix(name, ext) + "." + format.choices[format.choice])
				file.input.CursorEnd()
				file.hint = ""
				return
			}
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
		// What exists is looked up off the Update path (a disk may be
		// slow); the form stays open until it is known.
		return "", f.await(func() (string, func() tea.Cmd) {
			path, err := filepath.Abs(expandHome(typed))
			if err != nil {
				return fmt.Sprintf("Cannot write %s: %v.", typed, plainError(err)), nil
			}
			if st, err := os.Stat(filepath.Dir(path)); err != nil || !st.IsDir() {
				return fmt.Sprintf("No folder %s to write into.", filepath.Dir(path)), nil
			}
			st, err := os.Stat(path)
			switch {
			case err == nil && st.IsDir():
				return fmt.Sprintf("%s is a folder: add a file name.", path), nil
			case err == nil:
				return "", func() tea.Cmd {
					c.open(newConfirm(c, fmt.Sprintf("%s exists already. Replace it with the %d contacts shown?", model.Sanitize(path), n),
						func() tea.Cmd { return export(path, format, true) }))
					return nil
				}
			case !errors.Is(err, fs.ErrNotExist):
				return fmt.Sprintf("Cannot write %s: %v.", path, plainError(err)), nil
			}
			// Not there: written without replacing, so a file that
			// appears meanwhile is not lost either (app.WriteFileAtomic).
			return "", func() tea.Cmd { return export(path, format, false) }
		})
	}
	a.open(f)
	return nil
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
	parent, svc := a.ctx, a.svc
	f := newFormDialog(a.common, "Import contacts from a CSV or vCard file").
		addPath("File", "", "contacts.csv or cards.vcf").
		addText("Labels", "", "labels for every imported contact (optional)")
	f.submit = func(v []string, _ []bool) (string, tea.Cmd) {
		typed := strings.TrimSpace(v[0])
		if typed == "" {
			return "A file is needed.", nil
		}
		path, labels := expandHome(typed), v[1]
		return "", f.await(func() (string, func() tea.Cmd) {
			file, err := os.Open(path)
			if err != nil {
				return fmt.Sprintf("Cannot read %s: %s.", model.Sanitize(typed), plainError(err)), nil
			}
			defer file.Close()
			if st, err := file.Stat(); err == nil && st.IsDir() {
				return fmt.Sprintf("%s is a folder: add a file name (tab completes).", model.Sanitize(typed)), nil
			}
			plan, err := svc.PlanImport(parent, file, path, labels)
			if err != nil {
				return fmt.Sprintf("Cannot import %s: %v", model.Sanitize(typed), err), nil
			}
			msg := importPlanMsg{plan: plan, path: path}
			return "", func() tea.Cmd { return func() tea.Msg { return msg } }
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
