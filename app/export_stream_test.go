package app

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/wabook/wabook/store/storetest"
)

// The export, which streams the book from the store, writes exactly what
// filtering and sorting the whole snapshot in memory (FilterContacts) and
// writing it writes, in every format, for queries on words, numbers,
// labels, groups and hidden contacts, over a book with accented and
// upper-case names, hidden contacts and a note holding the store's packing
// separator.
func TestExportStreamsWhatTheSnapshotGives(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	svc := serviceOn(t, filepath.Join(t.TempDir(), "w.db"))
	st := svc.store
	cs, gs, ls := storetest.Generate(2_000, 40, 20, 5)
	cs[3].FullName, cs[4].FullName, cs[5].FullName = "Ángela Ruiz", "ángela ruiz", "ZOË"
	cs[6].Note = "odd\x1fnote"
	if err := storetest.Populate(ctx, st, cs, gs, ls); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetHiddenMany(ctx, []string{cs[7].JID, cs[8].JID, cs[9].JID}, true); err != nil {
		t.Fatal(err)
	}
	snap, err := svc.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, query := range []string{"", "mar", "+55", "label:vip", "group:family", "is:hidden", "-is:saved label:lead", "ángela"} {
		want, err := FilterContacts(snap, query)
		if err != nil {
			t.Fatal(err)
		}
		if query != "" && len(want) == 0 {
			t.Fatalf("%q matches nothing: it tests nothing", query)
		}
		for _, format := range []string{"csv", "vcf", FormatVCard4, "json"} {
			var ref bytes.Buffer
			switch format {
			case "csv":
				err = WriteContactsCSV(&ref, want)
			case "vcf":
				err = WriteContactsVCardVersion(&ref, want, VCard3)
			case FormatVCard4:
				err = WriteContactsVCardVersion(&ref, want, VCard4)
			case "json":
				out := make([]ContactJSON, len(want))
				for i, c := range want {
					out[i] = NewContactJSON(c, LabelColorsOf(snap.Labels))
				}
				var b []byte
				b, err = json.MarshalIndent(out, "", "  ")
				ref.Write(append(b, '\n'))
			}
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			n, err := svc.ExportContacts(ctx, &got, format, query)
			if err != nil || n != len(want) {
				t.Fatalf("%s %q: exported %d, %v; want %d", format, query, n, err, len(want))
			}
			if !bytes.Equal(got.Bytes(), ref.Bytes()) {
				t.Errorf("%s %q: the export differs from the snapshot's (%d and %d bytes)\n%s", format, query, got.Len(), ref.Len(), firstDiff(got.String(), ref.String()))
			}
		}
	}
	var none bytes.Buffer
	if n, err := svc.ExportContacts(ctx, &none, "json", "label:nosuchlabel"); err != nil || n != 0 || none.String() != "[]\n" {
		t.Errorf("an empty JSON export: %d, %v, %q", n, err, none.String())
	}
}

// firstDiff shows where two texts part.
func firstDiff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(0, i-80)
	return "got:  " + a[from:min(len(a), i+80)] + "\nwant: " + b[from:min(len(b), i+80)]
}
