package ui

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
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

// maxUndo is how many label changes u can take back.
const maxUndo = 20

// contactActions are the changes made from the contact list and the
// detail view (on the selection, or on the contact shown); both screens
// embed them.
type contactActions struct{ *common }

func (m *Model) handleAction(msg actionMsg) tea.Cmd {
	if msg.err != nil {
		m.flash = ""
		m.actionErr = msg.err.Error()
		if msg.undo == nil {
			return nil
		}
	} else {
		m.actionErr = ""
		m.flash, m.flashUntilSent = msg.flash, msg.untilSent
	}
	if msg.undo != nil {
		m.undos = append(m.undos, msg.undo)
		if len(m.undos) > maxUndo {
			m.undos = m.undos[1:]
		}
	}
	return nil
}

// undo takes back the last undoable change (labels, hiding), whichever
// screen made it.
func (c *common) undo() tea.Cmd {
	if len(c.undos) == 0 {
		c.post(flashMsg("nothing to undo"))
		return nil
	}
	u := c.undos[len(c.undos)-1]
	c.undos = c.undos[:len(c.undos)-1]
	svc := c.svc
	return c.run(func(ctx context.Context) (string, *app.Undo, error) {
		if err := svc.UndoChange(ctx, u); err != nil {
			// Still undoable (a busy database, say): keep it for another u.
			return "", u, fmt.Errorf("undo %s: %w", u.Description, err)
		}
		return "undone: " + u.Description, nil, nil
	})
}

// openLabelPicker edits the labels of the selection (or the contact under
// the cursor, or the one in the detail view).
func (a contactActions) openLabelPicker(contacts []*model.Contact) tea.Cmd {
	if len(contacts) == 0 {
		return nil
	}
	svc := a.svc
	a.open(newLabelPicker(a.common, a.ix.labels, contacts, func(jids, add, remove []string) tea.Cmd {
		return a.run(func(ctx context.Context) (string, *app.Undo, error) {
			undo, err := svc.ApplyLabels(ctx, jids, add, remove)
			return labelFlash(len(jids), add, remove), undo, err
		})
	}))
	return nil
}

func labelFlash(n int, add, remove []string) string {
	var parts []string
	if len(add) > 0 {
		parts = append(parts, "added "+strings.Join(add, ", "))
	}
	if len(remove) > 0 {
		parts = append(parts, "removed "+strings.Join(remove, ", "))
	}
	return fmt.Sprintf("%s on %d contact%s (u undoes)", strings.Join(parts, "; "), n, plural(n))
}

// contactForm adds a contact (c == nil) or edits one.
func (a contactActions) contactForm(c *model.Contact) tea.Cmd {
	svc := a.svc
	title, name, phone, labels, note, internal := "Add a contact", "", "", "", "", false
	if c != nil {
		title = "Edit " + model.Sanitize(c.DisplayName())
		name, phone, labels, note, internal = c.FullName, c.Phone, strings.Join(c.Labels, ", "), c.Note, c.IsInternal
	}
	f := newFormDialog(a.common, title).
		addText("Name", name, "Ada Lovelace")
	if c == nil {
		f.addText("Phone", phone, "+1 415 555 0101 (any format)")
	} else {
		// A contact is its number: shown, not offered for editing.
		f.addReadOnly("Phone", phone, "(cannot change)")
	}
	f.addText("Labels", labels, "VIP, New customer").
		addText("Note", note, "").
		addToggle("Internal", internal)
	f.submit = func(v []string, t []bool) (string, tea.Cmd) {
		for _, l := range model.SplitLabelList(v[2]) {
			if err := model.ValidateLabelName(l); err != nil {
				return fmt.Sprintf("label %q: %v", l, err), nil
			}
		}
		if c == nil {
			if strings.TrimSpace(v[1]) == "" {
				return "A phone number is needed.", nil
			}
			if _, err := model.ParsePhone(v[1], svc.Region()); err != nil {
				return fmt.Sprintf("Phone %q: %v", v[1], err), nil
			}
			in := app.ContactInput{Name: v[0], Phone: v[1], Labels: v[2], Note: v[3], Internal: t[4]}
			return "", a.addContact(in)
		}
		// Only what was changed is sent: an untouched field must not be
		// rewritten (a label name with a comma would split, a name with
		// control characters would count as renamed).
		jid := c.JID
		edit := app.ContactEdit{Internal: &t[4]}
		if v[0] != f.initial[0] {
			edit.Name = &v[0]
		}
		if v[2] != f.initial[2] {
			edit.Labels = &v[2]
		}
		if v[3] != f.initial[3] {
			edit.Note = &v[3]
		}
		return "", a.run(func(ctx context.Context) (string, *app.Undo, error) {
			edited, err := svc.EditContact(ctx, jid, edit)
			return "saved " + model.Sanitize(edited.DisplayName()), nil, err
		})
	}
	a.open(f)
	return f.fields[0].input.Focus()
}

// confirmDelete deletes the contact shown or under the cursor (the detail
// view's d): confirmRemove for one.
func (a contactActions) confirmDelete(c *model.Contact) tea.Cmd {
	if c == nil {
		return nil
	}
	return a.confirmRemove([]*model.Contact{c}, nil)
}

