package app

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/wa"
	"github.com/wabook/wabook/wa/sim"
)

const (
	ada   = "14155550101@s.whatsapp.net"
	grace = "14155550104@s.whatsapp.net"
	alan  = "442079460958@s.whatsapp.net"
)

// worldService is a service over a fresh database, synced with a sim of w
// (the test world file when w is nil).
func worldService(t testing.TB, w *sim.World) (*Service, *sim.Backend) {
	t.Helper()
	return worldServiceWith(t, w, nil)
}

// worldServiceWith is worldService with set applied to the service before
// it runs (a test's hooks).
func worldServiceWith(t testing.TB, w *sim.World, set func(*Service)) (*Service, *sim.Backend) {
	t.Helper()
	if w == nil {
		var err error
		if w, err = sim.LoadWorldFile(filepath.Join("..", "testdata", "world.json")); err != nil {
			t.Fatal(err)
		}
	}
	st, err := store.Open(filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	backend := sim.New(w)
	ctx, cancel := context.WithCancel(context.Background())
	svc := New(st, backend, Options{OutboxRetry: time.Millisecond})
	if set != nil {
		set(svc)
	}
	go svc.Run(ctx)
	t.Cleanup(func() { cancel(); svc.StopOutbox(); backend.Close(); st.Close() })
	syncCtx, done := context.WithTimeout(ctx, 10*time.Second)
	defer done()
	if err := svc.SyncOnce(syncCtx); err != nil {
		t.Fatal(err)
	}
	return svc, backend
}

// labelState is everything label-related in the mirror: every contact's
// labels and every label's id, name, colour, WhatsApp id and order.
func labelState(t testing.TB, svc *Service) string {
	t.Helper()
	ctx := context.Background()
	cs, err := svc.store.AllContacts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ls, err := svc.store.Labels(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, l := range ls {
		fmt.Fprintf(&b, "label %d %q c%d wa%q o%d n%d u%v\n", l.ID, l.Name, l.Color, l.WALabelID, l.Order, l.Count, l.Unsynced)
	}
	slices.SortFunc(cs, func(a, b model.Contact) int { return strings.Compare(a.JID, b.JID) })
	for _, c := range cs {
		fmt.Fprintf(&b, "%s %v\n", c.JID, c.Labels)
	}
	return b.String()
}

func labelsOf(t testing.TB, svc *Service, jid string) []string {
	t.Helper()
	c, err := svc.store.Contact(context.Background(), jid)
	if err != nil {
		t.Fatal(err)
	}
	return c.Labels
}

func TestApplyLabelsNamesAndUndo(t *testing.T) {
	t.Parallel()

	svc, _ := worldService(t, nil)
	ctx := context.Background()
	long := strings.Repeat("x", model.MaxLabelName+1)
	tests := []struct {
		name        string
		jids        []string
		add, remove []string
		wantErr     string
		want        map[string][]string // labels after, per contact
		newLabels   []string            // labels created
	}{
		{"reuse existing ignoring case", []string{ada, grace}, []string{"vip, new CUSTOMER"}, nil, "",
			map[string][]string{ada: {"New customer", "VIP"}, grace: {"New customer", "VIP"}}, nil},
		{"comma list creates once", []string{ada}, []string{"Fresh,  fresh ", "FRESH, Other  label"}, nil, "",
			map[string][]string{ada: {"New customer", "VIP", "Fresh", "Other label"}}, []string{"Fresh", "Other label"}},
		{"remove", []string{ada, alan}, nil, []string{"new customer"}, "",
			map[string][]string{ada: {"VIP", "Fresh", "Other label"}, alan: nil, grace: {"New customer", "VIP"}}, nil},
		{"add wins over remove", []string{grace}, []string{"Lead"}, []string{"lead, vip"}, "",
			map[string][]string{grace: {"New customer", "Lead"}}, []string{"Lead"}},
		{"name too long", []string{ada}, []string{"ok", long}, nil, "too long", nil, nil},
		{"unknown contact", []string{ada, "14155550177@s.whatsapp.net"}, []string{"Z"}, nil, "no such contact", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := labelState(t, svc)
			nLabels := strings.Count(before, "label ")
			undo, err := svc.ApplyLabels(ctx, tt.jids, tt.add, tt.remove)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || strings.Contains(err.Error(), "\n") {
					t.Fatalf("err = %v, want one line with %q", err, tt.wantErr)
				}
				if after := labelState(t, svc); after != before {
					t.Errorf("a failed ApplyLabels changed the mirror:\n%s\nvs\n%s", before, after)
				}
				return
			}
			if err != nil || undo == nil {
				t.Fatalf("ApplyLabels: %v, undo %v", err, undo)
			}
			for jid, want := range tt.want {
				if got := labelsOf(t, svc, jid); !slices.Equal(got, want) {
					t.Errorf("%s labels = %v, want %v", jid, got, want)
				}
			}
			after := labelState(t, svc)
			if got := strings.Count(after, "label ") - nLabels; got != len(tt.newLabels) {
				t.Errorf("%d labels created, want %v", got, tt.newLabels)
			}
			for _, n := range tt.newLabels {
				if !strings.Contains(after, fmt.Sprintf("%q", n)) {
					t.Errorf("label %q not created with that spelling:\n%s", n, after)
				}
			}
			if err := svc.UndoChange(ctx, undo); err != nil {
				t.Fatal(err)
			}
			if got := labelState(t, svc); got != before {
				t.Errorf("undo did not restore exactly:\nbefore\n%s\nafter undo\n%s", before, got)
			}
			if err := svc.UndoChange(ctx, undo); err == nil {
				t.Error("second undo succeeded")
			}
			// Leave the change applied for the next case.
			if _, err := svc.ApplyLabels(ctx, tt.jids, tt.add, tt.remove); err != nil {
				t.Fatal(err)
			}
		})
	}
	if undo, err := svc.ApplyLabels(ctx, []string{grace}, []string{"Lead"}, nil); undo != nil || err != nil {
		t.Errorf("no-op ApplyLabels = %v, %v; want nil, nil", undo, err)
	}
}

