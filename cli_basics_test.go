package main

import (
	"encoding/json"
	"os"
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

// export takes the format from -o's extension when --format is absent,
// refuses a --format the file name contradicts, and keeps an existing file
// unless --force (issue 11, point 5).
func TestExportFormatFromFileAndNoOverwrite(t *testing.T) {
	dir := t.TempDir()
	base := []string{"--sim", world, "--db", filepath.Join(dir, "w.db")}
	vcf, csv, other := filepath.Join(dir, "out.vcf"), filepath.Join(dir, "out.CSV"), filepath.Join(dir, "out.txt")
	steps := []struct {
		name  string
		args  []string
		code  int
		err   string // in stderr
		file  string // written (or left) with this content's marker
		shape string
	}{
		{"contradiction", []string{"export", "--format", "csv", "-o", vcf}, 2, "--format csv contradicts the file name out.vcf", vcf, ""},
		{"vcf from the extension", []string{"export", "-o", vcf}, 0, "exported 6 contacts", vcf, "BEGIN:VCARD"},
		{"no overwrite", []string{"export", "--format", "vcf", "-o", vcf, "--query", "ada"}, 1, "exists; add --force", vcf, "FN:Grace Hopper"},
		{"overwrite with --force", []string{"export", "-o", vcf, "--force", "--query", "ada"}, 0, "exported 1 contacts", vcf, "FN:Ada Lovelace"},
		{"csv from an upper-case extension", []string{"export", "-o", csv}, 0, "exported 6", csv, "contact_id,"},
		{"agreeing format", []string{"export", "--format", "json", "-o", filepath.Join(dir, "a.json")}, 0, "exported 6", filepath.Join(dir, "a.json"), `"contact_id"`},
		{"other extension takes --format", []string{"export", "--format", "json", "-o", other}, 0, "exported 6", other, `"contact_id"`},
	}
	for _, s := range steps {
		_, errOut, code := runWabook(t, append(base, s.args...)...)
		if code != s.code || !strings.Contains(errOut, s.err) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%s: exit %d (want %d), stderr %q; want %q", s.name, code, s.code, errOut, s.err)
		}
		data, err := os.ReadFile(s.file)
		switch {
		case s.shape == "" && err == nil:
			t.Errorf("%s: %s was written", s.name, s.file)
		case s.shape != "" && !strings.Contains(string(data), s.shape):
			t.Errorf("%s: %s lacks %q:\n%.300s", s.name, s.file, s.shape, data)
		}
	}
	if data, _ := os.ReadFile(vcf); strings.Contains(string(data), "FN:Grace Hopper") {
		t.Errorf("--force --query ada kept the old cards:\n%s", data)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, ".wabook-export-*")); len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}
