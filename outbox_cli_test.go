package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/wa/sim"
)

// simRequests counts the requests of a method in the simulated server's log.
func simRequests(t *testing.T, db, method string) int {
	t.Helper()
	reqs, err := sim.ReadRequests(db + ".sim-requests.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range reqs {
		if r.Method == method {
			n++
		}
	}
	return n
}

// heldByThisTest mirrors the test world into a fresh database and takes its
// connection lock: this test process is the other wabook, until it
// releases the lock (at the end of the test at the latest).
func heldByThisTest(t *testing.T) (db string, base []string, holder *app.Lock) {
	t.Helper()
	db = filepath.Join(t.TempDir(), "w.db")
	base = []string{"--sim", world, "--db", db}
	if _, errOut, code := runWabook(t, append(base, "contacts")...); code != 0 {
		t.Fatalf("contacts: %s", errOut)
	}
	holder, err := app.AcquireLock(db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { holder.Release() })
	return db, base, holder
}

// Issue 10: while another wabook holds the connection, a command that
// changes what WhatsApp must learn returns once it is queued and says so;
// with --wait it waits, and when the holder quits it takes the connection
// over and sends the outbox itself.
func TestQueuedWhileAnotherHoldsTheConnection(t *testing.T) {
	db, base, holder := heldByThisTest(t)

	out, errOut, code := runWabook(t, append(base, "block", "+1 415 555 0104")...)
	if code != 0 || !strings.Contains(out, "block queued: Grace Hopper") ||
		!strings.Contains(errOut, "queued; 1 change waiting for WhatsApp (wabook pid") {
		t.Fatalf("block while held: exit %d\n%s%s", code, out, errOut)
	}
	if n := simRequests(t, db, "SetBlocked"); n != 0 {
		t.Fatalf("a process without the connection sent %d blocks", n)
	}
	out, _, _ = runWabook(t, append(base, "doctor")...)
	if !strings.Contains(out, "1 change waiting for WhatsApp, 0 failed") {
		t.Errorf("doctor does not count the queued block:\n%s", out)
	}
	out, _, _ = runWabook(t, append(base, "show", "14155550104", "--json")...)
	if !strings.Contains(out, `"block_pending": true`) || !strings.Contains(out, `"is_blocked": false`) {
		t.Errorf("show while the block waits:\n%s", out)
	}

	// --wait: the holder quits after a while; this one takes over.
	time.AfterFunc(1500*time.Millisecond, func() { holder.Release() })
	var stdout, stderr bytes.Buffer
	code = run(append(base, "unblock", "--wait", "+1 415 555 0103"), &stdout, &stderr)
	if code != 0 || !strings.Contains(stderr.String(), "no longer holds the WhatsApp connection") ||
		!strings.Contains(stderr.String(), "WhatsApp confirmed 1 change") {
		t.Fatalf("unblock --wait: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	if n := simRequests(t, db, "SetBlocked"); n != 2 {
		t.Errorf("the server got %d blocks, want the queued block and the unblock", n)
	}
	got := blockedIn(t, base...)
	if !got["14155550104@c.us"] || got["14155550103@c.us"] {
		t.Errorf("after the takeover: %v", got)
	}
}

// With --wait a refusal fails the command (exit 1) and names the change;
// without it the command says so and exits 0. A personal account refuses
// label changes.
func TestWaitReportsARefusal(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "w.db")
	raw, err := os.ReadFile(world)
	if err != nil {
		t.Fatal(err)
	}
	worldFile := filepath.Join(dir, "world.json")
	if err := os.WriteFile(worldFile, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	base := []string{"--sim", worldFile, "--db", db}
	if _, errOut, code := runWabook(t, append(base, "label", "sync", "on")...); code != 0 {
		t.Fatalf("label sync on: %s", errOut)
	}
	// The account is paired again as a personal one.
	personal := bytes.Replace(raw, []byte(`"business": true`), []byte(`"business": false`), 1)
	if bytes.Equal(personal, raw) {
		t.Fatal("the test world is not a Business account")
	}
	if err := os.WriteFile(worldFile, personal, 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runWabook(t, append(base, "label", "add", "Gold", "--wait")...)
	if code != 1 || !strings.Contains(errOut, "WhatsApp refused 1 of 1 change") || !strings.Contains(errOut, `label "Gold"`) ||
		!strings.Contains(errOut, "Business account") {
		t.Errorf("label add --wait on a personal account: exit %d\n%s%s", code, out, errOut)
	}
	out, errOut, code = runWabook(t, append(base, "label", "add", "Silver")...)
	if code != 0 || !strings.Contains(errOut, "WhatsApp refused 1 of 1 change") {
		t.Errorf("label add without --wait: exit %d\n%s%s", code, out, errOut)
	}
	out, _, _ = runWabook(t, append(base, "outbox")...)
	if strings.Count(out, "failed") != 2 {
		t.Errorf("outbox:\n%s", out)
	}

	// Acting on failed changes.
	var items []struct {
		ID    int64  `json:"id"`
		State string `json:"state"`
		Label string `json:"label"`
	}
	out, _, _ = runWabook(t, append(base, "outbox", "--json", "--all")...)
	if err := json.Unmarshal([]byte(out), &items); err != nil {
		t.Fatalf("outbox --json: %v\n%s", err, out)
	}
	var gold, done int64
	for _, it := range items {
		switch {
		case it.Label == "Gold" && it.State == "failed":
			gold = it.ID
		case it.State == "done":
			done = it.ID
		}
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"outbox", "retry"}, 2, "usage: wabook outbox retry ID|--all"},
		{[]string{"outbox", "retry", "abc"}, 2, `"abc" is not a change id`},
		{[]string{"outbox", "retry", "9999"}, 1, "no outbox change 9999"},
		{[]string{"outbox", "drop", strconv.FormatInt(done, 10)}, 1, "has not failed (it is done)"},
		{[]string{"outbox", "drop", strconv.FormatInt(gold, 10)}, 0, `dropped: label "Gold"`},
		{[]string{"outbox", "retry", "--all"}, 0, "queued again: 1 change"},
	} {
		out, errOut, code := runWabook(t, append(base, c.args...)...)
		if code != c.code || !strings.Contains(out+errOut, c.want) {
			t.Errorf("%v: exit %d, %q %q; want %d and %q", c.args, code, out, errOut, c.code, c.want)
		}
	}
	// Retried, sent again (this command holds the connection), refused
	// again by the personal account.
	out, _, _ = runWabook(t, append(base, "outbox")...)
	if strings.Contains(out, "Gold") || strings.Count(out, "failed") != 1 {
		t.Errorf("outbox after drop and retry:\n%s", out)
	}
}

