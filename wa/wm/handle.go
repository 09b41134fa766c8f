package wm

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/appstate"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/wa"
)

// handle is the whatsmeow event handler. It runs on whatsmeow's dispatcher,
// so it only maps, queues events and schedules work; network calls run on
// the worker.
func (b *Backend) handle(evt any) {
	switch e := evt.(type) {
	case *events.Connected:
		b.mu.Lock()
		b.attempt = 0
		b.emitLocked(wa.ConnectionChanged{State: wa.StateConnected})
		b.mu.Unlock()
		b.versionConnected()
		b.enqueue(b.autoResync) // when a full app-state resync is due (appstate.go)
		b.enqueue(b.syncPass)

	case *events.Disconnected:
		if !b.paired() {
			return // a pairing socket closing: the QR channel reports it
		}
		// whatsmeow reports only unexpected drops, and reconnects itself.
		b.mu.Lock()
		b.attempt = 1
		b.emitLocked(wa.ConnectionChanged{State: wa.StateReconnecting, Attempt: 1,
			Detail: "the connection to WhatsApp was lost; reconnecting"})
		b.mu.Unlock()

	case *events.KeepAliveTimeout:
		b.emit(wa.ConnectionChanged{State: wa.StateReconnecting, Attempt: e.ErrorCount,
			Detail: fmt.Sprintf("WhatsApp is not answering (%d keep-alive pings timed out); waiting for the connection to recover", e.ErrorCount)})

	case *events.KeepAliveRestored:
		b.emit(wa.ConnectionChanged{State: wa.StateConnected})

	case *events.LoggedOut:
		b.forgetAccount(loggedOutWords(e), false)

	case *events.TemporaryBan:
		var until time.Time
		if e.Expire > 0 {
			until = time.Now().Add(e.Expire)
		}
		b.detachSession()
		b.emit(wa.ConnectionChanged{State: wa.StateTempBanned, Until: until, Detail: e.Code.String()})

	case *events.StreamReplaced:
		b.detachSession()
		b.emit(wa.ConnectionChanged{State: wa.StateReplaced,
			Detail: "another program connected with this session, so this one stopped"})

	case *events.ConnectFailure:
		detail := "WhatsApp refused the connection (" + e.Reason.String()
		if e.Message != "" {
			detail += ": " + e.Message
		}
		detail += ")"
		b.detachSession()
		b.emit(wa.ConnectionChanged{State: wa.StateOffline, Detail: detail})

	case *events.ClientOutdated:
		if !b.paired() {
			return // while pairing the QR channel reports it (watchQR)
		}
		b.mu.Lock()
		s, cli := b.sess, b.client
		b.mu.Unlock()
		go b.clientOutdated(s, cli, false)

	case *events.CATRefreshError:
		b.detachSession()
		b.emit(wa.ConnectionChanged{State: wa.StateOffline, Detail: "WhatsApp refused the session's credentials"})

	case *events.AppStateSyncComplete:
		if e.Name == appstate.WAPatchCriticalUnblockLow {
			b.enqueue(func(ctx context.Context) {
				b.syncContacts(ctx)
				b.finishAwaitedSync()
			})
		}

	case *events.HistorySync:
		data := e.Data
		b.enqueue(func(ctx context.Context) {
			b.learnFromHistory(ctx, data)
			b.historyChanged()
		})

	case *events.QR:
		// whatsmeow's QR channel shows these codes and then closes the
		// connection (qrCodesLife); a pairing code lives as long.
		b.mu.Lock()
		if s := b.sess; s != nil && s.qrDeadline.IsZero() {
			s.qrDeadline = b.now().Add(qrCodesLife(len(e.Codes)))
		}
		b.mu.Unlock()

	case *events.PairSuccess:
		// Dispatched on the goroutine that wrote the identity, after it.
		b.refreshAccount(b.cli())
		b.pairedAnew()

	case *events.PushNameSetting:
		b.refreshAccount(b.cli())

	case *events.Contact:
		b.rememberContactLID(e)
		b.contactsChanged()

	case *events.PushName:
		if jid, ok := b.toPN(context.Background(), e.JID, e.JIDAlt); ok && e.NewPushName != "" && jid != b.Account().JID {
			b.emit(wa.PushNameChanged{JID: jid, PushName: e.NewPushName})
		}
		b.contactsChanged()

	case *events.BusinessName:
		b.contactsChanged()

	case *events.JoinedGroup:
		info := e.GroupInfo
		b.enqueue(func(ctx context.Context) { b.refreshGroup(ctx, info.JID, &info) })

	case *events.GroupInfo:
		if e.Delete != nil || b.leftGroup(e) {
			b.emit(wa.GroupLeft{JID: e.JID.ToNonAD().String()})
			return
		}
		jid := e.JID
		b.enqueue(func(ctx context.Context) { b.refreshGroup(ctx, jid, nil) })

	case *events.Blocklist:
		if e.Action == events.BlocklistActionModify || len(e.Changes) == 0 {
			b.enqueue(func(ctx context.Context) { b.syncBlocklist(ctx) })
			return
		}
		ctx := context.Background()
		var evs []wa.Event
		refetch := false
		for _, c := range e.Changes {
			jid, ok := b.toPN(ctx, c.JID, types.EmptyJID)
			if !ok {
				// The change names a LID whose number is not known here:
				// the full list carries it with its pn_jid.
				b.log.Infof("Blocklist change for %s without a known phone number; fetching the whole blocklist", c.JID)
				refetch = true
				continue
			}
			switch c.Action {
			case events.BlocklistChangeActionBlock:
				evs = append(evs, wa.BlockChanged{JID: jid, Blocked: true})
			case events.BlocklistChangeActionUnblock:
				evs = append(evs, wa.BlockChanged{JID: jid, Blocked: false})
			}
		}
		b.emit(evs...)
		if refetch {
			b.enqueue(func(ctx context.Context) { b.syncBlocklist(ctx) })
		}

	case *events.LabelEdit:
		act := e.Action
		b.emit(wa.LabelEdited{
			WALabelID: e.LabelID,
			Name:      act.GetName(),
			Color:     int(act.GetColor()),
			Deleted:   act.GetDeleted(),
		})

	case *events.LabelAssociationChat:
		b.emit(wa.LabelAssociationChanged{
			WALabelID: e.LabelID,
			ChatJID:   b.chatJID(context.Background(), e.JID),
			WAChatJID: e.JID.ToNonAD().String(),
			Assigned:  e.Action.GetLabeled(),
		})
	}
}

