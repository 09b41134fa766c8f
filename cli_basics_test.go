package main

import (
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/wabook/wabook/cli"
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
		_, errOut := runStep(t, base, s.args, s.code, s.out)
		if s.code != 0 && (strings.Count(errOut, "\n") != 1 || strings.Contains(errOut, "invalid value")) {
			t.Errorf("%v: stderr is not one plain line: %q", s.args, errOut)
		}
	}
	ls := labelsJSON(t, base...)
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
		{"unknown extension without --format", []string{"export", "-o", filepath.Join(dir, "out.xlsx")}, 2, `cannot tell the format from ".xlsx"`, filepath.Join(dir, "out.xlsx"), ""},
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

// emptyHome points every default path (database, config, log) into a new
// empty directory and returns it, so a test can see that nothing was made.
func emptyHome(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_DATA_HOME", filepath.Join(home, "data"))
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "config"))
	t.Setenv("WABOOK_DB", "")
	t.Setenv("WABOOK_CONFIG", "")
	return home
}

// nothingIn fails when dir holds anything.
func nothingIn(t *testing.T, what, dir string) {
	t.Helper()
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		names := make([]string, len(entries))
		for i, e := range entries {
			names[i] = e.Name()
		}
		t.Errorf("%s made %v in %s", what, names, dir)
	}
}

// An empty --db (a script's unset variable) is a usage error: it must not
// open the default database (issue 11, point 7); so are --sim and --log.
func TestEmptyPathFlagsAreUsageErrors(t *testing.T) {
	home := emptyHome(t)
	for _, args := range [][]string{
		{"--db", "", "contacts"},
		{"--db=", "contacts"},
		{"--db", ""},
		{"--sim", "", "contacts"},
		{"--sim", world, "--log", "", "contacts"},
	} {
		out, errOut, code := runWabook(t, args...)
		if code != 2 || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "is empty") {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want a usage error", args, code, out, errOut)
		}
	}
	nothingIn(t, "an empty path flag", home)
}

// --version names wabook's, Go's and whatsmeow's versions and the WhatsApp
// Web version it would announce, and creates nothing (issue 11, point 7).
func TestVersionNamesEveryVersion(t *testing.T) {
	home := emptyHome(t)
	gomod, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	wmVersion := ""
	for _, l := range strings.Split(string(gomod), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "go.mau.fi/whatsmeow" {
			wmVersion = f[1]
		}
	}
	for _, args := range [][]string{{"--version"}, {"--db", filepath.Join(home, "sub", "w.db"), "--version"}} {
		out, errOut, code := runWabook(t, args...)
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if code != 0 || errOut != "" || len(lines) < 4 {
			t.Fatalf("%q: exit %d, stderr %q\n%s", args, code, errOut, out)
		}
		want := []string{"wabook ", "Go " + runtime.Version(), "whatsmeow " + wmVersion, "WhatsApp Web 2.3000."}
		for i, w := range want {
			if !strings.HasPrefix(lines[i], w) {
				t.Errorf("%q: line %d is %q, want it to start with %q", args, i+1, lines[i], w)
			}
		}
	}
	nothingIn(t, "--version", home)
}

