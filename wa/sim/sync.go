package sim

import (
	"context"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/wa"
)

// Sync stages, in order.
var syncStages = []string{"contacts", "groups", "blocklist", "labels"}

func (b *Backend) sync(ctx context.Context, gen int) {
	total := len(syncStages)
	for i, stage := range syncStages {
		if i > 0 && b.stepDelay > 0 {
			if b.sleep(ctx, b.stepDelay) != nil {
				return
			}
		}
		if !b.step(gen, func() []wa.Event {
			evs := []wa.Event{wa.SyncProgress{Stage: stage, Done: i, Total: total}}
			return append(evs, b.stageEventsLocked(stage)...)
		}) {
			return
		}
	}
	b.step(gen, func() []wa.Event {
		return []wa.Event{wa.SyncProgress{Stage: "done", Done: total, Total: total}, wa.SyncCompleted{}}
	})
}

// stageEventsLocked builds the events of one sync stage from the current
// state; b.mu must be held.
func (b *Backend) stageEventsLocked(stage string) []wa.Event {
	b.refreshLocked()
	var evs []wa.Event
	switch stage {
	case "contacts":
		all := make([]model.Contact, 0, len(b.contacts))
		for _, c := range b.contacts {
			all = append(all, b.contactLocked(c))
		}
		for len(all) > contactChunk {
			evs = append(evs, wa.ContactsUpserted{Contacts: all[:contactChunk:contactChunk]})
			all = all[contactChunk:]
		}
		evs = append(evs, wa.ContactsUpserted{Contacts: all})
	case "groups":
		gs := make([]model.Group, 0, len(b.groups))
		for _, g := range b.groups {
			mg := model.Group{JID: g.JID, Name: g.Name, Participants: make([]string, 0, len(g.Participants))}
			for _, p := range g.Participants {
				mg.Participants = append(mg.Participants, chatJID(p))
			}
			mg.ParticipantCount = len(mg.Participants)
			gs = append(gs, mg)
		}
		evs = append(evs, wa.GroupsReplaced{Groups: gs})
	case "blocklist":
		evs = append(evs, wa.BlocklistReplaced{JIDs: slices.Clone(b.blocked)})
	case "labels":
		b.labelsSynced = true
		for _, l := range b.labels {
			evs = append(evs, wa.LabelEdited{WALabelID: l.ID, Name: l.Name, Color: l.Color})
		}
		for _, l := range b.labels {
			for _, c := range l.Chats {
				evs = append(evs, wa.LabelAssociationChanged{WALabelID: l.ID, ChatJID: c, Assigned: true})
			}
		}
	}
	return evs
}

// chatJID turns a normalised world chat or participant into a JID:
// "+digits" becomes a phone JID, JIDs stay.
func chatJID(s string) string {
	if strings.HasPrefix(s, "+") {
		return model.JIDFromPhone(s)
	}
	return s
}

func (b *Backend) contactLocked(c WorldContact) model.Contact {
	jid := model.JIDFromPhone(c.Phone)
	return model.Contact{
		JID:          jid,
		Phone:        c.Phone,
		LID:          c.LID,
		FullName:     c.FullName,
		FirstName:    c.FirstName,
		PushName:     c.PushName,
		BusinessName: c.BusinessName,
		VerifiedName: c.BusinessName,
		About:        c.About,
		AvatarID:     avatarID(c.AvatarURL),
		AvatarURL:    c.AvatarURL,
		IsMyContact:  c.IsMyContact(),
		IsWAContact:  true,
		IsBlocked:    slices.Contains(b.blocked, jid),
		IsBusiness:   c.BusinessName != "",
		Source:       model.SourceWhatsApp,
	}
}

// avatarID makes a stable numeric picture id from a URL ("" for none).
func avatarID(url string) string {
	if url == "" {
		return ""
	}
	h := fnv.New64a()
	h.Write([]byte(url))
	return strconv.FormatUint(h.Sum64()%1e10, 10)
}