// loggedOutWords says why the session was logged out.
func loggedOutWords(e *events.LoggedOut) string {
	switch e.Reason {
	case events.ConnectFailureMainDeviceGone:
		return "WhatsApp on the phone was logged out or moved to another phone"
	case events.ConnectFailureUnknownLogout:
		return "WhatsApp logged this device out (no reason given)"
	}
	return "this device was removed from the phone's linked devices"
}

// leftGroup reports whether the account itself left or was removed.
func (b *Backend) leftGroup(e *events.GroupInfo) bool {
	st := b.cli().Store
	var own, ownLID types.JID
	if st.ID != nil {
		own = st.ID.ToNonAD()
	}
	ownLID = st.LID.ToNonAD()
	for _, j := range e.Leave {
		j = j.ToNonAD()
		if (!own.IsEmpty() && j == own) || (!ownLID.IsEmpty() && j == ownLID) {
			return true
		}
	}
	return false
}

// contactsChanged schedules a re-read of the contact store; bursts (a full
// app state sync sends one event per contact) coalesce into one read.
func (b *Backend) contactsChanged() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.closed && b.contactsTimer == nil {
		b.contactsTimer = b.rereadLocked(&b.contactsTimer, b.contactsDelay)
	}
}

// rereadLocked starts a timer that, after d, clears *timer and queues a
// contact re-read on the worker; b.mu must be held.
func (b *Backend) rereadLocked(timer **time.Timer, d time.Duration) *time.Timer {
	return b.afterFunc(d, func() {
		b.mu.Lock()
		*timer = nil
		b.mu.Unlock()
		b.enqueue(b.syncContacts)
	})
}

// rememberContactLID records the LID ↔ phone number pair an address-book
// entry carries, through whatsmeow's own mapping call, so a contact stored
// under its LID can be mirrored under its number.
func (b *Backend) rememberContactLID(e *events.Contact) {
	if e.Action == nil {
		return
	}
	other := e.Action.GetLidJID()
	if e.JID.Server == types.HiddenUserServer {
		other = e.Action.GetPnJID()
	}
	if other == "" {
		return
	}
	alt, err := types.ParseJID(other)
	if err != nil {
		return
	}
	cli := b.cli()
	if cli.Store.LIDs == nil {
		return
	}
	cli.StoreLIDPNMapping(context.Background(), e.JID.ToNonAD(), alt.ToNonAD())
}