// isLocal: a contact added here or imported, which can be deleted; one
// from WhatsApp would come back with the next sync, so it is hidden
// instead (app.Service.RemoveContacts).
func isLocal(c *model.Contact) bool {
	return c.Source == model.SourceLocal || c.Source == model.SourceImport
}

// confirmRemove asks once, naming the count, and then deletes the contacts
// added here and hides those from WhatsApp, in one command; u shows the
// hidden ones again. done (may be nil) runs when the user confirms: the
// list forgets its selection then.
func (a contactActions) confirmRemove(cs []*model.Contact, done func()) tea.Cmd {
	var local, fromWA, hiddenAlready int
	jids := make([]string, 0, len(cs))
	for _, c := range cs {
		switch {
		case isLocal(c):
			local++
		case c.Hidden:
			hiddenAlready++
			continue
		default:
			fromWA++
		}
		jids = append(jids, c.JID)
	}
	n := local + fromWA
	if n == 0 {
		if len(cs) > 0 {
			a.post(flashMsg(fmt.Sprintf("Nothing to delete: %s from WhatsApp and hidden already.", countOf(hiddenAlready, "contact is", "contacts are"))))
		}
		return nil
	}
	name := ""
	if n == 1 {
		for _, c := range cs {
			if c.JID == jids[0] {
				name = model.Sanitize(c.DisplayName())
			}
		}
	}
	var question string
	switch {
	case n == 1 && local == 1:
		question = fmt.Sprintf("Delete %s from the address book?", name)
	case n == 1:
		question = fmt.Sprintf("%s comes from WhatsApp and cannot be deleted here. Hide it from the list?", name)
	case fromWA == 0:
		question = fmt.Sprintf("Delete %d contacts from the address book?", n)
	case local == 0:
		question = fmt.Sprintf("%d contacts come from WhatsApp and cannot be deleted here. Hide them from the list?", n)
	default:
		verb := "come"
		if fromWA == 1 {
			verb = "comes"
		}
		question = fmt.Sprintf("Delete %d contacts? %d %s from WhatsApp and will be hidden instead.", n, fromWA, verb)
	}
	if hiddenAlready > 0 {
		question += fmt.Sprintf(" (%s from WhatsApp and hidden already.)", countOf(hiddenAlready, "more is", "more are"))
	}
	svc := a.svc
	a.open(newConfirm(a.common, question, func() tea.Cmd {
		if done != nil {
			done()
		}
		return a.run(func(ctx context.Context) (string, *app.Undo, error) {
			res, undo, err := svc.RemoveContacts(ctx, jids)
			if err != nil {
				return "", undo, fmt.Errorf("deleting: %w", err)
			}
			return removedFlash(res, name), undo, nil
		})
	}))
	return nil
}

// removedFlash says what RemoveContacts did; name is the contact's when
// it was one.
func removedFlash(res app.Removed, name string) string {
	switch {
	case name != "" && res.Deleted == 1:
		return "deleted " + name
	case name != "" && res.Hidden == 1:
		return "hidden " + name + " (u shows it again)"
	case res.Hidden == 0:
		return "deleted " + countOf(res.Deleted, "contact", "contacts")
	case res.Deleted == 0:
		return "hidden " + countOf(res.Hidden, "contact", "contacts") + " (u shows them again)"
	}
	return fmt.Sprintf("deleted %s, hid %d from WhatsApp (u shows those again)", countOf(res.Deleted, "contact", "contacts"), res.Hidden)
}

