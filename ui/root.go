// Package ui is wabook's terminal interface: a root model that owns the
// status bar, the key help and the screens, each a small sub-model sharing
// one Styles and one KeyMap.
package ui

import (
	"context"
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

type screen int

const (
	screenContacts screen = iota
	screenChecks
	screenLabels
	screenAccount
	screenCount
)

var screenNames = [...]string{"1 Contacts", "2 Checks", "3 Labels", "4 Account"}

// Messages.
type (
	snapshotMsg struct {
		ix    *index
		whole bool      // read whole, not built from the last one and the changes
		view  *listView // ix sorted and filtered for the list, off the Update path
		err   error
	}
	noticeMsg struct{ n app.Notice }
	indexMsg  struct {
		from, ix *index // the preview it completes, and the full index
		err      error
	}
	haystackMsg struct {
		ix   *index
		hays []string
	}
	flashMsg string
)

// FatalMsg tells the UI that the address book cannot be used (a damaged
// database): it says so instead of the list, and nothing is written.
type FatalMsg struct{ Err error }

// ConnectionTakenMsg tells a UI that started while another wabook held the
// WhatsApp connection that it holds it now (that one quit): the banner
// goes and pairing, logging out and blocking come back.
type ConnectionTakenMsg struct{}

// Options configure the UI.
type Options struct {
	// Banner is shown above the screens, e.g. "wabook pid 123 holds the
	// WhatsApp connection".
	Banner string
	// ReadOnly: another process holds the WhatsApp connection; pairing and
	// logging out are left to it, and it sends what this one queues for
	// WhatsApp. Everything else works here.
	ReadOnly bool
	// Holder is that process's pid, when known.
	Holder int
	// Indexes is the contact index shared by every UI of the process
	// (NewIndexes); nil gives this UI one of its own.
	Indexes *Indexes
}

// Model is the root Bubble Tea model.
type Model struct {
	ctx  context.Context // the program's (New)
	svc  *app.Service
	st   *Styles
	keys *KeyMap
	help help.Model
	opts Options

	screen   screen
	contacts *contactList
	detail   *detailView
	inDetail bool
	checks   *checksScreen
	labels   *labelScreen
	account  *accountScreen
	fullHelp bool
	helpTop  int // first line of the full help shown; it scrolls on small terminals
	dialog   dialog
	undos    []*app.Undo

	ix             *index
	indexes        *Indexes
	status         app.Status
	loading        bool
	reloadPending  bool
	loaded         bool
	flash          string
	flashUntilSent bool // flash goes once nothing waits for WhatsApp (actionMsg.untilSent)
	actionErr      string
	err            string
	fatal          bool // the database is damaged: show only the error
	labelSync      bool // label changes go to WhatsApp (read with each load)

	width, height int
}

// New returns the root model over a running service.
// New is the UI over svc; ctx is the program's: what the UI starts ends
// with it.
func New(ctx context.Context, svc *app.Service, opts Options) *Model {
	st := DefaultStyles()
	keys := DefaultKeyMap()
	h := help.New()
	m := &Model{
		ctx:      ctx,
		svc:      svc,
		st:       st,
		keys:     keys,
		help:     h,
		opts:     opts,
		contacts: newContactList(st, keys),
		detail:   newDetailView(st, keys),
		checks:   newChecksScreen(ctx, st, keys, svc),
		labels:   newLabelScreen(st, keys),
		account:  newAccountScreen(ctx, st, keys, svc, opts.ReadOnly),
		ix:       &index{},
		indexes:  opts.Indexes,
		status:   svc.Status(),
		loading:  true,
		width:    80,
		height:   24,
	}
	m.account.holder = opts.Holder
	if m.indexes == nil {
		m.indexes = NewIndexes(svc)
	}
	if !m.status.Account.Paired {
		m.screen = screenAccount
	}
	m.layout()
	return m
}

// Init loads the mirror and starts listening for changes.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(m.load(), m.checks.load(), m.waitNotice())
}

