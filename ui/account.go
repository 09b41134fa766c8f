package ui

import (
	"fmt"
	"image/color"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/wa"
)

// accountScreen shows the paired account, the connection, and the pairing QR
// code while pairing.
type accountScreen struct {
	st            *Styles
	keys          *KeyMap
	qrStyle       lipgloss.Style
	width, height int
}

func newAccountScreen(st *Styles, keys *KeyMap) *accountScreen {
	return &accountScreen{
		st:      st,
		keys:    keys,
		qrStyle: lipgloss.NewStyle().Foreground(color.Black).Background(color.White),
	}
}

func (a *accountScreen) setSize(w, h int) { a.width, a.height = w, h }

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
	add("Connection", connText(st))
	if st.Detail != "" {
		add("Detail", model.Sanitize(st.Detail))
	}
	if st.LastError != "" {
		add("Last error", a.st.Error.Render(model.Sanitize(st.LastError)))
	}
	if st.PairError != "" {
		add("Pairing", a.st.Error.Render(model.Sanitize(st.PairError)))
	}
	if st.PairCode != "" {
		lines = append(lines, "")
		lines = append(lines, a.pairingView(st)...)
	}
	for i, l := range lines {
		lines[i] = model.Truncate(l, a.width)
	}
	return strings.Join(lines, "\n")
}

func (a *accountScreen) pairingView(st app.Status) []string {
	intro := "Scan with WhatsApp: Settings → Linked devices → Link a device."
	w, h := qrSize(st.PairCode)
	if w > a.width || h+6 > a.height {
		return []string{
			a.st.Warn.Render(fmt.Sprintf("The terminal is too small for the QR code (it needs %dx%d cells; this one is %dx%d).", w, h+6, a.width, a.height)),
			"Make the window larger, or pair by phone number with: wabook pair --code +PHONE",
		}
	}
	qr, _, _, err := renderQR(st.PairCode, a.qrStyle)
	if err != nil {
		return []string{a.st.Error.Render(err.Error())}
	}
	out := []string{a.st.Title.Render(intro)}
	if st.PairTimeout > 0 {
		expires := st.PairIssued.Add(st.PairTimeout)
		out = append(out, a.st.Dim.Render("This code changes at "+expires.Local().Format(time.TimeOnly)+"."))
	}
	return append(out, qr...)
}

// connText describes the connection in words.
func connText(st app.Status) string {
	s := st.Conn.String()
	switch st.Conn {
	case wa.StateReconnecting:
		if st.Attempt > 0 {
			s += fmt.Sprintf(" (attempt %d)", st.Attempt)
		}
	case wa.StateTempBanned:
		if !st.Until.IsZero() {
			s += " until " + st.Until.Local().Format("2006-01-02 15:04")
		}
	case wa.StateConnected:
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

func (a *accountScreen) help() helpMap {
	k := a.keys
	return helpMap{short: []key.Binding{k.NextTab, k.Help, k.Quit}}
}
