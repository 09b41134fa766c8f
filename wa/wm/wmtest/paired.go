// Package wmtest is test support for wa/wm and for measurements of the real
// binary: a WhatsApp session stored as pairing would leave it, without
// pairing. Nothing in the wabook binary imports it.
package wmtest

import (
	"context"
	"database/sql"
	"fmt"

	"go.mau.fi/whatsmeow/proto/waAdv"
	"go.mau.fi/whatsmeow/store/sqlstore"
	"go.mau.fi/whatsmeow/types"
)

// SavePairedDevice stores in db (a wabook database, whatsmeow's tables
// created when missing) a device with an identity, as pairing would, so
// wa/wm.New loads a paired session for phone. business makes it a WhatsApp
// Business one. Its keys are made up: a connection with it would be
// refused, so whoever starts the binary on such a file keeps it off the
// network (scripts/tmuxbench runs it without one).
func SavePairedDevice(ctx context.Context, db *sql.DB, phone string, business bool) error {
	c := sqlstore.NewWithDB(db, "sqlite", nil)
	if err := c.Upgrade(ctx); err != nil {
		return fmt.Errorf("wmtest: creating the session tables: %w", err)
	}
	dev := c.NewDevice()
	jid := types.NewADJID(phone, 0, 12)
	dev.ID = &jid
	dev.LID = types.NewADJID("299999999999999", 0, 12)
	dev.LID.Server = types.HiddenUserServer
	dev.PushName = "Acme"
	dev.Platform = "android"
	if business {
		dev.BusinessName = "Acme Inc"
		dev.Platform = "smba"
	}
	dev.Account = &waAdv.ADVSignedDeviceIdentity{
		Details:             []byte{1},
		AccountSignature:    make([]byte, 64),
		AccountSignatureKey: make([]byte, 32),
		DeviceSignature:     make([]byte, 64),
	}
	if err := dev.Save(ctx); err != nil {
		return fmt.Errorf("wmtest: saving the device: %w", err)
	}
	return nil
}