// load reads the mirror off the Update path. The first load reads only the
// first page (a query whose cost does not depend on the book's size) and
// shows it at once; the whole book follows in the background. Later loads
// (a refresh: another process, WhatsApp or this UI changed the mirror)
// read only what changed and build the next index from the one shown, in
// the background (Indexes.Latest), while that one stays on screen, so a
// change never stalls a key. Update keeps one load in flight at a time.
func (m *Model) load() tea.Cmd {
	ctx, svc, first, indexes := m.ctx, m.svc, !m.loaded, m.indexes
	sort, query := m.contacts.sort, m.contacts.search.Value()
	return func() tea.Msg {
		if first {
			page, total, err := svc.FirstPage(ctx, firstPageSize)
			if err != nil {
				return snapshotMsg{err: err}
			}
			ix := previewIndex(page, firstPageSize)
			ix.total, ix.labelSync = total, svc.LabelSyncEnabled()
			return snapshotMsg{ix: ix}
		}
		ix, whole, err := indexes.Latest(ctx)
		if err != nil {
			return snapshotMsg{err: err}
		}
		return snapshotMsg{ix: ix, whole: whole, view: prepareView(ix, sort, query)}
	}
}

// firstPageSize covers the tallest terminal anyone uses.
const firstPageSize = 150

// fullIndex reads the whole mirror and prepares it for display and search.
func fullIndex(ctx context.Context, svc *app.Service) (*index, error) {
	snap, err := svc.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	ix := buildIndex(snap)
	ix.hays = buildHaystacks(ix)
	ix.labelSync = svc.LabelSyncEnabled()
	ix.mark = snap.Mark
	return ix, nil
}

func (m *Model) waitNotice() tea.Cmd {
	ch := m.svc.Notices()
	return func() tea.Msg {
		n, ok := <-ch
		if !ok {
			return nil
		}
		return noticeMsg{n}
	}
}

