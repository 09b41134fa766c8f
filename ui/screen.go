package ui

import (
	"context"
	"slices"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/wabook/wabook/app"
)

// Screen is the contract every screen of the UI keeps (Contacts, the
// contact detail, Checks, Labels, Account): the root model sizes it, hands
// it the messages meant for it, draws it, and routes keys through its key
// table. A screen talks to the root only by posting intents (common.post).
type Screen interface {
	// Update handles a message that is not a key of the screen's table
	// (a command's answer, a paste, a key typed into a field).
	Update(msg tea.Msg) tea.Cmd
	View() string
	SetSize(width, height int)
	// Bindings is the screen's key table as it stands now (it follows the
	// screen's mode: searching, a form, browsing).
	Bindings() []binding
	// CapturesTyping reports whether keys type into a field: then only
	// the screen's own table and ctrl+c act, not the keys of every screen.
	CapturesTyping() bool
	// ShortHelp and FullHelp (help.KeyMap) are derived from Bindings.
	help.KeyMap
}

// binding is one row of a key table: the keys and their help text, what
// they do, and why they cannot act now. The short help, the full help and
// the routing of key presses are all read from these tables, so what the
// help offers is what the keys do.
type binding struct {
	key.Binding
	// do acts on the key press; nil marks a row that only places a key
	// handled elsewhere (? and q) in the screen's short help.
	do func(kp tea.KeyPressMsg) tea.Cmd
	// whyNot says why the key cannot act now, "" when it can; the status
	// bar shows the reason instead of the key doing nothing.
	whyNot func() string
	// short: the one-line help offers the key (when it can act).
	short bool
}

// bind is a row of a key table.
func bind(k key.Binding, do func(tea.KeyPressMsg) tea.Cmd) binding {
	return binding{Binding: k, do: do}
}

// offered is the row with its key in the short help.
func (b binding) offered() binding { b.short = true; return b }

// unless is the row refusing to act while why returns a reason.
func (b binding) unless(why func() string) binding { b.whyNot = why; return b }

// elsewhere places a key another table handles in a screen's short help.
func elsewhere(k key.Binding) binding { return binding{Binding: k, short: true} }

// keyTable adapts a key table to help.KeyMap.
type keyTable func() []binding

// ShortHelp is the keys of the table that are offered and can act now.
func (t keyTable) ShortHelp() []key.Binding {
	var out []key.Binding
	for _, b := range t() {
		if b.short && (b.whyNot == nil || b.whyNot() == "") {
			out = append(out, b.Binding)
		}
	}
	return out
}

// FullHelp is every key the table handles.
func (t keyTable) FullHelp() [][]key.Binding { return [][]key.Binding{handled(t())} }

// handled is the keys a table acts on (not the rows that only place a key
// of another table in the short help).
func handled(table []binding) []key.Binding {
	out := make([]key.Binding, 0, len(table))
	for _, b := range table {
		if b.do != nil {
			out = append(out, b.Binding)
		}
	}
	return out
}

// dispatch runs the first row of table matching kp. A row that cannot act
// now posts its reason instead. ok is false when no row matches.
func (c *common) dispatch(table []binding, kp tea.KeyPressMsg) (cmd tea.Cmd, ok bool) {
	pressed := kp.String()
	for _, b := range table {
		if b.do == nil || !matches(pressed, b.Binding) {
			continue
		}
		if b.whyNot != nil {
			if why := b.whyNot(); why != "" {
				c.post(flashMsg(why))
				return nil, true
			}
		}
		return b.do(kp), true
	}
	return nil, false
}

// dispatchTyping is dispatch for a screen or dialog with a field that takes
// typing: a row that cannot act now does not match, so the key is typed.
func (c *common) dispatchTyping(table []binding, kp tea.KeyPressMsg) (cmd tea.Cmd, ok bool) {
	pressed := kp.String()
	for _, b := range table {
		if b.do == nil || !matches(pressed, b.Binding) || b.whyNot != nil && b.whyNot() != "" {
			continue
		}
		return b.do(kp), true
	}
	return nil, false
}

