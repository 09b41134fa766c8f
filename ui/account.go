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
	"github.com/wabook/wabook/app/qrtext"
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

func (a *accountScreen) View(st app.Status) string {
	var lines []string
	add := func(name, value string) {
		lines = append(lines, a.st.FieldName.Render(pad(name, fieldWidth))+" "+value)
	}
	acc := st.Account
	if acc.Paired {
		add("Account", model.Sanitize(acc.PushName))
		add("Phone", acc.Phone)
		kind := "personal"
		if acc.IsBusiness {
			kind = "WhatsApp Business"
		}
		add("Kind", kind)
	} else {
		add("Account", a.st.Warn.Render("not paired"))
	}
	// addWrapped is add for a value that may be longer than the line:
	// its end matters (when the next attempt comes, why a fetch failed).
	addWrapped := func(name string, style lipgloss.Style, value string) {
		indent := strings.Repeat(" ", fieldWidth+1)
		for i, l := range a.wrappedIn(style, model.Sanitize(value), a.width-fieldWidth-1) {
			if i == 0 && name != "" {
				add(name, l)
			} else {
				lines = append(lines, indent+l)
			}
		}
	}
	if a.readOnly {
		add("Connection", holderWords(a.holder))
	} else {
		add("Connection", connText(st))
	}
	// A connection problem met while something waits for the connection
	// shows under the waiting line instead, where the eye is.
	problem := a.busy != "" && st.Conn == app.StateReconnecting && st.Detail != ""
	if st.Detail != "" && !problem {
		addWrapped("Detail", lipgloss.NewStyle(), st.Detail)
	}
	if v := st.WAVersion; v.Version != "" {
		add("WhatsApp Web", model.Sanitize(v.Version+" ("+v.Source+")"))
		// Why a better source was not used (a fetch that timed out):
		// otherwise only the log says why the built-in one is announced.
		if v.Note != "" {
			addWrapped("", a.st.Warn, v.Note)
		}
	}
	if st.LastError != "" {
		add("Last error", a.st.Error.Render(model.Sanitize(st.LastError)))
	}
	if st.PairError != "" {
		add("Pairing", a.st.Error.Render(model.Sanitize(st.PairError)+" — press r to try again"))
	}
	switch {
	case st.Resyncing:
		add("Contacts sync", "fetching contacts and labels again from WhatsApp…")
	case st.AppStateProblem != "" || st.NeedsFullResync:
		problem := st.AppStateProblem
		if problem == "" {
			problem = "contacts and labels need a full resync"
		}
		hint := ""
		if st.NeedsFullResync && !a.readOnly {
			hint = " — press R to fetch them again"
		}
		add("Contacts sync", a.st.Error.Render(model.Sanitize(problem)+hint))
	}
	lines = append(lines, a.outboxLines(st)...)
	if a.readOnly {
		lines = append(lines, "", a.st.Warn.Render(holderWords(a.holder)+"; this one takes over when it quits."))
	}
	if a.err != "" {
		lines = append(lines, "")
		lines = append(lines, a.wrapped(a.st.Error, model.Sanitize(a.err))...)
	}
	if a.done != "" {
		lines = append(lines, "", a.st.OK.Render(a.done))
	}
	if a.busy != "" {
		lines = append(lines, "", a.st.Dim.Render(a.busy))
		if problem {
			lines = append(lines, a.wrapped(a.st.Warn, model.Sanitize(st.Detail))...)
		}
	}
	switch {
	case a.mode == accountConfirmDrop && a.cursor < len(a.failed):
		lines = append(lines, "")
		lines = append(lines, a.wrapped(a.st.Warn, "Drop "+app.DescribeChange(a.failed[a.cursor])+"? WhatsApp will not learn it. y/n")...)
	case a.mode == accountConfirmLogout:
		lines = append(lines, "", a.st.Warn.Render("Log out of WhatsApp on this device? The address book stays. y/n"))
	case a.mode == accountPhoneInput:
		lines = append(lines, "", "Pair by phone number: the number of the WhatsApp account to link.", a.phone.View(),
			a.st.Dim.Render("enter asks for a code · esc cancels"))
	case a.phoneCode != "" && !acc.Paired:
		lines = append(lines, "",
			"On your phone: WhatsApp → Settings → Linked devices → Link a device →",
			"\"Link with phone number instead\", then type this code:",
			"",
			"    "+a.st.Title.Render(a.phoneCode))
		if left := a.phoneCodeLeft(st); left != "" {
			lines = append(lines, "", left)
		}
	case st.PairCode != "" && !a.readOnly:
		// Room left for the QR code: the lines so far, a blank, and the
		// two-line footer below.
		lines = append(lines, "")
		lines = append(lines, a.pairingView(st, a.height-len(lines)-2)...)
	}
	if !acc.Paired || st.Conn != app.StateConnected {
		lines = append(lines, "", a.st.Dim.Render("Press 1 to browse the address book meanwhile."))
	}
	for i, l := range lines {
		lines[i] = model.Truncate(l, a.width)
	}
	return strings.Join(lines, "\n")
}