func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.layout()
		return m, nil
	case snapshotMsg:
		var cmd tea.Cmd
		m.loading = false
		if m.fatal {
			return m, nil
		}
		if msg.err != nil {
			m.err = msg.err.Error()
		} else {
			m.err = ""
			replaced := m.loaded && !m.ix.preview && msg.whole
			m.loaded = true
			if msg.ix != m.ix { // the same one when nothing changed
				m.installIndexWith(msg.ix, msg.view)
				cmd = m.completeIndex(msg.ix)
			}
			if replaced {
				cmd = tea.Batch(cmd, releaseMemory)
			}
		}
		if m.reloadPending {
			m.reloadPending = false
			m.loading = true
			return m, tea.Batch(cmd, m.load())
		}
		return m, cmd
	case indexMsg:
		// The full index for the preview on screen; a key may have
		// completed it already.
		if msg.from != m.ix {
			return m, nil
		}
		if msg.err != nil {
			m.err = msg.err.Error()
			return m, nil
		}
		m.installIndex(msg.ix)
		return m, tea.Batch(m.completeIndex(m.ix), releaseMemory)
	case haystackMsg:
		if msg.ix == m.ix && m.ix.hays == nil {
			m.ix.hays = msg.hays
		}
		return m, nil
	case noticeMsg:
		m.svc.Acknowledge(msg.n)
		cmds := []tea.Cmd{m.waitNotice()}
		switch msg.n.Kind {
		case app.DataChanged:
			if m.loading {
				m.reloadPending = true
			} else {
				m.loading = true
				cmds = append(cmds, m.load())
			}
		case app.ChecksChanged:
			cmds = append(cmds, m.checks.load())
		case app.StatusChanged:
			wasPaired := m.status.Account.Paired
			m.status = m.svc.Status()
			if m.flashUntilSent && m.status.Outbox.Pending == 0 {
				m.flash, m.flashUntilSent = "", false
			}
			if !wasPaired && m.status.Account.Paired && m.screen == screenAccount && !m.account.capturesKeys() {
				// Paired: show what the pairing was for.
				m.switchTo(screenContacts)
			}
			if m.screen == screenAccount {
				cmds = append(cmds, m.account.tick(m.status), m.account.loadOutbox(m.status))
			}
		}
		return m, tea.Batch(cmds...)
	case pairTickMsg:
		m.account.ticking = false
		if m.screen == screenAccount {
			return m, m.account.tick(m.status)
		}
		return m, nil
	case outboxMsg, outboxActMsg:
		return m, m.account.Update(msg, m.status)
	case pairPhoneMsg, logoutMsg, connectMsg, resyncMsg:
		// Whatever screen is showing: the Account screen's busy line
		// waits for these answers. A resync's answer comes with the
		// status it left (the problem gone, or still there): the notice
		// saying so may come later, and the line must not contradict it.
		if _, ok := msg.(resyncMsg); ok {
			m.status = m.svc.Status()
		}
		return m, m.account.Update(msg, m.status)
	case checksLoadedMsg:
		wasActive := m.checks.activeSummary() != ""
		cmd := m.checks.Update(msg)
		if wasActive && m.checks.activeSummary() == "" {
			// A job finished: the contacts' last-check column changed.
			if m.loading {
				m.reloadPending = true
			} else {
				m.loading = true
				cmd = tea.Batch(cmd, m.load())
			}
		}
		return m, cmd
	case jobCreatedMsg, checksDoneMsg, fileNumbersMsg:
		return m, m.checks.Update(msg)
	case tea.PasteMsg:
		if m.screen == screenChecks {
			return m, m.checks.Update(msg)
		}
	case labelSyncMsg:
		if msg.err != nil {
			m.actionErr = msg.err.Error()
			return m, nil
		}
		m.labelSync = msg.on
		m.flash, m.flashUntilSent = "labels are now local only", false
		if msg.on {
			m.flash = fmt.Sprintf("label changes are now sent to WhatsApp (%d queued: the labels and chats it has not seen)", msg.queued)
		}
		return m, nil
	case FatalMsg:
		m.err, m.fatal = msg.Err.Error(), true
		return m, nil
	case ConnectionTakenMsg:
		m.opts.ReadOnly, m.opts.Banner = false, ""
		m.account.readOnly, m.opts.Holder = false, 0
		m.status = m.svc.Status() // the account the session was reloaded with
		m.flash, m.flashUntilSent = "took over the WhatsApp connection (the other wabook quit)", false
		m.layout() // the banner's line goes to the screen
		return m, nil
	case flashMsg:
		m.flash, m.flashUntilSent = string(msg), false
		return m, nil
	case actionMsg:
		return m, m.handleAction(msg)
	case importPlanMsg:
		m.showImportPlan(msg)
		return m, nil
	case openDialogMsg:
		m.dialog = msg.d
		return m, nil
	case tea.KeyPressMsg:
		if m.dialog != nil && msg.String() != "ctrl+c" {
			return m, m.updateDialog(msg)
		}
		return m, m.handleKey(msg)
	}
	if m.dialog != nil {
		return m, m.updateDialog(msg)
	}
	// Anything else (cursor blink, paste) goes to the focused component.
	if m.screen == screenContacts && !m.inDetail {
		return m, m.contacts.Update(msg)
	}
	return m, nil
}

func (m *Model) updateDialog(msg tea.Msg) tea.Cmd {
	done, cmd := m.dialog.Update(msg)
	if done {
		m.dialog = nil
	}
	return cmd
}

func (m *Model) installIndex(ix *index) { m.installIndexWith(ix, nil) }

