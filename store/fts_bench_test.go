package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/wabook/wabook/store"
)

// BenchmarkSearchFTS5Trigram is the other way a search could go: SQLite's
// full-text index with the trigram tokenizer (in modernc.org/sqlite) over
// each contact's names, phone and JID, filled on a copy of the generated
// book of 100 000 contacts (and 1 000 000 without -short). One op is one
// query answered whole, the rowids of every contact that matches: what a
// keystroke in the search box needs for its rows and their count, before
// any order or frame (the list's own search does that, and draws the frame,
// in ui's BenchmarkSearchKeystroke, "widen"). It reports matched and
// fill-s, the time the index took to fill. A word of one or two
// characters (the "m" and "ma" typed before "mar", the "vi" of label:vi)
// is beyond the trigram tokenizer, and labels, groups and is: are not
// text: FTS5 answers none of those.
func BenchmarkSearchFTS5Trigram(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			if n > 100_000 && testing.Short() {
				b.Skip("1 000 000 contacts: not with -short")
			}
			s, err := store.Open(books.Copy(b, n))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			db := s.DB()
			start := time.Now()
			if _, err := db.ExecContext(ctx, `CREATE VIRTUAL TABLE bench_fts USING fts5(hay, tokenize = 'trigram')`); err != nil {
				b.Fatal(err)
			}
			if _, err := db.ExecContext(ctx, `INSERT INTO bench_fts(rowid, hay)
				SELECT rowid, full_name||' '||first_name||' '||push_name||' '||business_name||' '||verified_name||' '||phone||' '||jid
				FROM contacts`); err != nil {
				b.Fatal(err)
			}
			fill := time.Since(start)
			for _, word := range []string{"mar"} {
				b.Run(word, func(b *testing.B) {
					matched := 0
					for b.Loop() {
						matched = 0
						rows, err := db.QueryContext(ctx, `SELECT rowid FROM bench_fts WHERE bench_fts MATCH ?`, `"`+word+`"`)
						if err != nil {
							b.Fatal(err)
						}
						for rows.Next() {
							var id int64
							if err := rows.Scan(&id); err != nil {
								b.Fatal(err)
							}
							matched++
						}
						if err := rows.Close(); err != nil {
							b.Fatal(err)
						}
					}
					if matched == 0 {
						b.Fatalf("no contact matches %q", word)
					}
					b.ReportMetric(float64(matched), "matched")
					b.ReportMetric(fill.Seconds(), "fill-s")
				})
			}
		})
	}
}
