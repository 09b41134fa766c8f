// Drawing the Account screen: the account, the connection, pairing (QR code
// or code for the phone), problems.
package ui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/app/qrtext"
	"github.com/wabook/wabook/model"
)

func (a *accountScreen) View() string {
	st := a.status
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
		if acc.Device != "" {
			add("This device", model.Sanitize(acc.Device))
		}
		if acc.Platform != "" {
			add("Phone platform", model.Sanitize(acc.Platform))
		}
	} else {
		add("Account", a.st.Warn.Render("not paired"))
	}
	// addWrapped is add for a value that may be longer than the line:
	// its end matters (when the next attempt comes, why a fetch failed).
	addWrapped := func(name string, style lipgloss.Style, value string) {
		indent := strings.Repeat(" ", fieldWidth+1)
		for i, l := range wrapStyled(style, model.Sanitize(value), max(10, a.width-fieldWidth-1)) {
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
	// An error about the phone number typed shows under its field, so
	// the field does not move as the error comes and goes.
	errLines := wrapStyled(a.st.Error, model.Sanitize(a.err), a.width)
	if a.err != "" && a.mode != accountPhoneInput {
		lines = append(lines, "")
		lines = append(lines, errLines...)
	}
	if a.done != "" {
		lines = append(lines, "", a.st.OK.Render(a.done))
	}
	if a.busy != "" {
		lines = append(lines, "", a.st.Dim.Render(a.busy))
		if problem {
			lines = append(lines, wrapStyled(a.st.Warn, model.Sanitize(st.Detail), a.width)...)
		}
	}
	qrShown := false
	switch {
	case a.mode == accountPhoneInput:
		lines = append(lines, "", "Pair by phone number: the number of the WhatsApp account to link.", a.phone.View(),
			a.st.Dim.Render("enter asks for a code · esc cancels"))
		if a.err != "" {
			lines = append(append(lines, ""), errLines...)
		}
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
		// The QR code takes the rest of the screen: the footer below
		// gives way to it (the tab bar says 1 is Contacts all the same),
		// and so do the lines above when both do not fit, so that the
		// size it needs is the code's and its instructions' alone, the
		// same whatever the status says (README: "from a 61×36
		// terminal on").
		var qr []string
		qr, qrShown = a.pairingView(st)
		switch {
		case !qrShown || len(lines)+1+len(qr) <= a.height:
			lines = append(append(lines, ""), qr...)
		default:
			lines = qr
		}
	}
	var footer []string
	// Not while a number is typed: 1 types into it.
	if (!acc.Paired || st.Conn != app.StateConnected) && !qrShown && a.mode != accountPhoneInput {
		footer = []string{"", a.st.Dim.Render("Press 1 to browse the address book meanwhile.")}
	}
	// The facts doctor knows come last, in the room the rest leaves (what
	// waits, a question, an error come first); while a QR code waits to be
	// scanned, it takes the room.
	if !qrShown {
		above := lines
		lines = nil
		a.addInfo(add, addWrapped)
		facts := lines
		lines = above
		switch room := a.height - len(lines) - len(footer) - 1; {
		case len(facts) <= room:
			lines = append(append(lines, ""), facts...)
		case room >= 2:
			lines = append(append(lines, ""), facts[:room-1]...)
			lines = append(lines, a.st.Dim.Render("… more in a taller window (or: wabook doctor)"))
		}
	}
	lines = append(lines, footer...)
	for i, l := range lines {
		lines[i] = model.Truncate(l, a.width)
	}
	return strings.Join(lines, "\n")
}

// addInfo adds the facts doctor knows (AccountInfo) with add and
// addWrapped (a field whose value may wrap): the last sync, what the
// mirror holds, the app state's health and where the files are.
func (a *accountScreen) addInfo(add func(name, value string), addWrapped func(name string, style lipgloss.Style, value string)) {
	plain := lipgloss.NewStyle()
	info := a.info
	switch {
	case info == nil && a.infoErr != "":
		addWrapped("Mirror", a.st.Error, "could not be read: "+a.infoErr)
		return
	case info == nil:
		add("Mirror", a.st.Dim.Render("reading the database…"))
		return
	}
	last := "never"
	if !info.LastSync.IsZero() {
		last = info.LastSync.Local().Format("2006-01-02 15:04")
	}
	add("Last sync", last)
	c := info.Counts
	n := func(k int, what string) string { return fmt.Sprintf("%d %s%s", k, what, plural(k)) }
	counts := n(c.Contacts, "contact")
	if c.Hidden > 0 {
		counts += fmt.Sprintf(" (and %d hidden)", c.Hidden)
	}
	counts += ", " + n(c.Groups, "group") + ", " + n(c.Labels, "label") + fmt.Sprintf(", %d blocked", c.Blocked)
	addWrapped("Mirror", plain, counts)
	if as := info.AppState; !as.Known {
		addWrapped("App state", a.st.Dim, "not known: "+as.Unknown)
	} else {
		health, style := "healthy", plain
		switch {
		case as.NeedsFullResync:
			health, style = "a full resync is due", a.st.Error
		case as.Problem != "":
			health, style = "problem: "+as.Problem, a.st.Error
		}
		addWrapped("App state", style, health+" · "+as.Versions())
	}
	addWrapped("Database", plain, info.DBPath)
	logPath := info.LogPath
	if logPath == "" {
		logPath = "none"
	}
	addWrapped("Log", plain, logPath)
	if a.infoErr != "" {
		addWrapped("", a.st.Error, "reading them again failed: "+a.infoErr)
	}
}

// phoneCodeLeft says how long the pairing code on screen can still be
// typed, "" when the service does not know it.
func (a *accountScreen) phoneCodeLeft(st app.Status) string {
	if st.PhoneCode != a.phoneCode || st.PhoneCodeExpires.IsZero() {
		return ""
	}
	left := st.PhoneCodeExpires.Sub(a.now()).Round(time.Second)
	if left <= 0 {
		return a.st.Warn.Render("This code has expired: press n for a new one.")
	}
	return a.st.Dim.Render(fmt.Sprintf("The code can be typed for %s more.", left))
}

// qrInstructions fit the narrowest terminal that shows the code (61
// columns) on one line, and wrap on a narrower one.
const qrInstructions = "Scan with WhatsApp: Settings → Linked devices → Link a device"

// pairingView is the QR code with its instructions, when they fit the
// screen (shown), or why they do not: how many more columns and lines it
// takes.
func (a *accountScreen) pairingView(st app.Status) (lines []string, shown bool) {
	// One encoding gives both the size and the drawing (an error gives
	// 0×0, and is told only if the code would fit).
	qr, w, h, err := qrtext.Render(st.PairCode, qrtext.Style(!a.noColor, !a.lightBackground))
	hint := "p: pair by phone number instead"
	if st.PairTimeout > 0 {
		if left := st.PairIssued.Add(st.PairTimeout).Sub(a.now()).Round(time.Second); left > 0 {
			hint = fmt.Sprintf("New code in %ds · %s", int(left.Seconds()), hint)
		}
	}
	// Measured at the width the code needs at least: what a narrower
	// screen lacks is said in columns, and the lines counted are those
	// of a screen wide enough.
	width := max(a.width, w)
	text := append(wrapText(qrInstructions, width), wrapStyled(a.st.Dim, hint, width)...)
	if need := h + len(text); w > a.width || need > a.height {
		var more []string
		if w > a.width {
			more = append(more, fmt.Sprintf("%d more column%s", w-a.width, plural(w-a.width)))
		}
		if need > a.height {
			more = append(more, fmt.Sprintf("%d more line%s", need-a.height, plural(need-a.height)))
		}
		msg := fmt.Sprintf("The terminal is too small for the QR code (%dx%d cells): it needs %s.", w, h, strings.Join(more, " and "))
		return append(wrapStyled(a.st.Warn, msg, a.width),
			wrapText("Make the window larger, or press p to pair by phone number instead.", a.width)...), false
	}
	if err != nil {
		return wrapStyled(a.st.Error, err.Error(), a.width), false
	}
	return append(text, qr...), true
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

// holderWords names the wabook that holds the WhatsApp connection.
func holderWords(pid int) string {
	if pid > 0 {
		return fmt.Sprintf("wabook pid %d has the WhatsApp connection", pid)
	}
	return "another wabook has the WhatsApp connection"
}