// installIndexWith is installIndex with the list's order and rows prepared
// off the Update path (nil: computed here).
func (m *Model) installIndexWith(ix *index, v *listView) {
	m.ix = ix
	m.labelSync = ix.labelSync
	m.contacts.setIndexWith(ix, v)
	m.labels.setLabels(ix.labels)
	if m.inDetail {
		m.reopenDetail()
	}
}

// completeIndex returns the background work that follows an index: the full
// sort after a preview, the search haystacks after that.
func (m *Model) completeIndex(ix *index) tea.Cmd {
	switch {
	case ix.preview:
		ctx, indexes := m.ctx, m.indexes
		return func() tea.Msg {
			full, _, err := indexes.Latest(ctx)
			return indexMsg{from: ix, ix: full, err: err}
		}
	case ix.hays == nil:
		return func() tea.Msg { return haystackMsg{ix, buildHaystacks(ix)} }
	}
	return nil
}

// labelSyncLine says where label changes go.
func (m *Model) labelSyncLine() string {
	switch {
	case !m.status.Account.IsBusiness && m.labelSync:
		// Turned on when the account was a Business one.
		return "WhatsApp label sync is on, but this is not a WhatsApp Business account: label changes fail (s turns sync off)."
	case !m.status.Account.IsBusiness:
		return "Labels are kept here (WhatsApp shares labels only on Business accounts)."
	case m.labelSync:
		return "WhatsApp label sync is on: changes go to the phone too (s turns it off)."
	}
	return "WhatsApp label sync is off: changes stay here (s sends them to WhatsApp)."
}

// releaseMemory hands the pages of a replaced index back to the system: at
// 100 000 contacts an index is tens of megabytes, and the runtime would
// otherwise keep them for a while.
func releaseMemory() tea.Msg {
	debug.FreeOSMemory()
	return nil
}

// needsWholeBook reports whether a key acts on the whole address book
// (the last contact, a sort, selecting all shown): while only the first
// page is loaded it waits for the rest instead of reading it on the Update
// path. A search types on and filters what is loaded; the whole book,
// once in, is filtered the same way.
func (m *Model) needsWholeBook(kp tea.KeyPressMsg) bool {
	if m.screen != screenContacts || m.inDetail || m.contacts.capturesKeys() || m.dialog != nil {
		return false
	}
	k := m.keys
	return key.Matches(kp, k.Bottom) || key.Matches(kp, k.Sort) || key.Matches(kp, k.SelectAll)
}

