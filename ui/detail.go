package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/wabook/wabook/model"
)

// detailView shows every field of one contact, its labels and its chat_ids
// with group names. Long content scrolls. The list's index keeps only
// what its rows show, so the contact is read whole in a command (open,
// reload); the view says it is loading until it arrives. Meanwhile the
// actions that need only what the row keeps (labels, block, hide, delete)
// act on the row's contact; the edit form waits.
type detailView struct {
	contactActions
	jid     string         // the contact shown
	c       *model.Contact // the row's (index.contact) until read whole
	whole   bool           // c was read whole
	checked time.Time      // when c's number was last checked, zero when not known
	ix      *index         // the index it was opened from (group names, label colours)
	// deleting: its delete (d) was confirmed here, so its leaving the
	// index is no news to tell (Model.reopenDetail).
	deleting bool
	vp       viewport.Model

	width, height int
}

// contactReadMsg is a contact the detail view or the edit form asked for,
// read whole.
type contactReadMsg struct {
	jid  string
	c    model.Contact
	err  error
	edit bool // for the edit form (contactList.editContact)
	// checked is when the contact's number was last checked (the detail's).
	checked time.Time
}

// readContact reads the contact jid whole, off the Update path.
func readContact(c *common, jid string, edit bool) tea.Cmd {
	svc := c.svc
	return c.within(actionTimeout, func(ctx context.Context) tea.Msg {
		cs, err := svc.ContactsByJID(ctx, []string{jid})
		if err == nil && len(cs) == 0 {
			err = errors.New("it is no longer in the address book")
		}
		var checked time.Time
		if err == nil && !edit && cs[0].CheckStatus != "" {
			// Without its date (a failed read) the detail still shows.
			if last, err := svc.LastCheck(ctx, cs[0].Phone); err == nil {
				checked = last.CheckedAt
			}
		}
		if err != nil {
			return contactReadMsg{jid: jid, edit: edit, err: fmt.Errorf("reading the contact: %w", err)}
		}
		return contactReadMsg{jid: jid, edit: edit, c: cs[0], checked: checked}
	})
}

func newDetailView(c *common) *detailView {
	return &detailView{contactActions: contactActions{c}, vp: viewport.New()}
}

// open shows the contact of row i of ix: its title at once, the rest when
// the command has read it.
func (d *detailView) open(ix *index, i int32) tea.Cmd {
	d.jid, d.c, d.whole, d.ix, d.deleting, d.checked = ix.jid(i), ix.contact(i), false, ix, false, time.Time{}
	d.vp.SetYOffset(0)
	d.setLines([]string{d.st.Dim.Render("loading…")})
	return readContact(d.common, d.jid, false)
}

// reload reads the contact shown again after the index changed, showing
// the one it has meanwhile.
func (d *detailView) reload(ix *index) tea.Cmd {
	d.ix = ix
	return readContact(d.common, d.jid, false)
}

// loading is why the edit form waits: the contact is being read.
func (d *detailView) loading() string {
	if !d.whole {
		return "loading the contact…"
	}
	return ""
}

func (d *detailView) SetSize(w, h int) {
	d.width, d.height = w, h
	d.vp.SetWidth(w)
	d.vp.SetHeight(max(1, h-1))
	d.render()
	d.fit()
}

// setLines shows lines, leaving room for the scroll hint when they are
// more than the view holds.
func (d *detailView) setLines(lines []string) {
	d.vp.SetContentLines(lines)
	d.fit()
}

// fit gives the viewport the lines under the title, less the scroll hint's
// when the content is longer than that: without the hint nothing says
// that fields (Updated, Last change) are below.
func (d *detailView) fit() {
	h := max(1, d.height-1)
	if d.vp.TotalLineCount() > h {
		h = max(1, d.height-2)
	}
	d.vp.SetHeight(h)
	d.vp.SetYOffset(d.vp.YOffset()) // clamped to the new height
}

