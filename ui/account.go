package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

type accountMode int

const (
	accountIdle accountMode = iota
	accountPhoneInput
)

// Messages of the Account screen.
type (
	pairPhoneMsg struct {
		code string
		err  error
	}
	logoutMsg  struct{ err error }
	connectMsg struct{ err error }
	resyncMsg  struct{ err error }
	// accountInfoMsg carries the Account screen's facts, read off the
	// Update path.
	accountInfoMsg struct {
		info app.AccountInfo
		err  error
	}
	// pairTickMsg redraws the QR countdown once a second, only while a
	// code is on screen.
	pairTickMsg struct{}
)

// accountScreen shows the paired account and the connection; while pairing
// it shows the QR code, or pairing by phone number when the QR does not fit
// or the user asks for it.
type accountScreen struct {
	*common
	// noColor: the terminal shows no colours (NO_COLOR), so the QR code
	// is drawn in its two colours, reverse video where needed;
	// lightBackground: the terminal said its background is light
	// (qrtext.Style).
	noColor, lightBackground bool

	mode      accountMode
	phone     textinput.Model
	phoneCode string // the code to type on the phone
	busy      string
	err       string
	done      string // what the last action achieved, until the next one
	ticking   bool
	now       func() time.Time

	// The changes for WhatsApp that failed, as last read (outboxMsg),
	// for the counts in loadedFor; the cursor picks one to drop.
	failed    []app.OutboxItem
	loadedFor app.OutboxCounts
	loading   bool
	cursor    int

	// What doctor knows (AccountInfo), read when the screen opens and
	// when the status changes: one read at a time, and one more when
	// asked meanwhile.
	info         *app.AccountInfo
	infoErr      string
	infoLoading  bool
	infoOutdated bool

	width, height int
}

func newAccountScreen(c *common) *accountScreen {
	ti := newTextInput("Phone number: ", "+1 415 555 0100", 32)
	return &accountScreen{
		common: c,
		phone:  ti,
		now:    time.Now,
	}
}

func (a *accountScreen) SetSize(w, h int) {
	a.width, a.height = w, h
	a.phone.SetWidth(max(10, w-20))
}

// CapturesTyping: the phone number field takes every key.
func (a *accountScreen) CapturesTyping() bool { return a.mode != accountIdle }

// tick keeps the countdown moving while a QR code or a pairing code is
// shown; it stops by itself otherwise, so an idle screen is not redrawn.
func (a *accountScreen) tick() tea.Cmd {
	st := a.status
	if (st.PairCode == "" && st.PhoneCode == "") || a.ticking {
		return nil
	}
	a.ticking = true
	return tea.Tick(time.Second, func(time.Time) tea.Msg { return pairTickMsg{} })
}

func (a *accountScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.ColorProfileMsg:
		a.noColor = msg.Profile < colorprofile.ANSI
		if msg.Profile == colorprofile.ASCII {
			// Which of the terminal's two colours is the dark one
			// decides how the QR code is drawn: ask.
			return tea.RequestBackgroundColor
		}
		return nil
	case tea.BackgroundColorMsg:
		a.lightBackground = !msg.IsDark()
		return nil
	case accountInfoMsg:
		a.infoLoading = false
		if msg.err != nil {
			a.infoErr = msg.err.Error()
		} else {
			a.info, a.infoErr = &msg.info, ""
		}
		if a.infoOutdated {
			return a.loadInfo()
		}
		return nil
	case pairPhoneMsg:
		a.busy = ""
		if msg.err != nil {
			a.err = msg.err.Error()
		} else {
			a.phoneCode, a.err = msg.code, ""
		}
		return nil
	case logoutMsg:
		a.busy = ""
		if msg.err != nil {
			a.err = msg.err.Error()
		}
		return nil
	case connectMsg:
		a.busy = ""
		if msg.err != nil {
			a.err = msg.err.Error()
		}
		return nil
	case outboxMsg:
		a.loading = false
		if msg.err != nil {
			a.err = msg.err.Error()
			return nil
		}
		a.failed = msg.failed
		a.cursor = min(a.cursor, max(0, len(a.failed)-1))
		return a.loadOutbox() // the counts moved meanwhile
	case outboxActMsg:
		a.busy = ""
		if msg.err != nil {
			a.err, a.done = msg.err.Error(), ""
		} else {
			a.err, a.done = "", msg.done
		}
		a.loadedFor = app.OutboxCounts{Failed: -1} // read them again
		return a.loadOutbox()
	case resyncMsg:
		a.busy = ""
		if msg.err != nil {
			a.err, a.done = msg.err.Error(), ""
		} else {
			a.err, a.done = "", "Contacts and labels fetched again from WhatsApp."
		}
		return nil
	}
	if a.mode == accountPhoneInput {
		var cmd tea.Cmd
		a.phone, cmd = a.phone.Update(msg)
		return cmd
	}
	return nil
}

