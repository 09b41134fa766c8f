package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wabook/wabook/wa/sim"
)

// blockedIn runs `contacts --format json` and returns is_blocked by contact.
func blockedIn(t *testing.T, args ...string) map[string]bool {
	t.Helper()
	out, errOut, code := runWabook(t, append(args, "contacts", "--format", "json")...)
	if code != 0 {
		t.Fatalf("contacts: exit %d: %s", code, errOut)
	}
	var cs []contactOut
	if err := json.Unmarshal([]byte(out), &cs); err != nil {
		t.Fatalf("contacts: %v\n%s", err, out)
	}
	got := map[string]bool{}
	for _, c := range cs {
		got[c.ContactID] = c.IsBlocked
	}
	return got
}

// Issue 10's acceptance: a block made by one process is still there for the
// next one, which syncs from the simulated server rather than the world file;
// --sim-reset starts that server again from the world.
func TestSimKeepsServerStateAcrossRuns(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	base := []string{"--sim", world, "--db", db}
	const grace, mallory = "14155550104@c.us", "14155550103@c.us"
	for _, cmd := range [][]string{{"block", "+1 415 555 0104"}, {"unblock", "+1 415 555 0103"}} {
		if _, errOut, code := runWabook(t, append(base, cmd...)...); code != 0 {
			t.Fatalf("%v: exit %d: %s", cmd, code, errOut)
		}
	}
	if got := blockedIn(t, base...); !got[grace] || got[mallory] {
		t.Errorf("after block and unblock: Grace blocked %v (want true), Mallory blocked %v (want false)", got[grace], got[mallory])
	}

	reqs, err := sim.ReadRequests(db + ".sim-requests.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var blocks []string
	for _, r := range reqs {
		if r.Method == "SetBlocked" {
			blocks = append(blocks, r.Args["jid"].(string)+"="+map[bool]string{true: "block", false: "unblock"}[r.Args["blocked"].(bool)])
		}
	}
	want := "14155550104@s.whatsapp.net=block 14155550103@s.whatsapp.net=unblock"
	if got := strings.Join(blocks, " "); got != want {
		t.Errorf("SetBlocked requests in the log: %q, want %q", got, want)
	}

	if got := blockedIn(t, append([]string{"--sim-reset"}, base...)...); got[grace] || !got[mallory] {
		t.Errorf("after --sim-reset: Grace blocked %v (want false), Mallory blocked %v (want true, as the world says)", got[grace], got[mallory])
	}
}

func TestSimResetUsage(t *testing.T) {
	for _, args := range [][]string{
		{"--demo", "--sim-reset", "contacts"},
		{"--sim-reset", "--db", filepath.Join(t.TempDir(), "w.db"), "contacts"},
	} {
		_, errOut, code := runWabook(t, args...)
		if code != 2 || !strings.Contains(errOut, "--sim-reset goes with --sim FILE") {
			t.Errorf("%v: exit %d, stderr %q; want a usage error", args, code, errOut)
		}
	}
}
