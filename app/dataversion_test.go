package app

import (
	"context"
	"testing"

	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/wa/sim"
)

// DataVersion moves with every write this process commits, whatever path
// it takes in the store (withTx: contacts and labels; checksTx: the check
// queue and SetSettings; SetSetting's own statement), by the time the
// write returns; a read leaves it. ui.Indexes and serve's lists trust
// their copy while it stays.
func TestDataVersionMovesWithEveryOwnWrite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	open, world := sameFile(t)
	st := open()
	svc := New(st, sim.New(world), Options{})

	steps := []struct {
		name string
		do   func() error
	}{
		{"AddContact", func() error {
			_, err := svc.AddContact(ctx, ContactInput{Name: "Zed Test", Phone: "+14155550199"})
			return err
		}},
		{"CreateLabel", func() error { _, _, err := svc.CreateLabel(ctx, "VIP", 3); return err }},
		{"ApplyLabels", func() error {
			_, err := svc.ApplyLabels(ctx, []string{"14155550199@s.whatsapp.net"}, []string{"VIP"}, nil)
			return err
		}},
		{"HideContact", func() error { return svc.HideContact(ctx, "14155550199@s.whatsapp.net", true) }},
		{"EnqueueCheck", func() error {
			_, err := svc.EnqueueCheck(ctx, []string{"+14155550123"}, CheckOptions{})
			return err
		}},
		{"store.SetSetting", func() error { return st.SetSetting(ctx, store.SettingLabelSync, "on") }},
		{"store.SetSettings", func() error {
			return st.SetSettings(ctx, map[string]string{store.SettingLabelSync: "off"})
		}},
	}
	for _, s := range steps {
		before := svc.DataVersion()
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if after := svc.DataVersion(); after <= before {
			t.Errorf("%s: DataVersion %d → %d, did not move", s.name, before, after)
		}
	}

	before := svc.DataVersion()
	if _, err := svc.Snapshot(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Labels(ctx); err != nil {
		t.Fatal(err)
	}
	if after := svc.DataVersion(); after != before {
		t.Errorf("reads moved DataVersion %d → %d", before, after)
	}
}