// wrapped renders text in style on as many lines of the screen's width as
// it needs: an error cut at the edge would hide its cause, which comes
// last ("could not get a pairing code: … (cannot look up …)").
func (a *accountScreen) wrapped(style lipgloss.Style, text string) []string {
	return a.wrappedIn(style, text, a.width)
}

// wrappedIn is wrapped in width columns.
func (a *accountScreen) wrappedIn(style lipgloss.Style, text string, width int) []string {
	if width < 10 {
		return []string{style.Render(text)}
	}
	out := strings.Split(style.Width(width).Render(text), "\n")
	for i, l := range out {
		out[i] = strings.TrimRight(l, " ")
	}
	return out
}

// phoneCodeLeft says how long the pairing code on screen can still be
// typed, "" when the service does not know it.
func (a *accountScreen) phoneCodeLeft(st app.Status) string {
	if st.PhoneCode != a.phoneCode || st.PhoneCodeExpires.IsZero() {
		return ""
	}
	left := st.PhoneCodeExpires.Sub(a.now()).Round(time.Second)
	if left <= 0 {
		return a.st.Warn.Render("This code has expired: press p for a new one.")
	}
	return a.st.Dim.Render(fmt.Sprintf("The code can be typed for %s more.", left))
}

// pairingView is the QR code with its instructions, in at most height lines.
func (a *accountScreen) pairingView(st app.Status, height int) []string {
	w, h := qrtext.Size(st.PairCode)
	if w > a.width || h+2 > height {
		return []string{
			a.st.Warn.Render(fmt.Sprintf("The terminal is too small for the QR code: it needs %dx%d cells.", w, h+9)),
			"Make the window larger, or press p to pair by phone number instead.",
		}
	}
	qr, _, _, err := qrtext.Render(st.PairCode, a.qrStyle)
	if err != nil {
		return []string{a.st.Error.Render(err.Error())}
	}
	hint := "p: pair by phone number instead"
	if st.PairTimeout > 0 {
		if left := st.PairIssued.Add(st.PairTimeout).Sub(a.now()).Round(time.Second); left > 0 {
			hint = fmt.Sprintf("New code in %ds · %s", int(left.Seconds()), hint)
		}
	}
	out := []string{"Scan with WhatsApp: Settings → Linked devices → Link a device.", a.st.Dim.Render(hint)}
	return append(out, qr...)
}

// connText describes the connection in words.
func connText(st app.Status) string {
	s := st.Conn.String()
	switch st.Conn {
	case app.StateConnecting:
		s += "…"
	case app.StateReconnecting:
		if st.Attempt > 0 {
			s += fmt.Sprintf(" (attempt %d)", st.Attempt)
		}
	case app.StateTempBanned:
		if !st.Until.IsZero() {
			s += " until " + st.Until.Local().Format("2006-01-02 15:04")
		}
	case app.StateConnected:
		switch {
		case st.Synced:
			s += ", synced"
		case st.SyncStage != "":
			s += fmt.Sprintf(", syncing %s", st.SyncStage)
			if st.SyncTotal > 0 {
				s += fmt.Sprintf(" %d/%d", st.SyncDone, st.SyncTotal)
			}
		}
	}
	return s
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

// holderWords names the wabook that holds the WhatsApp connection.
func holderWords(pid int) string {
	if pid > 0 {
		return fmt.Sprintf("wabook pid %d has the WhatsApp connection", pid)
	}
	return "another wabook has the WhatsApp connection"
}
