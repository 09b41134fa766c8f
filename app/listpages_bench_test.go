package app

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkContactPage reads one window of the list from the database
// (Service.ContactPage: 150 contacts, every label, their groups, the
// count) in each order, from the start and from the end (G), at each book
// size. Name, recent and phone read along an index; chats counts every
// contact's groups and sorts the book.
func BenchmarkContactPage(b *testing.B) {
	ctx := context.Background()
	for _, n := range bookSizes() {
		svc := bookService(b, n)
		for _, o := range []struct {
			name string
			o    Order
		}{{"name", OrderName}, {"recent", OrderRecent}, {"chats", OrderChats}, {"phone", OrderPhone}} {
			for _, last := range []bool{false, true} {
				end := "first"
				if last {
					end = "last"
				}
				b.Run(fmt.Sprintf("n=%d/%s/%s", n, o.name, end), func(b *testing.B) {
					for b.Loop() {
						page, total, err := svc.ContactPage(ctx, o.o, last, 150)
						if err != nil || total != n || len(page.Contacts) != 150 {
							b.Fatalf("page: %d of %d, %v", len(page.Contacts), total, err)
						}
					}
				})
			}
		}
	}
}

// BenchmarkSearchContacts is a search through the database before the
// list's index is built (Service.SearchContacts): the time to the first
// 150 matches in name order of a common word whose matches are spread
// over the order (a last name), a first name (its matches start half-way
// through the name order) and a word no contact has, each read until the
// page is full or searchScanLimit contacts were read (the worst case),
// and a label, at each book size; matched and scanned are how many
// matched and how many contacts were read.
func BenchmarkSearchContacts(b *testing.B) {
	ctx := context.Background()
	for _, n := range bookSizes() {
		svc := bookService(b, n)
		for _, q := range []struct{ name, query string }{
			{"common", "silva"}, {"firstname", "maria"}, {"none", "zzqx"}, {"label", "label:vip"},
		} {
			b.Run(fmt.Sprintf("n=%d/%s", n, q.name), func(b *testing.B) {
				for b.Loop() {
					f, err := svc.SearchContacts(ctx, OrderName, q.query, 150)
					if err != nil {
						b.Fatal(err)
					}
					b.ReportMetric(float64(f.Matched), "matched")
					b.ReportMetric(float64(f.Scanned), "scanned")
				}
			})
		}
	}
}
