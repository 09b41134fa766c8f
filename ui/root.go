// Package ui is wabook's terminal interface: a root model that owns the
// status bar, the key help, the dialogs and the screens; every screen keeps
// one contract (Screen, screen.go) and shares one common state.
package ui

import (
	"context"
	"fmt"
	"slices"
	"time"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/wabook/wabook/app"
)

type screen int

const (
	screenContacts screen = iota
	screenChecks
	screenLabels
	screenAccount
	screenCount
)

var (
	screenNames  = [...]string{"1 Contacts", "2 Checks", "3 Labels", "4 Account"}
	screenTitles = [...]string{"Contacts", "Checks", "Labels", "Account"}
)

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
		from, ix *index    // the preview it completes, and the full index
		view     *listView // ix sorted and filtered for the list, off the Update path
		err      error
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
	// Holder is that process's pid, when known. New reads both once:
	// the UI then follows its session (common.readOnly, holder).
	Holder int
	// Indexes is the contact index shared by every UI of the process
	// (NewIndexes); nil gives this UI one of its own.
	Indexes *Indexes
	// Memory is the process's memory limit, lifted while this UI's own
	// index (Indexes nil) builds a big book and held again once the UI
	// has installed it (HoldMemoryLimit); nil leaves the limit alone.
	Memory *Memory
	// FirstPage, when set, is called once, on the Update path, when the
	// first page of the list (or the error reading it) is installed, so
	// the caller can start what must not compete with the first frame
	// (the binary's integrity check and connection, tui.go). It must
	// return at once.
	FirstPage func()
}

// Model is the root Bubble Tea model: it owns the screens, the dialog
// stack, the status bar and the loading of the index; the screens do their
// own work and post intents (common.post) for what is the root's.
type Model struct {
	*common
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
	helpTop  int       // first line of the full help shown; it scrolls on small terminals
	dialogs  []dialog  // open dialogs, the last on top: it takes every key
	global   []binding // globalKeys, built once

	indexes *Indexes
	loading bool
	// When the last refresh ended and what it cost (reload), the refresh
	// under way's start, and whether a refresh waits for its turn.
	lastRefresh, loadStarted time.Time
	refreshCost              time.Duration
	reloadWaiting            bool
	reloadPending            bool
	loaded                   bool
	flash                    string
	flashUntilSent           bool   // flash goes once nothing waits for WhatsApp (actionMsg.untilSent)
	flashSent                string // what replaces it then (actionMsg.sent)
	failedBefore             int    // the outbox's failed changes when it was queued
	actionErr                string
	statusExtra              int // lines the status bar's message takes beyond one (fitStatus)
	err                      string
	fatal                    bool // the database is damaged: show only the error

	width, height int
}

