package model

import (
	"strings"
	"testing"
)

func TestParsePhone(t *testing.T) {
	t.Parallel()

	tests := []struct {
		in, region string
		e164       string // "" when an error is expected
		wantRegion string
		valid      bool
		rewritten  bool
		err        string // exact error text when e164 == ""
	}{
		{in: "+1 (631) 555-1004", region: "FR", e164: "+16315551004", wantRegion: "US", valid: true},
		{in: "+14155550101", region: "", e164: "+14155550101", wantRegion: "US", valid: true},
		{in: "0044 20 7946 0958", region: "FR", e164: "+442079460958", wantRegion: "GB", valid: true},
		{in: "0044 20 7946 0958", region: "US", e164: "+442079460958", wantRegion: "GB", valid: true},
		{in: "0044 20 7946 0958", region: "", e164: "+442079460958", wantRegion: "GB", valid: true},
		{in: "011 44 20 7946 0958", region: "US", e164: "+442079460958", wantRegion: "GB", valid: true},
		{in: "06 12 34 56 78", region: "FR", e164: "+33612345678", wantRegion: "FR", valid: true},
		{in: "06 12 34 56 78", region: "fr", e164: "+33612345678", wantRegion: "FR", valid: true},
		{in: "16315551004", region: "FR", e164: "+16315551004", wantRegion: "US", valid: true},
		{in: "16315551004", region: "US", e164: "+16315551004", wantRegion: "US", valid: true},
		{in: "16315551004", region: "", e164: "+16315551004", wantRegion: "US", valid: true},
		{in: "33612345678", region: "DE", e164: "+33612345678", wantRegion: "FR", valid: true},
		{in: "(631) 555-1004", region: "US", e164: "+16315551004", wantRegion: "US", valid: true},
		{in: "4155550101", region: "US", e164: "+14155550101", wantRegion: "US", valid: true},
		{in: "6315551004", region: "US", e164: "+16315551004", wantRegion: "US", valid: true},
		{in: "tel:+1-415-555-0101", region: "", e164: "+14155550101", wantRegion: "US", valid: true},
		{in: "TEL:+14155550101;ext=12", region: "", e164: "+14155550101", wantRegion: "US", valid: true},
		{in: "  +33 6 12 34 56 78  ", region: "", e164: "+33612345678", wantRegion: "FR", valid: true},
		{in: "+800 1234 5678", region: "", e164: "+80012345678", wantRegion: "001", valid: true},
		// Brazil: old 8-digit mobile gains its ninth digit.
		{in: "+55 11 8765-4321", region: "", e164: "+5511987654321", wantRegion: "BR", valid: true, rewritten: true},
		{in: "(11) 8765-4321", region: "BR", e164: "+5511987654321", wantRegion: "BR", valid: true, rewritten: true},
		{in: "+55 11 98765-4321", region: "", e164: "+5511987654321", wantRegion: "BR", valid: true},
		// A Brazilian landline (starts 2–5) is left alone.
		{in: "+55 11 3456-7890", region: "", e164: "+551134567890", wantRegion: "BR", valid: true},
		// Possible but not valid: accepted, not sendable.
		{in: "+6315551004", region: "", e164: "+6315551004", wantRegion: "PH", valid: false},
		// Errors.
		{in: "1-800-FLOWERS", region: "US", err: "not a number"},
		{in: "xyz", region: "US", err: "not a number"},
		{in: "", region: "US", err: "not a number"},
		{in: "+-()", region: "US", err: "not a number"},
		{in: "123", region: "US", err: "too short for US"},
		{in: "253-0000", region: "US", err: "too short for US"},
		{in: "0612345", region: "FR", err: "too short for FR"},
		{in: "+1234567890123456", region: "", err: "too long"},
		{in: "+3361234567890", region: "", err: "too long"},
		{in: "+999 1234567", region: "", err: "unknown country code"},
		{in: "06 12 34 56 78", region: "", err: "no country code (start with + or give a region)"},
		{in: "06 12 34 56 78", region: "QQ", err: `unknown region "QQ"`},
	}
	for _, tt := range tests {
		t.Run(tt.in+"/"+tt.region, func(t *testing.T) {
			t.Parallel()

			p, err := ParsePhone(tt.in, tt.region)
			if p.Input != tt.in {
				t.Errorf("Input = %q", p.Input)
			}
			if tt.e164 == "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("err = %v, want %q (got %+v)", err, tt.err, p)
				}
				if p.E164 != "" || p.Sendable() {
					t.Errorf("failed parse left E164 %q", p.E164)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v, want %s", err, tt.e164)
			}
			if p.E164 != tt.e164 || p.Digits != strings.TrimPrefix(tt.e164, "+") ||
				p.Region != tt.wantRegion || p.Valid != tt.valid || p.Rewritten != tt.rewritten {
				t.Errorf("got %+v, want E164 %s region %s valid %v rewritten %v",
					p, tt.e164, tt.wantRegion, tt.valid, tt.rewritten)
			}
			if p.Sendable() != (tt.valid || tt.rewritten) {
				t.Errorf("Sendable() = %v", p.Sendable())
			}
			// A rewritten number keeps the digits as written (WhatsApp may
			// know the account by them).
			if tt.rewritten != (p.AsWritten != "") || tt.rewritten && p.AsWritten != "551187654321" {
				t.Errorf("AsWritten = %q", p.AsWritten)
			}
		})
	}
}