func (m *Model) handleKey(kp tea.KeyPressMsg) tea.Cmd {
	m.flash, m.actionErr, m.flashUntilSent = "", "", false
	if m.fatal {
		// A damaged database: nothing to do but leave.
		if key.Matches(kp, m.keys.Quit) || kp.String() == "ctrl+c" {
			return tea.Quit
		}
		return nil
	}
	if m.ix.preview && m.needsWholeBook(kp) {
		// No key reads the mirror on the Update path: this one waits for
		// the background load, which is under way.
		m.flash = fmt.Sprintf("loading… %d of %d contacts so far; press it again in a moment", len(m.ix.entries), m.ix.total)
		return nil
	}
	if kp.String() == "ctrl+c" {
		return tea.Quit
	}
	typing := m.screen == screenContacts && !m.inDetail && m.contacts.capturesKeys() ||
		m.screen == screenAccount && m.account.capturesKeys() ||
		m.screen == screenChecks && m.checks.capturesKeys()
	if !typing {
		if m.fullHelp {
			switch {
			case key.Matches(kp, m.keys.Down), key.Matches(kp, m.keys.PageDown):
				m.helpTop++
				if key.Matches(kp, m.keys.PageDown) {
					m.helpTop += max(1, m.height-m.chromeLines()-1)
				}
			case key.Matches(kp, m.keys.Up), key.Matches(kp, m.keys.PageUp):
				m.helpTop--
				if key.Matches(kp, m.keys.PageUp) {
					m.helpTop -= max(1, m.height-m.chromeLines()-1)
				}
			default:
				m.fullHelp = false
			}
			return nil
		}
		switch {
		case key.Matches(kp, m.keys.Quit):
			return tea.Quit
		case key.Matches(kp, m.keys.Help):
			m.fullHelp, m.helpTop = true, 0
			return nil
		case key.Matches(kp, m.keys.NextTab):
			return m.switchTo((m.screen + 1) % screenCount)
		case key.Matches(kp, m.keys.PrevTab):
			return m.switchTo((m.screen + screenCount - 1) % screenCount)
		case key.Matches(kp, m.keys.Contacts):
			return m.switchTo(screenContacts)
		case key.Matches(kp, m.keys.Checks):
			return m.switchTo(screenChecks)
		case key.Matches(kp, m.keys.Labels):
			return m.switchTo(screenLabels)
		case key.Matches(kp, m.keys.Account):
			return m.switchTo(screenAccount)
		}
	}
	var cmd tea.Cmd
	switch {
	case m.screen == screenContacts && m.inDetail:
		if cmd, ok := m.contactKey(kp, []*model.Contact{m.detail.c}); ok {
			return cmd
		}
		if key.Matches(kp, m.keys.Refresh) {
			return m.refreshProfile(m.detail.c)
		}
		cmd = m.detail.Update(kp)
		if m.detail.closeRequest {
			m.detail.closeRequest = false
			m.inDetail = false
		}
	case m.screen == screenContacts:
		if !m.contacts.capturesKeys() {
			if key.Matches(kp, m.keys.CheckSelection) {
				return m.checkSelection()
			}
			if cmd, ok := m.contactKey(kp, m.contacts.selection()); ok {
				return cmd
			}
			switch {
			case key.Matches(kp, m.keys.Add):
				return m.contactForm(nil)
			case key.Matches(kp, m.keys.ExportContacts):
				return m.exportForm()
			case key.Matches(kp, m.keys.Import):
				return m.importForm()
			case key.Matches(kp, m.keys.Undo):
				return m.undo()
			}
		}
		cmd = m.contacts.Update(kp)
		if c := m.contacts.openRequest; c != nil {
			m.contacts.openRequest = nil
			m.openDetail(c)
		}
	case m.screen == screenChecks:
		cmd = m.checks.Update(kp)
	case m.screen == screenLabels:
		if cmd, ok := m.labelKey(kp); ok {
			return cmd
		}
		cmd = m.labels.Update(kp)
		if name := m.labels.showRequest; name != "" {
			m.labels.showRequest = ""
			m.switchTo(screenContacts)
			m.contacts.setQuery(`label:"` + name + `"`)
		}
	case m.screen == screenAccount:
		cmd = m.account.Update(kp, m.status)
	}
	return cmd
}

// contactKey handles the keys that act on contacts, from the list (the
// selection) or the detail view (its contact).
func (m *Model) contactKey(kp tea.KeyPressMsg, sel []*model.Contact) (tea.Cmd, bool) {
	var one *model.Contact
	if len(sel) == 1 {
		one = sel[0]
	}
	switch {
	case key.Matches(kp, m.keys.EditLabels):
		return m.openLabelPicker(sel), true
	case key.Matches(kp, m.keys.Edit):
		if one == nil {
			m.actionErr = "Edit works on one contact; select just one."
			return nil, true
		}
		return m.contactForm(one), true
	case key.Matches(kp, m.keys.Delete):
		if one == nil {
			m.actionErr = "Delete works on one contact at a time."
			return nil, true
		}
		return m.confirmDelete(one), true
	case key.Matches(kp, m.keys.Block):
		if one == nil {
			m.actionErr = "Block works on one contact at a time."
			return nil, true
		}
		return m.confirmBlock(one), true
	}
	return nil, false
}

