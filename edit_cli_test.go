package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestAddThenShow is acceptance 2, through the real command dispatch.
func TestAddThenShow(t *testing.T) {
	tests := []struct {
		name   string
		before [][]string // commands run first
		want   []string
	}{
		{"new labels", nil, []string{"Test", "demo"}},
		{"existing spelling kept", [][]string{{"label", "add", "TEST"}}, []string{"TEST", "demo"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "w.db")
			base := []string{"--sim", world, "--db", db}
			for _, cmd := range tt.before {
				if _, errOut, code := runWabook(t, append(base, cmd...)...); code != 0 {
					t.Fatalf("%v: exit %d: %s", cmd, code, errOut)
				}
			}
			out, errOut, code := runWabook(t, append(base, "add", "--name", "Test New", "--phone", "+91 95378 51844", "--labels", "Test, demo")...)
			if code != 0 {
				t.Fatalf("add: exit %d: %s", code, errOut)
			}
			var added contactOut
			if err := json.Unmarshal([]byte(out), &added); err != nil || added.ContactID != "919537851844@c.us" {
				t.Fatalf("add printed %q (%v)", out, err)
			}
			out, errOut, code = runWabook(t, append(base, "show", "919537851844", "--json")...)
			if code != 0 {
				t.Fatalf("show: exit %d: %s", code, errOut)
			}
			var c contactOut
			if err := json.Unmarshal([]byte(out), &c); err != nil {
				t.Fatal(err)
			}
			if c.ContactID != "919537851844@c.us" || c.ContactName != "Test New" || c.Phone != "+919537851844" || !slices.Equal(c.Labels, tt.want) {
				t.Errorf("show: %+v, want labels %v", c, tt.want)
			}
		})
	}
}

type labelOut struct {
	Name      string `json:"name"`
	Color     int    `json:"color"`
	Count     int    `json:"count"`
	WALabelID string `json:"wa_label_id"`
	Synced    bool   `json:"synced"`
}

func TestLabelCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	base := []string{"--sim", world, "--db", db}
	steps := []struct {
		args []string
		code int
		out  string // in stdout (code 0) or stderr
	}{
		{[]string{"label", "add", "Gold", "members", "--color", "5"}, 0, "created: Gold members (colour 5"},
		{[]string{"label", "add", "gold MEMBERS"}, 1, "exists already"},
		{[]string{"label", "add", "a,b"}, 1, "comma"},
		{[]string{"edit", "+1 415 555 0101", "--add-labels", "gold members, Lead"}, 0, `"Gold members"`},
		{[]string{"label", "color", "lead", "12"}, 0, "Lead: colour 12"},
		{[]string{"label", "color", "lead", "20"}, 2, "not a colour"},
		{[]string{"label", "rename", "Lead", "vip"}, 1, "--merge"},
		{[]string{"label", "rename", "Lead", "vip", "--merge"}, 0, "merged: Lead → VIP"},
		{[]string{"label", "rename", "Gold members", "Gold"}, 0, "renamed: Gold members → Gold"},
		{[]string{"label", "rm", "nope"}, 1, "no label named"},
		{[]string{"label", "rm", "gold"}, 0, "deleted: Gold (1 contacts lost it)"},
		{[]string{"label", "frob"}, 2, "unknown action"},
		{[]string{"label", "sync", "on"}, 0, "label sync with WhatsApp: on"},
		{[]string{"label", "sync"}, 0, "on"},
	}
	for _, s := range steps {
		_, errOut := runStep(t, base, s.args, s.code, s.out)
		if s.code != 0 && strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: stderr is not one line: %q", s.args, errOut)
		}
	}
	ls := labelsJSON(t, base...)
	names := map[string]labelOut{}
	for _, l := range ls {
		names[l.Name] = l
	}
	if _, ok := names["Lead"]; ok || names["VIP"].Count != 2 || names["VIP"].WALabelID != "2" || !names["VIP"].Synced {
		t.Errorf("labels after merge: %+v", ls)
	}
}

func TestEditRmBlockCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	base := []string{"--sim", world, "--db", db}
	steps := []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"add", "--phone", "+1 415 555 0177"}, 2, "usage"},
		{[]string{"add", "--name", "X", "--phone", "garbage"}, 1, "not a number"},
		{[]string{"add", "--name", "Dup", "--phone", "+1 415 555 0101"}, 1, `already in the address book as "Ada Lovelace"`},
		{[]string{"add", "--name", "Temp", "--phone", "(415) 555-0177", "--internal", "--note", "call back"}, 0, `"is_internal": true`},
		{[]string{"edit", "--note", "done", "+14155550177"}, 0, `"note": "done"`},
		{[]string{"edit", "14155550177", "--internal=false"}, 0, `"is_internal": false`},
		{[]string{"edit", "14155550177"}, 2, "nothing to change"},
		{[]string{"rm", "14155550101"}, 1, "rm --hide"},
		{[]string{"rm", "14155550177"}, 0, "deleted: Temp"},
		{[]string{"rm", "14155550177"}, 1, "not in the address book"},
		{[]string{"rm", "--hide", "14155550101"}, 0, "hidden: Ada Lovelace"},
		// Nobody else holds the connection: this command sends the block
		// itself and tells WhatsApp's answer.
		{[]string{"block", "+1 415 555 0104"}, 0, "block queued: Grace Hopper"},
		{[]string{"unblock", "+1 415 555 0104", "--wait=maybe"}, 2, "--wait"},
		{[]string{"unblock"}, 2, "usage"},
	}
	for _, s := range steps {
		_, errOut := runStep(t, base, s.args, s.code, s.out)
		if s.args[0] == "block" && !strings.Contains(errOut, "WhatsApp confirmed 1 change") {
			t.Errorf("block: stderr %q, want WhatsApp's confirmation", errOut)
		}
	}
	out, _, _ := runWabook(t, append(base, "contacts")...)
	if strings.Contains(out, "Ada") {
		t.Error("hidden contact listed")
	}
	// Asked for, hidden contacts are listed, and only they.
	out, _, _ = runWabook(t, append(base, "contacts", "--query", "is:hidden")...)
	if !strings.Contains(out, "Ada Lovelace") || strings.Contains(out, "Grace") {
		t.Errorf("contacts --query is:hidden:\n%s", out)
	}
	out, _, _ = runWabook(t, append(base, "show", "14155550101")...)
	if !strings.Contains(out, "Hidden") {
		t.Errorf("show of a hidden contact:\n%s", out)
	}
}

func TestImportExportCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "w.db")
	base := []string{"--sim", world, "--db", db}
	file := filepath.Join(dir, "in.csv")
	csvText := "name;phone;labels\nZed;+1 415 555 0170;Imported\nAda;+1 415 555 0101;\nBad;abc;\n"
	if err := os.WriteFile(file, []byte(csvText), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runWabook(t, append(base, "import", file, "--dry-run", "--labels", "Batch")...)
	if code != 0 || !strings.Contains(out, "new: 1\nupdated: 1\ninvalid: 1\n") || !strings.Contains(out, `row 4: "abc": not a number`) ||
		!strings.Contains(out, "nothing imported") {
		t.Fatalf("dry run: exit %d\n%s%s", code, out, errOut)
	}
	if out, _, _ := runWabook(t, append(base, "show", "+1 415 555 0170")...); out != "" {
		t.Fatal("dry run imported")
	}
	out, errOut, code = runWabook(t, append(base, "import", "--labels", "Batch", file)...)
	if code != 0 || !strings.Contains(out, "imported: 1 new, 1 updated") {
		t.Fatalf("import: exit %d\n%s%s", code, out, errOut)
	}
	bin := filepath.Join(dir, "bin.csv")
	os.WriteFile(bin, []byte{0x7f, 'E', 'L', 'F', 0, 0, 1}, 0o600)
	if _, errOut, code := runWabook(t, append(base, "import", bin)...); code != 1 || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "not a CSV or vCard") {
		t.Errorf("binary import: exit %d, %q", code, errOut)
	}

	exp := filepath.Join(dir, "out.vcf")
	_, errOut, code = runWabook(t, append(base, "export", "-o", exp, "--query", "label:batch")...)
	if code != 0 || !strings.Contains(errOut, "exported 2 contacts") {
		t.Fatalf("export: exit %d, %q", code, errOut)
	}
	fi, err := os.Stat(exp)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("export file: %v, %v", fi, err)
	}
	data, _ := os.ReadFile(exp)
	if strings.Count(string(data), "BEGIN:VCARD") != 2 || !strings.Contains(string(data), "FN:Zed") {
		t.Errorf("vCard export:\n%s", data)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, ".wabook-export-*")); len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
	out, _, code = runWabook(t, append(base, "export", "--format", "json")...)
	var objs []contactOut
	if code != 0 || json.Unmarshal([]byte(out), &objs) != nil || len(objs) != 7 {
		t.Errorf("json export: exit %d, %d objects", code, len(objs))
	}
	for _, args := range [][]string{{"export", "--format", "xml"}, {"export", "--query", "is:bogus"}, {"import"}} {
		if _, errOut, code := runWabook(t, append(base, args...)...); code != 2 || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: exit %d, %q; want usage (2)", args, code, errOut)
		}
	}
}

// labelsJSON runs `labels --json` with the global flags given.
func labelsJSON(t *testing.T, global ...string) []labelOut {
	t.Helper()
	out, errOut, code := runWabook(t, append(global, "labels", "--json")...)
	if code != 0 {
		t.Fatalf("labels: %d %s", code, errOut)
	}
	var ls []labelOut
	if err := json.Unmarshal([]byte(out), &ls); err != nil {
		t.Fatal(err)
	}
	return ls
}
