package wm

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/appstate"
	wastore "go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/wa"
)

// begin checks what every call needs: an open backend and a paired account.
func (b *Backend) begin(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.Lock()
	closed := b.closed
	b.mu.Unlock()
	if closed {
		return ErrClosed
	}
	if !b.paired() {
		return wa.ErrNotPaired
	}
	return nil
}

// callErr wraps a whatsmeow call error; rate-overlimit becomes
// wa.ErrRateLimited.
func callErr(what string, err error) error {
	if errors.Is(err, whatsmeow.ErrIQRateOverLimit) {
		return fmt.Errorf("wm: %s: %w", what, wa.ErrRateLimited)
	}
	return fmt.Errorf("wm: %s: %w", what, err)
}

// CheckNumbers asks WhatsApp which of the "+digits" numbers exist (at most
// 20 per call), with a usync contact query built and read here (usync.go,
// PROTOCOL.md). Answers come back in the order asked. A number WhatsApp
// leaves out of its reply is not answered (Answered false), never "not on
// WhatsApp"; an error inside the reply for one number is that number's
// Err; an answer's JID may differ from the number asked (Brazil's ninth
// digit), and LID is set when WhatsApp answered with one. Inputs that are
// not "+digits" get a per-number error and are not sent. A query-level
// error means nothing was answered: rate-overlimit gives
// wa.ErrRateLimited, anything else a wrapped error.
func (b *Backend) CheckNumbers(ctx context.Context, phones []string) ([]wa.CheckAnswer, error) {
	if len(phones) > MaxCheckBatch {
		return nil, fmt.Errorf("wm: at most %d numbers per query, got %d", MaxCheckBatch, len(phones))
	}
	if err := b.begin(ctx); err != nil {
		return nil, err
	}
	answers := make([]wa.CheckAnswer, len(phones))
	var query []string
	asked := map[string]bool{}
	for i, p := range phones {
		answers[i].Query = p
		d := strings.TrimPrefix(p, "+")
		if !strings.HasPrefix(p, "+") || !model.AllDigits(d) || len(d) > 15 {
			answers[i].Answered = true
			answers[i].Err = fmt.Errorf("wm: %q is not a number in +digits form", p)
			continue
		}
		if !asked[d] {
			asked[d] = true
			query = append(query, p)
		}
	}
	if len(query) == 0 {
		return answers, nil
	}
	res, err := b.net().SendIQ(ctx, contactQuery(newUsyncSID(), query))
	if err != nil {
		return nil, sendErr(err)
	}
	got, err := parseContactReply(res, asked)
	if err != nil {
		return nil, err
	}
	var lids []wastore.LIDMapping
	for i := range answers {
		a := &answers[i]
		if a.Err != nil {
			continue
		}
		d := strings.TrimPrefix(a.Query, "+")
		r, ok := got[d]
		if !ok {
			continue
		}
		a.Answered, a.Exists, a.Err, a.VerifiedName = true, r.exists, r.err, r.verifiedName
		a.JID = model.JIDFromDigits(d)
		if !r.pn.IsEmpty() {
			a.JID = phoneJID(r.pn)
		}
		if !r.lid.IsEmpty() {
			a.LID = r.lid.String()
			if !r.pn.IsEmpty() && r.err == nil {
				lids = append(lids, wastore.LIDMapping{LID: r.lid, PN: r.pn})
			}
		}
	}
	// The mapping lets later LID-addressed events name the phone number
	// (PROTOCOL.md, "Existence checks (usync)", Replies).
	b.storeLIDs(ctx, lids)
	return answers, nil
}

// parseUserJID reads a user JID: "digits@s.whatsapp.net" (device suffix
// allowed), "digits@c.us", "…@lid", "+digits" or bare digits.
func parseUserJID(s string) (types.JID, error) {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "@") {
		d := strings.TrimPrefix(s, "+")
		if !model.AllDigits(d) {
			return types.EmptyJID, fmt.Errorf("wm: %q is not a user JID", s)
		}
		return types.NewJID(d, types.DefaultUserServer), nil
	}
	j, err := types.ParseJID(s)
	if err != nil {
		return types.EmptyJID, fmt.Errorf("wm: %q is not a user JID", s)
	}
	j = j.ToNonAD()
	switch j.Server {
	case types.LegacyUserServer:
		j.Server = types.DefaultUserServer
		fallthrough
	case types.DefaultUserServer, types.HiddenUserServer:
		if model.AllDigits(j.User) {
			return j, nil
		}
	}
	return types.EmptyJID, fmt.Errorf("wm: %q is not a user JID", s)
}

// parseChatJID is parseUserJID plus group JIDs.
func parseChatJID(s string) (types.JID, error) {
	if j, err := types.ParseJID(strings.TrimSpace(s)); err == nil && j.Server == types.GroupServer {
		return j.ToNonAD(), nil
	}
	return parseUserJID(s)
}