// Issue 10: `check` waiting on a job that the holder of the connection was
// to run takes the queue over when that wabook quits.
func TestCheckTakesTheQueueOverWhenItsHolderQuits(t *testing.T) {
	_, base, holder := heldByThisTest(t)
	time.AfterFunc(1500*time.Millisecond, func() { holder.Release() })
	out, errOut, code := runWabook(t, append(base, "check", "--json", "+1 415 555 0101")...)
	if code != 0 || !strings.Contains(errOut, "this one runs the queue now") || !strings.Contains(out, `"status": "valid"`) {
		t.Fatalf("check while held: exit %d\n%s%s", code, out, errOut)
	}
}

// Issue 10: a wabook that starts holding the connection sends what others
// queued: `sync` sends a block queued while another wabook held it.
func TestSyncSendsWhatOthersQueued(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	base := []string{"--sim", world, "--db", db}
	holder, err := app.AcquireLock(db)
	if err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := runWabook(t, append(base, "block", "+1 415 555 0104")...); code != 0 {
		t.Fatalf("block: %s", errOut)
	}
	holder.Release()
	out, errOut, code := runWabook(t, append(base, "sync")...)
	if code != 0 || !strings.Contains(errOut, "WhatsApp confirmed 1 change") {
		t.Fatalf("sync: exit %d\n%s%s", code, out, errOut)
	}
	if got := blockedIn(t, base...); !got["14155550104@c.us"] {
		t.Errorf("the queued block did not reach WhatsApp: %v", got)
	}
}
