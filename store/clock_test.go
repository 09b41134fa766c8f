package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/wabook/wabook/model"
)

// The times the store writes itself come from the clock it is handed, so an
// app running on a fake clock sees a mirror on the same clock.
func TestSetClockStampsWrites(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	s := open(t)
	at := time.Date(2031, 3, 4, 5, 6, 7, 0, time.UTC)
	s.SetClock(func() time.Time { return at })

	if _, err := s.InsertContact(ctx, model.Contact{JID: "14155550101@s.whatsapp.net", FullName: "Ada"}, nil); err != nil {
		t.Fatal(err)
	}
	c, err := s.Contact(ctx, "14155550101@s.whatsapp.net")
	if err != nil {
		t.Fatal(err)
	}
	if !c.CreatedAt.Equal(at) || !c.UpdatedAt.Equal(at) {
		t.Errorf("contact created %v, updated %v; want both %v", c.CreatedAt, c.UpdatedAt, at)
	}

	if err := s.PutCheck(ctx, model.CheckResult{Phone: "+14155550101", Status: model.CheckValid}); err != nil {
		t.Fatal(err)
	}
	r, err := s.Check(ctx, "+14155550101")
	if err != nil {
		t.Fatal(err)
	}
	if !r.CheckedAt.Equal(at) {
		t.Errorf("check cached at %v, want %v", r.CheckedAt, at)
	}

	s.SetClock(nil) // back to the wall clock
	if err := s.PutCheck(ctx, model.CheckResult{Phone: "+14155550102", Status: model.CheckValid}); err != nil {
		t.Fatal(err)
	}
	if r, err := s.Check(ctx, "+14155550102"); err != nil || time.Since(r.CheckedAt) > time.Minute {
		t.Errorf("with the clock reset, check cached at %v (%v), want about now", r.CheckedAt, err)
	}
}