// toPN returns the phone-number JID (model form) for a user JID: itself
// when it is one, else alt when that is one, else the LID store's answer.
func (b *Backend) toPN(ctx context.Context, jid, alt types.JID) (string, bool) {
	jid = jid.ToNonAD()
	switch jid.Server {
	case types.DefaultUserServer, types.LegacyUserServer:
		if model.AllDigits(jid.User) {
			return phoneJID(jid), true
		}
		return "", false
	case types.HiddenUserServer:
		if alt = alt.ToNonAD(); alt.Server == types.DefaultUserServer && model.AllDigits(alt.User) {
			return phoneJID(alt), true
		}
		if pn := b.pnForLID(ctx, jid); !pn.IsEmpty() {
			return phoneJID(pn), true
		}
	}
	return "", false
}

// pnForLID asks the LID store; EmptyJID when unknown.
func (b *Backend) pnForLID(ctx context.Context, lid types.JID) types.JID {
	lids := b.cli().Store.LIDs
	if lids == nil {
		return types.EmptyJID
	}
	pn, err := lids.GetPNForLID(ctx, lid.ToNonAD())
	if err != nil {
		b.log.Warnf("Looking up the phone number of %s failed: %v", lid, err)
		return types.EmptyJID
	}
	if pn.IsEmpty() || !model.AllDigits(pn.User) {
		return types.EmptyJID
	}
	return pn.ToNonAD()
}

// chatJID maps a chat or member JID to the mirror's form: phone-number JIDs
// for users (LIDs through the LID store, kept as "…@lid" when unknown),
// anything else (groups) unchanged.
func (b *Backend) chatJID(ctx context.Context, j types.JID) string {
	j = j.ToNonAD()
	switch j.Server {
	case types.DefaultUserServer, types.LegacyUserServer:
		return phoneJID(j)
	case types.HiddenUserServer:
		if pn := b.pnForLID(ctx, j); !pn.IsEmpty() {
			return phoneJID(pn)
		}
	}
	return j.String()
}

// refreshGroup re-fetches one group and reports it; a group the account is
// no longer in is reported as left. fallback is used when the fetch fails
// for another reason.
func (b *Backend) refreshGroup(ctx context.Context, jid types.JID, fallback *types.GroupInfo) {
	info, err := b.net().GetGroupInfo(ctx, jid)
	switch {
	case errors.Is(err, whatsmeow.ErrNotInGroup), errors.Is(err, whatsmeow.ErrGroupNotFound):
		b.emit(wa.GroupLeft{JID: jid.ToNonAD().String()})
		return
	case err != nil || info == nil:
		if err == nil {
			err = errors.New("empty answer")
		}
		b.log.Warnf("Fetching group %s failed: %v", jid, err)
		if fallback == nil {
			return
		}
		info = fallback
	}
	b.emit(wa.GroupUpserted{Group: b.group(ctx, info)})
}

// group maps a whatsmeow group to the model. Participants are phone-number
// JIDs: the participant's phone number when WhatsApp sent it, else the
// LID's number from the LID store, else the "…@lid" JID.
func (b *Backend) group(ctx context.Context, g *types.GroupInfo) model.Group {
	out := model.Group{JID: g.JID.ToNonAD().String(), Name: g.Name, Participants: make([]string, 0, len(g.Participants))}
	seen := make(map[string]bool, len(g.Participants))
	for _, p := range g.Participants {
		var m string
		switch {
		case p.JID.Server == types.DefaultUserServer:
			m = phoneJID(p.JID.ToNonAD())
		case !p.PhoneNumber.IsEmpty():
			m = phoneJID(p.PhoneNumber.ToNonAD())
		case p.JID.Server == types.HiddenUserServer:
			m = b.chatJID(ctx, p.JID)
		case !p.LID.IsEmpty():
			m = b.chatJID(ctx, p.LID)
		default:
			m = p.JID.ToNonAD().String()
		}
		if m == "" || seen[m] {
			continue
		}
		seen[m] = true
		out.Participants = append(out.Participants, m)
	}
	out.ParticipantCount = len(out.Participants)
	return out
}
