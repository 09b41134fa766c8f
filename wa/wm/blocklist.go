package wm

import (
	"context"
	"errors"
	"fmt"

	"github.com/wabook/wabook/model"
	"go.mau.fi/whatsmeow"
	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"
)

// The blocklist queries are built and read here rather than through
// whatsmeow's GetBlocklist/UpdateBlocklist: the pinned whatsmeow blocks by
// phone-number JID, which WhatsApp refuses for accounts moved to LIDs, and
// drops the pn_jid of each blocklist item. PROTOCOL.md ("Blocklist") has the
// request and reply shapes and their sources.

const blocklistNamespace = "blocklist"

// blockedEntry is one item of WhatsApp's blocklist: the JID WhatsApp lists
// (a LID or a phone-number JID) and, when it says so, the phone number.
type blockedEntry struct {
	jid types.JID // non-AD
	pn  types.JID // phone-number JID from pn_jid; empty when not given
}

// blocklistQuery is the "get" query for the whole blocklist.
func blocklistQuery() whatsmeow.DangerousInfoQuery {
	return whatsmeow.DangerousInfoQuery{
		Namespace: blocklistNamespace,
		Type:      whatsmeow.DangerousInfoQueryType("get"),
		To:        types.ServerJID,
	}
}

// blockItemQuery is the "set" query that blocks or unblocks one user:
// <item jid=… action=block|unblock [pn_jid=…]/>.
func blockItemQuery(jid, pnJID types.JID, blocked bool) whatsmeow.DangerousInfoQuery {
	action := "unblock"
	if blocked {
		action = "block"
	}
	attrs := waBinary.Attrs{"jid": jid, "action": action}
	if blocked && !pnJID.IsEmpty() {
		attrs["pn_jid"] = pnJID
	}
	return whatsmeow.DangerousInfoQuery{
		Namespace: blocklistNamespace,
		Type:      whatsmeow.DangerousInfoQueryType("set"),
		To:        types.ServerJID,
		Content:   []waBinary.Node{{Tag: "item", Attrs: attrs}},
	}
}

// errNoBlocklist: the answer had no list. It is not an empty blocklist:
// taking it for one would unblock every contact in the mirror.
var errNoBlocklist = errors.New("the blocklist answer has no list")

// errNoNumberForLID: a block by LID needs the user's phone number as
// pn_jid, WhatsApp refuses it without (PROTOCOL.md, "Blocklist"), and no
// query wabook relies on answers a LID's number.
var errNoNumberForLID = errors.New("WhatsApp needs its phone number to block it, and that is not known yet " +
	"(it is learnt from shared groups, history sync and the blocklist); block it from the phone instead")

// parseBlocklist reads the reply to blocklistQuery: <list> holding <item>
// children (or, as some clients accept, the items directly under the iq).
// An item names the user in jid, with the phone number in pn_jid when the
// user is listed by LID; an item with only pn_jid is taken by its number.
// Items that name no user are skipped.
func parseBlocklist(reply *waBinary.Node) ([]blockedEntry, error) {
	if reply == nil {
		return nil, errNoBlocklist
	}
	parent := reply
	if list, ok := reply.GetOptionalChildByTag("list"); ok {
		parent = &list
	} else if len(reply.GetChildrenByTag("item")) == 0 {
		return nil, errNoBlocklist
	}
	out := []blockedEntry{}
	for _, item := range parent.GetChildrenByTag("item") {
		ag := item.AttrGetter()
		jid := ag.OptionalJIDOrEmpty("jid").ToNonAD()
		pnJID := ag.OptionalJIDOrEmpty("pn_jid").ToNonAD()
		if pnJID.Server != types.DefaultUserServer || !model.AllDigits(pnJID.User) {
			pnJID = types.EmptyJID
		}
		if jid.IsEmpty() {
			jid = pnJID
		}
		if jid.IsEmpty() {
			continue
		}
		out = append(out, blockedEntry{jid: jid, pn: pnJID})
	}
	return out, nil
}

// fetchBlocklist asks WhatsApp for the blocklist and records every LID ↔
// phone-number pair it names in the LID store.
func (b *Backend) fetchBlocklist(ctx context.Context) ([]blockedEntry, error) {
	reply, err := b.net().SendIQ(ctx, blocklistQuery())
	if err != nil {
		return nil, err
	}
	entries, err := parseBlocklist(reply)
	if err != nil {
		return nil, err
	}
	var pairs []store.LIDMapping
	for _, e := range entries {
		if e.jid.Server == types.HiddenUserServer && !e.pn.IsEmpty() {
			pairs = append(pairs, store.LIDMapping{LID: e.jid, PN: e.pn})
		}
	}
	b.learnLIDs(ctx, pairs)
	return entries, nil
}

// learnLIDs stores LID ↔ phone-number pairs in whatsmeow's LID store and
// has contacts that were skipped for want of a number read again once one
// of them is known (sync.go).
func (b *Backend) learnLIDs(ctx context.Context, pairs []store.LIDMapping) {
	if b.storeLIDs(ctx, pairs) {
		b.unmappedLearnt(ctx)
	}
}

// storeLIDs stores LID ↔ phone-number pairs in whatsmeow's LID store and
// reports whether any were stored.
func (b *Backend) storeLIDs(ctx context.Context, pairs []store.LIDMapping) bool {
	if len(pairs) == 0 {
		return false
	}
	cli := b.cli()
	if cli == nil || cli.Store == nil || cli.Store.LIDs == nil {
		return false
	}
	if err := cli.Store.LIDs.PutManyLIDMappings(ctx, pairs); err != nil {
		b.log.Warnf("Storing %d LID mappings failed: %v", len(pairs), err)
		return false
	}
	return true
}

// blockTarget works out the item to send for blocking or unblocking j: the
// user's LID, with the phone number (pn) for a block. The LID comes from
// the LID store, else from WhatsApp's user info; only when neither knows
// one is the phone-number JID sent alone. Blocking a LID whose number the
// LID store does not know fails with errNoNumberForLID.
func (b *Backend) blockTarget(ctx context.Context, j types.JID, blocked bool) (target, pnJID types.JID, err error) {
	j = j.ToNonAD()
	lids := b.cli().Store.LIDs
	if j.Server == types.HiddenUserServer {
		pn := b.pnForLID(ctx, j)
		if blocked && pn.IsEmpty() {
			return types.EmptyJID, types.EmptyJID, fmt.Errorf("%s: %w", j, errNoNumberForLID)
		}
		return j, pn, nil
	}
	if lids != nil {
		lid, err := lids.GetLIDForPN(ctx, j)
		if err != nil {
			b.log.Warnf("Looking up the LID of %s failed: %v", j, err)
		} else if !lid.IsEmpty() {
			return lid.ToNonAD(), j, nil
		}
	}
	info, err := b.net().GetUserInfo(ctx, []types.JID{j})
	if err != nil {
		return types.EmptyJID, types.EmptyJID, fmt.Errorf("finding the LID of %s: %w", j, err)
	}
	for k, ui := range info {
		if k.ToNonAD() != j || ui.LID.IsEmpty() {
			continue
		}
		lid := ui.LID.ToNonAD()
		b.learnLIDs(ctx, []store.LIDMapping{{LID: lid, PN: j}})
		return lid, j, nil
	}
	return j, types.EmptyJID, nil
}
