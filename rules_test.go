package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The code's own rules that a compiler does not check (ARCHITECTURE.md,
// "Invariants"): nothing sleeps on the wall clock outside tests and the
// simulated account (sleeps go through an injected sleep that ends with its
// context), and the UI starts nothing with a context of its own (the
// program's context ends what it started).
func TestSourceRules(t *testing.T) {
	rules := []struct {
		what, text string
		applies    func(path string) bool
	}{
		{"time.Sleep outside tests and wa/sim", "time.Sleep(", func(p string) bool { return !strings.HasPrefix(p, "wa/sim/") }},
		{"context.Background() in ui", "context.Background()", func(p string) bool { return strings.HasPrefix(p, "ui/") }},
	}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, r := range rules {
			if r.applies(filepath.ToSlash(path)) && strings.Contains(string(src), r.text) {
				t.Errorf("%s: %s", path, r.what)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
