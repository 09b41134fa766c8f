package app

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/wa/sim"
)

// The outbox crash tests send the outbox from a child process (this test
// binary, re-executed with outboxHelperEnv set) that holds the connection
// to a simulated account keeping its state and request log in files beside
// the database, and kill it with SIGKILL.
const (
	outboxHelperEnv  = "WABOOK_TEST_OUTBOX_HELPER"
	outboxHelperDB   = "WABOOK_TEST_OUTBOX_DB"
	outboxHelperKill = "WABOOK_TEST_OUTBOX_KILL_AFTER" // SIGKILL itself after the Nth accepted send
	outboxContacts   = 120
)

// outboxWorld is a Business account with outboxContacts contacts.
func outboxWorld() *sim.World {
	w := &sim.World{Account: &sim.WorldAccount{Phone: "+14155550100", Business: true}}
	for i := range outboxContacts {
		w.Contacts = append(w.Contacts, sim.WorldContact{Phone: fmt.Sprintf("+1631555%04d", i), FullName: fmt.Sprintf("Lead %03d", i)})
	}
	return w
}

// outboxHelper is the child: the holder of the connection, sending the
// outbox until nothing is pending.
func outboxHelper() int {
	fail := func(err error) int {
		fmt.Fprintln(os.Stderr, "outbox helper:", err)
		return 1
	}
	db := os.Getenv(outboxHelperDB)
	st, err := store.Open(db)
	if err != nil {
		return fail(err)
	}
	defer st.Close()
	be, err := sim.Open(outboxWorld(), sim.PersistBeside(db, false))
	if err != nil {
		return fail(err)
	}
	defer be.Close()
	svc := New(st, be, Options{OutboxRetry: time.Millisecond})
	if n, _ := strconv.Atoi(os.Getenv(outboxHelperKill)); n > 0 {
		sent := 0
		svc.ob.afterSend = func(store.OutboxItem) {
			// WhatsApp has the change; the outbox does not know yet.
			if sent++; sent == n {
				syscall.Kill(os.Getpid(), syscall.SIGKILL)
				select {}
			}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	go svc.Run(ctx)
	if err := svc.SyncOnce(ctx); err != nil {
		return fail(err)
	}
	svc.StartOutbox(ctx)
	defer svc.StopOutbox()
	if err := svc.DrainOutbox(ctx, time.Millisecond); err != nil {
		return fail(err)
	}
	return 0
}

// outboxCrashFixture is a database with the connection free and the outbox
// holding a Business label's creation, the label on every contact, and
// blocks of three contacts, queued by a process without the connection.
type outboxCrashFixture struct {
	db      string
	changes []store.OutboxItem
	blocked []string // the contacts blocked (phone JIDs)
}

func newOutboxCrashFixture(t *testing.T) *outboxCrashFixture {
	t.Helper()
	db := filepath.Join(t.TempDir(), "w.db")
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	be, err := sim.Open(outboxWorld(), sim.PersistBeside(db, false))
	if err != nil {
		t.Fatal(err)
	}
	defer be.Close()
	svc := New(st, be, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	go svc.Run(ctx)
	if err := svc.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetLabelSync(ctx, true); err != nil {
		t.Fatal(err)
	}
	cs, err := st.Contacts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	jids := make([]string, len(cs))
	for i, c := range cs {
		jids[i] = c.JID
	}
	if _, err := svc.ApplyLabels(ctx, jids, []string{"Gold"}, nil); err != nil {
		t.Fatal(err)
	}
	for _, j := range jids[:3] {
		if err := svc.SetBlocked(ctx, j, true); err != nil {
			t.Fatal(err)
		}
	}
	changes, err := st.Outbox(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 1+outboxContacts+3 {
		t.Fatalf("queued %d changes, want %d", len(changes), 1+outboxContacts+3)
	}
	return &outboxCrashFixture{db: db, changes: changes, blocked: jids[:3]}
}

// runOutboxChild runs the child to its end; killAfter > 0 makes it kill
// itself after that many accepted sends, kill > 0 has this test kill it
// after that long. It reports whether the child finished.
func (f *outboxCrashFixture) runChild(t *testing.T, killAfter int, kill time.Duration) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), outboxHelperEnv+"=1", outboxHelperDB+"="+f.db, outboxHelperKill+"="+strconv.Itoa(killAfter))
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if kill > 0 {
		timer := time.AfterFunc(kill, func() { cmd.Process.Signal(syscall.SIGKILL) })
		defer timer.Stop()
	}
	err := cmd.Wait()
	return err == nil
}

// sentCounts reads the simulated server's request log: how many times each
// change reached it, keyed as changeKey, and the ids Gold was created with.
func (f *outboxCrashFixture) sentCounts(t *testing.T) (map[string]int, []string) {
	t.Helper()
	reqs, err := sim.ReadRequests(f.db + ".sim-requests.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	var goldIDs []string
	for _, r := range reqs {
		switch r.Method {
		case "SendLabelEdit":
			if r.Args["name"] == "Gold" {
				counts["edit Gold"]++
				goldIDs = append(goldIDs, fmt.Sprint(r.Args["id"]))
			}
		case "SendLabelChat":
			counts[fmt.Sprintf("chat %v %v", r.Args["chat"], r.Args["assigned"])]++
		case "SetBlocked":
			counts[fmt.Sprintf("block %v %v", r.Args["jid"], r.Args["blocked"])]++
		}
	}
	return counts, goldIDs
}

func changeKey(it store.OutboxItem) string {
	switch it.Kind {
	case store.OutboxLabelEdit:
		return "edit " + it.Name
	case store.OutboxLabelChat:
		return fmt.Sprintf("chat %s %v", it.JID, it.Flag)
	}
	return fmt.Sprintf("block %s %v", it.JID, it.Flag)
}

// check verifies the end state after the runs: every change done in the
// outbox and received by the server at least once, at most kills of them
// twice (a kill leaves at most the change in flight unconfirmed), Gold
// created once on the server with one id whatever the repeats, every chat
// and block applied there.
func (f *outboxCrashFixture) check(t *testing.T, kills int) (repeated int) {
	t.Helper()
	st, err := store.Open(f.db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	items, err := st.Outbox(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.State != store.OutboxDone {
			t.Errorf("change %d (%s) is %s after the last run: %s", it.ID, changeKey(it), it.State, it.Error)
		}
	}
	counts, goldIDs := f.sentCounts(t)
	for _, it := range f.changes {
		switch n := counts[changeKey(it)]; {
		case n == 0:
			t.Errorf("change %d (%s) never reached WhatsApp", it.ID, changeKey(it))
		case n > 2:
			t.Errorf("change %d (%s) reached WhatsApp %d times", it.ID, changeKey(it), n)
		case n == 2:
			repeated++
		}
	}
	if repeated > kills {
		t.Errorf("%d changes were sent twice after %d kills: only the one in flight at a kill may be", repeated, kills)
	}
	if len(goldIDs) == 0 || slices.ContainsFunc(goldIDs, func(id string) bool { return id != goldIDs[0] }) {
		t.Errorf("Gold was sent with the ids %v: a repeated creation must reuse the one recorded", goldIDs)
	}
	state, err := os.ReadFile(f.db + ".sim.json")
	if err != nil {
		t.Fatal(err)
	}
	var labels int
	for _, l := range simStateLabels(t, state) {
		if l.Name == "Gold" {
			labels++
			if len(l.Chats) != outboxContacts {
				t.Errorf("Gold is on %d chats on the server, want %d", len(l.Chats), outboxContacts)
			}
		}
	}
	if labels != 1 {
		t.Errorf("the server has %d labels named Gold, want 1", labels)
	}
	var server struct {
		Blocked []string `json:"blocked"`
	}
	if err := json.Unmarshal(state, &server); err != nil {
		t.Fatal(err)
	}
	slices.Sort(server.Blocked)
	if want := slices.Sorted(slices.Values(f.blocked)); !slices.Equal(server.Blocked, want) {
		t.Errorf("the server's blocklist is %v, want %v", server.Blocked, want)
	}
	return repeated
}

// simStateLabels reads the labels of a simulated server's state file.
func simStateLabels(t *testing.T, state []byte) []sim.WorldLabel {
	t.Helper()
	var s struct {
		Labels []sim.WorldLabel `json:"labels"`
	}
	if err := json.Unmarshal(state, &s); err != nil {
		t.Fatalf("the simulated server's state: %v", err)
	}
	return s.Labels
}

// TestOutboxKillBetweenSendAndConfirmation is issue 10's aimed kill: the
// holder dies after WhatsApp took a change and before the outbox recorded
// it — once on Gold's creation, once on a chat — and the next holder sends
// exactly that change again (the creation with the id recorded before the
// first send) and nothing else twice.
func TestOutboxKillBetweenSendAndConfirmation(t *testing.T) {
	t.Parallel()

	if testing.Short() {
		t.Skip("runs child processes")
	}
	f := newOutboxCrashFixture(t)
	for _, n := range []int{1, 40} { // Gold's creation is the first change
		if f.runChild(t, n, 0) {
			t.Fatalf("the child told to die after send %d finished", n)
		}
	}
	if !f.runChild(t, 0, 0) {
		t.Fatal("the last child did not finish")
	}
	repeated := f.check(t, 2)
	if repeated != 2 {
		t.Errorf("%d changes were sent twice, want exactly the 2 in flight at the kills", repeated)
	}
	t.Logf("kills in the window between send and confirmation: %d of 2", repeated)
}

// TestOutboxKillAtRandom kills the holder at random moments while it sends
// until a run finishes: nothing is lost, nothing is applied twice.
func TestOutboxKillAtRandom(t *testing.T) {
	t.Parallel()

	if testing.Short() {
		t.Skip("runs child processes")
	}
	f := newOutboxCrashFixture(t)
	start := time.Now()
	if !f.runChild(t, 0, 0) {
		t.Fatal("a child without kills did not finish")
	}
	took := time.Since(start)
	f = newOutboxCrashFixture(t)
	kills := 0
	for run := 0; ; run++ {
		if run == 20 {
			t.Fatal("20 runs and the outbox is not sent")
		}
		delay := time.Duration(rand.Int64N(int64(took))) + time.Millisecond
		if f.runChild(t, 0, delay) {
			break
		}
		kills++
	}
	repeated := f.check(t, kills)
	t.Logf("a whole send takes %v here; kills in the window between send and confirmation: %d of %d", took, repeated, kills)
}
