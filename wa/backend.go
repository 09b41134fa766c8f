// Package wa is wabook's one seam to WhatsApp. Backend is what the app needs;
// the whatsmeow adapter implements it for a real account and wa/sim for a
// simulated one. Everything crossing this seam is in model terms: whatsmeow
// types never leave this package tree.
package wa

import (
	"context"
	"errors"
	"time"

	"github.com/wabook/wabook/model"
)

// ErrRateLimited is returned by CheckNumbers when WhatsApp answers
// "rate-overlimit"; the caller must back off.
var ErrRateLimited = errors.New("whatsapp: rate-overlimit")

// ErrNotPaired is returned by calls that need a paired account.
var ErrNotPaired = errors.New("whatsapp: account is not paired")

// ErrNotBusiness is returned by label calls on a personal account.
var ErrNotBusiness = errors.New("whatsapp: labels need a WhatsApp Business account")

// Account describes the account the backend is paired with.
type Account struct {
	JID        string // phone-number JID, "" when not paired
	Phone      string // E.164
	PushName   string
	IsBusiness bool
	Paired     bool
	Platform   string
	// Device is this linked device's own JID (the account's, with the
	// device number WhatsApp gave it at pairing), "" when unpaired.
	Device string
}

// ConnState is the connection state shown in the status bar.
type ConnState int

const (
	StateOffline ConnState = iota
	StateConnecting
	StateConnected
	StateReconnecting
	StateLoggedOut
	StateTempBanned
	StateReplaced
	StatePairing
)

func (s ConnState) String() string {
	switch s {
	case StateConnecting:
		return "connecting"
	case StateConnected:
		return "connected"
	case StateReconnecting:
		return "reconnecting"
	case StateLoggedOut:
		return "logged out"
	case StateTempBanned:
		return "temporarily banned"
	case StateReplaced:
		return "replaced by another session"
	case StatePairing:
		return "pairing"
	}
	return "offline"
}

// Event is anything the backend reports. The concrete types below are the
// whole set.
type Event interface{ isEvent() }

// ConnectionChanged reports a new connection state.
type ConnectionChanged struct {
	State   ConnState
	Attempt int       // reconnect attempt, when reconnecting
	Until   time.Time // ban expiry, when temporarily banned
	Detail  string    // plain-words reason, when there is one
}

// ContactsUpserted carries contacts to insert or update. Empty string fields
// mean "unknown", not "cleared".
type ContactsUpserted struct{ Contacts []model.Contact }

// PushNameChanged reports a contact's new push name.
type PushNameChanged struct{ JID, PushName string }

// GroupsReplaced carries the full list of joined groups.
type GroupsReplaced struct{ Groups []model.Group }

// GroupUpserted carries one group that changed or was joined.
type GroupUpserted struct{ Group model.Group }

// GroupLeft reports that the account is no longer in a group.
type GroupLeft struct{ JID string }

// BlocklistReplaced carries the full blocklist (phone-number JIDs).
type BlocklistReplaced struct{ JIDs []string }

// BlockChanged reports one contact blocked or unblocked.
type BlockChanged struct {
	JID     string
	Blocked bool
}

// LabelEdited creates, renames, recolours or deletes a WhatsApp Business label.
type LabelEdited struct {
	WALabelID string
	Name      string
	Color     int
	Deleted   bool
}

// LabelAssociationChanged assigns or removes a WhatsApp label on a chat.
// ChatJID is the mirror's form (the phone-number JID when known);
// WAChatJID is the form WhatsApp used (a phone-number JID or a LID), in
// which a removal must be sent back ("" when the same as ChatJID).
type LabelAssociationChanged struct {
	WALabelID string
	ChatJID   string
	WAChatJID string
	Assigned  bool
}

// SyncProgress reports how far the initial sync is (Done of Total steps).
type SyncProgress struct {
	Stage       string
	Done, Total int
}

// SyncCompleted reports that the initial mirror is complete.
type SyncCompleted struct{}

// PairCode is a new QR code text to render; Timeout is how long it is valid.
type PairCode struct {
	Code    string
	Timeout time.Duration
}

// PairSucceeded reports a completed pairing.
type PairSucceeded struct{ Account Account }

