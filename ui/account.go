package ui

import (
	"context"
	"fmt"
	"image/color"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

type accountMode int

const (
	accountIdle accountMode = iota
	accountPhoneInput
	accountConfirmLogout
	accountConfirmDrop // drop the failed change under the cursor?
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
	// pairTickMsg redraws the QR countdown once a second, only while a
	// code is on screen.
	pairTickMsg struct{}
)

// accountScreen shows the paired account and the connection; while pairing
// it shows the QR code, or pairing by phone number when the QR does not fit
// or the user asks for it.
type accountScreen struct {
	ctx      context.Context // the program's
	st       *Styles
	keys     *KeyMap
	svc      *app.Service
	readOnly bool
	holder   int // pid of the wabook holding the connection, when readOnly
	qrStyle  lipgloss.Style

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

	width, height int
}

func newAccountScreen(ctx context.Context, st *Styles, keys *KeyMap, svc *app.Service, readOnly bool) *accountScreen {
	ti := newTextInput()
	ti.Prompt = "Phone number: "
	ti.Placeholder = "+1 415 555 0100"
	ti.CharLimit = 32
	return &accountScreen{
		ctx:      ctx,
		st:       st,
		keys:     keys,
		svc:      svc,
		readOnly: readOnly,
		qrStyle:  lipgloss.NewStyle().Foreground(color.Black).Background(color.White),
		phone:    ti,
		now:      time.Now,
	}
}

func (a *accountScreen) setSize(w, h int) {
	a.width, a.height = w, h
	a.phone.SetWidth(max(10, w-20))
}

func (a *accountScreen) capturesKeys() bool { return a.mode != accountIdle }

// tick keeps the countdown moving while a QR code or a pairing code is
// shown; it stops by itself otherwise, so an idle screen is not redrawn.
func (a *accountScreen) tick(st app.Status) tea.Cmd {
	if (st.PairCode == "" && st.PhoneCode == "") || a.ticking {
		return nil
	}
	a.ticking = true
	return tea.Tick(time.Second, func(time.Time) tea.Msg { return pairTickMsg{} })
}

func (a *accountScreen) Update(msg tea.Msg, st app.Status) tea.Cmd {
	switch msg := msg.(type) {
	case pairTickMsg:
		a.ticking = false
		return a.tick(st)
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
		return a.loadOutbox(st) // the counts moved meanwhile
	case outboxActMsg:
		a.busy = ""
		if msg.err != nil {
			a.err, a.done = msg.err.Error(), ""
		} else {
			a.err, a.done = "", msg.done
		}
		a.loadedFor = app.OutboxCounts{Failed: -1} // read them again
		return a.loadOutbox(st)
	case resyncMsg:
		a.busy = ""
		if msg.err != nil {
			a.err, a.done = msg.err.Error(), ""
		} else {
			a.err, a.done = "", "Contacts and labels fetched again from WhatsApp."
		}
		return nil
	case tea.KeyPressMsg:
		return a.handleKey(msg, st)
	}
	if a.mode == accountPhoneInput {
		var cmd tea.Cmd
		a.phone, cmd = a.phone.Update(msg)
		return cmd
	}
	return nil
}

func (a *accountScreen) handleKey(kp tea.KeyPressMsg, st app.Status) tea.Cmd {
	svc := a.svc
	a.done = ""
	switch a.mode {
	case accountPhoneInput:
		switch kp.String() {
		case "esc":
			a.mode, a.err = accountIdle, ""
			a.phone.Blur()
			return nil
		case "enter":
			number := a.phone.Value()
			if strings.TrimSpace(number) == "" {
				a.err = "Type the phone number of the WhatsApp account to link, with its country code."
				return nil
			}
			if _, err := model.ParsePhone(number, svc.Region()); err != nil {
				a.err = fmt.Sprintf("%q: %v", number, err)
				return nil
			}
			a.mode, a.err, a.busy = accountIdle, "", "asking WhatsApp for a pairing code…"
			a.phone.Blur()
			return func() tea.Msg {
				ctx, cancel := context.WithTimeout(a.ctx, time.Minute)
				defer cancel()
				code, err := svc.PairPhone(ctx, number)
				return pairPhoneMsg{code, err}
			}
		}
		var cmd tea.Cmd
		a.phone, cmd = a.phone.Update(kp)
		return cmd
	case accountConfirmDrop:
		a.mode = accountIdle
		if kp.String() != "y" || a.cursor >= len(a.failed) {
			return nil
		}
		it := a.failed[a.cursor]
		a.busy = "dropping the change…"
		return func() tea.Msg {
			_, err := svc.DropOutbox(a.ctx, it.ID)
			return outboxActMsg{done: "Dropped: " + app.DescribeChange(it) + ". WhatsApp will not learn it.", err: err}
		}
	case accountConfirmLogout:
		a.mode = accountIdle
		if kp.String() != "y" {
			return nil
		}
		a.busy = "logging out…"
		return func() tea.Msg {
			ctx, cancel := context.WithTimeout(a.ctx, 30*time.Second)
			defer cancel()
			return logoutMsg{svc.Logout(ctx)}
		}
	}
	// Failed changes for WhatsApp: any wabook may queue them again or
	// drop them; the holder of the connection sends them.
	switch {
	case key.Matches(kp, a.keys.Down) && len(a.failed) > 0:
		a.cursor = min(a.cursor+1, len(a.failed)-1)
		return nil
	case key.Matches(kp, a.keys.Up) && len(a.failed) > 0:
		a.cursor = max(a.cursor-1, 0)
		return nil
	case key.Matches(kp, a.keys.RetryChanges) && st.Outbox.Failed > 0:
		a.busy = "queueing the failed changes again…"
		return func() tea.Msg {
			ids, err := svc.RetryOutbox(a.ctx, 0)
			return outboxActMsg{done: fmt.Sprintf("Queued again: %d change%s for WhatsApp.", len(ids), plural(len(ids))), err: err}
		}
	case key.Matches(kp, a.keys.DropChange) && len(a.failed) > 0:
		a.mode = accountConfirmDrop
		return nil
	}
	if a.readOnly {
		return nil
	}
	switch {
	case key.Matches(kp, a.keys.PairPhone) && !st.Account.Paired:
		a.mode, a.phoneCode, a.err = accountPhoneInput, "", ""
		return a.phone.Focus()
	case key.Matches(kp, a.keys.Retry) && (!st.Account.Paired || st.Conn != app.StateConnected):
		a.busy, a.err, a.phoneCode = "connecting…", "", ""
		return func() tea.Msg { return connectMsg{svc.Connect(a.ctx)} }
	case key.Matches(kp, a.keys.Logout) && st.Account.Paired:
		a.mode = accountConfirmLogout
	case key.Matches(kp, a.keys.FullResync) && canResync(st) && a.busy == "":
		a.busy, a.err = "fetching contacts and labels again from WhatsApp…", ""
		return func() tea.Msg {
			ctx, cancel := context.WithTimeout(a.ctx, 5*time.Minute)
			defer cancel()
			return resyncMsg{svc.FullResync(ctx)}
		}
	}
	return nil
}

// canResync: a full resync needs a paired, connected account.
func canResync(st app.Status) bool {
	return st.Account.Paired && st.Conn == app.StateConnected && !st.Resyncing
}

func (a *accountScreen) help(st app.Status) helpMap {
	k := a.keys
	switch a.mode {
	case accountPhoneInput:
		return helpMap{short: []key.Binding{
			key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "ask for a code")),
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))}}
	case accountConfirmLogout:
		return helpMap{short: []key.Binding{key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "log out")), key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "cancel"))}}
	case accountConfirmDrop:
		return helpMap{short: []key.Binding{key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "drop it")), key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "keep it"))}}
	}
	var short []key.Binding
	if st.Outbox.Failed > 0 {
		short = append(short, k.RetryChanges)
	}
	if len(a.failed) > 0 {
		short = append(short, k.DropChange)
	}
	if !a.readOnly {
		if !st.Account.Paired {
			short = append(short, k.PairPhone)
		}
		if !st.Account.Paired || st.Conn != app.StateConnected {
			short = append(short, k.Retry)
		}
		if st.Account.Paired {
			short = append(short, k.Logout)
		}
		if canResync(st) {
			short = append(short, k.FullResync)
		}
	}
	short = append(short, k.Contacts, k.NextTab, k.Help, k.Quit)
	return helpMap{short: short}
}
