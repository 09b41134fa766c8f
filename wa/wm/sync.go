package wm

import (
	"context"
	"slices"
	"strings"
	"time"

	"go.mau.fi/whatsmeow/appstate"
	"go.mau.fi/whatsmeow/types"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/wa"
)

// Sync stages, in order.
var syncStages = []string{"contacts", "groups", "blocklist"}

// syncPass is the full mirror pass run after every Connected: contacts from
// the device store, joined groups, blocklist, each one event, with
// SyncProgress before each stage. SyncCompleted follows at once, except on a
// newly paired device whose contact list has not arrived from the phone
// yet: then it follows the contact list (AppStateSyncComplete) or, at the
// latest, contactsWait later. Labels need no stage: WhatsApp Business sends
// them as app state events, which arrive on their own.
func (b *Backend) syncPass(ctx context.Context) {
	if !b.paired() {
		return
	}
	total := len(syncStages)
	for i, stage := range syncStages {
		if ctx.Err() != nil {
			return
		}
		b.emit(wa.SyncProgress{Stage: stage, Done: i, Total: total})
		switch stage {
		case "contacts":
			b.syncContacts(ctx)
		case "groups":
			b.syncGroups(ctx)
		case "blocklist":
			b.syncBlocklist(ctx)
		}
	}
	if ctx.Err() != nil {
		return
	}
	if b.contactsSynced(ctx) {
		b.emit(wa.SyncProgress{Stage: "done", Done: total, Total: total}, wa.SyncCompleted{})
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed || b.awaitContacts != nil {
		return
	}
	b.emitLocked(wa.SyncProgress{Stage: "waiting for the phone's contact list", Done: total, Total: total + 1})
	b.awaitContacts = time.AfterFunc(b.contactsWait, func() {
		b.log.Warnf("The phone did not send the contact list in %s; reporting the sync complete", b.contactsWait)
		b.finishAwaitedSync()
	})
}

// contactsSynced reports whether the device store has the contact list
// (the critical_unblock_low app state was synced at least once).
func (b *Backend) contactsSynced(ctx context.Context) bool {
	st := b.cli().Store
	if st.AppState == nil {
		return false
	}
	version, _, err := st.AppState.GetAppStateVersion(ctx, string(appstate.WAPatchCriticalUnblockLow))
	if err != nil {
		b.log.Warnf("Reading the contact list's app state version failed: %v", err)
		return true // do not hold the sync back on a read error
	}
	return version > 0
}

// finishAwaitedSync completes a sync pass that was waiting for the contact
// list.
func (b *Backend) finishAwaitedSync() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.awaitContacts == nil {
		return
	}
	b.awaitContacts.Stop()
	b.awaitContacts = nil
	total := len(syncStages)
	b.emitLocked(wa.SyncProgress{Stage: "done", Done: total, Total: total}, wa.SyncCompleted{})
}

// syncContacts reads every contact of the device store and reports them
// (ContactsUpserted, up to contactChunk per event).
func (b *Backend) syncContacts(ctx context.Context) {
	b.mu.Lock()
	if b.contactsTimer != nil { // this read covers the pending changes
		b.contactsTimer.Stop()
		b.contactsTimer = nil
	}
	b.mu.Unlock()
	contacts, err := b.readContacts(ctx)
	if err != nil {
		b.log.Warnf("Reading contacts from the device store failed: %v", err)
		return
	}
	if len(contacts) == 0 {
		return
	}
	var evs []wa.Event
	for c := range slices.Chunk(contacts, contactChunk) {
		evs = append(evs, wa.ContactsUpserted{Contacts: c})
	}
	b.emit(evs...)
}

