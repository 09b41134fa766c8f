package ui

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

// stalledService is a real service whose every call that reads or writes
// the mirror or talks to WhatsApp hangs while stalled is set, until the
// test ends; the live reads (status, region, notices) answer as ever.
type stalledService struct {
	Service
	stalled   atomic.Bool
	hanging   atomic.Int32 // calls waiting now
	hangingIn sync.Map     // name → *atomic.Int32: calls of that name waiting now
	release   chan struct{}
}

func newStalledService(t *testing.T, svc Service) *stalledService {
	s := &stalledService{Service: svc, release: make(chan struct{})}
	t.Cleanup(func() { close(s.release) })
	return s
}

// waitAs is wait for the call named name, counted in hangingIn while it
// hangs.
func (s *stalledService) waitAs(name string, ctx context.Context) {
	if !s.stalled.Load() {
		return
	}
	n, _ := s.hangingIn.LoadOrStore(name, new(atomic.Int32))
	n.(*atomic.Int32).Add(1)
	defer n.(*atomic.Int32).Add(-1)
	s.wait(ctx)
}

// hangingNow is how many calls named name hang now.
func (s *stalledService) hangingNow(name string) int32 {
	if n, ok := s.hangingIn.Load(name); ok {
		return n.(*atomic.Int32).Load()
	}
	return 0
}

// wait hangs while the service is stalled.
func (s *stalledService) wait(ctx context.Context) {
	if !s.stalled.Load() {
		return
	}
	s.hanging.Add(1)
	defer s.hanging.Add(-1)
	select {
	case <-s.release:
	case <-ctx.Done():
	}
}

func (s *stalledService) AccountInfo(ctx context.Context) (app.AccountInfo, error) {
	s.waitAs("AccountInfo", ctx)
	return s.Service.AccountInfo(ctx)
}

func (s *stalledService) FirstPage(ctx context.Context, n int) (*app.Snapshot, int, error) {
	s.waitAs("FirstPage", ctx)
	return s.Service.FirstPage(ctx, n)
}

func (s *stalledService) ContactPage(ctx context.Context, o app.Order, last bool, n int) (*app.Snapshot, int, error) {
	s.waitAs("ContactPage", ctx)
	return s.Service.ContactPage(ctx, o, last, n)
}

func (s *stalledService) SearchContacts(ctx context.Context, o app.Order, query string, n int) (*app.Found, error) {
	s.waitAs("SearchContacts", ctx)
	return s.Service.SearchContacts(ctx, o, query, n)
}

func (s *stalledService) ReadBook(ctx context.Context, fn func(c *model.Contact) error) (*app.Snapshot, error) {
	s.waitAs("ReadBook", ctx)
	return s.Service.ReadBook(ctx, fn)
}

func (s *stalledService) ContactsByJID(ctx context.Context, jids []string) ([]model.Contact, error) {
	s.waitAs("ContactsByJID", ctx)
	return s.Service.ContactsByJID(ctx, jids)
}

func (s *stalledService) ChangesSince(ctx context.Context, since app.Mark, limit int) (*app.Changes, error) {
	s.waitAs("ChangesSince", ctx)
	return s.Service.ChangesSince(ctx, since, limit)
}

func (s *stalledService) LabelSyncEnabled() bool {
	s.waitAs("LabelSyncEnabled", context.Background())
	return s.Service.LabelSyncEnabled()
}

func (s *stalledService) AddContact(ctx context.Context, in app.ContactInput) (model.Contact, error) {
	s.waitAs("AddContact", ctx)
	return s.Service.AddContact(ctx, in)
}

func (s *stalledService) EditContact(ctx context.Context, id string, e app.ContactEdit) (model.Contact, error) {
	s.waitAs("EditContact", ctx)
	return s.Service.EditContact(ctx, id, e)
}

func (s *stalledService) RemoveContacts(ctx context.Context, jids []string) (app.Removed, *app.Undo, error) {
	s.waitAs("RemoveContacts", ctx)
	return s.Service.RemoveContacts(ctx, jids)
}

