// Package model holds wabook's domain types and the pure rules that apply to
// them. It imports nothing else from wabook, so every other package can use it.
package model

import "time"

// Source tells where a contact row came from.
const (
	SourceWhatsApp = "whatsapp"
	SourceLocal    = "local"
	SourceImport   = "import"
)

// Check statuses, in the WhatsApp Business API's vocabulary.
const (
	CheckProcessing = "processing"
	CheckValid      = "valid"
	CheckInvalid    = "invalid"
	CheckFailed     = "failed"
)

// Contact is one person or business in the address book. JID is the
// phone-number JID ("14155550101@s.whatsapp.net") and the key of the row.
type Contact struct {
	JID          string
	Phone        string // E.164, "+14155550101"
	LID          string // "211111111111111@lid", when known
	FullName     string
	FirstName    string
	PushName     string
	BusinessName string
	VerifiedName string
	About        string
	AvatarID     string
	AvatarURL    string
	IsMyContact  bool // saved in the phone's address book
	IsWAContact  bool // on WhatsApp
	IsBlocked    bool // as WhatsApp last confirmed it
	// BlockPending is a block (1) or unblock (-1) queued for WhatsApp and
	// not confirmed yet; 0 when none.
	BlockPending int
	IsInternal   bool
	IsBusiness   bool
	Hidden       bool // hidden from lists: a WhatsApp contact cannot be deleted, only hidden
	Note         string
	Source       string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	// LastChangedBy is who made the last change of the contact through
	// wabook (a serve token's name, an SSH operator, the local OS user),
	// at LastChangedAt; "" and zero when none was made here.
	LastChangedBy string
	LastChangedAt time.Time

	// Derived when read from the store.
	Labels      []string // label names, in label order
	Groups      []string // JIDs of the groups shared with the account
	CheckStatus string   // status of the last check of Phone, "" when never checked
}

// DisplayName is the first non-empty of full name, first name, push name,
// business name, phone, JID.
func (c *Contact) DisplayName() string {
	for _, s := range []string{c.FullName, c.FirstName, c.PushName, c.BusinessName, c.VerifiedName, c.Phone} {
		if s != "" {
			return s
		}
	}
	return c.JID
}

// ChatIDs are the contact's own 1-1 chat in "<digits>@c.us" form followed by
// the group JIDs it shares with the account.
func (c *Contact) ChatIDs() []string {
	out := make([]string, 0, 1+len(c.Groups))
	out = append(out, ContactID(c.JID))
	return append(out, c.Groups...)
}

// Label is a local label, possibly mirroring a WhatsApp Business label.
type Label struct {
	ID        int64
	Name      string
	Color     int    // 0–19, WhatsApp Business palette index
	WALabelID string // set when it mirrors a WhatsApp Business label
	Order     int
	Count     int  // contacts carrying it; filled by list queries
	Unsynced  bool // a local change to it (or its assignments) did not reach WhatsApp
	// WAPending: WALabelID was chosen here and WhatsApp has not confirmed
	// the label's creation yet.
	WAPending bool
	// ChangedBy renamed or recoloured the label through wabook (Change
	// says which: LabelRenamed, LabelRecoloured) at ChangedAt; "" and zero
	// when nobody did. Its contacts do not record it as their own change
	// (a label may have thousands): LastChange weighs the two.
	ChangedBy string
	ChangedAt time.Time
	Change    string
}

// What Label.Change says was done to a label.
const (
	LabelRenamed    = "renamed"
	LabelRecoloured = "recoloured"
)

// Group is a WhatsApp group the account is in.
type Group struct {
	JID              string // "120363000000000001@g.us"
	Name             string
	ParticipantCount int
	// Participants are phone-number JIDs or LIDs ("…@lid") when the phone
	// number behind a LID is not known.
	Participants []string
}

// CheckResult is the cached answer for one normalised number.
type CheckResult struct {
	Input        string // what the user typed
	Phone        string // E.164 form of the input
	Status       string
	WAID         string // digits WhatsApp answered with; may differ from Phone
	JID          string
	VerifiedName string
	Error        string
	Cached       bool
	CheckedAt    time.Time
}
