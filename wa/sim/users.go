package sim

import (
	"context"
	"fmt"
	"strings"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/wa"
)

// lookup finds the contact for a phone JID, "+phone" or LID.
func (b *Backend) lookupLocked(jid string) (WorldContact, string, bool) {
	if isLID(jid) {
		if i, ok := b.byLID[jid]; ok {
			return b.contacts[i], model.JIDFromPhone(b.contacts[i].Phone), true
		}
		return WorldContact{}, "", false
	}
	p, ok := normPhoneOrJID(jid)
	if !ok {
		return WorldContact{}, "", false
	}
	if i, ok := b.byPhone[p]; ok {
		return b.contacts[i], model.JIDFromPhone(p), true
	}
	if b.exists[p] {
		return WorldContact{Phone: p}, model.JIDFromPhone(p), true
	}
	return WorldContact{}, "", false
}

// UserInfo returns about, picture id and verified name of users on
// WhatsApp, keyed by the JIDs asked for. Users not on WhatsApp are left
// out; when none is found the error wraps ErrNotFound.
func (b *Backend) UserInfo(ctx context.Context, jids []string) (map[string]wa.UserInfo, error) {
	if err := b.begin(ctx, "UserInfo", map[string]any{"jids": jids}); err != nil {
		return nil, err
	}
	defer b.mu.Unlock()
	out := make(map[string]wa.UserInfo, len(jids))
	for _, j := range jids {
		c, pj, ok := b.lookupLocked(j)
		if !ok {
			continue
		}
		out[j] = wa.UserInfo{
			JID:          pj,
			About:        c.About,
			AvatarID:     avatarID(c.AvatarURL),
			VerifiedName: c.BusinessName,
			IsBusiness:   c.BusinessName != "",
		}
	}
	if len(out) == 0 && len(jids) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, strings.Join(jids, ", "))
	}
	return out, nil
}

// ProfilePictureURL returns the contact's avatar_url ("" when it has none);
// users not on WhatsApp give an error wrapping ErrNotFound.
func (b *Backend) ProfilePictureURL(ctx context.Context, jid string) (string, error) {
	if err := b.begin(ctx, "ProfilePictureURL", map[string]any{"jid": jid}); err != nil {
		return "", err
	}
	defer b.mu.Unlock()
	c, _, ok := b.lookupLocked(jid)
	if !ok {
		return "", fmt.Errorf("%w: %s", ErrNotFound, jid)
	}
	return c.AvatarURL, nil
}
