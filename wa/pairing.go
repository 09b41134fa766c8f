package wa

import (
	"context"
	"time"
)

// PairingWindow is how long a pairing connection lives once it shows its
// first QR code, and so how long a pairing code asked for at that moment
// stays usable: whatsmeow shows six QR codes (60 s, then 20 s each) and
// closes the connection after the last (wa/wm/PROTOCOL.md, "Pairing").
const PairingWindow = 160 * time.Second

// PhoneCode is a pairing code to type on the phone, and until when it can
// be used (zero when unknown).
type PhoneCode struct {
	Code    string
	Expires time.Time
}

// PhoneCodePairer is implemented by backends that know how long the
// pairing code they hand out stays usable.
type PhoneCodePairer interface {
	// PairPhoneCode is Backend.PairPhone, with the code's expiry.
	PairPhoneCode(ctx context.Context, phone string) (PhoneCode, error)
}