func (s *stalledService) SetHiddenUndoable(ctx context.Context, jids []string, hidden bool) (int, *app.Undo, error) {
	s.waitAs("SetHiddenUndoable", ctx)
	return s.Service.SetHiddenUndoable(ctx, jids, hidden)
}

func (s *stalledService) SetBlocked(ctx context.Context, jid string, blocked bool) error {
	s.waitAs("SetBlocked", ctx)
	return s.Service.SetBlocked(ctx, jid, blocked)
}

func (s *stalledService) RefreshProfile(ctx context.Context, jid string) (model.Contact, error) {
	s.waitAs("RefreshProfile", ctx)
	return s.Service.RefreshProfile(ctx, jid)
}

func (s *stalledService) ApplyLabels(ctx context.Context, jids []string, add, remove []string) (*app.Undo, error) {
	s.waitAs("ApplyLabels", ctx)
	return s.Service.ApplyLabels(ctx, jids, add, remove)
}

func (s *stalledService) UndoChange(ctx context.Context, u *app.Undo) error {
	s.waitAs("UndoChange", ctx)
	return s.Service.UndoChange(ctx, u)
}

func (s *stalledService) ExportContactsFile(ctx context.Context, path, format, query string, overwrite bool) (int, error) {
	s.waitAs("ExportContactsFile", ctx)
	return s.Service.ExportContactsFile(ctx, path, format, query, overwrite)
}

func (s *stalledService) PlanImport(ctx context.Context, r io.Reader, name string, labels string) (*app.ImportPlan, error) {
	s.waitAs("PlanImport", ctx)
	return s.Service.PlanImport(ctx, r, name, labels)
}

func (s *stalledService) ApplyImport(ctx context.Context, p *app.ImportPlan) (app.ImportResult, error) {
	s.waitAs("ApplyImport", ctx)
	return s.Service.ApplyImport(ctx, p)
}

func (s *stalledService) CreateLabel(ctx context.Context, name string, color int) (model.Label, *app.Undo, error) {
	s.waitAs("CreateLabel", ctx)
	return s.Service.CreateLabel(ctx, name, color)
}

func (s *stalledService) RenameLabel(ctx context.Context, id int64, name string, merge bool) (*app.Undo, error) {
	s.waitAs("RenameLabel", ctx)
	return s.Service.RenameLabel(ctx, id, name, merge)
}

func (s *stalledService) SetLabelColor(ctx context.Context, id int64, color int) (*app.Undo, error) {
	s.waitAs("SetLabelColor", ctx)
	return s.Service.SetLabelColor(ctx, id, color)
}

func (s *stalledService) DeleteLabel(ctx context.Context, id int64) (*app.Undo, error) {
	s.waitAs("DeleteLabel", ctx)
	return s.Service.DeleteLabel(ctx, id)
}

func (s *stalledService) SetLabelSync(ctx context.Context, on bool) (int, error) {
	s.waitAs("SetLabelSync", ctx)
	return s.Service.SetLabelSync(ctx, on)
}

func (s *stalledService) EnqueueCheck(ctx context.Context, inputs []string, opts app.CheckOptions) (app.Job, error) {
	s.waitAs("EnqueueCheck", ctx)
	return s.Service.EnqueueCheck(ctx, inputs, opts)
}

func (s *stalledService) Jobs(ctx context.Context) ([]app.Job, error) {
	s.waitAs("Jobs", ctx)
	return s.Service.Jobs(ctx)
}

func (s *stalledService) JobResults(ctx context.Context, id int64) ([]model.CheckResult, error) {
	s.waitAs("JobResults", ctx)
	return s.Service.JobResults(ctx, id)
}

func (s *stalledService) CheckerStatus() app.CheckerStatus {
	s.waitAs("CheckerStatus", context.Background())
	return s.Service.CheckerStatus()
}

func (s *stalledService) PauseJob(ctx context.Context, id int64) error {
	s.waitAs("PauseJob", ctx)
	return s.Service.PauseJob(ctx, id)
}

func (s *stalledService) ResumeJob(ctx context.Context, id int64) error {
	s.waitAs("ResumeJob", ctx)
	return s.Service.ResumeJob(ctx, id)
}