// scrollHint says which lines are shown and whether more are above or
// below, worded as the Checks results' (checksScreen.resultsView); "" when
// all of them are shown.
func (d *detailView) scrollHint() string {
	total, first := d.vp.TotalLineCount(), d.vp.YOffset()
	last := min(total, first+d.vp.Height())
	if first == 0 && last >= total {
		return ""
	}
	where := fmt.Sprintf("  lines %d–%d of %d", first+1, last, total)
	if first > 0 {
		where += " · ↑ more"
	}
	if last < total {
		where += " · ↓ more"
	}
	return model.Truncate(d.st.Dim.Render(where+" · j/k scroll"), d.width)
}

const fieldWidth = 16

func (d *detailView) render() {
	if !d.whole {
		return
	}
	c := d.c
	valueW := max(10, d.width-fieldWidth-1)
	wrap := lipgloss.NewStyle().Width(valueW)
	var lines []string
	// sep is what stands between the name and the value: a space, or
	// none before label chips, whose own padding (Styles.Chip) is that
	// space, so that their names start in the column of the other values.
	fieldSep := func(name, value, sep string) {
		if value == "" {
			value, sep = d.st.Dim.Render("—"), " "
		}
		wrap := wrap.Width(valueW + 1 - len(sep))
		body := strings.Split(wrap.Render(value), "\n")
		for i, l := range body {
			label := ""
			if i == 0 {
				label = name
			}
			lines = append(lines, d.st.FieldName.Render(pad(label, fieldWidth))+sep+l)
		}
	}
	field := func(name, value string) { fieldSep(name, value, " ") }
	field("Phone", c.Phone)
	field("Contact ID", model.ContactID(c.JID))
	var chips []string
	for _, l := range c.Labels {
		chips = append(chips, d.st.Chip(model.Sanitize(l), d.ix.labelColor[strings.ToLower(l)]))
	}
	fieldSep("Labels", strings.Join(chips, " "), "")

	// chat_ids come first after the identity: they are what people open a
	// contact for.
	lines = append(lines, "", d.st.Title.Render(fmt.Sprintf("Chats (%d)", 1+len(c.Groups))))
	lines = append(lines, "  "+pad(model.ContactID(c.JID), 28)+" "+d.st.Dim.Render("1-1 chat"))
	for _, g := range c.Groups {
		name, ok := d.ix.groupNames[g]
		if !ok {
			name = "(unknown group)"
		}
		lines = append(lines, "  "+pad(g, 28)+" "+model.Truncate(name, max(0, d.width-31)))
	}
	lines = append(lines, "", d.st.Title.Render("Details"))
	field("Full name", model.Sanitize(c.FullName))
	field("First name", model.Sanitize(c.FirstName))
	field("Push name", model.Sanitize(c.PushName))
	field("Business name", model.Sanitize(c.BusinessName))
	field("Verified name", model.Sanitize(c.VerifiedName))
	field("JID", c.JID)
	field("LID", c.LID)
	field("About", model.Sanitize(c.About))
	field("Picture URL", model.Sanitize(c.AvatarURL))
	field("In address book", yesNo(c.IsMyContact))
	field("On WhatsApp", yesNo(c.IsWAContact))
	field("Business", yesNo(c.IsBusiness))
	field("Blocked", blockedWords(c))
	field("Internal", yesNo(c.IsInternal))
	field("Note", model.Sanitize(c.Note))
	field("Source", c.Source)
	check := c.CheckStatus
	switch {
	case check == "":
		check = "never checked"
	case !d.checked.IsZero():
		check += " on " + formatTime(d.checked)
	}
	field("Last check", check)
	field("Created", formatTime(c.CreatedAt))
	field("Updated", formatTime(c.UpdatedAt))
	field("Last change", lastChange(c, d.ix.labels))
	for i, l := range lines {
		lines[i] = model.Truncate(l, d.width)
	}
	d.setLines(lines)
}

// lastChange is when the contact was last changed through wabook and by
// whom (a serve token, an SSH operator, the local user: app.WithActor),
// or one of its labels renamed or recoloured since (model.LastChange);
// "" when neither was. The names are untrusted: a key's comment, a
// token's name, a label's.
func lastChange(c *model.Contact, labels []model.Label) string {
	who, at, what := model.LastChange(c, labels)
	if who == "" {
		return ""
	}
	s := formatTime(at) + " by " + model.Sanitize(who)
	if what != "" {
		s += ": " + model.Sanitize(what)
	}
	return s
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format("2006-01-02 15:04")
}

