package store

import (
	"context"
	"os"
	"testing"
)

func TestZZPlan(t *testing.T) {
	p := os.Getenv("PLAN_DB")
	if p == "" {
		t.Skip()
	}
	s, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, q := range []string{
		`SELECT count(*) FROM contacts WHERE hidden = 0`,
		`SELECT ` + contactCols + contactFrom + `WHERE c.hidden = 0 ORDER BY c.sort_name, c.rowid LIMIT 150`,
		`SELECT jid, name, participant_count FROM "groups" ORDER BY name, jid`,
		`SELECT DISTINCT group_jid FROM group_members WHERE member IN ('a', 'b') ORDER BY group_jid`,
		`SELECT l.name FROM contact_labels cl JOIN labels l ON l.id = cl.label_id WHERE cl.contact_jid = 'x' ORDER BY l."order", l.name`,
	} {
		rows, err := s.db.QueryContext(context.Background(), `EXPLAIN QUERY PLAN `+q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var a, b, c int
			var d string
			rows.Scan(&a, &b, &c, &d)
			t.Log(d)
		}
		rows.Close()
		t.Log("--")
	}
}