// PairFailed reports a pairing that ended without success.
type PairFailed struct{ Reason string }

// LoggedOut reports that the session was removed (from the phone or by us).
type LoggedOut struct{ Reason string }

func (ConnectionChanged) isEvent()       {}
func (ContactsUpserted) isEvent()        {}
func (PushNameChanged) isEvent()         {}
func (GroupsReplaced) isEvent()          {}
func (GroupUpserted) isEvent()           {}
func (GroupLeft) isEvent()               {}
func (BlocklistReplaced) isEvent()       {}
func (BlockChanged) isEvent()            {}
func (LabelEdited) isEvent()             {}
func (LabelAssociationChanged) isEvent() {}
func (SyncProgress) isEvent()            {}
func (SyncCompleted) isEvent()           {}
func (PairCode) isEvent()                {}
func (PairSucceeded) isEvent()           {}
func (PairFailed) isEvent()              {}
func (LoggedOut) isEvent()               {}

// CheckAnswer is WhatsApp's answer for one queried number. Only an
// answered number without Err tells anything: Exists true means on
// WhatsApp, false means WhatsApp said explicitly that it is not. A number
// WhatsApp left out of its reply is not answered, never "not on WhatsApp":
// the caller asks again later.
type CheckAnswer struct {
	Query string // the "+digits" that was sent
	// Answered: WhatsApp said something about this number (on WhatsApp,
	// not on WhatsApp, or an error for this number alone), or the number
	// could not be sent at all (Err). False: it was left out of the reply.
	Answered     bool
	Exists       bool
	JID          string // phone-number JID WhatsApp answered with (may differ from Query: Brazil)
	LID          string // the user's LID ("digits@lid") when WhatsApp gave it
	VerifiedName string
	Err          error // per-number failure; Answered is true
}

// UserInfo is what GetUserInfo tells about a user.
type UserInfo struct {
	JID          string
	About        string
	AvatarID     string
	VerifiedName string
	IsBusiness   bool
}

// LabelEdit is a label change to send to a WhatsApp Business account.
type LabelEdit struct {
	WALabelID string
	Name      string
	Color     int
	Deleted   bool
}

// Backend is the one seam to WhatsApp.
type Backend interface {
	// Events is the stream of everything the backend reports. It is closed
	// by Close.
	Events() <-chan Event
	// Account describes the paired account (Paired false when not paired).
	Account() Account

	// Connect starts connecting (and pairing, when not paired: PairCode
	// events follow). It returns once the attempt has started; progress
	// comes as events.
	Connect(ctx context.Context) error
	// Disconnect drops the connection but keeps the session.
	Disconnect()
	// PairPhone asks for a pairing code to type on the phone with the given
	// number (E.164).
	PairPhone(ctx context.Context, phone string) (string, error)
	// Logout removes the session from WhatsApp and locally.
	Logout(ctx context.Context) error
	// Close releases everything; Events is closed.
	Close() error

	// CheckNumbers asks which of the "+digits" numbers exist. At most 20 per
	// call. It returns one answer per number, in order (see CheckAnswer for
	// what is and is not an answer); an error when the whole query was not
	// answered: ErrRateLimited when WhatsApp refuses (rate-overlimit).
	CheckNumbers(ctx context.Context, phones []string) ([]CheckAnswer, error)
	// UserInfo fetches about text, picture id and verified name.
	UserInfo(ctx context.Context, jids []string) (map[string]UserInfo, error)
	// ProfilePictureURL returns the URL of the contact's picture, "" if none.
	ProfilePictureURL(ctx context.Context, jid string) (string, error)
	// SetBlocked blocks or unblocks a contact.
	SetBlocked(ctx context.Context, jid string, blocked bool) error
	// SendLabelEdit sends a label change (business accounts).
	SendLabelEdit(ctx context.Context, edit LabelEdit) error
	// SendLabelChat assigns or removes a label on a chat (business accounts).
	SendLabelChat(ctx context.Context, waLabelID, chatJID string, assigned bool) error
}

// Reloader is implemented by backends whose session lives in the database
// another process may have changed (paired, logged out) while this one did
// not hold the connection.
type Reloader interface {
	Reload(ctx context.Context) error
}