// Update takes the contact it asked for; it has no field.
func (d *detailView) Update(msg tea.Msg) tea.Cmd {
	read, ok := msg.(contactReadMsg)
	if !ok || read.edit || read.jid != d.jid {
		return nil
	}
	if read.err != nil {
		if !d.whole {
			d.setLines([]string{d.st.Error.Render(model.Sanitize(read.err.Error()))})
		}
		return nil
	}
	c := read.c
	d.c, d.whole, d.checked = &c, true, read.checked
	d.render()
	return nil
}

// CapturesTyping: the detail view has no field.
func (d *detailView) CapturesTyping() bool { return false }

// Bindings is the detail view's key table: the contact's actions and
// scrolling.
func (d *detailView) Bindings() []binding {
	k := d.keys
	scroll := func(f func()) func(tea.KeyPressMsg) tea.Cmd {
		return func(tea.KeyPressMsg) tea.Cmd { f(); return nil }
	}
	this := func(act func(*model.Contact) tea.Cmd) func(tea.KeyPressMsg) tea.Cmd {
		return func(tea.KeyPressMsg) tea.Cmd { return act(d.c) }
	}
	return []binding{
		bind(k.Back, func(tea.KeyPressMsg) tea.Cmd { d.post(closeDetailMsg{}); return nil }).offered(),
		bind(k.Copy, func(tea.KeyPressMsg) tea.Cmd {
			jid := d.jid
			return tea.Batch(tea.SetClipboard(jid), func() tea.Msg { return flashMsg("copied " + jid) })
		}).offered(),
		bind(k.Refresh, this(d.refreshProfile)).offered(),
		bind(k.EditLabels, func(tea.KeyPressMsg) tea.Cmd { return d.openLabelPicker([]*model.Contact{d.c}) }).offered(),
		bind(k.Edit, this(d.contactForm)).offered().unless(d.loading),
		bind(k.Block, this(d.confirmBlock)).offered(),
		elsewhere(k.Help), elsewhere(k.Quit),
		bind(k.Delete, this(func(c *model.Contact) tea.Cmd {
			return d.confirmDelete(c, func() { d.deleting = true })
		})),
		// h as in the list: hide the contact (asking), or list it again.
		bind(k.Hide, this(func(c *model.Contact) tea.Cmd { return d.toggleHidden([]*model.Contact{c}, nil) })),
		bind(k.Up, scroll(func() { d.vp.ScrollUp(1) })),
		bind(k.Down, scroll(func() { d.vp.ScrollDown(1) })),
		bind(k.PageUp, scroll(d.vp.PageUp)),
		bind(k.PageDown, scroll(d.vp.PageDown)),
		bind(k.Top, scroll(func() { d.vp.GotoTop() })),
		bind(k.Bottom, scroll(func() { d.vp.GotoBottom() })),
	}
}

func (d *detailView) ShortHelp() []key.Binding  { return keyTable(d.Bindings).ShortHelp() }
func (d *detailView) FullHelp() [][]key.Binding { return keyTable(d.Bindings).FullHelp() }

func (d *detailView) View() string {
	title := d.st.Title.Render(model.Truncate(model.Sanitize(d.c.DisplayName()), d.width))
	out := title + "\n" + d.vp.View()
	if hint := d.scrollHint(); hint != "" {
		out += "\n" + hint
	}
	return out
}

// blockedWords is whether WhatsApp blocks the contact, and a change of that
// still waiting for WhatsApp's confirmation.
func blockedWords(c *model.Contact) string {
	switch {
	case c.BlockPending > 0 && !c.IsBlocked:
		return "no — block waiting for WhatsApp"
	case c.BlockPending < 0 && c.IsBlocked:
		return "yes — unblock waiting for WhatsApp"
	}
	return yesNo(c.IsBlocked)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