// labelKey handles the Labels screen's editing keys.
func (m *Model) labelKey(kp tea.KeyPressMsg) (tea.Cmd, bool) {
	k := m.keys
	if key.Matches(kp, k.NewLabel) {
		return m.newLabelForm(), true
	}
	if key.Matches(kp, k.Undo) {
		return m.undo(), true
	}
	if key.Matches(kp, k.LabelSync) {
		if !m.status.Account.IsBusiness && !m.labelSync {
			m.actionErr = "Label sync needs a WhatsApp Business account; labels stay local."
			return nil, true
		}
		return m.toggleLabelSync(), true
	}
	l, ok := m.labels.current()
	if !ok {
		return nil, false
	}
	switch {
	case key.Matches(kp, k.RenameLabel):
		return m.renameLabelForm(l), true
	case key.Matches(kp, k.LabelColor):
		return m.colorDialog(l), true
	case key.Matches(kp, k.DeleteLabel):
		return m.confirmDeleteLabel(l), true
	}
	return nil, false
}

// checkSelection checks the numbers of the selected contacts (or the one
// under the cursor) and shows the job on the Checks screen.
func (m *Model) checkSelection() tea.Cmd {
	sel := m.contacts.selection()
	if len(sel) == 0 {
		return nil
	}
	phones := make([]string, 0, len(sel))
	for _, c := range sel {
		if c.Phone != "" {
			phones = append(phones, c.Phone)
		}
	}
	m.switchTo(screenChecks)
	return m.checks.enqueue(phones, app.CheckOptions{})
}

func (m *Model) openDetail(c *model.Contact) {
	m.inDetail = true
	m.detail.open(c, m.ix)
}

func (m *Model) switchTo(s screen) tea.Cmd {
	m.screen = s
	m.inDetail = false
	if s == screenAccount {
		return tea.Batch(m.account.tick(m.status), m.account.loadOutbox(m.status))
	}
	return nil
}

// reopenDetail refreshes the detail view after a reload, or closes it when
// the contact is gone.
func (m *Model) reopenDetail() {
	jid := m.detail.c.JID
	for i := range m.ix.entries {
		if m.ix.entries[i].c.JID == jid {
			m.detail.open(m.ix.entries[i].c, m.ix)
			return
		}
	}
	m.inDetail = false
}

// chromeLines are the lines around the screen body: tabs, status bar, help.
func (m *Model) chromeLines() int {
	n := 3
	if m.opts.Banner != "" {
		n++
	}
	return n
}

func (m *Model) layout() {
	bodyH := max(1, m.height-m.chromeLines())
	m.contacts.setSize(m.width, bodyH)
	m.detail.setSize(m.width, bodyH)
	m.labels.setSize(m.width, bodyH)
	m.checks.setSize(m.width, bodyH)
	m.account.setSize(m.width, bodyH)
	m.help.SetWidth(m.width)
}

func (m *Model) currentHelp() helpMap {
	switch {
	case m.dialog != nil:
		return m.dialog.help()
	case m.screen == screenContacts && m.inDetail:
		return m.detail.help()
	case m.screen == screenContacts:
		return m.contacts.help()
	case m.screen == screenLabels:
		return m.labels.help()
	case m.screen == screenChecks:
		return m.checks.help()
	}
	return m.account.help(m.status)
}

func (m *Model) View() tea.View {
	var b strings.Builder
	b.WriteString(m.tabBar())
	if m.opts.Banner != "" {
		b.WriteString("\n" + m.st.Warn.Render(model.Truncate(model.Sanitize(m.opts.Banner), m.width)))
	}
	bodyH := max(1, m.height-m.chromeLines())
	b.WriteByte('\n')
	b.WriteString(fitHeight(m.body(), bodyH))
	b.WriteByte('\n')
	b.WriteString(m.statusBar())
	b.WriteByte('\n')
	b.WriteString(model.Truncate(m.help.ShortHelpView(m.currentHelp().ShortHelp()), m.width))
	v := tea.NewView(b.String())
	v.AltScreen = true
	v.WindowTitle = "wabook"
	return v
}