// UserInfo fetches about text, picture id and verified name, keyed by the
// JIDs asked for (phone JIDs, LIDs, "+digits"). Users WhatsApp does not
// answer for are left out.
func (b *Backend) UserInfo(ctx context.Context, jids []string) (map[string]wa.UserInfo, error) {
	if err := b.begin(ctx); err != nil {
		return nil, err
	}
	parsed := make([]types.JID, 0, len(jids))
	keys := make(map[types.JID][]string, len(jids))
	for _, s := range jids {
		j, err := parseUserJID(s)
		if err != nil {
			return nil, err
		}
		if _, dup := keys[j]; !dup {
			parsed = append(parsed, j)
		}
		keys[j] = append(keys[j], s)
	}
	out := make(map[string]wa.UserInfo, len(jids))
	if len(parsed) == 0 {
		return out, nil
	}
	res, err := b.net().GetUserInfo(ctx, parsed)
	if err != nil {
		return nil, callErr("user info", err)
	}
	for j, info := range res {
		j = j.ToNonAD()
		ui := wa.UserInfo{
			JID:      b.chatJID(ctx, j),
			About:    info.Status,
			AvatarID: info.PictureID,
		}
		if info.VerifiedName != nil {
			ui.IsBusiness = true
			if info.VerifiedName.Details != nil {
				ui.VerifiedName = info.VerifiedName.Details.GetVerifiedName()
			}
		}
		for _, k := range keys[j] {
			out[k] = ui
		}
	}
	return out, nil
}

// ProfilePictureURL returns the URL of the user's or group's picture: ""
// when there is none or when the user hides it from this account.
func (b *Backend) ProfilePictureURL(ctx context.Context, jid string) (string, error) {
	if err := b.begin(ctx); err != nil {
		return "", err
	}
	j, err := parseChatJID(jid)
	if err != nil {
		return "", err
	}
	info, err := b.net().GetProfilePictureInfo(ctx, j, &whatsmeow.GetProfilePictureParams{})
	switch {
	case errors.Is(err, whatsmeow.ErrProfilePictureNotSet), errors.Is(err, whatsmeow.ErrProfilePictureUnauthorized):
		return "", nil
	case err != nil:
		return "", callErr("profile picture", err)
	case info == nil:
		return "", nil
	}
	return info.URL, nil
}

// SetBlocked blocks or unblocks a user and reports BlockChanged. It blocks
// by LID with the phone number as pn_jid, and unblocks by LID: WhatsApp
// refuses phone-number blocks for accounts moved to LIDs (PROTOCOL.md,
// "Blocklist"). Only when no LID can be found is the phone-number JID sent.
// Blocking a LID whose phone number is not known is refused before
// anything is sent (errNoNumberForLID).
func (b *Backend) SetBlocked(ctx context.Context, jid string, blocked bool) error {
	if err := b.begin(ctx); err != nil {
		return err
	}
	j, err := parseUserJID(jid)
	if err != nil {
		return err
	}
	target, pnJID, err := b.blockTarget(ctx, j, blocked)
	if err != nil {
		return callErr("updating the blocklist", err)
	}
	if _, err := b.net().SendIQ(ctx, blockItemQuery(target, pnJID, blocked)); err != nil {
		return callErr("updating the blocklist", err)
	}
	b.emit(wa.BlockChanged{JID: b.chatJID(ctx, j), Blocked: blocked})
	return nil
}

// business checks that label calls are allowed.
func (b *Backend) business(ctx context.Context) error {
	if err := b.begin(ctx); err != nil {
		return err
	}
	if !b.Account().IsBusiness {
		return wa.ErrNotBusiness
	}
	return nil
}

// LabelsSynced reports whether the account's labels (app state "regular")
// have been synced at least once: whatsmeow's app-state store holds a
// version above 0 for the collection. Until then a new label must not be
// sent (wa.ErrLabelsNotSynced).
func (b *Backend) LabelsSynced(ctx context.Context) (bool, error) {
	if err := b.begin(ctx); err != nil {
		return false, err
	}
	st := b.cli().Store
	if st.AppState == nil {
		return false, nil
	}
	version, _, err := st.AppState.GetAppStateVersion(ctx, string(appstate.WAPatchRegular))
	if err != nil {
		return false, fmt.Errorf("wm: reading the labels' app state version: %w", err)
	}
	return version > 0, nil
}

var _ wa.LabelSyncReporter = (*Backend)(nil)

// SendLabelEdit creates, renames, recolours or deletes a WhatsApp Business
// label (app state "regular").
func (b *Backend) SendLabelEdit(ctx context.Context, edit wa.LabelEdit) error {
	if err := b.business(ctx); err != nil {
		return err
	}
	if edit.WALabelID == "" {
		return errors.New("wm: label edit without a label id")
	}
	if !edit.Deleted && strings.TrimSpace(edit.Name) == "" {
		return errors.New("wm: label edit without a name")
	}
	if edit.Color < 0 || edit.Color >= model.LabelColors {
		return fmt.Errorf("wm: label colour %d: want 0–%d", edit.Color, model.LabelColors-1)
	}
	patch := appstate.BuildLabelEdit(edit.WALabelID, edit.Name, int32(edit.Color), edit.Deleted)
	if err := b.sendAppState(ctx, patch); err != nil {
		return callErr("sending the label change", err)
	}
	return nil
}

// SendLabelChat assigns or removes a WhatsApp Business label on a chat
// (phone JID, "+digits", LID or group JID), sent as given: a removal must
// name the chat in the form WhatsApp used for the association
// (wa.LabelAssociationChanged.WAChatJID).
func (b *Backend) SendLabelChat(ctx context.Context, waLabelID, chatJID string, assigned bool) error {
	if err := b.business(ctx); err != nil {
		return err
	}
	if waLabelID == "" {
		return errors.New("wm: label chat without a label id")
	}
	j, err := parseChatJID(chatJID)
	if err != nil {
		return err
	}
	if err := b.sendAppState(ctx, appstate.BuildLabelChat(j, waLabelID, assigned)); err != nil {
		return callErr("sending the label assignment", err)
	}
	return nil
}
