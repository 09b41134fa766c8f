package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

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
	if msg.ran {
		m.changing--
	}
	if msg.undid {
		m.undoing--
	}
	if msg.err != nil {
		m.flash = ""
		m.actionErr = msg.err.Error()
		if msg.undo == nil {
			return nil
		}
	} else {
		m.actionErr = ""
		m.flash, m.flashUntilSent = msg.flash, msg.untilSent
		m.flashSent, m.failedBefore = msg.sent, msg.failedBefore
		if msg.untilSent {
			// WhatsApp may have it already: the StatusChanged saying so
			// can come before this answer.
			m.status = m.svc.Status()
			m.settleFlash()
		}
	}
	if msg.undo != nil {
		if msg.undid {
			// A failed undo goes back where it was, under the changes
			// made since.
			at := min(max(0, msg.undoAt), len(m.undos))
			m.undos = slices.Insert(m.undos, at, msg.undo)
		} else {
			m.undos = append(m.undos, msg.undo)
		}
		if len(m.undos) > maxUndo {
			m.undos = m.undos[1:]
		}
	}
	return nil
}

// settleFlash replaces a flash saying a change waits for WhatsApp once
// nothing waits: with what was sent, or with nothing when the outbox
// failed a change meanwhile (the status bar counts the failed ones).
func (m *Model) settleFlash() {
	if !m.flashUntilSent || m.status.Outbox.Pending > 0 {
		return
	}
	m.flash = m.flashSent
	if m.status.Outbox.Failed > m.failedBefore {
		m.flash = ""
	}
	m.flashUntilSent, m.flashSent = false, ""
}

// whyNotUndo is why u cannot act now: a change or an undo is on its way.
func (c *common) whyNotUndo() string {
	switch {
	case c.undoing > 0:
		return "wait for the undo to finish"
	case c.changing > 0:
		return "wait for the change on its way to finish"
	}
	return ""
}

// undo takes back the last undoable change (labels, hiding), whichever
// screen made it.
func (c *common) undo() tea.Cmd {
	if len(c.undos) == 0 {
		c.post(flashMsg("nothing to undo"))
		return nil
	}
	at := len(c.undos) - 1
	u := c.undos[at]
	c.undos = c.undos[:at]
	svc := c.svc
	c.undoing++
	return c.within(actionTimeout, func(ctx context.Context) tea.Msg {
		if err := svc.UndoChange(ctx, u); err != nil {
			// Still undoable (a busy database, say): keep it for another u.
			return actionMsg{err: fmt.Errorf("undo %s: %w", u.Description, err), undo: u, undid: true, undoAt: at}
		}
		return actionMsg{flash: "undone: " + u.Description, undid: true}
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
			if err == nil && undo == nil {
				return "nothing changed: the labels were already as chosen", nil, nil
			}
			// The flash counts the contacts that changed, not those
			// selected: some may have had the label already.
			n := len(jids)
			if undo != nil {
				n = undo.Contacts
			}
			return labelFlash(n, add, remove), undo, err
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
			return "", a.addContact(f, in)
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
// view's d): confirmRemove for one; done as there.
func (a contactActions) confirmDelete(c *model.Contact, done func()) tea.Cmd {
	if c == nil {
		return nil
	}
	return a.confirmRemove([]*model.Contact{c}, done)
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
	if len(hide) == 0 {
		if len(show) == 0 {
			return nil
		}
		if len(show) == 1 {
			name = model.Sanitize(cs[0].DisplayName())
		}
		return a.setHidden(show, false, name, done)
	}
	question := fmt.Sprintf("Hide %s from the list? (is:hidden finds it, u undoes)", name)
	if len(hide) > 1 {
		question = fmt.Sprintf("Hide %d contacts from the list? (is:hidden finds them, u undoes)", len(hide))
	}
	if len(show) > 0 {
		question += fmt.Sprintf(" (%s hidden already.)", countOf(len(show), "more is", "more are"))
	}
	if len(hide) > 1 {
		name = ""
	}
	a.open(newConfirm(a.common, question, func() tea.Cmd { return a.setHidden(hide, true, name, done) }))
	return nil
}

// setHidden hides jids (or lists them again), undoably; name names the
// contact when there is one. done (may be nil) runs first.
func (a contactActions) setHidden(jids []string, hidden bool, name string, done func()) tea.Cmd {
	if done != nil {
		done()
	}
	svc := a.svc
	return a.run(func(ctx context.Context) (string, *app.Undo, error) {
		n, undo, err := svc.SetHiddenUndoable(ctx, jids, hidden)
		switch {
		case err != nil && hidden:
			return "", nil, fmt.Errorf("hiding: %w", err)
		case err != nil:
			return "", nil, fmt.Errorf("showing again: %w", err)
		case hidden && name != "" && n == 1:
			return "hidden " + name + " (u shows it again)", undo, nil
		case hidden:
			return "hidden " + countOf(n, "contact", "contacts") + " (u shows them again)", undo, nil
		case name != "" && n == 1:
			return name + " is listed again (u hides it again)", undo, nil
		}
		return countOf(n, "contact is", "contacts are") + " listed again (u hides them again)", undo, nil
	})
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
	svc, lower := a.svc, strings.ToLower(verb)
	a.open(newConfirm(a.common, question, func() tea.Cmd {
		return a.within(actionTimeout, func(ctx context.Context) tea.Msg {
			failed := svc.Status().Outbox.Failed
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
			return actionMsg{
				flash:     fmt.Sprintf("%sing %s… (queued for WhatsApp)", lower, what),
				sent:      fmt.Sprintf("%sed %s (sent to WhatsApp)", lower, what),
				untilSent: true, failedBefore: failed,
			}
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

// addContact adds the contact form f describes, off the Update path; f
// stays open, with what was typed, until it is added, and shows why when
// it cannot be (the number is in the book already: whose it is).
func (a contactActions) addContact(f *formDialog, in app.ContactInput) tea.Cmd {
	svc := a.svc
	return f.await(func(ctx context.Context) formVerdict {
		added, err := svc.AddContact(ctx, in)
		if err != nil {
			return refuse("%s", err)
		}
		msg := contactAddedMsg{jid: added.JID, action: actionMsg{flash: "added " + model.Sanitize(added.DisplayName())}}
		return proceed(func() tea.Cmd { return func() tea.Msg { return msg } })
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
			return "", nil, err // it says "fetching the profile of …" already
		}
		return "profile of " + model.Sanitize(fresh.DisplayName()) + " updated", nil, nil
	})
}

// exportFormats are the formats an export is written in, as the form
// offers them; each is also its file's extension.
var exportFormats = []string{"csv", "vcf", "json"}
