package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/store/storetest"
)

func TestZZParts(t *testing.T) {
	ctx := context.Background()
	cs, gs, ls := storetest.Generate(100_000, 2_000, 50, 1)
	s, err := store.Open(filepath.Join(t.TempDir(), "bench.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := storetest.Populate(ctx, s, cs, gs, ls); err != nil {
		t.Fatal(err)
	}
	qs := []string{
		`SELECT c.jid||x'1f'||c.phone||x'1f'||c.lid||x'1f'||c.full_name||x'1f'||c.first_name||x'1f'||c.push_name||x'1f'||c.business_name||x'1f'||c.verified_name||x'1f'||c.about||x'1f'||c.avatar_id||x'1f'||c.avatar_url||x'1f'||c.note||x'1f'||c.source||x'1f'||coalesce(k.status, '')||x'1f'||(c.is_my_contact|c.is_wa_contact<<1|c.is_blocked<<2|c.is_internal<<3|c.is_business<<4)||x'1f'||c.created_at||x'1f'||c.updated_at FROM contacts c LEFT JOIN checks k ON k.phone = c.phone`,
		`SELECT c.jid||x'1f'||c.phone||x'1f'||c.lid||x'1f'||c.full_name||x'1f'||c.first_name||x'1f'||c.push_name||x'1f'||c.business_name||x'1f'||c.verified_name||x'1f'||c.about||x'1f'||c.avatar_id||x'1f'||c.avatar_url||x'1f'||c.note||x'1f'||c.source||x'1f'||coalesce(k.status, '')||x'1f'||(c.is_my_contact|c.is_wa_contact<<1|c.is_blocked<<2|c.is_internal<<3|c.is_business<<4)||x'1f'||c.created_at||x'1f'||c.updated_at||x'1f'||coalesce((SELECT group_concat(label_id) FROM contact_labels WHERE contact_jid = c.jid), '')||x'1f'||coalesce((SELECT group_concat(group_jid) FROM group_members WHERE member IN (c.jid, c.lid)), '') FROM contacts c LEFT JOIN checks k ON k.phone = c.phone`,
		`SELECT contact_jid||x'1f'||label_id FROM contact_labels`,
		`SELECT group_jid||x'1f'||member FROM group_members`,
		`SELECT group_jid, member FROM group_members`,
	}
	for _, q := range qs {
		for i := 0; i < 2; i++ {
			c0, w0 := cpu(), time.Now()
			rows, err := s.DB().QueryContext(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			cols, _ := rows.Columns()
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			n := 0
			for rows.Next() {
				rows.Scan(ptrs...)
				n++
			}
			rows.Close()
			t.Logf("%d rows cpu %v wall %v: %.60s", n, cpu()-c0, time.Since(w0), q)
		}
	}
}