func (s *stalledService) CancelJob(ctx context.Context, id int64) error {
	s.waitAs("CancelJob", ctx)
	return s.Service.CancelJob(ctx, id)
}

func (s *stalledService) RetryJob(ctx context.Context, id int64) (int, error) {
	s.waitAs("RetryJob", ctx)
	return s.Service.RetryJob(ctx, id)
}

func (s *stalledService) SaveValidAsContacts(ctx context.Context, jobID int64, labels []string) (int, error) {
	s.waitAs("SaveValidAsContacts", ctx)
	return s.Service.SaveValidAsContacts(ctx, jobID, labels)
}

func (s *stalledService) Connect(ctx context.Context) error {
	s.waitAs("Connect", ctx)
	return s.Service.Connect(ctx)
}

func (s *stalledService) PairPhone(ctx context.Context, phone string) (string, error) {
	s.waitAs("PairPhone", ctx)
	return s.Service.PairPhone(ctx, phone)
}

func (s *stalledService) Logout(ctx context.Context) error {
	s.waitAs("Logout", ctx)
	return s.Service.Logout(ctx)
}

func (s *stalledService) FullResync(ctx context.Context) error {
	s.waitAs("FullResync", ctx)
	return s.Service.FullResync(ctx)
}

func (s *stalledService) Outbox(ctx context.Context, withDone bool) ([]app.OutboxItem, error) {
	s.waitAs("Outbox", ctx)
	return s.Service.Outbox(ctx, withDone)
}

func (s *stalledService) RetryOutbox(ctx context.Context, id int64) ([]int64, error) {
	s.waitAs("RetryOutbox", ctx)
	return s.Service.RetryOutbox(ctx, id)
}

func (s *stalledService) DropOutbox(ctx context.Context, id int64) (app.OutboxItem, error) {
	s.waitAs("DropOutbox", ctx)
	return s.Service.DropOutbox(ctx, id)
}

// frames is the UI with the frames it draws kept until a test has waited
// for them: what the program shows, not the terminal's cell diff of it (a
// diff may split a text wherever a cell already held the right letter).
type frames struct {
	*Model
	mu   sync.Mutex
	seen []string // drawn since the last wait that matched
}

// maxFrames bounds the frames kept for a test that never waits.
const maxFrames = 1000

func (f *frames) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := f.Model.Update(msg)
	return f, cmd
}

func (f *frames) View() tea.View {
	v := f.Model.View()
	f.mu.Lock()
	if len(f.seen) == maxFrames {
		f.seen = f.seen[1:]
	}
	f.seen = append(f.seen, v.Content)
	f.mu.Unlock()
	return v
}

// waitFrame waits until a frame drawn shows want.
func (f *frames) waitFrame(t *testing.T, want string) {
	t.Helper()
	f.waitFrameFunc(t, fmt.Sprintf("%q", want), func(frame string) bool { return strings.Contains(frame, want) })
}

