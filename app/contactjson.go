// The JSON shape of a contact (the seeds' API field names) and filtering a
// snapshot by a search, for the commands and serve.
package app

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wabook/wabook/model"
)

// ContactJSON is a contact in Periskope's contact-object shape (README, "Headless commands"),
// for the headless commands and JSON exports.
type ContactJSON struct {
	ContactID    string   `json:"contact_id"`
	ContactName  string   `json:"contact_name"`
	ContactType  string   `json:"contact_type"`
	Phone        string   `json:"phone"`
	PushName     string   `json:"push_name"`
	BusinessName string   `json:"business_name"`
	VerifiedName string   `json:"verified_name"`
	Labels       []string `json:"labels"`
	ChatIDs      []string `json:"chat_ids"`
	IsInternal   bool     `json:"is_internal"`
	IsMyContact  bool     `json:"is_my_contact"`
	IsWAContact  bool     `json:"is_wa_contact"`
	IsBlocked    bool     `json:"is_blocked"` // as WhatsApp last confirmed it
	// BlockPending: a block queued for WhatsApp and not confirmed yet;
	// UnblockPending likewise (wabook outbox).
	BlockPending   bool    `json:"block_pending"`
	UnblockPending bool    `json:"unblock_pending,omitempty"`
	IsBusiness     bool    `json:"is_business"`
	Hidden         bool    `json:"hidden,omitempty"`
	ContactColor   string  `json:"contact_color"`
	ContactImage   *string `json:"contact_image"`
	About          string  `json:"about"`
	Note           string  `json:"note"`
	Source         string  `json:"source,omitempty"`
	LID            string  `json:"lid,omitempty"`
	// UpdatedAt is when the mirror's row last changed, WhatsApp's sync
	// included (Periskope's field). ChangedBy and ChangedAt are the last
	// change made through wabook and its author (a serve token's name, an
	// SSH operator, the local OS user: WithActor), as the TUI's detail
	// shows "Last change … by …"; null when none was made here. Apart
	// from updated_at, and not named updated_by, because a sync moves
	// updated_at without an author: the pair would name the wrong change.
	UpdatedAt string  `json:"updated_at"`
	ChangedBy *string `json:"changed_by"`
	ChangedAt *string `json:"changed_at"`
}

// LabelColorIndex maps lower-cased label names to palette indexes.
type LabelColorIndex map[string]int

// LabelColorsOf indexes the colours of labels.
func LabelColorsOf(labels []model.Label) LabelColorIndex {
	m := make(LabelColorIndex, len(labels))
	for _, l := range labels {
		m[strings.ToLower(l.Name)] = l.Color
	}
	return m
}

// NewContactJSON converts a contact; contact_color is the colour of its
// first label. JSON keeps the text as WhatsApp sent it: the encoder escapes
// control characters.
func NewContactJSON(c *model.Contact, colors LabelColorIndex) ContactJSON {
	labels := c.Labels
	if labels == nil {
		labels = []string{}
	}
	color := ""
	if len(labels) > 0 {
		if i, ok := colors[strings.ToLower(labels[0])]; ok {
			color = model.LabelColorHex(i)
		}
	}
	var image *string
	if c.AvatarURL != "" {
		u := c.AvatarURL
		image = &u
	}
	var by, at *string
	if c.LastChangedBy != "" && !c.LastChangedAt.IsZero() {
		who, when := c.LastChangedBy, c.LastChangedAt.UTC().Format("2006-01-02T15:04:05.000Z07:00")
		by, at = &who, &when
	}
	return ContactJSON{
		ContactID:      model.ContactID(c.JID),
		ContactName:    c.DisplayName(),
		ContactType:    "user",
		Phone:          c.Phone,
		PushName:       c.PushName,
		BusinessName:   c.BusinessName,
		VerifiedName:   c.VerifiedName,
		Labels:         labels,
		ChatIDs:        c.ChatIDs(),
		IsInternal:     c.IsInternal,
		IsMyContact:    c.IsMyContact,
		IsWAContact:    c.IsWAContact,
		IsBlocked:      c.IsBlocked,
		BlockPending:   c.BlockPending > 0,
		UnblockPending: c.BlockPending < 0,
		IsBusiness:     c.IsBusiness,
		Hidden:         c.Hidden,
		ContactColor:   color,
		ContactImage:   image,
		About:          c.About,
		Note:           c.Note,
		Source:         c.Source,
		LID:            c.LID,
		UpdatedAt:      rfc3339(c.UpdatedAt),
		ChangedBy:      by,
		ChangedAt:      at,
	}
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// FilterContacts applies a query (the TUI's query language) to a snapshot
// and orders the result by display name, as the contact list does.
func FilterContacts(snap *Snapshot, query string) ([]*model.Contact, error) {
	q, err := model.ParseQuery(query)
	if err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	m := q.Compile(snap.Labels, snap.Groups)
	among := snap.Contacts
	if q.WantsHidden() {
		among = snap.Hidden
	}
	out := make([]*model.Contact, 0, len(among))
	for i := range among {
		c := &among[i]
		if m.Empty() || m.Match(c, model.Haystack(c)) {
			out = append(out, c)
		}
	}
	slices.SortStableFunc(out, func(a, b *model.Contact) int { return strings.Compare(exportKey(a), exportKey(b)) })
	return out, nil
}