func (m *Model) body() string {
	switch {
	case m.dialog != nil:
		return m.dialog.View(m.width, max(1, m.height-m.chromeLines()))
	case m.fullHelp:
		return m.fullHelpView()
	case m.err != "":
		return m.st.Error.Render(model.Truncate("Could not read the address book: "+m.err, m.width))
	case !m.loaded && m.screen != screenAccount:
		return m.st.Dim.Render("Loading the address book…")
	}
	switch m.screen {
	case screenChecks:
		return m.checks.View()
	case screenLabels:
		return m.labels.View(m.labelSyncLine())
	case screenAccount:
		return m.account.View(m.status)
	}
	if m.inDetail {
		return m.detail.View()
	}
	return m.contacts.View()
}

func (m *Model) tabBar() string {
	var b strings.Builder
	b.WriteString(m.st.Brand.Render("wabook") + " ")
	for i, name := range screenNames {
		if screen(i) == m.screen {
			b.WriteString(m.st.ActiveTab.Render(name))
		} else {
			b.WriteString(m.st.Tab.Render(name))
		}
	}
	left := b.String()
	right := connText(m.status)
	if m.opts.ReadOnly {
		// Not offline: another wabook talks to WhatsApp for this one.
		right = "connection held by pid " + strconv.Itoa(m.opts.Holder)
		if m.opts.Holder == 0 {
			right = "connection held by another wabook"
		}
	}
	gap := m.width - lipgloss.Width(left) - lipgloss.Width(right) - 1
	if gap < 1 {
		return model.Truncate(left, m.width)
	}
	return left + strings.Repeat(" ", gap) + m.connStyle().Render(right)
}

func (m *Model) connStyle() lipgloss.Style {
	switch m.status.Conn.String() {
	case "connected":
		return m.st.OK
	case "logged out", "temporarily banned", "replaced by another session":
		return m.st.Error
	}
	return m.st.Warn
}

func (m *Model) statusBar() string {
	acc := m.status.Account
	left := " " + model.Sanitize(acc.PushName)
	if acc.Phone != "" {
		left += " " + acc.Phone
	}
	if !acc.Paired {
		left = " not paired"
	}
	right := m.contacts.counts() + " "
	if !m.loaded {
		right = "loading the address book… "
	}
	if q := m.checks.activeSummary(); q != "" {
		right = q + " · " + right
	}
	if o := outboxSummary(m.status.Outbox); o != "" {
		right = o + " · " + right
	}
	if m.flash != "" {
		// Flashes quote names (labels from WhatsApp, contacts); what
		// waits for WhatsApp stays in sight beside them.
		right = model.Sanitize(m.flash) + " "
		if o := outboxSummary(m.status.Outbox); o != "" {
			right = model.Sanitize(m.flash) + " · " + o + " "
		}
	}
	if m.actionErr != "" {
		left := " " + model.Sanitize(m.actionErr) + " "
		return m.st.Error.Reverse(true).Render(model.Truncate(left+strings.Repeat(" ", max(0, m.width-lipgloss.Width(left))), m.width))
	}
	gap := m.width - lipgloss.Width(left) - lipgloss.Width(right)
	line := left + strings.Repeat(" ", max(1, gap)) + right
	return m.st.StatusBar.Render(model.Truncate(line, m.width))
}

