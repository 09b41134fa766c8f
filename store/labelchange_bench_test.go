package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
)

// labelMembers is the size of the label the recolour benchmarks change:
// a business account's "customers" label.
const labelMembers = 10_000

// bigLabel is a store with labelMembers contacts that all carry the label
// "Customers", and that label's id.
func bigLabel(b *testing.B) (*store.Store, int64) {
	b.Helper()
	s := open(b)
	cs := make([]model.Contact, labelMembers)
	jids := make([]string, labelMembers)
	for i := range cs {
		jids[i] = fmt.Sprintf("1415600%04d@s.whatsapp.net", i)
		cs[i] = model.Contact{JID: jids[i], Phone: fmt.Sprintf("+1415600%04d", i), FullName: fmt.Sprintf("Customer %d", i)}
	}
	if err := s.UpsertContacts(ctx, cs); err != nil {
		b.Fatal(err)
	}
	if _, err := s.ChangeLabels(ctx, jids, []string{"Customers"}, nil); err != nil {
		b.Fatal(err)
	}
	l, err := s.LabelByName(ctx, "Customers")
	if err != nil || l.Count != labelMembers {
		b.Fatalf("label Customers: %+v, %v", l, err)
	}
	return s, l.ID
}

// benchLabelChange times change, made with an author on the context as
// serve and the TUI make it, of the label bigLabel built (n counts the
// calls), and reports contact_changes/op: how many contacts each logged
// as changed, what every shared index then reads.
func benchLabelChange(b *testing.B, change func(who context.Context, s *store.Store, id int64, n int) error) {
	if testing.Short() {
		b.Skip("builds a 10 000-contact label")
	}
	s, id := bigLabel(b)
	who := store.WithChangedBy(ctx, "bench")
	before, err := s.ChangeMark(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n++
		if err := change(who, s, id, n); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	after, err := s.ChangeMark(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(after.Contacts-before.Contacts)/float64(n), "contact_changes/op")
}

// BenchmarkRecolourLabel10k is one SetLabelColor of a label carried by
// 10 000 contacts (benchLabelChange).
func BenchmarkRecolourLabel10k(b *testing.B) {
	benchLabelChange(b, func(who context.Context, s *store.Store, id int64, n int) error {
		return s.SetLabelColor(who, id, n%20)
	})
}

// BenchmarkRenameLabel10k is one RenameLabel of a label carried by 10 000
// contacts (benchLabelChange). A rename changes the labels every member
// shows, so each is logged as changed either way (migration 8's
// labels_log_update).
func BenchmarkRenameLabel10k(b *testing.B) {
	benchLabelChange(b, func(who context.Context, s *store.Store, id int64, n int) error {
		return s.RenameLabel(who, id, fmt.Sprintf("Customers %d", n%2))
	})
}
