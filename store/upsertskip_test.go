package store

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/wabook/wabook/model"
)

// An upsert large enough to compare with the stored rows first
// (skipCheckFrom) ends in the same mirror, and logs the same changed
// contacts, as the same entries given in upserts too small to: unchanged
// entries, changed strings, empty strings (never overwrite), flipped
// flags, a field holding the packing separator, new contacts, and a JID
// given twice, changed then changed back. It does so both when the stored
// rows are read in one pass over the table and when the table is large
// enough for them to be read by key.
func TestLargeUpsertSkipsOnlyWhatChangesNothing(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	base := make([]model.Contact, 1_500)
	for i := range base {
		base[i] = model.Contact{
			JID: fmt.Sprintf("1415555%04d@s.whatsapp.net", i), FullName: fmt.Sprintf("Person %d", i),
			PushName: fmt.Sprintf("P%d", i%7), IsMyContact: i%3 != 0, IsWAContact: i%5 != 0, IsBusiness: i%11 == 0,
		}
		if i%4 == 0 {
			base[i].LID = fmt.Sprintf("%d@lid", 90_000_000+i)
		}
	}
	var in []model.Contact
	for i, c := range base {
		switch i % 8 {
		case 1:
			c.FullName += " Jr"
		case 2:
			c = model.Contact{JID: c.JID, IsMyContact: c.IsMyContact, IsWAContact: c.IsWAContact, IsBusiness: c.IsBusiness}
		case 3:
			c.IsBusiness = !c.IsBusiness
		case 4:
			c.Note = "a\x1fb"
		case 5:
			c.JID, c.Phone, c.LID = fmt.Sprintf("1999555%04d@s.whatsapp.net", i), "", ""
		case 6:
			changed := c
			changed.PushName = "Other"
			in = append(in, changed) // then the original: back as it was
		case 7:
			c.LID = " " + c.LID // stored trimmed: no change
		}
		in = append(in, c)
	}
	if len(in) < skipCheckFrom {
		t.Fatalf("%d entries do not reach the skipping path", len(in))
	}

	// others fill the table so that the entries are a small part of it.
	others := make([]model.Contact, len(in)*keyedReadCost)
	for i := range others {
		others[i] = model.Contact{JID: fmt.Sprintf("1777555%05d@s.whatsapp.net", i), FullName: fmt.Sprintf("Other %d", i)}
	}
	run := func(chunk int, fill bool) (map[string]model.Contact, []string) {
		s := openTemp(t)
		if err := s.UpsertContacts(ctx, base); err != nil {
			t.Fatal(err)
		}
		if fill {
			if err := s.UpsertContacts(ctx, others); err != nil {
				t.Fatal(err)
			}
		}
		var before int64
		if err := s.db.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM contact_changes`).Scan(&before); err != nil {
			t.Fatal(err)
		}
		for from := 0; from < len(in); from += chunk {
			if err := s.UpsertContacts(ctx, in[from:min(from+chunk, len(in))]); err != nil {
				t.Fatal(err)
			}
		}
		all, err := s.AllContacts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]model.Contact{}
		for _, c := range all {
			out[c.JID] = c
		}
		jids, err := queryList(ctx, s.db, scanValue[string], `SELECT jid FROM contact_changes WHERE seq > ? ORDER BY jid`, before)
		if err != nil {
			t.Fatal(err)
		}
		return out, jids
	}
	for _, fill := range []bool{false, true} {
		large, largeChanged := run(len(in), fill)
		small, smallChanged := run(skipCheckFrom-1, fill)
		if !slices.Equal(largeChanged, smallChanged) {
			t.Errorf("fill %v: the large upsert changed %d contacts, the small ones %d", fill, len(largeChanged), len(smallChanged))
		}
		if len(largeChanged) == 0 || len(largeChanged) == len(in) {
			t.Errorf("fill %v: %d of %d changed: the entries do not test skipping", fill, len(largeChanged), len(in))
		}
		for jid, want := range small {
			got := large[jid]
			// The two runs' clocks differ; which rows were written is the
			// change log's comparison above.
			got.UpdatedAt, want.UpdatedAt = time.Time{}, time.Time{}
			got.CreatedAt, want.CreatedAt = time.Time{}, time.Time{}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("fill %v: %s: large upsert gives %+v, small ones %+v", fill, jid, got, want)
			}
		}
		if len(large) != len(small) {
			t.Errorf("fill %v: %d contacts after the large upsert, %d after the small ones", fill, len(large), len(small))
		}
	}
}
