package sim

import (
	"context"
	"fmt"
	"slices"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/wa"
)

// SetBlocked blocks or unblocks a phone JID (or "+phone") and reports
// BlockChanged.
func (b *Backend) SetBlocked(ctx context.Context, jid string, blocked bool) error {
	p, ok := normPhoneOrJID(jid)
	if !ok {
		return fmt.Errorf("sim: block %q: not a phone-number JID", jid)
	}
	if err := b.begin(ctx, "SetBlocked", map[string]any{"jid": jid, "blocked": blocked}); err != nil {
		return err
	}
	defer b.mu.Unlock()
	pj := model.JIDFromPhone(p)
	err := b.changeLocked(func() error {
		b.blocked = setMember(b.blocked, pj, blocked)
		return nil
	})
	if err != nil {
		return err
	}
	b.queueLocked(wa.BlockChanged{JID: pj, Blocked: blocked})
	return nil
}

// Blocked is the current blocklist as phone JIDs.
func (b *Backend) Blocked() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refreshLocked()
	return slices.Clone(b.blocked)
}
