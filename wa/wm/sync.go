package wm

import (
	"context"
	"slices"
	"strings"
	"time"

	"go.mau.fi/whatsmeow/appstate"
	"go.mau.fi/whatsmeow/proto/waHistorySync"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/wa"
)

// Sync stages, in order. Groups come before contacts: fetching the joined
// groups teaches LID ↔ phone-number pairs (participants listed by LID with
// their number), so the contact read that follows can mirror contacts
// whatsmeow holds only under a LID.
var syncStages = []string{"groups", "contacts", "blocklist"}

// syncPass is the mirror pass run after every Connected: joined groups,
// contacts from the device store, blocklist, each one event, with
// SyncProgress before each stage. SyncCompleted follows at once, except on a
// newly paired device whose contact list has not arrived from the phone
// yet: then it follows the contact list (AppStateSyncComplete) or, at the
// latest, contactsWait later. Labels need no stage: WhatsApp Business sends
// them as app state events, which arrive on their own.
//
// A stage that succeeded less than syncEvery ago is skipped, so a burst of
// reconnects does not read every contact and fetch every group each time:
// what changes while connected arrives as events, and what changed while
// offline arrives as notifications after the reconnect. A stage is run
// anyway when its last attempt failed, after a new pairing, and for
// contacts when changes are waiting to be read.
func (b *Backend) syncPass(ctx context.Context) {
	if !b.paired() {
		return
	}
	b.mu.Lock()
	now := b.now()
	due := func(last time.Time) bool { return last.IsZero() || now.Sub(last) >= b.syncEvery }
	run := map[string]bool{}
	for _, stage := range syncStages {
		run[stage] = due(b.lastSync[stage])
	}
	run["contacts"] = run["contacts"] || b.contactsTimer != nil
	b.mu.Unlock()
	total := len(syncStages)
	for i, stage := range syncStages {
		if ctx.Err() != nil {
			return
		}
		b.emit(wa.SyncProgress{Stage: stage, Done: i, Total: total})
		if !run[stage] {
			continue
		}
		var ok bool
		switch stage {
		case "groups":
			ok = b.syncGroups(ctx)
		case "contacts":
			ok = b.readAndReportContacts(ctx)
		case "blocklist":
			ok = b.syncBlocklist(ctx)
		}
		if !ok {
			continue
		}
		b.mu.Lock()
		b.lastSync[stage] = now
		b.mu.Unlock()
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
	b.awaitContacts = b.afterFunc(b.contactsWait, func() {
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
func (b *Backend) syncContacts(ctx context.Context) { b.readAndReportContacts(ctx) }

// readAndReportContacts is syncContacts, reporting whether the read
// succeeded.
func (b *Backend) readAndReportContacts(ctx context.Context) bool {
	b.mu.Lock()
	if b.contactsTimer != nil { // this read covers the pending changes
		b.contactsTimer.Stop()
		b.contactsTimer = nil
	}
	b.mu.Unlock()
	contacts, err := b.readContacts(ctx)
	if err != nil {
		b.log.Warnf("Reading contacts from the device store failed: %v", err)
		return false
	}
	if len(contacts) == 0 {
		return true
	}
	var evs []wa.Event
	for c := range slices.Chunk(contacts, contactChunk) {
		evs = append(evs, wa.ContactsUpserted{Contacts: c})
	}
	b.emit(evs...)
	return true
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
	acct := b.Account()
	if !acct.Paired || st.Contacts == nil {
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
	own := strings.TrimPrefix(acct.Phone, "+")
	byPN := make(map[string]*entry, len(all))
	get := func(user string) *entry {
		e := byPN[user]
		if e == nil {
			e = &entry{}
			byPN[user] = e
		}
		return e
	}
	skipped := map[types.JID]bool{}
	for jid, info := range all {
		jid = jid.ToNonAD()
		switch jid.Server {
		case types.DefaultUserServer:
			if !model.AllDigits(jid.User) || jid.User == own {
				continue
			}
			get(jid.User).pn = info
		case types.HiddenUserServer:
			pn := b.pnForLID(ctx, jid)
			if pn.IsEmpty() {
				skipped[jid] = true
				continue
			}
			if pn.User == own {
				continue
			}
			e := get(pn.User)
			e.lid, e.hasLID, e.lidJID = info, true, jid
		}
	}
	if len(skipped) > 0 {
		b.log.Debugf("%d contacts are only known by LID and were not mirrored", len(skipped))
	}
	b.mu.Lock()
	b.unmapped = skipped
	b.mu.Unlock()
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

// syncGroups fetches the joined groups and reports them (GroupsReplaced),
// learning the LID ↔ phone-number pairs of participants on the way. It
// reports whether the fetch succeeded. Nothing is reported when it failed:
// an empty list would wipe the mirror's groups.
func (b *Backend) syncGroups(ctx context.Context) bool {
	groups, err := b.net().GetJoinedGroups(ctx)
	if err != nil {
		b.log.Warnf("Fetching joined groups failed: %v", err)
		return false
	}
	out := make([]model.Group, 0, len(groups))
	var pairs []store.LIDMapping
	for _, g := range groups {
		if g != nil {
			pairs = append(pairs, participantLIDs(g)...)
		}
	}
	// whatsmeow's own group fetch stores these too (PROTOCOL.md, "History
	// sync and LID mappings"); storing them here keeps the mapping from
	// depending on which client answered.
	b.learnLIDs(ctx, pairs)
	for _, g := range groups {
		if g != nil {
			out = append(out, b.group(ctx, g))
		}
	}
	b.emit(wa.GroupsReplaced{Groups: out})
	return true
}

// participantLIDs lists the LID ↔ phone-number pairs a group's participant
// list names.
func participantLIDs(g *types.GroupInfo) []store.LIDMapping {
	var out []store.LIDMapping
	for _, p := range g.Participants {
		lid, pn := p.LID.ToNonAD(), p.PhoneNumber.ToNonAD()
		switch p.JID.Server {
		case types.HiddenUserServer:
			lid = p.JID.ToNonAD()
		case types.DefaultUserServer:
			pn = p.JID.ToNonAD()
		}
		if lid.Server == types.HiddenUserServer && pn.Server == types.DefaultUserServer && model.AllDigits(pn.User) {
			out = append(out, store.LIDMapping{LID: lid, PN: pn})
		}
	}
	return out
}

// unmappedLearnt schedules a contact re-read when a contact skipped for
// want of a phone number (readContacts) now has one in the LID store.
func (b *Backend) unmappedLearnt(ctx context.Context) {
	b.mu.Lock()
	lids := make([]types.JID, 0, len(b.unmapped))
	for l := range b.unmapped {
		lids = append(lids, l)
	}
	b.mu.Unlock()
	for _, l := range lids {
		if !b.pnForLID(ctx, l).IsEmpty() {
			b.contactsChanged()
			return
		}
	}
}

// learnFromHistory stores what a history sync blob teaches about contacts:
// push names and LID ↔ phone-number pairs (the blob's mapping list and the
// pnJID/lidJID of its one-to-one conversations). whatsmeow stores the push
// names and the mapping list itself, but in a goroutine of its own that
// races the event (PROTOCOL.md, "History sync and LID mappings"); storing
// them here first (the writes are idempotent) makes the contact re-read
// that follows see them.
func (b *Backend) learnFromHistory(ctx context.Context, hs *waHistorySync.HistorySync) {
	if hs == nil {
		return
	}
	cli := b.cli()
	if names := hs.GetPushnames(); len(names) > 0 && cli.Store.Contacts != nil {
		//nolint:staticcheck // whatsmeow's own storing of history push names
		cli.DangerousInternals().HandleHistoricalPushNames(ctx, names)
	}
	var pairs []store.LIDMapping
	add := func(a, c string) {
		x, err1 := types.ParseJID(a)
		y, err2 := types.ParseJID(c)
		if err1 != nil || err2 != nil {
			return
		}
		x, y = x.ToNonAD(), y.ToNonAD()
		if x.Server == types.DefaultUserServer {
			x, y = y, x
		}
		if y.Server == types.LegacyUserServer {
			y.Server = types.DefaultUserServer
		}
		if x.Server == types.HiddenUserServer && y.Server == types.DefaultUserServer && model.AllDigits(y.User) {
			pairs = append(pairs, store.LIDMapping{LID: x, PN: y})
		}
	}
	for _, m := range hs.GetPhoneNumberToLidMappings() {
		add(m.GetLidJID(), m.GetPnJID())
	}
	for _, c := range hs.GetConversations() {
		add(c.GetID(), c.GetPnJID())
		add(c.GetID(), c.GetLidJID())
	}
	b.storeLIDs(ctx, pairs) // historyChanged re-reads the contacts anyway
}

// historyChanged schedules a contact re-read after a history sync blob;
// blobs arriving meanwhile are covered by the same read.
func (b *Backend) historyChanged() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.closed && b.historyTimer == nil {
		b.historyTimer = b.rereadLocked(&b.historyTimer, b.historyDelay)
	}
}

// pairedAnew makes the next pass a full one and schedules one more contact
// re-read pairRereadDelay after a new pairing: push names and LID mappings
// come later in history sync, with no event of their own.
func (b *Backend) pairedAnew() {
	b.mu.Lock()
	defer b.mu.Unlock()
	clear(b.lastSync)
	if b.closed {
		return
	}
	if b.pairTimer != nil {
		b.pairTimer.Stop()
	}
	b.pairTimer = b.rereadLocked(&b.pairTimer, b.pairRereadDelay)
}

// syncBlocklist fetches the blocklist and reports it (BlocklistReplaced),
// users listed by LID mapped to phone numbers through the item's pn_jid or
// the LID store (the store maps the rest through its contacts' LIDs). It
// reports whether the fetch succeeded; nothing is reported when it failed.
func (b *Backend) syncBlocklist(ctx context.Context) bool {
	entries, err := b.fetchBlocklist(ctx)
	if err != nil {
		b.log.Warnf("Fetching the blocklist failed: %v", err)
		return false
	}
	jids := []string{}
	for _, e := range entries {
		m := b.chatJID(ctx, e.jid)
		if !e.pn.IsEmpty() {
			m = phoneJID(e.pn)
		}
		if !slices.Contains(jids, m) {
			jids = append(jids, m)
		}
	}
	b.emit(wa.BlocklistReplaced{JIDs: jids})
	return true
}