// matches is key.Matches for a key press already spelt out (pressed): a
// table is matched row by row, and spelling the key once per row would cost
// each key press an allocation per row.
func matches(pressed string, b key.Binding) bool {
	return b.Enabled() && slices.Contains(b.Keys(), pressed)
}

// pressKey is how a key reaches screen s when no dialog is open and no key
// of every screen took it: through the screen's table, else typed into it.
func pressKey(c *common, s Screen, kp tea.KeyPressMsg) tea.Cmd {
	if s.CapturesTyping() {
		if cmd, ok := c.dispatchTyping(s.Bindings(), kp); ok {
			return cmd
		}
		return s.Update(kp)
	}
	if cmd, ok := c.dispatch(s.Bindings(), kp); ok {
		return cmd
	}
	return s.Update(kp)
}

// KeySection is the keys of one screen, or one mode of it, as the full help
// lists them.
type KeySection struct {
	Title string
	Keys  []key.Binding
}

// common is what every screen and dialog of one UI shares: the program's
// context, the service, styles and keys, the state the root keeps for all
// of them, and the intents they post to it.
type common struct {
	ctx  context.Context // the program's (New): what the UI starts ends with it
	svc  Service
	st   *Styles
	keys *KeyMap

	status    app.Status // as last told (StatusChanged)
	ix        *index     // the contact index on screen
	labelSync bool       // label changes go to WhatsApp (read with each load)
	readOnly  bool       // another wabook holds the WhatsApp connection
	holder    int        // its pid, when known
	undos     []*app.Undo

	// joined: the terminal joins grapheme clusters (mode 2027), so Bubble
	// Tea draws by cluster; else rune by rune (model.CellWidth).
	joined bool

	// intents are the messages screens posted during this Update; the root
	// handles them before the Update returns, in order, so a key typed
	// right after enter or esc goes where that key left the UI.
	intents []tea.Msg
	// working counts the actions started and not yet answered; the status
	// bar says so while any is (a slow disk, a busy database).
	working int
	// changing counts the changes (run) not yet answered, undoing the
	// undos: a change's undo joins undos only with its answer, so u waits
	// for both, or it would take back the change before, or two at once.
	changing, undoing int
}

// post hands msg to the root within the current Update.
func (c *common) post(msg tea.Msg) { c.intents = append(c.intents, msg) }

// actionMsg reports a finished change: a line for the status bar, or the
// error, and what undoes it.
type actionMsg struct {
	flash string
	err   error
	undo  *app.Undo
	// untilSent: the flash says a change is queued for WhatsApp; it goes
	// once nothing waits any more, not to outlive what it tells.
	untilSent bool
	// sent replaces the flash once nothing waits (when the outbox failed
	// no more changes than failedBefore, counted before queueing): the
	// change was sent, and saying so beats a flash that vanishes.
	sent         string
	failedBefore int
	// ran: the answer of run (counted in common.changing); undid: of an
	// undo (common.undoing), whose undo, when it failed, goes back to
	// undos at undoAt, where it was.
	ran, undid bool
	undoAt     int
}

// workDoneMsg is the answer of a command started with track.
type workDoneMsg struct{ msg tea.Msg }

// track counts cmd as work in flight until its answer arrives.
func (c *common) track(cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	c.working++
	return func() tea.Msg { return workDoneMsg{cmd()} }
}

// actionTimeout bounds a change the user asked for.
const actionTimeout = 2 * time.Minute

// within runs fn off the Update path, counted as work in flight, with at
// most d to answer (the program's end cuts it short too).
func (c *common) within(d time.Duration, fn func(ctx context.Context) tea.Msg) tea.Cmd {
	parent := c.ctx
	return c.track(func() tea.Msg {
		ctx, cancel := context.WithTimeout(parent, d)
		defer cancel()
		return fn(ctx)
	})
}

// run performs fn off the Update path, counted as work in flight, and
// reports it as an actionMsg.
func (c *common) run(fn func(ctx context.Context) (string, *app.Undo, error)) tea.Cmd {
	c.changing++
	return c.within(actionTimeout, func(ctx context.Context) tea.Msg {
		flash, undo, err := fn(ctx)
		return actionMsg{flash: flash, err: err, undo: undo, ran: true}
	})
}
