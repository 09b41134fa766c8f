package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
)

// ReplaceLabels gives every contact exactly the labels named, in one
// transaction: an unknown contact changes nothing for the others.
func TestReplaceLabels(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := store.Open(filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ada, grace := "14155550101@s.whatsapp.net", "14155550104@s.whatsapp.net"
	if _, err := s.InsertContact(ctx, model.Contact{JID: ada, Phone: "+14155550101", FullName: "Ada"}, []string{"Old", "VIP"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.InsertContact(ctx, model.Contact{JID: grace, Phone: "+14155550104", FullName: "Grace"}, nil); err != nil {
		t.Fatal(err)
	}
	labelsOf := func(jid string) []string {
		c, err := s.Contact(ctx, jid)
		if err != nil {
			t.Fatal(err)
		}
		return c.Labels
	}
	lc, err := s.ReplaceLabels(ctx, []string{ada, grace, ada}, []string{"vip", "New"})
	if err != nil {
		t.Fatal(err)
	}
	if len(lc.Created) != 1 || !slices.Equal(labelsOf(ada), []string{"VIP", "New"}) || !slices.Equal(labelsOf(grace), []string{"VIP", "New"}) {
		t.Fatalf("after replace: created %v, Ada %v, Grace %v", lc.Created, labelsOf(ada), labelsOf(grace))
	}
	if _, err := s.ReplaceLabels(ctx, []string{ada, "14155550188@s.whatsapp.net"}, nil); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("with an unknown contact: %v", err)
	}
	if !slices.Equal(labelsOf(ada), []string{"VIP", "New"}) {
		t.Fatalf("Ada after a refused replace: %v", labelsOf(ada))
	}
	if _, err := s.ReplaceLabels(ctx, []string{ada}, nil); err != nil {
		t.Fatal(err)
	}
	if len(labelsOf(ada)) != 0 || len(labelsOf(grace)) != 2 {
		t.Fatalf("after clearing Ada: %v, Grace %v", labelsOf(ada), labelsOf(grace))
	}
}
