package app

import (
	"context"
	"io"
	"path/filepath"
	"testing"

	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/store/storetest"
	"github.com/wabook/wabook/wa/sim"
)

// service100k is a service over a fresh database holding the generated
// mirror of issue 6: 100 000 contacts, 2 000 groups, 50 labels.
func service100k(b *testing.B) (*Service, []string) {
	b.Helper()
	st, err := store.Open(filepath.Join(b.TempDir(), "w.db"))
	if err != nil {
		b.Fatal(err)
	}
	be := sim.New(accountWorld())
	b.Cleanup(func() { be.Close(); st.Close() })
	cs, gs, ls := storetest.Generate(100_000, 2_000, 50, 1)
	if err := storetest.Populate(context.Background(), st, cs, gs, ls); err != nil {
		b.Fatal(err)
	}
	jids := make([]string, len(cs))
	for i := range cs {
		jids[i] = cs[i].JID
	}
	return New(st, be, Options{}), jids
}

// countWriter counts what is written to it.
type countWriter struct{ n int64 }

func (w *countWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

// BenchmarkExportCSV100k exports the whole 100 000-contact mirror as CSV:
// reading the snapshot, ordering, neutralising and writing the cells.
func BenchmarkExportCSV100k(b *testing.B) {
	svc, jids := service100k(b)
	ctx := context.Background()
	var cw countWriter
	n, err := svc.ExportContacts(ctx, &cw, "csv", "")
	if err != nil || n != len(jids) {
		b.Fatalf("exported %d, %v; want %d", n, err, len(jids))
	}
	b.SetBytes(cw.n)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := svc.ExportContacts(ctx, io.Discard, "csv", ""); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkApplyLabels1000On100k is BenchmarkApplyLabels1000 in the
// 100 000-contact mirror: one new and one existing label on 1 000 contacts
// spread over it, in one transaction (the undo runs outside the timer).
func BenchmarkApplyLabels1000On100k(b *testing.B) {
	svc, all := service100k(b)
	ctx := context.Background()
	jids := make([]string, 1000)
	for i := range jids {
		jids[i] = all[i*len(all)/len(jids)]
	}
	b.ReportAllocs()
	for b.Loop() {
		undo, err := svc.ApplyLabels(ctx, jids, []string{"Campaign, VIP"}, nil)
		if err != nil || undo == nil {
			b.Fatal(undo, err)
		}
		b.StopTimer()
		if err := svc.UndoChange(ctx, undo); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}
