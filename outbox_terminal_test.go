package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/wa/sim"
)

// simLabels reads the simulated server's labels from its state file.
func simLabels(t *testing.T, db string) []sim.WorldLabel {
	t.Helper()
	raw, err := os.ReadFile(db + ".sim.json")
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Labels []sim.WorldLabel `json:"labels"`
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatalf("sim state: %v\n%s", err, raw)
	}
	return st.Labels
}

// Issue 10's acceptance: a UI that does not hold the WhatsApp connection
// creates a Business label and puts it on a contact; the UI that holds the
// connection (another process) sends both; the simulated server has them
// and `wabook outbox --json` lists them done.
func TestLabelFromANonHolderUIReachesWhatsApp(t *testing.T) {
	bin := tuiBinary(t)
	db := filepath.Join(t.TempDir(), "w.db")
	worldPath, _ := filepath.Abs(world)
	base := []string{"--sim", worldPath, "--db", db}
	if out, errOut, code := runWabook(t, append(base, "label", "sync", "on")...); code != 0 {
		t.Fatalf("label sync on: exit %d: %s%s", code, out, errOut)
	}
	holder := startTUI(t, "wabook-holder", bin, base...)
	holder.waitFor("Grace Hopper")
	other := startTUI(t, "wabook-other", bin, base...)
	other.waitFor("has the WhatsApp connection")
	other.waitFor("Ada Lovelace")
	other.keys("/")
	other.keys("-l", "ada")
	other.keys("Enter")
	other.keys("l")
	other.waitFor("type to filter or create")
	other.keys("-l", "Gold")
	other.waitFor("create «Gold»")
	other.keys("Enter")
	other.keys("Enter")

	var gold *sim.WorldLabel
	deadline := time.Now().Add(20 * time.Second)
	for gold == nil || !slices.Contains(gold.Chats, "14155550101@s.whatsapp.net") {
		if time.Now().After(deadline) {
			t.Fatalf("the holder never sent Gold on Ada; the simulated server has %+v\nthe other UI shows:\n%s", simLabels(t, db), other.screen())
		}
		time.Sleep(100 * time.Millisecond)
		for _, l := range simLabels(t, db) {
			if l.Name == "Gold" {
				gold = &l
			}
		}
	}

	// Sent by the holder, not by the UI that made the change.
	holderPID, err := os.ReadFile(app.LockPath(db))
	if err != nil {
		t.Fatal(err)
	}
	reqs, err := sim.ReadRequests(db + ".sim-requests.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range reqs {
		if (r.Method == "SendLabelEdit" && r.Args["name"] == "Gold") || (r.Method == "SendLabelChat" && r.Args["id"] == gold.ID) {
			if strconv.Itoa(r.PID) != strings.TrimSpace(string(holderPID)) {
				t.Errorf("%s sent by pid %d; the holder is pid %s", r.Method, r.PID, holderPID)
			}
		}
	}

	out, errOut, code := runWabook(t, append(base, "outbox", "--json", "--all")...)
	if code != 0 {
		t.Fatalf("outbox: exit %d: %s", code, errOut)
	}
	var items []struct {
		Kind      string `json:"kind"`
		State     string `json:"state"`
		Label     string `json:"label"`
		WALabelID string `json:"wa_label_id"`
	}
	if err := json.Unmarshal([]byte(out), &items); err != nil {
		t.Fatalf("outbox --json: %v\n%s", err, out)
	}
	var kinds []string
	for _, it := range items {
		if it.Label != "Gold" {
			continue
		}
		kinds = append(kinds, it.Kind)
		if it.State != "done" || it.WALabelID != gold.ID {
			t.Errorf("Gold's change %+v: want done, with the id the server has (%s)", it, gold.ID)
		}
	}
	if !slices.Equal(kinds, []string{"label_edit", "label_chat"}) {
		t.Errorf("Gold's changes in the outbox: %v, want the label, then its chat\n%s", kinds, out)
	}
	if !strings.Contains(errOut, "holds the WhatsApp connection and sends them") {
		t.Errorf("outbox did not name the holder: %q", errOut)
	}
}