// Bindings is the Account screen's key table: the phone number field's,
// or the screen's.
func (a *accountScreen) Bindings() []binding {
	if a.mode == accountPhoneInput {
		return a.phoneKeys()
	}
	return a.idleKeys()
}

// act is a key's action on the Account screen: what the last action did
// is no longer news.
func (a *accountScreen) act(f func() tea.Cmd) func(tea.KeyPressMsg) tea.Cmd {
	return func(tea.KeyPressMsg) tea.Cmd { a.done = ""; return f() }
}

// phoneKeys act while the phone number to pair is typed.
func (a *accountScreen) phoneKeys() []binding {
	k, act := a.keys, a.act
	return []binding{
		bind(k.PairPhoneCode, act(a.askPairingCode)).offered(),
		bind(k.Cancel, act(func() tea.Cmd {
			a.mode, a.err = accountIdle, ""
			a.phone.Blur()
			return nil
		})).offered(),
	}
}

// idleKeys act on the account, the connection and the failed changes.
func (a *accountScreen) idleKeys() []binding {
	k, act, st := a.keys, a.act, a.status
	return []binding{
		bind(k.RetryChanges, act(a.retryChanges)).offered().unless(func() string {
			if st.Outbox.Failed == 0 {
				return "No change for WhatsApp has failed."
			}
			return ""
		}),
		bind(k.DropChange, act(a.askDrop)).offered().unless(a.noFailed),
		bind(k.PairPhone, act(func() tea.Cmd {
			a.mode, a.phoneCode, a.err = accountPhoneInput, "", ""
			return a.phone.Focus()
		})).offered().unless(a.holderOr(func() string {
			if st.Account.Paired {
				return "This wabook is paired already (L logs out first)."
			}
			return ""
		})),
		bind(k.NewPairCode, act(a.askPairingCode)).offered().unless(a.holderOr(func() string {
			switch {
			case st.Account.Paired:
				return "Paired already: no pairing code is needed."
			case a.phoneCode == "":
				return "No pairing code is shown: p pairs by phone number and shows one."
			case a.busy != "":
				return "Wait for " + strings.TrimSuffix(a.busy, "…") + " to finish."
			}
			return ""
		})),
		bind(k.Retry, act(a.connect)).offered().unless(a.holderOr(func() string {
			if st.Account.Paired && st.Conn == app.StateConnected {
				return "Connected already."
			}
			return ""
		})),
		bind(k.Logout, act(a.askLogout)).offered().unless(a.holderOr(func() string {
			if !st.Account.Paired {
				return "Not paired: nothing to log out of."
			}
			return ""
		})),
		bind(k.FullResync, act(a.resync)).offered().unless(a.holderOr(func() string {
			switch {
			case !canResync(st):
				return "A resync needs a paired, connected account."
			case a.busy != "":
				return "Wait for " + strings.TrimSuffix(a.busy, "…") + " to finish."
			}
			return ""
		})),
		elsewhere(k.Contacts), elsewhere(k.NextTab), elsewhere(k.Help), elsewhere(k.Quit),
		bind(k.Down, act(func() tea.Cmd { a.cursor = min(a.cursor+1, len(a.failed)-1); return nil })).unless(a.noFailed),
		bind(k.Up, act(func() tea.Cmd { a.cursor = max(a.cursor-1, 0); return nil })).unless(a.noFailed),
	}
}

func (a *accountScreen) ShortHelp() []key.Binding  { return keyTable(a.Bindings).ShortHelp() }
func (a *accountScreen) FullHelp() [][]key.Binding { return keyTable(a.Bindings).FullHelp() }

// askLogout asks before logging out.
func (a *accountScreen) askLogout() tea.Cmd {
	a.open(newConfirm(a.common, "Log out of WhatsApp on this device? The address book stays.", a.logout))
	return nil
}