// New is the UI over svc; ctx is the program's: what the UI starts ends
// with it.
func New(ctx context.Context, svc Service, opts Options) *Model {
	c := &common{
		ctx:      ctx,
		svc:      svc,
		st:       DefaultStyles(),
		keys:     DefaultKeyMap(),
		status:   svc.Status(),
		ix:       &index{},
		readOnly: opts.ReadOnly,
		holder:   opts.Holder,
	}
	m := &Model{
		common:   c,
		help:     newHelp(),
		opts:     opts,
		contacts: newContactList(c),
		detail:   newDetailView(c),
		checks:   newChecksScreen(c),
		labels:   newLabelScreen(c),
		account:  newAccountScreen(c),
		indexes:  opts.Indexes,
		loading:  true,
		width:    80,
		height:   24,
	}
	if m.indexes == nil {
		m.indexes = NewIndexes(svc)
		m.indexes.memory = opts.Memory
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

// Update handles msg and then the intents the screens posted while
// handling it, in order, before the next message (a key typed right after
// enter reaches the screen enter opened).
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmd := m.update(msg)
	cmd = tea.Batch(cmd, m.applyIntents(), m.contacts.followWindow())
	m.fitStatus()
	return m, cmd
}

// applyIntents handles the intents posted so far, and those they post.
func (m *Model) applyIntents() tea.Cmd {
	var cmds []tea.Cmd
	for len(m.intents) > 0 {
		next := m.intents[0]
		m.intents = m.intents[1:]
		cmds = append(cmds, m.update(next))
	}
	return tea.Batch(cmds...)
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.ModeReportMsg:
		// Bubble Tea's own test (tea.go, its event loop) for drawing by
		// grapheme cluster: columns measure the way it draws.
		if msg.Mode == ansi.ModeUnicodeCore && (msg.Value == ansi.ModeSet || msg.Value == ansi.ModeReset || msg.Value == ansi.ModePermanentlySet) {
			m.joined = true
		}
		return nil
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.layout()
		if m.fullHelp {
			m.clampHelpTop()
		}
		return nil
	case snapshotMsg:
		var cmd tea.Cmd
		m.loading = false
		if m.opts.FirstPage != nil {
			m.opts.FirstPage()
			m.opts.FirstPage = nil
		}
		if m.fatal {
			return nil
		}
		replaced := false
		if msg.err != nil {
			m.err = msg.err.Error()
		} else {
			m.err = ""
			replaced = m.loaded && !m.ix.preview && msg.whole
			m.loaded = true
			if msg.ix != m.ix { // the same one when nothing changed
				cmd = tea.Batch(m.installIndexWith(msg.ix, msg.view), m.completeIndex(msg.ix))
			}
		}
		// A lifted limit is settled once changes stop coming (settle
		// waits for them to stop): while a sync brings a big book back,
		// each refresh would give the pages back for the next to take
		// again, holding the heap's lock as it does. A failed refresh
		// installs nothing, but the limit lifted for it is settled too.
		if lifted := m.opts.Memory.isLifted(); lifted && !m.reloadPending || !lifted && replaced {
			cmd = tea.Batch(cmd, m.releaseMemory())
		}
		if !m.loadStarted.IsZero() { // a refresh reload started, not the first page
			m.lastRefresh, m.refreshCost, m.loadStarted = time.Now(), time.Since(m.loadStarted), time.Time{}
		}
		if m.reloadPending {
			m.reloadPending = false
			return tea.Batch(cmd, m.reload())
		}
		return cmd
	case indexMsg:
		// The full index for the preview or window on screen, unless a
		// refresh brought one already.
		if !m.ix.preview {
			return m.releaseMemory()
		}
		if msg.err != nil {
			m.err = msg.err.Error()
			return m.releaseMemory()
		}
		c := m.contacts
		if v := msg.view; v == nil || v.sort != c.sort {
			// Sorted and searched as the list is now, off the Update path.
			// A view prepared for an earlier text of the search box is
			// installed as it is (setIndexWith matches the text typed
			// since): preparing it again each time typing went on could
			// hold the whole index back for as long as the typing lasts.
			sort, query := c.sort, c.search.Value()
			return func() tea.Msg {
				msg.view = prepareView(msg.ix, sort, query)
				return msg
			}
		}
		return tea.Batch(m.installIndexWith(msg.ix, msg.view), m.completeIndex(msg.ix), m.releaseMemory())
	case reloadDueMsg:
		m.reloadWaiting = false
		return m.reload()
	case windowSettledMsg:
		return m.contacts.startSettledRead(msg)
	case windowMsg:
		return m.installWindow(msg)
	case noticeMsg:
		m.svc.Acknowledge(msg.n)
		cmds := []tea.Cmd{m.waitNotice()}
		switch msg.n.Kind {
		case app.DataChanged:
			if m.screen == screenAccount {
				cmds = append(cmds, m.account.loadInfo()) // its counts
			}
			cmds = append(cmds, m.reload())
		case app.ChecksChanged:
			cmds = append(cmds, m.checks.noticed())
		case app.StatusChanged:
			wasPaired := m.status.Account.Paired
			m.status = m.svc.Status()
			m.settleFlash()
			if !wasPaired && m.status.Account.Paired && m.screen == screenAccount && !m.account.CapturesTyping() {
				// Paired: show what the pairing was for.
				m.switchTo(screenContacts)
			}
			if m.screen == screenAccount {
				cmds = append(cmds, m.account.tick(), m.account.load())
			}
		}
		return tea.Batch(cmds...)
	case pairTickMsg:
		m.account.ticking = false
		if m.screen == screenAccount {
			return m.account.tick()
		}
		return nil
	case resyncMsg:
		// A resync's answer comes with the status it left (the problem
		// gone, or still there): the notice saying so may come later, and
		// the Account screen's line must not contradict it.
		m.status = m.svc.Status()
		return m.account.Update(msg)
	case checksLoadedMsg:
		wasActive := m.checks.activeSummary() != ""
		cmd := m.checks.Update(msg)
		if wasActive && m.checks.activeSummary() == "" {
			// A job finished: the contacts' last-check column changed.
			cmd = tea.Batch(cmd, m.reload())
		}
		return cmd
	case workDoneMsg:
		m.working--
		return m.update(msg.msg)
	case labelSyncMsg:
		if msg.err != nil {
			m.actionErr = msg.err.Error()
			return nil
		}
		m.labelSync = msg.on
		m.flash, m.flashUntilSent = "labels are now local only", false
		if msg.on {
			m.flash = fmt.Sprintf("label changes are now sent to WhatsApp (%d queued: the labels and chats it has not seen)", msg.queued)
		}
		return nil
	case FatalMsg:
		m.err, m.fatal = msg.Err.Error(), true
		return nil
	case ConnectionTakenMsg:
		m.opts.Banner = ""
		m.readOnly, m.holder = false, 0
		m.status = m.svc.Status() // the account the session was reloaded with
		m.flash, m.flashUntilSent = "took over the WhatsApp connection (the other wabook quit)", false
		m.layout() // the banner's line goes to the screen
		return nil
	case flashMsg:
		m.flash, m.flashUntilSent = string(msg), false
		return nil
	case actionMsg:
		return m.handleAction(msg)
	case openDialogMsg:
		m.dialogs = append(m.dialogs, msg.d)
		return nil
	case closeDialogMsg:
		m.dialogs = slices.DeleteFunc(m.dialogs, func(d dialog) bool { return d == msg.d })
		return nil
	case openDetailMsg:
		return m.openDetail(msg.row)
	case closeDetailMsg:
		m.inDetail = false
		return nil
	case showScreenMsg:
		return m.switchTo(msg.s)
	case runBindingMsg:
		return m.runBinding(msg.b)
	case showLabelMsg:
		m.switchTo(screenContacts)
		m.contacts.setQuery(`label:"` + msg.name + `"`)
		return nil
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	case tea.PasteMsg:
		// A paste is typing: it goes where keys go.
		if d := m.topDialog(); d != nil {
			return d.Update(msg)
		}
		return m.current().Update(msg)
	}
	// What is left is a screen's or a dialog's own (a command's answer);
	// each ignores what is not its own.
	cmds := make([]tea.Cmd, 0, 6)
	if d := m.topDialog(); d != nil {
		cmds = append(cmds, d.Update(msg))
	}
	for _, s := range m.screens() {
		cmds = append(cmds, s.Update(msg))
	}
	return tea.Batch(cmds...)
}

