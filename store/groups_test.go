package store_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
)

const (
	grpA = "120363000000000001@g.us"
	grpB = "120363000000000002@g.us"
	grpC = "14155550101-1400000000@g.us" // old-style group JID
)

func TestReplaceGroups(t *testing.T) {
	t.Parallel()

	s := open(t)
	err := s.ReplaceGroups(ctx, []model.Group{
		{JID: grpA, Name: "Zebra fans", Participants: []string{alice, bob}},
		{JID: grpB, Name: "Aardvarks", Participants: []string{carol}, ParticipantCount: 250},
	})
	if err != nil {
		t.Fatal(err)
	}
	gs, err := s.Groups(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(gs) != 2 || gs[0].JID != grpB || gs[1].JID != grpA {
		t.Fatalf("Groups() = %+v, want ordered by name", gs)
	}
	if gs[0].ParticipantCount != 250 || gs[1].ParticipantCount != 2 {
		t.Errorf("counts = %d, %d", gs[0].ParticipantCount, gs[1].ParticipantCount)
	}
	if !slices.Equal(gs[1].Participants, []string{alice, bob}) {
		t.Errorf("participants = %q", gs[1].Participants)
	}

	// Full replacement: grpA gone with its members, grpC new.
	err = s.ReplaceGroups(ctx, []model.Group{
		{JID: grpB, Name: "Aardvarks", Participants: []string{dave, "447700900123:3@s.whatsapp.net", bobLID}},
		{JID: grpC, Name: "Old", Participants: []string{alice}},
	})
	if err != nil {
		t.Fatal(err)
	}
	gs, _ = s.Groups(ctx)
	if len(gs) != 2 || gs[0].JID != grpB || gs[1].JID != grpC {
		t.Fatalf("Groups() = %+v", gs)
	}
	if want := []string{bobLID, bob, dave}; !slices.Equal(gs[0].Participants, want) {
		t.Errorf("participants = %q, want %q (device suffix dropped)", gs[0].Participants, want)
	}
	if n := count(t, s, `SELECT count(*) FROM group_members WHERE group_jid = ?`, grpA); n != 0 {
		t.Errorf("%d members of a removed group left", n)
	}

	if err := s.ReplaceGroups(ctx, []model.Group{{JID: alice}}); !errors.Is(err, store.ErrInvalidJID) {
		t.Errorf("non-group JID = %v, want ErrInvalidJID", err)
	}
	if gs, _ := s.Groups(ctx); len(gs) != 2 {
		t.Errorf("a failed replace changed the groups: %+v", gs)
	}
}

func TestUpsertAndDeleteGroup(t *testing.T) {
	t.Parallel()

	s := open(t)
	if err := s.UpsertGroup(ctx, model.Group{JID: grpA, Name: "A", Participants: []string{alice, bob}}); err != nil {
		t.Fatal(err)
	}
	// Nil participants: a rename keeps members and count.
	if err := s.UpsertGroup(ctx, model.Group{JID: grpA, Name: "A renamed"}); err != nil {
		t.Fatal(err)
	}
	gs, _ := s.Groups(ctx)
	if len(gs) != 1 || gs[0].Name != "A renamed" || len(gs[0].Participants) != 2 || gs[0].ParticipantCount != 2 {
		t.Fatalf("after rename: %+v", gs)
	}
	// Non-nil participants replace.
	if err := s.UpsertGroup(ctx, model.Group{JID: grpA, Name: "A", Participants: []string{carol}}); err != nil {
		t.Fatal(err)
	}
	gs, _ = s.Groups(ctx)
	if !slices.Equal(gs[0].Participants, []string{carol}) || gs[0].ParticipantCount != 1 {
		t.Fatalf("after replace: %+v", gs)
	}
	if err := s.DeleteGroup(ctx, grpA); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, `SELECT count(*) FROM group_members`); n != 0 {
		t.Errorf("%d members left after DeleteGroup", n)
	}
	if err := s.DeleteGroup(ctx, grpA); err != nil {
		t.Errorf("deleting an unknown group = %v", err)
	}
}

func TestChecks(t *testing.T) {
	t.Parallel()

	s := open(t)
	if _, err := s.Check(ctx, "+14155550101"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unchecked = %v, want ErrNotFound", err)
	}
	at := time.Unix(1700000000, 0)
	in := model.CheckResult{Phone: "+5511987654321", Status: model.CheckValid, WAID: "551187654321",
		JID: "551187654321@s.whatsapp.net", VerifiedName: "Shop", CheckedAt: at}
	if err := s.PutCheck(ctx, in); err != nil {
		t.Fatal(err)
	}
	got, err := s.Check(ctx, in.Phone)
	if err != nil {
		t.Fatal(err)
	}
	if got.Phone != in.Phone || got.Status != in.Status || got.WAID != in.WAID || got.JID != in.JID ||
		got.VerifiedName != in.VerifiedName || !got.CheckedAt.Equal(at) || got.Cached {
		t.Errorf("Check = %+v, want %+v", got, in)
	}
	// Replaced by a newer result.
	if err := s.PutCheck(ctx, model.CheckResult{Phone: in.Phone, Status: model.CheckFailed, Error: "timeout"}); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Check(ctx, in.Phone)
	if got.Status != model.CheckFailed || got.Error != "timeout" || got.WAID != "" || !got.CheckedAt.After(at) {
		t.Errorf("after replace = %+v", got)
	}
	if err := s.PutCheck(ctx, model.CheckResult{Status: model.CheckValid}); err == nil {
		t.Error("PutCheck without a phone succeeded")
	}
}