// askDrop asks before dropping the failed change under the cursor: the
// change asked about is the one dropped, whatever the list holds by the
// time the answer comes (it reloads as changes fail or go).
func (a *accountScreen) askDrop() tea.Cmd {
	it := a.failed[a.cursor]
	a.open(newConfirm(a.common, "Drop "+app.DescribeChange(it)+"? WhatsApp will not learn it.",
		func() tea.Cmd { return a.drop(it) }))
	return nil
}

// holderOr is why a key of the connection's holder cannot act here (another
// wabook holds it), or else why.
func (a *accountScreen) holderOr(why func() string) func() string {
	return func() string {
		if a.readOnly {
			return holderWords(a.holder) + ": pairing, connecting and logging out are done there."
		}
		return why()
	}
}

func (a *accountScreen) noFailed() string {
	if len(a.failed) == 0 {
		return "No failed change to pick."
	}
	return ""
}

func (a *accountScreen) askPairingCode() tea.Cmd {
	number := a.phone.Value()
	if strings.TrimSpace(number) == "" {
		a.err = "Type the phone number of the WhatsApp account to link, with its country code."
		return nil
	}
	if _, err := model.ParsePhone(number, a.svc.Region()); err != nil {
		a.err = fmt.Sprintf("%q: %v", number, err)
		return nil
	}
	a.mode, a.err, a.busy = accountIdle, "", "asking WhatsApp for a pairing code…"
	a.phone.Blur()
	svc := a.svc
	return a.within(time.Minute, func(ctx context.Context) tea.Msg {
		code, err := svc.PairPhone(ctx, number)
		return pairPhoneMsg{code, err}
	})
}

func (a *accountScreen) drop(it app.OutboxItem) tea.Cmd {
	svc := a.svc
	a.busy = "dropping the change…"
	return a.within(actionTimeout, func(ctx context.Context) tea.Msg {
		_, err := svc.DropOutbox(ctx, it.ID)
		return outboxActMsg{done: "Dropped: " + app.DescribeChange(it) + ". WhatsApp will not learn it.", err: err}
	})
}

func (a *accountScreen) logout() tea.Cmd {
	a.busy = "logging out…"
	svc := a.svc
	return a.within(30*time.Second, func(ctx context.Context) tea.Msg { return logoutMsg{svc.Logout(ctx)} })
}

// retryChanges queues the failed changes for WhatsApp again: any wabook
// may; the holder of the connection sends them.
func (a *accountScreen) retryChanges() tea.Cmd {
	a.busy = "queueing the failed changes again…"
	svc := a.svc
	return a.within(actionTimeout, func(ctx context.Context) tea.Msg {
		ids, err := svc.RetryOutbox(ctx, 0)
		return outboxActMsg{done: fmt.Sprintf("Queued again: %d change%s for WhatsApp.", len(ids), plural(len(ids))), err: err}
	})
}

func (a *accountScreen) connect() tea.Cmd {
	a.busy, a.err, a.phoneCode = "connecting…", "", ""
	parent, svc := a.ctx, a.svc
	// No deadline, on purpose: Connect only starts the session and
	// returns, and the context it is given bounds the retries that follow
	// (wa/wm's connectLoop stops trying when it ends). A deadline here
	// would make wabook give up connecting a minute after r.
	return a.track(func() tea.Msg { return connectMsg{svc.Connect(parent)} })
}

func (a *accountScreen) resync() tea.Cmd {
	a.busy, a.err = "fetching contacts and labels again from WhatsApp…", ""
	svc := a.svc
	return a.within(5*time.Minute, func(ctx context.Context) tea.Msg { return resyncMsg{svc.FullResync(ctx)} })
}

// load reads what the screen shows from the mirror: the failed changes
// for WhatsApp (when their counts moved) and the account's facts.
func (a *accountScreen) load() tea.Cmd {
	return tea.Batch(a.loadOutbox(), a.loadInfo())
}

// loadInfo reads the account's facts (paths, counts, last sync, app
// state) off the Update path; while a read is out, it asks for one more.
func (a *accountScreen) loadInfo() tea.Cmd {
	if a.infoLoading {
		a.infoOutdated = true
		return nil
	}
	a.infoLoading, a.infoOutdated = true, false
	ctx, svc := a.ctx, a.svc
	return func() tea.Msg {
		info, err := svc.AccountInfo(ctx)
		return accountInfoMsg{info, err}
	}
}

// canResync: a full resync needs a paired, connected account.
func canResync(st app.Status) bool {
	return st.Account.Paired && st.Conn == app.StateConnected && !st.Resyncing
}