// manyContacts adds n local contacts and returns their JIDs.
func manyContacts(t testing.TB, svc *Service, n int) []string {
	t.Helper()
	cs := make([]model.Contact, n)
	jids := make([]string, n)
	for i := range cs {
		jids[i] = fmt.Sprintf("9198100%05d@s.whatsapp.net", i)
		cs[i] = model.Contact{JID: jids[i], FullName: fmt.Sprintf("Person %d", i), Source: model.SourceLocal}
	}
	if err := svc.store.UpsertContacts(context.Background(), cs); err != nil {
		t.Fatal(err)
	}
	return jids
}

func TestApplyLabelsToThousandIsOneTransaction(t *testing.T) {
	t.Parallel()

	svc, _ := worldService(t, nil)
	ctx := context.Background()
	jids := manyContacts(t, svc, 1000)
	// One unknown contact at the end: nothing at all may change.
	bad := append(slices.Clone(jids), "19995550100@s.whatsapp.net")
	before := labelState(t, svc)
	if _, err := svc.ApplyLabels(ctx, bad, []string{"Campaign"}, nil); !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	if after := labelState(t, svc); after != before {
		t.Fatal("a failed ApplyLabels left changes behind")
	}
	undo, err := svc.ApplyLabels(ctx, jids, []string{"Campaign"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	l, err := svc.store.LabelByName(ctx, "campaign")
	if err != nil || l.Count != 1000 {
		t.Fatalf("Campaign: %+v, %v", l, err)
	}
	if err := svc.UndoChange(ctx, undo); err != nil {
		t.Fatal(err)
	}
	if after := labelState(t, svc); after != before {
		t.Error("undo did not restore exactly")
	}
}

func BenchmarkApplyLabels1000(b *testing.B) {
	svc, _ := worldService(b, nil)
	ctx := context.Background()
	jids := manyContacts(b, svc, 1000)
	for b.Loop() {
		undo, err := svc.ApplyLabels(ctx, jids, []string{"Campaign, Wave 2"}, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := svc.UndoChange(ctx, undo); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

func TestCreateLabel(t *testing.T) {
	t.Parallel()

	svc, _ := worldService(t, nil)
	ctx := context.Background()
	tests := []struct {
		name    string
		color   int
		want    string // created name
		wantErr error
		errText string
	}{
		{"  Gold   members ", 5, "Gold members", nil, ""},
		{"vip", 0, "", ErrLabelExists, `exists already: "VIP"`},
		{"NEW customer", 0, "", store.ErrLabelExists, "exists already"},
		{"", 0, "", nil, "empty"},
		{"a, b", 0, "", nil, "comma"},
		{"Bad colour", 20, "", store.ErrInvalidColor, "colour"},
		{"Next colour", -1, "Next colour", nil, ""},
	}
	for _, tt := range tests {
		before := labelState(t, svc)
		l, undo, err := svc.CreateLabel(ctx, tt.name, tt.color)
		if tt.want == "" {
			if err == nil || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) || !strings.Contains(err.Error(), tt.errText) {
				t.Errorf("CreateLabel(%q) err = %v, want %v / %q", tt.name, err, tt.wantErr, tt.errText)
			}
			if labelState(t, svc) != before {
				t.Errorf("CreateLabel(%q) failed but changed the mirror", tt.name)
			}
			continue
		}
		if err != nil || l.Name != tt.want || undo == nil {
			t.Errorf("CreateLabel(%q) = %+v, %v", tt.name, l, err)
			continue
		}
		if tt.color < 0 && l.Color != strings.Count(before, "label ")%model.LabelColors {
			t.Errorf("next colour = %d", l.Color)
		}
		if err := svc.UndoChange(ctx, undo); err != nil || labelState(t, svc) != before {
			t.Errorf("undo of create %q: %v", tt.name, err)
		}
	}
}

func TestRenameMergeDeleteColourUndo(t *testing.T) {
	t.Parallel()

	svc, _ := worldService(t, nil)
	ctx := context.Background()
	if _, err := svc.ApplyLabels(ctx, []string{ada, grace}, []string{"Lead"}, nil); err != nil {
		t.Fatal(err)
	}
	id := func(name string) int64 {
		l, err := svc.store.LabelByName(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		return l.ID
	}
	tests := []struct {
		name    string
		do      func() (*Undo, error)
		errIs   error
		check   func() bool
		noUndo  bool
		errText string
	}{
		{"rename", func() (*Undo, error) { return svc.RenameLabel(ctx, id("VIP"), " Very  important ", false) },
			nil, func() bool { return slices.Equal(labelsOf(t, svc, grace), []string{"Very important", "Lead"}) }, false, ""},
		{"rename case only", func() (*Undo, error) { return svc.RenameLabel(ctx, id("VIP"), "vip", false) },
			nil, func() bool { return slices.Contains(labelsOf(t, svc, grace), "vip") }, false, ""},
		{"rename onto another without merge", func() (*Undo, error) { return svc.RenameLabel(ctx, id("Lead"), "new customer", false) },
			ErrLabelExists, nil, true, `exists already: "New customer"`},
		{"merge", func() (*Undo, error) { return svc.RenameLabel(ctx, id("Lead"), "new customer", true) },
			nil, func() bool {
				_, err := svc.store.LabelByName(ctx, "Lead")
				return errors.Is(err, store.ErrNotFound) &&
					slices.Equal(labelsOf(t, svc, grace), []string{"New customer", "VIP"}) &&
					slices.Equal(labelsOf(t, svc, ada), []string{"New customer"})
			}, false, ""},
		{"delete", func() (*Undo, error) { return svc.DeleteLabel(ctx, id("New customer")) },
			nil, func() bool { return len(labelsOf(t, svc, ada)) == 1 && labelsOf(t, svc, ada)[0] == "Lead" }, false, ""},
		{"colour", func() (*Undo, error) { return svc.SetLabelColor(ctx, id("VIP"), 17) },
			nil, func() bool { l, _ := svc.store.LabelByName(ctx, "VIP"); return l.Color == 17 }, false, ""},
		{"colour out of range", func() (*Undo, error) { return svc.SetLabelColor(ctx, id("VIP"), 20) },
			store.ErrInvalidColor, nil, true, "colour"},
		{"invalid name", func() (*Undo, error) { return svc.RenameLabel(ctx, id("VIP"), " , ", false) },
			nil, nil, true, "comma"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := labelState(t, svc)
			undo, err := tt.do()
			if tt.noUndo {
				if err == nil || (tt.errIs != nil && !errors.Is(err, tt.errIs)) || !strings.Contains(err.Error(), tt.errText) {
					t.Fatalf("err = %v, want %v / %q", err, tt.errIs, tt.errText)
				}
				if labelState(t, svc) != before {
					t.Fatal("failed change altered the mirror")
				}
				return
			}
			if err != nil || undo == nil {
				t.Fatalf("%v, undo %v", err, undo)
			}
			if !tt.check() {
				t.Fatalf("change not made:\n%s", labelState(t, svc))
			}
			if err := svc.UndoChange(ctx, undo); err != nil {
				t.Fatal(err)
			}
			if got := labelState(t, svc); got != before {
				t.Errorf("undo did not restore exactly:\nbefore\n%s\nafter undo\n%s", before, got)
			}
		})
	}
}

// TestLabelSyncSendsPatches: with a business account and sync on, label
// edits and assignments are queued with the change and reach WhatsApp in
// order; turning sync on queues what was labelled before; with sync off
// nothing is queued; a change WhatsApp keeps refusing fails, marks its label
// unsynced, and ResyncLabels queues the label again.
func TestLabelSyncSendsPatches(t *testing.T) {
	t.Parallel()

	svc, be := worldService(t, nil)
	ctx := context.Background()
	if svc.LabelSyncEnabled() {
		t.Fatal("label sync is on by default")
	}

	// Sync off: nothing is queued.
	local, _, err := svc.CreateLabel(ctx, "Local only", 7)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ApplyLabels(ctx, []string{ada}, []string{"Local only", "VIP"}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RenameLabel(ctx, local.ID, "Local", false); err != nil {
		t.Fatal(err)
	}
	if items := deliver(t, svc); len(items) != 0 {
		t.Fatalf("sync off but queued %+v", items)
	}

	// On: every label, and the assignments WhatsApp has not reported.
	n, err := svc.SetLabelSync(ctx, true)
	if err != nil || n != 5 {
		t.Fatalf("SetLabelSync(on) = %d, %v; want 3 labels and 2 assignments queued", n, err)
	}
	if !svc.LabelSyncEnabled() {
		t.Fatal("sync not on")
	}
	deliver(t, svc)
	step := func(what string, f func() error) {
		t.Helper()
		if err := f(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		deliver(t, svc)
	}
	var gold model.Label
	step("create Gold", func() (err error) { gold, _, err = svc.CreateLabel(ctx, "Gold", 5); return err })
	if l, _ := svc.store.Label(ctx, gold.ID); l.WALabelID != "4" {
		t.Errorf("Gold's WhatsApp id = %q, want 4: the next after 1, 2 and Local's 3", l.WALabelID)
	}
	step("rename", func() error { _, err := svc.RenameLabel(ctx, gold.ID, "Platinum", false); return err })
	var undo *Undo
	step("apply", func() (err error) {
		undo, err = svc.ApplyLabels(ctx, []string{ada, grace}, []string{"Platinum"}, nil)
		return err
	})
	step("apply 2", func() error {
		_, err := svc.ApplyLabels(ctx, []string{grace}, []string{"local"}, []string{"VIP"})
		return err
	})
	step("undo", func() error { return svc.UndoChange(ctx, undo) })
	step("colour", func() error { _, err := svc.SetLabelColor(ctx, gold.ID, 9); return err })
	step("delete", func() error { _, err := svc.DeleteLabel(ctx, gold.ID); return err })
	wantEdits := []wa.LabelEdit{
		{WALabelID: "1", Name: "New customer", Color: 0},
		{WALabelID: "2", Name: "VIP", Color: 3},
		{WALabelID: "3", Name: "Local", Color: 7}, // a local label gets an id when first sent
		{WALabelID: "4", Name: "Gold", Color: 5},
		{WALabelID: "4", Name: "Platinum", Color: 5},
		{WALabelID: "4", Name: "Platinum", Color: 9},
		{WALabelID: "4", Name: "Platinum", Color: 9, Deleted: true},
	}
	if got := be.SentLabelEdits(); !slices.Equal(got, wantEdits) {
		t.Errorf("edits sent:\n%+v\nwant\n%+v", got, wantEdits)
	}
	wantChats := []sim.LabelChat{
		{WALabelID: "2", ChatJID: ada, Assigned: true}, // labelled before sync was on
		{WALabelID: "3", ChatJID: ada, Assigned: true},
		{WALabelID: "4", ChatJID: ada, Assigned: true},
		{WALabelID: "4", ChatJID: grace, Assigned: true},
		{WALabelID: "2", ChatJID: grace, Assigned: false},
		{WALabelID: "3", ChatJID: grace, Assigned: true},
		{WALabelID: "4", ChatJID: grace, Assigned: false}, // the undo, in reverse order
		{WALabelID: "4", ChatJID: ada, Assigned: false},
	}
	if got := be.SentLabelChats(); !slices.Equal(got, wantChats) {
		t.Errorf("chats sent:\n%+v\nwant\n%+v", got, wantChats)
	}

	// A refusal is tried again; one refused every time fails and marks
	// its label unsynced, the local change kept.
	be.FailNext("SendLabelEdit", errors.New("connection lost"))
	silver, _, err := svc.CreateLabel(ctx, "Silver", 2)
	if err != nil {
		t.Fatal(err)
	}
	deliver(t, svc)
	if l, _ := svc.store.Label(ctx, silver.ID); l.Unsynced || l.WALabelID == "" {
		t.Errorf("Silver after one refusal = %+v; want sent on the second try", l)
	}
	for range outboxMaxAttempts {
		be.FailNext("SendLabelChat", errors.New("connection lost"))
	}
	if _, err := svc.ApplyLabels(ctx, []string{alan}, []string{"VIP"}, nil); err != nil {
		t.Fatal(err)
	}
	items := deliver(t, svc)
	if last := items[len(items)-1]; last.State != OutboxFailed || last.Error != "connection lost" {
		t.Errorf("refused change = %+v, want failed with WhatsApp's reason", last)
	}
	if !slices.Contains(labelsOf(t, svc, alan), "VIP") {
		t.Error("local assignment not kept")
	}
	if l, _ := svc.store.LabelByName(ctx, "VIP"); !l.Unsynced {
		t.Error("VIP not marked unsynced")
	}
	if c, _ := svc.OutboxCounts(ctx); c.Failed != 1 || c.Pending != 0 {
		t.Errorf("counts = %+v, want 1 failed", c)
	}
	n, err = svc.ResyncLabels(ctx)
	if err != nil || n != 1 {
		t.Fatalf("ResyncLabels = %d, %v", n, err)
	}
	deliver(t, svc)
	ls, _ := svc.store.Labels(ctx)
	for _, l := range ls {
		if l.Unsynced {
			t.Errorf("%s still unsynced after resync", l.Name)
		}
	}
	if got := be.SentLabelChats(); !slices.Contains(got, sim.LabelChat{WALabelID: "2", ChatJID: alan, Assigned: true}) {
		t.Errorf("resync did not send VIP on alan: %v", got)
	}
	if c, _ := svc.OutboxCounts(ctx); c.Failed != 0 || c.Pending != 0 {
		t.Errorf("counts after resync = %+v", c)
	}

	// Off again: nothing more is queued.
	if _, err := svc.SetLabelSync(ctx, false); err != nil {
		t.Fatal(err)
	}
	e, c := len(be.SentLabelEdits()), len(be.SentLabelChats())
	if _, _, err := svc.CreateLabel(ctx, "Quiet", 1); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ApplyLabels(ctx, []string{ada}, []string{"Quiet"}, nil); err != nil {
		t.Fatal(err)
	}
	deliver(t, svc)
	if len(be.SentLabelEdits()) != e || len(be.SentLabelChats()) != c {
		t.Error("sync off but something was sent")
	}
}

func TestLabelSyncNeedsBusiness(t *testing.T) {
	t.Parallel()

	svc, be := worldService(t, &sim.World{Account: &sim.WorldAccount{Phone: "+14155550100"},
		Contacts: []sim.WorldContact{{Phone: "+14155550101", FullName: "Ada"}}})
	ctx := context.Background()
	if _, err := svc.SetLabelSync(ctx, true); !errors.Is(err, wa.ErrNotBusiness) {
		t.Fatalf("SetLabelSync on a personal account = %v", err)
	}
	if svc.LabelSyncEnabled() {
		t.Error("sync turned on anyway")
	}
	if _, err := svc.ApplyLabels(ctx, []string{ada}, []string{"Friends"}, nil); err != nil {
		t.Fatal(err)
	}
	if len(be.SentLabelEdits())+len(be.SentLabelChats()) != 0 {
		t.Error("sent labels from a personal account")
	}
}
