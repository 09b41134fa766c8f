package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/store/storetest"
	"github.com/wabook/wabook/wa/wm/wmtest"
)

// TestTmuxBenchBook prepares a book for scripts/tmuxbench, which runs the
// real binary on it in tmux, and is skipped otherwise: with
// $WABOOK_TMUXBENCH_BOOK naming a database file, it writes there the
// generated book of $WABOOK_TMUXBENCH_CONTACTS contacts when the file is
// missing (storetest.WriteBook), then stores a paired WhatsApp session in
// it (wmtest.SavePairedDevice), so the binary opens on the contact list as
// it does for a user, not on the pairing screen. The session's keys are
// made up; the script runs the binary without a network.
func TestTmuxBenchBook(t *testing.T) {
	path := os.Getenv("WABOOK_TMUXBENCH_BOOK")
	if path == "" {
		t.Skip("scripts/tmuxbench sets WABOOK_TMUXBENCH_BOOK")
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		n, err := strconv.Atoi(os.Getenv("WABOOK_TMUXBENCH_CONTACTS"))
		if err != nil || n <= 0 {
			t.Fatalf("%s does not exist and WABOOK_TMUXBENCH_CONTACTS is not a number of contacts", path)
		}
		tmp := fmt.Sprintf("%s.%d.part", path, os.Getpid())
		if err := storetest.WriteBook(t.Context(), tmp, n); err != nil {
			for _, f := range []string{tmp, tmp + "-wal", tmp + "-shm"} {
				os.Remove(f) // a half-written book is never taken for one
			}
			t.Fatalf("writing the %d-contact book: %v", n, err)
		}
		if err := os.Rename(tmp, path); err != nil {
			t.Fatal(err)
		}
	}
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := wmtest.SavePairedDevice(t.Context(), st.DB(), "14155550100", false); err != nil {
		t.Fatal(err)
	}
}
