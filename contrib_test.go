package main

import (
	"os"
	"strings"
	"testing"
)

// The systemd unit runs a command wabook understands: every flag of its
// ExecStart is one serve's help lists, and its reload is the SIGHUP serve
// answers by reopening the log and rereading the SSH keys.
func TestSystemdUnitRunsARealCommand(t *testing.T) {
	t.Parallel()
	unit, err := os.ReadFile("contrib/wabook.service")
	if err != nil {
		t.Fatal(err)
	}
	var exec []string
	reload := false
	for _, line := range strings.Split(string(unit), "\n") {
		if rest, ok := strings.CutPrefix(line, "ExecStart="); ok {
			exec = strings.Fields(rest)
		}
		reload = reload || strings.HasPrefix(line, "ExecReload=/bin/kill -HUP $MAINPID")
	}
	if len(exec) < 2 || exec[1] != "serve" {
		t.Fatalf("ExecStart runs %q, not wabook serve", exec)
	}
	if !reload {
		t.Error("the unit's reload is not SIGHUP")
	}
	help, errOut, code := runWabook(t, "serve", "--help")
	if code != 0 {
		t.Fatalf("serve --help: exit %d: %s", code, errOut)
	}
	for _, arg := range exec[2:] {
		if strings.HasPrefix(arg, "--") && !strings.Contains(help, arg) {
			t.Errorf("ExecStart gives %s, which serve --help does not list", arg)
		}
	}
	rotate, err := os.ReadFile("contrib/wabook.logrotate")
	if err != nil {
		t.Fatal(err)
	}
	var rules []string
	for _, line := range strings.Split(string(rotate), "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			rules = append(rules, line)
		}
	}
	if r := strings.Join(rules, "\n"); !strings.Contains(r, "systemctl reload wabook") || strings.Contains(r, "copytruncate") {
		t.Error("logrotate must reload (SIGHUP) wabook, not copy and truncate its log")
	}
}
