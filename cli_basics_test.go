package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// Colour names work on the command line as in the UI, and a bad colour is
// one clear usage error, not Go's flag message (issue 11, point 6).
func TestLabelColourNamesOnTheCommandLine(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	base := []string{"--sim", world, "--db", db}
	steps := []struct {
		args []string
		code int
		out  string // in stdout (code 0) or stderr
	}{
		{[]string{"label", "add", "Temp", "--color", "sky"}, 0, "created: Temp (colour 1 sky)"},
		{[]string{"label", "add", "Cold", "--color", "17"}, 0, "created: Cold (colour 17 ice)"},
		{[]string{"label", "add", "Supplier"}, 0, "created: Supplier"},
		{[]string{"label", "color", "Supplier", "lime"}, 0, "Supplier: colour 9 lime"},
		{[]string{"label", "color", "Supplier", "Rose"}, 0, "Supplier: colour 11 rose"},
		{[]string{"label", "add", "Warm", "--color", "skyblue"}, 2, `--color: "skyblue" is not a colour: use a number from 0 to 19 or a name`},
		{[]string{"label", "add", "Warm", "--color", "20"}, 2, "is not a colour"},
		{[]string{"label", "color", "Supplier", "mauve"}, 2, `"mauve" is not a colour`},
	}
	for _, s := range steps {
		out, errOut, code := runWabook(t, append(base, s.args...)...)
		where := out
		if s.code != 0 {
			where = errOut
			if strings.Count(errOut, "\n") != 1 || strings.Contains(errOut, "invalid value") {
				t.Errorf("%v: stderr is not one plain line: %q", s.args, errOut)
			}
		}
		if code != s.code || !strings.Contains(where, s.out) {
			t.Errorf("%v: exit %d (want %d), stdout %q, stderr %q; want %q", s.args, code, s.code, out, errOut, s.out)
		}
	}
	out, errOut, code := runWabook(t, append(base, "labels", "--json")...)
	if code != 0 {
		t.Fatalf("labels: %d %s", code, errOut)
	}
	var ls []labelOut
	if err := json.Unmarshal([]byte(out), &ls); err != nil {
		t.Fatal(err)
	}
	colours := map[string]int{}
	for _, l := range ls {
		colours[l.Name] = l.Color
	}
	if colours["Temp"] != 1 || colours["Supplier"] != 11 || colours["Cold"] != 17 {
		t.Errorf("colours after the commands: %v", colours)
	}
	if _, ok := colours["Warm"]; ok {
		t.Errorf("a bad --color still created the label: %v", colours)
	}
}