// countOf is "1 contact", "3 contacts".
func countOf(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// toggleHidden hides the contacts of cs that are not hidden, after asking
// once; when all are hidden (a selection made under is:hidden) it shows
// them again at once. Both are undoable. done (may be nil) runs when the
// change is on its way: the list forgets its selection then.
func (a contactActions) toggleHidden(cs []*model.Contact, done func()) tea.Cmd {
	var hide, show []string
	name := ""
	for _, c := range cs {
		if c.Hidden {
			show = append(show, c.JID)
		} else {
			hide = append(hide, c.JID)
			name = model.Sanitize(c.DisplayName())
		}
	}
	svc := a.svc
	if len(hide) == 0 {
		if len(show) == 0 {
			return nil
		}
		if len(show) == 1 {
			name = model.Sanitize(cs[0].DisplayName())
		}
		if done != nil {
			done()
		}
		return a.run(func(ctx context.Context) (string, *app.Undo, error) {
			n, undo, err := svc.SetHiddenUndoable(ctx, show, false)
			if err != nil {
				return "", nil, fmt.Errorf("showing again: %w", err)
			}
			if name != "" && n == 1 {
				return name + " is listed again (u hides it again)", undo, nil
			}
			return countOf(n, "contact is", "contacts are") + " listed again (u hides them again)", undo, nil
		})
	}
	question := fmt.Sprintf("Hide %s from the list? (is:hidden finds it, u undoes)", name)
	if len(hide) > 1 {
		question = fmt.Sprintf("Hide %d contacts from the list? (is:hidden finds them, u undoes)", len(hide))
	}
	if len(show) > 0 {
		question += fmt.Sprintf(" (%s hidden already.)", countOf(len(show), "more is", "more are"))
	}
	a.open(newConfirm(a.common, question, func() tea.Cmd {
		if done != nil {
			done()
		}
		return a.run(func(ctx context.Context) (string, *app.Undo, error) {
			n, undo, err := svc.SetHiddenUndoable(ctx, hide, true)
			if err != nil {
				return "", nil, fmt.Errorf("hiding: %w", err)
			}
			if len(hide) == 1 && n == 1 {
				return "hidden " + name + " (u shows it again)", undo, nil
			}
			return "hidden " + countOf(n, "contact", "contacts") + " (u shows them again)", undo, nil
		})
	}))
	return nil
}

// confirmBlock blocks or unblocks the contact shown or under the cursor
// (the detail view's b): confirmBlockAll for one.
func (a contactActions) confirmBlock(c *model.Contact) tea.Cmd {
	if c == nil {
		return nil
	}
	return a.confirmBlockAll([]*model.Contact{c})
}

// confirmBlockAll blocks the contacts of cs not blocked yet, or unblocks
// them all when every one is blocked, after one question naming the
// count, in one command.
func (a contactActions) confirmBlockAll(cs []*model.Contact) tea.Cmd {
	if len(cs) == 0 {
		return nil
	}
	// What was last asked for, confirmed or still waiting for WhatsApp.
	blocked := func(c *model.Contact) bool {
		if c.BlockPending != 0 {
			return c.BlockPending > 0
		}
		return c.IsBlocked
	}
	block := slices.ContainsFunc(cs, func(c *model.Contact) bool { return !blocked(c) })
	var jids, names []string
	for _, c := range cs {
		if blocked(c) != block {
			jids = append(jids, c.JID)
			names = append(names, model.Sanitize(c.DisplayName()))
		}
	}
	verb := "Block"
	if !block {
		verb = "Unblock"
	}
	what := names[0]
	if len(jids) > 1 {
		what = fmt.Sprintf("%d contacts", len(jids))
	}
	question := fmt.Sprintf("%s %s on WhatsApp?", verb, what)
	if skipped := len(cs) - len(jids); skipped > 0 {
		question += fmt.Sprintf(" (%s blocked already.)", countOf(skipped, "more is", "more are"))
	}
	parent, svc, lower := a.ctx, a.svc, strings.ToLower(verb)
	a.open(newConfirm(a.common, question, func() tea.Cmd {
		return a.track(func() tea.Msg {
			ctx, cancel := context.WithTimeout(parent, 2*time.Minute)
			defer cancel()
			for i, jid := range jids {
				if err := svc.SetBlocked(ctx, jid, block); err != nil {
					err = fmt.Errorf("%s %s: %w", lower, names[i], err)
					if i > 0 {
						err = fmt.Errorf("%s queued for %d of %d contacts; %w", lower, i, len(jids), err)
					}
					return actionMsg{err: err}
				}
			}
			// Who sends it is in the banner when it is another wabook.
			return actionMsg{flash: fmt.Sprintf("%s %s: queued for WhatsApp", lower, what), untilSent: true}
		})
	}))
	return nil
}

// contactAddedMsg is a contact added by the form: the list puts its
// cursor on it once the index holds it, and the root shows action.
type contactAddedMsg struct {
	jid    string
	action actionMsg
}

// addContact adds the contact the form describes, off the Update path.
func (a contactActions) addContact(in app.ContactInput) tea.Cmd {
	parent, svc := a.ctx, a.svc
	return a.track(func() tea.Msg {
		ctx, cancel := context.WithTimeout(parent, actionTimeout)
		defer cancel()
		added, err := svc.AddContact(ctx, in)
		if err != nil {
			return actionMsg{err: err}
		}
		return contactAddedMsg{jid: added.JID, action: actionMsg{flash: "added " + model.Sanitize(added.DisplayName())}}
	})
}

func (a contactActions) refreshProfile(c *model.Contact) tea.Cmd {
	if c == nil {
		return nil
	}
	svc, jid := a.svc, c.JID
	a.post(flashMsg("asking WhatsApp for the about text and picture…"))
	return a.run(func(ctx context.Context) (string, *app.Undo, error) {
		fresh, err := svc.RefreshProfile(ctx, jid)
		if err != nil {
			return "", nil, fmt.Errorf("fetching the profile: %w", err)
		}
		return "profile of " + model.Sanitize(fresh.DisplayName()) + " updated", nil, nil
	})
}

// exportFormats are the formats an export is written in, as the form
// offers them; each is also its file's extension.
var exportFormats = []string{"csv", "vcf", "json"}

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
	var n int
	err := app.WriteFileAtomic(path, overwrite, func(w io.Writer) (err error) {
		n, err = svc.ExportContacts(ctx, w, format, query)
		return err
	})
	if errors.Is(err, fs.ErrExist) {
		return 0, fmt.Errorf("exporting: %s appeared meanwhile; export again to replace it", path)
	}
	if err != nil {
		return 0, fmt.Errorf("exporting: %w", err)
	}
	return n, nil
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
