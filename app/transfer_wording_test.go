package app

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// Ctrl-C during an import is told in words, at either step, and nothing is
// written.
func TestImportCancelledSaysSo(t *testing.T) {
	t.Parallel()

	svc, _ := worldService(t, nil)
	const file = "name,phone\nBob,+44 7911 123456\nCy,+1 415 555 0177\n"
	count := func() int {
		var n int
		if err := svc.store.DB().QueryRow(`SELECT count(*) FROM contacts`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	const want = "import cancelled; nothing was imported"

	_, err := svc.PlanImport(cancelled, strings.NewReader(file), "a.csv", "")
	if err == nil || err.Error() != want || !errors.Is(err, context.Canceled) {
		t.Errorf("PlanImport: %v, want %q (and context.Canceled)", err, want)
	}
	p, err := svc.PlanImport(context.Background(), strings.NewReader(file), "a.csv", "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.ApplyImport(cancelled, p)
	if err == nil || err.Error() != want || !errors.Is(err, context.Canceled) {
		t.Errorf("ApplyImport: %v, want %q (and context.Canceled)", err, want)
	}
	if after := count(); after != before {
		t.Errorf("%d contacts after a cancelled import, %d before", after, before)
	}
}

// A file is named by its path as given, not by its last element alone.
func TestImportNamesThePath(t *testing.T) {
	t.Parallel()

	svc, _ := worldService(t, nil)
	tests := []struct{ path, text, want string }{
		{"/dev/null", "", "/dev/null is empty"},
		{"old/contacts.csv", "name,phone\n", "old/contacts.csv: no contacts in it"},
		{"-", " \n", "the input is empty"},
	}
	for _, tt := range tests {
		_, err := svc.PlanImport(context.Background(), strings.NewReader(tt.text), tt.path, "")
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: %v, want %q", tt.path, err, tt.want)
		}
	}
}
