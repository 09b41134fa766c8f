package store_test

import (
	"cmp"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store/storetest"
)

// ContactsSorted gives what AllContacts gives, filtered and stably sorted
// by the same key, whether the kept contacts fit in one run or are merged
// from many written to disk: shown and hidden contacts, a key that looks
// at labels and groups, equal keys, a member known by LID only, a field
// holding the packed rows' separator. The runs' file leaves nothing
// beside the database.
func TestContactsSortedReadsWhatAllContactsReads(t *testing.T) {
	t.Parallel()
	s := streamBook(t)
	for _, jid := range []string{"12025550101@s.whatsapp.net", "12025550102@s.whatsapp.net", "12025550103@s.whatsapp.net"} {
		if _, err := s.InsertContact(ctx, model.Contact{JID: jid, Phone: "+" + model.JIDUser(jid), FullName: "Same Name", Source: model.SourceLocal}, nil); err != nil {
			t.Fatal(err)
		}
	}
	all, err := s.AllContacts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byName := func(c *model.Contact) (string, bool) { return strings.ToLower(c.DisplayName()), true }
	withLists := func(c *model.Contact) (string, bool) {
		return strings.ToLower(c.DisplayName()), len(c.Labels) > 0 || len(c.Groups) > 1
	}
	for _, run := range []int{0, 2_000} {
		s.SetExportRun(run)
		for _, hidden := range []bool{false, true} {
			for name, key := range map[string]func(*model.Contact) (string, bool){"by name": byName, "with lists": withLists} {
				var want []model.Contact
				for _, c := range all {
					if _, ok := key(&c); ok && c.Hidden == hidden {
						want = append(want, c)
					}
				}
				slices.SortStableFunc(want, func(a, b model.Contact) int {
					ka, _ := key(&a)
					kb, _ := key(&b)
					return cmp.Compare(ka, kb)
				})
				var got []model.Contact
				n, err := s.ContactsSorted(ctx, hidden, key, func(c *model.Contact) error {
					got = append(got, *c)
					return nil
				})
				if err != nil || n != len(want) || len(got) != len(want) {
					t.Fatalf("run %d, hidden %v, %s: %d (%d handed), %v; want %d", run, hidden, name, n, len(got), err, len(want))
				}
				for i := range want {
					if !storetest.SameContact(got[i], want[i]) {
						t.Fatalf("run %d, hidden %v, %s: contact %d is\n%+v\nwant\n%+v", run, hidden, name, i, got[i], want[i])
					}
				}
			}
		}
	}
	entries, err := os.ReadDir(filepath.Dir(s.Path()))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), "export") {
			t.Errorf("left beside the database: %s", e.Name())
		}
	}

	stop := errors.New("enough")
	s.SetExportRun(2_000)
	calls := 0
	_, err = s.ContactsSorted(ctx, false, byName, func(*model.Contact) error {
		if calls++; calls == 10 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 10 {
		t.Fatalf("after emit's error at the 10th: %v, %d calls", err, calls)
	}
}