func TestRegionOfPhone(t *testing.T) {
	t.Parallel()

	tests := map[string]string{
		"+14155550101":                "US",
		"+33612345678":                "FR",
		"5511987654321":               "BR",
		"442079460958@s.whatsapp.net": "GB",
		"+1":                          "",
		"":                            "",
		"garbage":                     "",
	}
	for in, want := range tests {
		if got := RegionOfPhone(in); got != want {
			t.Errorf("RegionOfPhone(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseContactID(t *testing.T) {
	t.Parallel()

	tests := []struct {
		in, region, want, err string
	}{
		{in: "+1 (415) 555-0101", region: "", want: "14155550101@s.whatsapp.net"},
		{in: "(415) 555-0101", region: "US", want: "14155550101@s.whatsapp.net"},
		{in: "14155550101", region: "", want: "14155550101@s.whatsapp.net"},
		{in: "14155550101", region: "FR", want: "14155550101@s.whatsapp.net"},
		{in: "14155550101@c.us", region: "", want: "14155550101@s.whatsapp.net"},
		{in: "14155550101@s.whatsapp.net", region: "", want: "14155550101@s.whatsapp.net"},
		{in: "14155550101:12@s.whatsapp.net", region: "", want: "14155550101@s.whatsapp.net"},
		{in: " 211111111111111@lid ", region: "", want: "211111111111111@lid"},
		{in: "120363000000000001@g.us", region: "", want: "120363000000000001@g.us"},
		{in: "06 12 34 56 78", region: "FR", want: "33612345678@s.whatsapp.net"},
		{in: "xyz", region: "US", err: `not a phone number or WhatsApp ID: "xyz"`},
		{in: "abc@c.us", region: "US", err: `not a phone number or WhatsApp ID: "abc@c.us"`},
		{in: "1415@example.com", region: "US", err: `not a phone number or WhatsApp ID: "1415@example.com"`},
		{in: "@lid", region: "US", err: `not a phone number or WhatsApp ID: "@lid"`},
		{in: "123", region: "US", err: `not a phone number or WhatsApp ID: "123" (too short for US)`},
	}
	for _, tt := range tests {
		got, err := ParseContactID(tt.in, tt.region)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("ParseContactID(%q) = %q, %v; want error %q", tt.in, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseContactID(%q, %q) = %q, %v; want %q", tt.in, tt.region, got, err, tt.want)
		}
	}
}

func FuzzParsePhone(f *testing.F) {
	for _, s := range []string{"+1 (631) 555-1004", "0044 20 7946 0958", "06 12 34 56 78", "16315551004",
		"tel:+14155550101", "+55 11 8765-4321", "xyz", "00", "+", "0"} {
		f.Add(s, "FR")
		f.Add(s, "")
	}
	f.Fuzz(func(t *testing.T, in, region string) {
		p, err := ParsePhone(in, region)
		if err != nil {
			if p.E164 != "" {
				t.Fatalf("error %v with E164 %q", err, p.E164)
			}
			return
		}
		if len(p.E164) < 2 || p.E164[0] != '+' || !AllDigits(p.E164[1:]) || p.Digits != p.E164[1:] {
			t.Fatalf("ParsePhone(%q, %q) = %+v", in, region, p)
		}
		// The normalised form must read back as itself.
		q, err := ParsePhone(p.E164, "")
		if err != nil || q.E164 != p.E164 {
			t.Fatalf("re-parse of %q: %+v, %v", p.E164, q, err)
		}
	})
}

// OtherForm is the form WhatsApp may know a number by besides its normal
// one: a Brazilian mobile without its ninth digit.
func TestPhoneOtherForm(t *testing.T) {
	t.Parallel()

	for _, tt := range []struct{ in, want string }{
		{"+55 11 98765-4321", "551187654321"}, // written with it: WhatsApp may know it without
		{"+55 11 8765-4321", "551187654321"},  // written without: the parse added it
		{"+55 11 3456-7890", ""},              // a landline has no ninth digit
		{"+1 415 555 0101", ""},
	} {
		p, err := ParsePhone(tt.in, "")
		if err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		if got := p.OtherForm(); got != tt.want {
			t.Errorf("OtherForm(%s) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