// waitFrameFunc waits until a frame drawn since the last wait is what ok
// looks for; that frame and those before it are used up.
func (f *frames) waitFrameFunc(t *testing.T, want string, ok func(frame string) bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		f.mu.Lock()
		for i, frame := range f.seen {
			if ok(frame) {
				f.seen = f.seen[i+1:]
				f.mu.Unlock()
				return
			}
		}
		last := ""
		if len(f.seen) > 0 {
			last = f.seen[len(f.seen)-1]
		}
		f.mu.Unlock()
		if time.Now().After(deadline) {
			t.Fatalf("no frame showed %s within 5 s; the last:\n%s", want, last)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// framesOf finds the frames kept for a test model (newTestModel).
var framesOf sync.Map // *teatest.TestModel → *frames

// newTestModel runs m under teatest with its frames kept, so waitFor reads
// whole frames.
func newTestModel(t *testing.T, m *Model, opts ...teatest.TestOption) *teatest.TestModel {
	f := &frames{Model: m}
	tm := teatest.NewTestModel(t, f, opts...)
	framesOf.Store(tm, f)
	t.Cleanup(func() { framesOf.Delete(tm) })
	return tm
}

// No key waits for the service: with every read and write hanging, keys on
// every screen still draw their frame at once, and what hangs shows as
// pending ("Loading…", "Reading the check jobs…", "working…", a busy line).
func TestNoKeyWaitsForTheService(t *testing.T) {
	t.Parallel()
	real := newTestService(t)

	t.Run("from the start", func(t *testing.T) {
		svc := newStalledService(t, real)
		svc.stalled.Store(true)
		tm := newTestModel(t, New(t.Context(), svc, Options{}), teatest.WithInitialTermSize(100, 30))
		steps := []struct{ keys, want string }{
			{"", "Loading the address book…"},
			{"2", "Reading the check jobs…"},
			{"n", "New check"},
			{"+14155550188", "+14155550188"},
			{"ctrl+s", "working…"},
			{"3", "Loading the address book…"},
			{"n", "New label"},
			{"Zed", "Zed"},
			{"enter", "working… (2)"},
			{"4", "Connection"},
			{"R", "fetching contacts and labels again"},
			{"?", "Everywhere"},
			{"x", "Connection"},
			{"1", "Loading the address book…"},
			{"/", "keep filter"},
		}
		drive := func(keys string) {
			switch keys {
			case "":
			case "ctrl+s":
				tm.Send(tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl})
			case "enter":
				tm.Send(press("enter"))
			default:
				for _, r := range keys {
					tm.Send(press(string(r)))
				}
			}
		}
		for _, st := range steps {
			drive(st.keys)
			waitFor(t, tm, st.want)
		}
		if svc.hanging.Load() == 0 {
			t.Error("no call hung: the test proved nothing")
		}
	})

	t.Run("after the load", func(t *testing.T) {
		svc := newStalledService(t, real)
		tm := newTestModel(t, New(t.Context(), svc, Options{}), teatest.WithInitialTermSize(100, 30))
		waitLoaded(t, tm)
		// The check jobs as read when the Checks screen is first shown:
		// they are not read again for a screen shown since.
		tm.Send(press("2"))
		waitFor(t, tm, "No checks yet")
		tm.Send(press("1"))
		waitFor(t, tm, "6 contacts · sort")
		svc.stalled.Store(true)
		steps := []struct {
			key  tea.Msg
			want string
		}{
			{press("space"), "1 selected"},
			{press("esc"), "6 contacts · sort"},
			{press("/"), "label:vip, -label:x"},
			{press("G"), "3 of 6 contacts"},
			{press("enter"), "open"},
			// The detail view reads its contact whole, which hangs: it
			// says so, the edit form (which needs every field) says why
			// it waits, and the view still goes back.
			{press("enter"), "loading…"},
			{press("e"), "loading the contact…"},
			{press("esc"), "3 of 6 contacts"},
			// The import form reads its file and plans in a command:
			// the form waits open, keys still act.
			{press("i"), "Import contacts"},
			{tea.PasteMsg{Content: "../testdata/world.json"}, "world.json"},
			{press("enter"), "checking…"},
			{press("esc"), "3 of 6 contacts"},
			{press("2"), "No checks yet"},
			{press("3"), "WhatsApp label sync is"},
			{press("4"), "reading the database…"}, // AccountInfo hangs
			{press("j"), "No failed change to pick."},
			// The keys acting on the selection: hide, invert, delete, block.
			{press("1"), "3 of 6 contacts"},
			{press("h"), "Hide "},
			// (esc ended the import's plan: the detail's read hangs, and
			// now the hiding.)
			{press("y"), "working… (2)"},
			{press("!"), "3 selected"},
			{press("d"), "3 contacts come from WhatsApp"},
			{press("y"), "working… (3)"},
			{press("b"), "on WhatsApp?"},
			{press("y"), "working… (4)"},
		}
		for _, st := range steps {
			tm.Send(st.key)
			waitFor(t, tm, st.want)
		}
		if svc.hanging.Load() == 0 {
			t.Error("no call hung: the test proved nothing")
		}
	})
}