// Every command answers --help and help COMMAND alike, on stdout with exit
// 0, without a database: what it does, each flag with its default, and
// examples whose flags exist; wabook help lists every command (issue 11,
// point 7).
func TestEveryCommandHasHelp(t *testing.T) {
	home := emptyHome(t)
	overview, _, code := runWabook(t, "help")
	if code != 0 {
		t.Fatalf("wabook help: exit %d", code)
	}
	if long, _, _ := runWabook(t, "--help"); long != overview {
		t.Errorf("wabook --help and wabook help differ")
	}
	global := []string{"--demo", "--sim", "--sim-reset", "--db", "--region", "--log", "--wa-version", "--version"}
	flagToken := regexp.MustCompile(`(^|\s)(--?[a-z][a-z-]*)`)
	quoted := regexp.MustCompile(`'[^']*'|"[^"]*"`)
	names := slices.Sorted(maps.Keys(cli.Commands))
	if !slices.Equal(names, slices.Sorted(slices.Values(cli.Order))) {
		t.Errorf("wabook help lists %v; the commands are %v", cli.Order, names)
	}
	for _, name := range names {
		if !regexp.MustCompile(`(?m)^  ` + name + `( |$)`).MatchString(overview) {
			t.Errorf("wabook help does not list %s", name)
		}
		help, errOut, code := runWabook(t, name, "--help")
		if code != 0 || errOut != "" {
			t.Errorf("%s --help: exit %d, stderr %q", name, code, errOut)
			continue
		}
		if other, _, _ := runWabook(t, "help", name); other != help {
			t.Errorf("help %s differs from %s --help", name, name)
		}
		if h, _, _ := runWabook(t, name, "-h"); h != help {
			t.Errorf("%s -h differs from %s --help", name, name)
		}
		sections := helpSections(help)
		if !strings.HasPrefix(help, "wabook "+name+" — ") || len(help) < 200 || sections["USAGE"] == "" || sections["EXAMPLES"] == "" {
			t.Errorf("%s --help lacks what it does, its usage or examples:\n%s", name, help)
		}
		// Each flag, with its default.
		flags := map[string]bool{}
		for _, entry := range flagEntries(sections["FLAGS"]) {
			flags[strings.Fields(entry)[0]] = true
			if !strings.Contains(entry, "default") {
				t.Errorf("%s --help: flag without its default: %q", name, entry)
			}
		}
		for _, l := range strings.Split(sections["EXAMPLES"], "\n") {
			if l = strings.TrimSpace(l); l == "" || strings.HasPrefix(l, "#") {
				continue
			}
			// Quoted arguments are values, not flags.
			l = quoted.ReplaceAllString(l, "X")
			_, after, ok := strings.Cut(l+" ", " "+name+" ")
			if !ok || !strings.Contains(l, "wabook ") {
				t.Errorf("%s --help: example %q does not run %s", name, l, name)
				continue
			}
			// The command's flags come after its name (global ones before).
			for _, m := range flagToken.FindAllStringSubmatch(strings.SplitN(after, " | ", 2)[0], -1) {
				f := strings.SplitN(m[2], "=", 2)[0]
				if f != "-" && !flags[f] && !slices.Contains(global, f) {
					t.Errorf("%s --help: example %q uses %s, which the help does not describe", name, l, f)
				}
			}
		}
	}
	// The flags a trial found missing or misnamed.
	check, _, _ := runWabook(t, "check", "--help")
	for _, f := range []string{"--csv", "--force", "--json", "--max-age AGE", "--no-wait", "--region CC", "Exit status", "3 when some ended failed"} {
		if !strings.Contains(check, f) {
			t.Errorf("check --help lacks %q", f)
		}
	}
	export, _, _ := runWabook(t, "export", "--help")
	if !strings.Contains(export, "-o FILE") || strings.Contains(export, "[--o]") || !strings.Contains(export, "--force") {
		t.Errorf("export --help:\n%s", export)
	}
	// An action's help: by --help after it, or help COMMAND ACTION.
	add, _, code := runWabook(t, "label", "add", "--help")
	if other, _, _ := runWabook(t, "help", "label", "add"); code != 0 || other != add ||
		!strings.HasPrefix(add, "wabook label add — ") || !strings.Contains(add, "--color C") || !strings.Contains(add, "--wait") {
		t.Errorf("label add --help (exit %d):\n%s", code, add)
	}
	if out, errOut, code := runWabook(t, "help", "nope"); code != 2 || out != "" || !strings.Contains(errOut, `unknown command "nope"`) {
		t.Errorf("help nope: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	// Help made no database, config or log.
	nothingIn(t, "--help", home)
}

// helpSections splits a command's help into its sections by their titles
// (USAGE, FLAGS, ACTIONS, EXAMPLES).
func helpSections(help string) map[string]string {
	out := map[string]string{}
	title := ""
	for _, l := range strings.Split(help, "\n") {
		if l != "" && strings.ToUpper(l) == l && !strings.HasPrefix(l, " ") {
			title = l
			continue
		}
		if l == "" || !strings.HasPrefix(l, " ") {
			if title != "" && l == "" {
				title = ""
			}
			continue
		}
		out[title] += l + "\n"
	}
	return out
}

// flagEntries joins each flag's description lines: an entry starts at a
// flag indented by 2 or 4 (under an action's title); its description's
// further lines are indented deeper.
func flagEntries(section string) []string {
	var out []string
	for _, l := range strings.Split(section, "\n") {
		t := strings.TrimSpace(l)
		indent := len(l) - len(strings.TrimLeft(l, " "))
		switch {
		case t == "" || indent == 2 && !strings.HasPrefix(t, "-") && strings.HasSuffix(t, ":"): // "label add:"
		case indent <= 4 && strings.HasPrefix(t, "-"):
			out = append(out, t)
		case len(out) > 0:
			out[len(out)-1] += " " + t
		}
	}
	return out
}

// check exits 3, with its results printed and one line on stderr, when
// some numbers ended failed; 0 when all got an answer (issue 11, point 7).
func TestCheckExitsThreeWhenNumbersFailed(t *testing.T) {
	dir := t.TempDir()
	w := filepath.Join(dir, "world.json")
	cfg := filepath.Join(dir, "config.json")
	body := `{"account": {"phone": "+14155550100"}, "registered": ["+16315551004", "+16315551005"],
	"failing": {"+16315551005": "timeout"}}`
	for p, b := range map[string]string{w: body, cfg: `{"check_pace": "0s"}`} {
		if err := os.WriteFile(p, []byte(b), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("WABOOK_CONFIG", cfg)
	base := []string{"--sim", w, "--db", filepath.Join(dir, "w.db"), "check"}
	out, errOut, code := runWabook(t, append(base, "+16315551004", "+16315551005", "+1 631 555 1006")...)
	if code != 3 || errOut != "wabook: check job 1: 1 of 3 numbers failed; \"wabook checks retry 1\" checks them again\n" ||
		!strings.Contains(out, "timeout") || !strings.Contains(out, "valid") {
		t.Errorf("check with a failing number: exit %d, stderr %q\n%s", code, errOut, out)
	}
	if out, errOut, code := runWabook(t, append(base, "+16315551004", "+1 631 555 1006")...); code != 0 || errOut != "" || !strings.Contains(out, "invalid") {
		t.Errorf("check without failures: exit %d, stderr %q\n%s", code, errOut, out)
	}
}