// fullHelpView lists every key of every screen, grouped by screen.
func (m *Model) fullHelpView() string {
	k := m.keys
	sections := []struct {
		title string
		keys  []key.Binding
	}{
		{"Everywhere", []key.Binding{k.NextTab, k.PrevTab, k.Contacts, k.Checks, k.Labels, k.Account, k.Help, k.Quit}},
		{"Contacts", []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.Search, k.Open, k.Select, k.SelectAll, k.Sort, k.Back}},
		{"Contacts: change", []key.Binding{k.EditLabels, k.Undo, k.CheckSelection, k.Add, k.Edit, k.Delete, k.Block, k.ExportContacts, k.Import}},
		{"Checks", []key.Binding{k.NewJob, k.PauseJob, k.CancelJob, k.RetryJob, k.SaveValid, k.Export, key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "scroll results"))}},
		{"Search", []key.Binding{k.ApplySearch, k.CancelSearch}},
		{"Detail", []key.Binding{k.Copy, k.Refresh, k.EditLabels, k.Edit, k.Block, k.Back}},
		{"Labels", []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "its contacts")), k.NewLabel, k.RenameLabel, k.LabelColor, k.DeleteLabel, k.Undo, k.LabelSync}},
		{"Account", []key.Binding{k.PairPhone, k.Retry, k.Logout, k.FullResync, k.RetryChanges, k.DropChange, k.Up, k.Down}},
	}
	// The search language first: it is what people come back for.
	lines := []string{
		m.st.Dim.Render("Search: words match name, phone, push name, business name and note;"),
		m.st.Dim.Render("label:vip  -label:vip  group:team  label:\"new customer\""),
		m.st.Dim.Render("is:blocked|business|internal|saved|unsaved  check:valid|invalid|unchecked"),
		"",
	}
	// Sections go to the shortest column, so the help is as short as the
	// width allows; what does not fit scrolls (↑/↓).
	cols := max(1, m.width/28)
	colW := m.width / cols
	columns := make([][]string, cols)
	for _, s := range sections {
		shortest := 0
		for i := range columns {
			if len(columns[i]) < len(columns[shortest]) {
				shortest = i
			}
		}
		block := []string{m.st.Title.Render(s.title)}
		for _, b := range s.keys {
			h := b.Help()
			block = append(block, model.Truncate(m.st.FieldName.Render(pad(h.Key, 9))+" "+h.Desc, colW-1))
		}
		if len(columns[shortest]) > 0 {
			columns[shortest] = append(columns[shortest], "")
		}
		columns[shortest] = append(columns[shortest], block...)
	}
	blocks := make([]string, cols)
	for i, c := range columns {
		blocks[i] = lipgloss.NewStyle().Width(colW).Render(strings.Join(c, "\n"))
	}
	lines = append(lines, strings.Split(lipgloss.JoinHorizontal(lipgloss.Top, blocks...), "\n")...)
	for i, l := range lines {
		lines[i] = model.Truncate(l, m.width)
	}
	height := max(1, m.height-m.chromeLines())
	if len(lines) > height {
		// Keep the last line for the scroll hint.
		m.helpTop = max(0, min(m.helpTop, len(lines)-height+1))
		below := len(lines) - (m.helpTop + height - 1)
		hint := fmt.Sprintf("↓ %d more lines · ↑/↓ scroll · any other key closes", below)
		if below == 0 {
			hint = "↑ scrolls back · any other key closes"
		}
		lines = append(lines[m.helpTop:m.helpTop+height-1], m.st.Dim.Render(hint))
	} else {
		m.helpTop = 0
	}
	return strings.Join(lines, "\n")
}

// fitHeight pads or cuts s to exactly h lines so the chrome never moves.
func fitHeight(s string, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// outboxSummary is the status bar's word on changes for WhatsApp: how many
// wait and how many failed ("" when none).
func outboxSummary(c app.OutboxCounts) string {
	var parts []string
	switch c.Pending {
	case 0:
	case 1:
		parts = append(parts, "1 change waiting for WhatsApp")
	default:
		parts = append(parts, fmt.Sprintf("%d changes waiting for WhatsApp", c.Pending))
	}
	switch c.Failed {
	case 0:
	case 1:
		parts = append(parts, "1 change failed (Account)")
	default:
		parts = append(parts, fmt.Sprintf("%d changes failed (Account)", c.Failed))
	}
	return strings.Join(parts, " · ")
}
