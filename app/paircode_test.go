package app

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/wa"
	"github.com/wabook/wabook/wa/sim"
)

// phonePairer is a backend that knows its pairing code's expiry, as the
// whatsmeow adapter does.
type phonePairer struct {
	*sim.Backend
	expires time.Time
}

func (p phonePairer) PairPhoneCode(ctx context.Context, phone string) (wa.PhoneCode, error) {
	code, err := p.PairPhone(ctx, phone)
	return wa.PhoneCode{Code: code, Expires: p.expires}, err
}

// TestPairPhoneStatusCarriesExpiry: the code and until when it can be
// typed are in Status for the Account screen; the backend's expiry is used
// when it knows one, a full pairing window otherwise; pairing clears it.
func TestPairPhoneStatusCarriesExpiry(t *testing.T) {
	t.Parallel()

	unpaired := false
	for _, known := range []bool{true, false} {
		st, err := store.Open(filepath.Join(t.TempDir(), "w.db"))
		if err != nil {
			t.Fatal(err)
		}
		simBe := sim.New(&sim.World{Account: &sim.WorldAccount{Phone: "+14155550100", Paired: &unpaired, PairAfterMS: 100}})
		var be wa.Backend = simBe
		expires := time.Now().Add(97 * time.Second).Truncate(time.Second)
		if known {
			be = phonePairer{simBe, expires}
		}
		svc := New(st, be, Options{})
		ctx, cancel := context.WithCancel(context.Background())
		go svc.Run(ctx)
		before := time.Now()
		code, err := svc.PairPhone(ctx, "+14155550100")
		if err != nil {
			t.Fatal(err)
		}
		s := svc.Status()
		if s.PhoneCode != code {
			t.Fatalf("known=%v: Status.PhoneCode = %q, want %q", known, s.PhoneCode, code)
		}
		switch {
		case known && !s.PhoneCodeExpires.Equal(expires):
			t.Fatalf("expiry %s, want the backend's %s", s.PhoneCodeExpires, expires)
		case !known && (s.PhoneCodeExpires.Before(before.Add(wa.PairingWindow)) || s.PhoneCodeExpires.After(time.Now().Add(wa.PairingWindow))):
			t.Fatalf("expiry %s, want about %s from now", s.PhoneCodeExpires, wa.PairingWindow)
		}
		deadline := time.Now().Add(5 * time.Second)
		for svc.Status().PhoneCode != "" {
			if time.Now().After(deadline) {
				t.Fatalf("known=%v: the code is still shown after pairing: %+v", known, svc.Status())
			}
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		simBe.Close()
		st.Close()
	}
}
