package wm

import (
	"context"
	"fmt"

	"go.mau.fi/whatsmeow"
	wastore "go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/wa"
)

// Account describes the paired account (identity fields are empty while
// unpaired). IsBusiness is known from the business name WhatsApp sent at
// pairing or from a WhatsApp Business phone platform ("smba", "smbi");
// Platform is the phone's platform as WhatsApp reports it. It is a copy
// (refreshAccount): whatsmeow writes the device's fields while pairing,
// without a lock.
func (b *Backend) Account() wa.Account {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.loggedOut {
		return wa.Account{Platform: "whatsapp"}
	}
	return b.acct
}

// accountOf reads a device's identity. Only call it where whatsmeow is not
// writing the device: before it runs, or on the goroutine (or after a
// channel receive from the goroutine) that wrote it.
func accountOf(st *wastore.Device) wa.Account {
	if st.ID == nil {
		return wa.Account{Platform: "whatsapp"}
	}
	jid := st.ID.ToNonAD()
	platform := st.Platform
	if platform == "" {
		platform = "whatsapp"
	}
	return wa.Account{
		JID:        jid.String(),
		Phone:      "+" + jid.User,
		PushName:   st.PushName,
		IsBusiness: isBusiness(st),
		Paired:     true,
		Platform:   platform,
		Device:     st.ID.String(),
	}
}

// refreshAccount takes a new copy of cli's identity when cli is the
// current client (see accountOf for where it may be called).
func (b *Backend) refreshAccount(cli *whatsmeow.Client) {
	a := accountOf(cli.Store)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.client == cli {
		b.acct = a
	}
}

func isBusiness(st *wastore.Device) bool {
	return st.BusinessName != "" || st.Platform == "smba" || st.Platform == "smbi"
}

// paired reports whether the current device has an identity.
func (b *Backend) paired() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return !b.loggedOut && b.acct.Paired
}

// phoneJID is the model form of a phone-number JID.
func phoneJID(j types.JID) string { return model.JIDFromDigits(j.User) }

// Reload reads the WhatsApp session from the database again. A process
// that takes the connection over from another wabook calls it first: that
// one may have paired, logged out or paired again since this one loaded
// the session at start. It does nothing while a session runs.
func (b *Backend) Reload(ctx context.Context) error {
	if b.readOnly {
		return errReadOnly
	}
	device, err := b.container.GetFirstDevice(ctx)
	if err != nil {
		return fmt.Errorf("wm: reloading the WhatsApp session: %w", err)
	}
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return ErrClosed
	}
	if b.sess != nil {
		b.mu.Unlock()
		return nil
	}
	old := b.client
	b.client = b.newClient(device)
	b.acct = accountOf(device)
	b.loggedOut = false
	b.mu.Unlock()
	old.RemoveEventHandlers()
	old.Disconnect()
	return nil
}

var _ wa.Reloader = (*Backend)(nil)
