package ui

import (
	"context"
	"io"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

// Service is what the UI asks of wabook's service (app.Service satisfies
// it). It is an interface so that one UI type serves every front end that
// hosts screens (the terminal, later an SSH session) and so that a test can
// hand the screens a service whose reads never return and prove no key
// waits for one (TestNoKeyWaitsForTheService).
//
// Two kinds of method, and the rule that keeps keys instant:
//   - Calls that never block (Status, Region, OutboxWaiting, Notices,
//     Acknowledge) read or set what the service holds in memory; Update
//     and View may call them.
//   - Everything else reads or writes the mirror or talks to WhatsApp: it is
//     called only inside a tea.Cmd, never on the Update path.
type Service interface {
	// Calls that never block.
	Status() app.Status
	Region() string
	OutboxWaiting() string
	Notices() <-chan app.Notice
	Acknowledge(n app.Notice)

	// The mirror, read for the list.
	FirstPage(ctx context.Context, n int) (*app.Snapshot, int, error)
	// ContactPage reads a page at either end of an order of the list,
	// SearchContacts a search's first matches in an order: what the list
	// shows before its index of the whole book is built (window.go).
	ContactPage(ctx context.Context, o app.Order, last bool, n int) (*app.Snapshot, int, error)
	SearchContacts(ctx context.Context, o app.Order, query string, n int) (*app.Found, error)
	// ReadBook hands over the whole book one reused contact at a time
	// (the index keeps compact rows, never the contacts).
	ReadBook(ctx context.Context, fn func(c *model.Contact) error) (*app.Snapshot, error)
	// ContactsByJID reads contacts whole: the detail view's, the edit
	// form's.
	ContactsByJID(ctx context.Context, jids []string) ([]model.Contact, error)
	// BookSize is how many contacts the mirror holds (no scan): the index
	// builder's size hint.
	BookSize(ctx context.Context) (int, error)
	// LastCheck is when and how a number was last checked (the detail).
	LastCheck(ctx context.Context, phone string) (model.CheckResult, error)
	ChangesSince(ctx context.Context, since app.Mark, limit int) (*app.Changes, error)
	LabelSyncEnabled() bool
	// DataVersion moves when the mirror may have changed (Indexes).
	DataVersion() uint64

	// Contacts.
	AddContact(ctx context.Context, in app.ContactInput) (model.Contact, error)
	EditContact(ctx context.Context, id string, e app.ContactEdit) (model.Contact, error)
	RemoveContacts(ctx context.Context, jids []string) (app.Removed, *app.Undo, error)
	SetHiddenUndoable(ctx context.Context, jids []string, hidden bool) (int, *app.Undo, error)
	SetBlocked(ctx context.Context, jid string, blocked bool) error
	RefreshProfile(ctx context.Context, jid string) (model.Contact, error)
	ApplyLabels(ctx context.Context, jids []string, add, remove []string) (*app.Undo, error)
	UndoChange(ctx context.Context, u *app.Undo) error
	ExportContactsFile(ctx context.Context, path, format, query string, overwrite bool) (int, error)
	PlanImport(ctx context.Context, r io.Reader, name string, labels string) (*app.ImportPlan, error)
	ApplyImport(ctx context.Context, p *app.ImportPlan) (app.ImportResult, error)

	// Labels.
	CreateLabel(ctx context.Context, name string, color int) (model.Label, *app.Undo, error)
	RenameLabel(ctx context.Context, id int64, name string, merge bool) (*app.Undo, error)
	SetLabelColor(ctx context.Context, id int64, color int) (*app.Undo, error)
	DeleteLabel(ctx context.Context, id int64) (*app.Undo, error)
	SetLabelSync(ctx context.Context, on bool) (int, error)

	// Checks.
	EnqueueCheck(ctx context.Context, inputs []string, opts app.CheckOptions) (app.Job, error)
	Jobs(ctx context.Context) ([]app.Job, error)
	JobResults(ctx context.Context, id int64) ([]model.CheckResult, error)
	CheckerStatus() app.CheckerStatus
	PauseJob(ctx context.Context, id int64) error
	ResumeJob(ctx context.Context, id int64) error
	CancelJob(ctx context.Context, id int64) error
	RetryJob(ctx context.Context, id int64) (int, error)
	SaveValidAsContacts(ctx context.Context, jobID int64, labels []string) (int, error)

	// The account and the changes waiting for WhatsApp.
	AccountInfo(ctx context.Context) (app.AccountInfo, error)
	Connect(ctx context.Context) error
	PairPhone(ctx context.Context, phone string) (string, error)
	Logout(ctx context.Context) error
	FullResync(ctx context.Context) error
	Outbox(ctx context.Context, withDone bool) ([]app.OutboxItem, error)
	RetryOutbox(ctx context.Context, id int64) ([]int64, error)
	DropOutbox(ctx context.Context, id int64) (app.OutboxItem, error)
}

var _ Service = (*app.Service)(nil)