// screens is every screen, in no particular order.
func (m *Model) screens() []Screen {
	return []Screen{m.contacts, m.detail, m.checks, m.labels, m.account}
}

// current is the screen shown (the detail view when a contact is open).
func (m *Model) current() Screen {
	switch m.screen {
	case screenChecks:
		return m.checks
	case screenLabels:
		return m.labels
	case screenAccount:
		return m.account
	}
	if m.inDetail {
		return m.detail
	}
	return m.contacts
}

// topDialog is the dialog on top of the stack, nil when none is open.
func (m *Model) topDialog() dialog {
	if len(m.dialogs) == 0 {
		return nil
	}
	return m.dialogs[len(m.dialogs)-1]
}

// The intents screens and dialogs post to the root (common.post).
type (
	openDialogMsg  struct{ d dialog }
	closeDialogMsg struct{ d dialog }
	openDetailMsg  struct{ row int32 } // a row of the index on screen
	closeDetailMsg struct{}
	showScreenMsg  struct{ s screen }
	showLabelMsg   struct{ name string } // the contacts with this label
)

// openDetail shows the contact of a row of the index on screen, read
// whole in a command: the view says it is loading until it arrives.
func (m *Model) openDetail(row int32) tea.Cmd {
	m.inDetail = true
	return m.detail.open(m.ix, row)
}

func (m *Model) switchTo(s screen) tea.Cmd {
	m.screen = s
	m.inDetail = false
	shown := m.checks.setShown(s == screenChecks)
	if s == screenAccount {
		return tea.Batch(m.account.tick(), m.account.load())
	}
	return shown
}
