package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const modulePath = "github.com/wabook/wabook"

// layers says which of our top-level packages each may import (ARCHITECTURE.md,
// "Packages and which way they point"); a subpackage belongs to its parent
// (ui/… is ui, store/storetest is store) and may always import its own
// family. main wires everything and is not listed. serve is the package
// `wabook serve` will live in.
var layers = map[string][]string{
	"model": nil,
	"store": {"model"},
	"wa":    {"model"},
	"app":   {"store", "wa", "model"},
	"ui":    {"app", "model"},
	"cli":   {"app", "model"},
	"serve": {"ui", "app", "model"},
}

// layerOf is the top-level package an import path of ours belongs to ("" for
// main, ok false for a path outside the module).
func layerOf(path string) (layer string, ok bool) {
	if path == modulePath {
		return "", true
	}
	rest, ok := strings.CutPrefix(path, modulePath+"/")
	if !ok {
		return "", false
	}
	layer, _, _ = strings.Cut(rest, "/")
	return layer, true
}

// edgeProblem says why pkg may not import imp, "" when it may.
func edgeProblem(pkg, imp string) string {
	from, _ := layerOf(pkg)
	if strings.HasPrefix(imp, "go.mau.fi/whatsmeow") && !(pkg == modulePath+"/wa/wm" || strings.HasPrefix(pkg, modulePath+"/wa/wm/")) {
		return pkg + " imports " + imp + ": whatsmeow stays in wa/wm"
	}
	to, ours := layerOf(imp)
	if !ours || from == "" || from == to {
		return ""
	}
	allowed, known := layers[from]
	if !known {
		return pkg + " is in no layer: add " + from + " to the layers table and to ARCHITECTURE.md"
	}
	if !slices.Contains(allowed, to) {
		return pkg + " imports " + imp + ": " + from + " may import only " + strings.Join(allowed, ", ")
	}
	return ""
}

func TestEdgeProblem(t *testing.T) {
	m := modulePath
	tests := []struct {
		pkg, imp string
		bad      bool
	}{
		{m, m + "/store", false},
		{m, m + "/wa/wm", false},
		{m + "/ui", m + "/app", false},
		{m + "/ui/qrtext", m + "/ui", false},
		{m + "/cli", m + "/app/qrtext", false},
		{m + "/app", m + "/store/storetest", false},
		{m + "/wa/sim", m + "/wa", false},
		{m + "/serve", m + "/ui", false},
		{m + "/ui", "charm.land/bubbletea/v2", false},
		{m + "/wa/wm", "go.mau.fi/whatsmeow/types", false},
		{m + "/ui", m + "/store", true},
		{m + "/ui", m + "/wa", true},
		{m + "/cli", m + "/store", true},
		{m + "/cli", m + "/ui/qrtext", true},
		{m + "/cli", m + "/wa/sim", true},
		{m + "/app", m + "/ui", true},
		{m + "/store", m + "/wa", true},
		{m + "/wa", m + "/store", true},
		{m + "/model", m + "/store", true},
		{m + "/serve", m + "/cli", true},
		{m + "/ui", m + "/cmd", true},
		{m + "/newpkg", m + "/model", true},
		{m + "/wa", "go.mau.fi/whatsmeow", true},
		{m + "/app", "go.mau.fi/whatsmeow/types", true},
	}
	for _, tt := range tests {
		if got := edgeProblem(tt.pkg, tt.imp); (got != "") != tt.bad {
			t.Errorf("%s → %s: problem %q, want bad=%v", tt.pkg, tt.imp, got, tt.bad)
		}
	}
}

// Every import of every package of ours (tests aside: they may build a sim
// world or a store to drive what they test) follows the layers.
func TestPackageLayers(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	seen := map[string]bool{}
	for _, line := range lines {
		f := strings.Fields(line)
		seen[f[0]] = true
		for _, imp := range f[1:] {
			if p := edgeProblem(f[0], imp); p != "" {
				t.Error(p)
			}
		}
	}
	// The listing covered the tree, not just the root.
	for _, want := range []string{modulePath, modulePath + "/ui", modulePath + "/cli", modulePath + "/app", modulePath + "/wa/wm"} {
		if !seen[want] {
			t.Errorf("go list did not list %s:\n%s", want, out)
		}
	}
}
