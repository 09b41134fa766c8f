package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// The change read's cost must follow the number of changes: SQLite's plan
// for each of its queries searches every table by an index (SEARCH) and
// scans only contact_changes' primary key range.
func TestChangeQueriesScanNothing(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	s, err := Open(filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// ANALYZE-less plans are what a fresh database gets; they are the ones
	// to check.
	queries := append([]string{changedCountSQL, changedContactsSQL, changedLabelsSQL}, changedGroupsSQL[:]...)
	for _, q := range queries {
		rows, err := s.db.QueryContext(ctx, `EXPLAIN QUERY PLAN `+q, 0)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		for _, step := range plan {
			if strings.HasPrefix(step, "SCAN") || strings.Contains(step, "AUTOMATIC") ||
				strings.HasPrefix(step, "SEARCH ch") && !strings.Contains(step, "rowid>?") {
				t.Errorf("plan step %q of\n%s\nplan: %q", step, q, plan)
			}
		}
	}
}