// readContacts merges whatsmeow's contact store into model contacts keyed
// by phone number. whatsmeow may hold a person twice, under the phone-number
// JID and under the LID; as mautrix-whatsapp does, the LID entry's names win
// and the phone-number entry fills the blanks. An entry stored only under a
// LID whose phone number the LID store does not know is skipped: the mirror
// is keyed by phone number (it is picked up once the mapping is learnt).
// The account's own number is skipped too.
func (b *Backend) readContacts(ctx context.Context) ([]model.Contact, error) {
	st := b.cli().Store
	if st.ID == nil || st.Contacts == nil {
		return nil, nil
	}
	all, err := st.Contacts.GetAllContacts(ctx)
	if err != nil {
		return nil, err
	}
	type entry struct {
		pn, lid types.ContactInfo
		hasLID  bool
		lidJID  types.JID
	}
	own := st.ID.User
	byPN := make(map[string]*entry, len(all))
	get := func(user string) *entry {
		e := byPN[user]
		if e == nil {
			e = &entry{}
			byPN[user] = e
		}
		return e
	}
	var skipped int
	for jid, info := range all {
		jid = jid.ToNonAD()
		switch jid.Server {
		case types.DefaultUserServer:
			if !allDigits(jid.User) || jid.User == own {
				continue
			}
			get(jid.User).pn = info
		case types.HiddenUserServer:
			pn := b.pnForLID(ctx, jid)
			if pn.IsEmpty() {
				skipped++
				continue
			}
			if pn.User == own {
				continue
			}
			e := get(pn.User)
			e.lid, e.hasLID, e.lidJID = info, true, jid
		}
	}
	if skipped > 0 {
		b.log.Debugf("%d contacts are only known by LID and were not mirrored", skipped)
	}
	// LIDs of the phone numbers that have no LID entry.
	var need []types.JID
	for user, e := range byPN {
		if !e.hasLID {
			need = append(need, types.NewJID(user, types.DefaultUserServer))
		}
	}
	lids := map[types.JID]types.JID{}
	if st.LIDs != nil {
		// Chunked: SQLite limits the number of query parameters.
		for part := range slices.Chunk(need, 500) {
			got, err := st.LIDs.GetManyLIDsForPNs(ctx, part)
			if err != nil {
				b.log.Warnf("Looking up LIDs failed: %v", err)
				break
			}
			for pn, lid := range got {
				lids[pn] = lid
			}
		}
	}
	out := make([]model.Contact, 0, len(byPN))
	for user, e := range byPN {
		info := e.lid
		fill := func(dst *string, src string) {
			if *dst == "" {
				*dst = src
			}
		}
		if !e.hasLID {
			info = e.pn
		} else {
			fill(&info.FirstName, e.pn.FirstName)
			fill(&info.FullName, e.pn.FullName)
			fill(&info.PushName, e.pn.PushName)
			fill(&info.BusinessName, e.pn.BusinessName)
		}
		lid := e.lidJID
		if !e.hasLID {
			lid = lids[types.NewJID(user, types.DefaultUserServer)]
		}
		c := model.Contact{
			JID:          model.JIDFromDigits(user),
			Phone:        "+" + user,
			FullName:     strings.TrimSpace(info.FullName),
			FirstName:    strings.TrimSpace(info.FirstName),
			PushName:     strings.TrimSpace(info.PushName),
			BusinessName: strings.TrimSpace(info.BusinessName),
			VerifiedName: strings.TrimSpace(info.BusinessName),
			IsWAContact:  true,
			Source:       model.SourceWhatsApp,
		}
		if !lid.IsEmpty() {
			c.LID = lid.ToNonAD().String()
		}
		c.IsMyContact = c.FullName != "" || c.FirstName != ""
		c.IsBusiness = c.BusinessName != ""
		out = append(out, c)
	}
	slices.SortFunc(out, func(x, y model.Contact) int { return strings.Compare(x.JID, y.JID) })
	return out, nil
}

// syncGroups fetches the joined groups and reports them (GroupsReplaced).
// Nothing is reported when the fetch fails: an empty list would wipe the
// mirror's groups.
func (b *Backend) syncGroups(ctx context.Context) {
	groups, err := b.net().GetJoinedGroups(ctx)
	if err != nil {
		b.log.Warnf("Fetching joined groups failed: %v", err)
		return
	}
	out := make([]model.Group, 0, len(groups))
	for _, g := range groups {
		if g != nil {
			out = append(out, b.group(ctx, g))
		}
	}
	b.emit(wa.GroupsReplaced{Groups: out})
}

// syncBlocklist fetches the blocklist and reports it (BlocklistReplaced),
// LIDs mapped to phone numbers where known (the store maps the rest through
// its contacts' LIDs).
func (b *Backend) syncBlocklist(ctx context.Context) {
	bl, err := b.net().GetBlocklist(ctx)
	if err != nil {
		b.log.Warnf("Fetching the blocklist failed: %v", err)
		return
	}
	jids := []string{}
	if bl != nil {
		for _, j := range bl.JIDs {
			m := b.chatJID(ctx, j)
			if !slices.Contains(jids, m) {
				jids = append(jids, m)
			}
		}
	}
	b.emit(wa.BlocklistReplaced{JIDs: jids})
}
