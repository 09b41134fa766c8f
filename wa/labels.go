package wa

import (
	"context"
	"errors"
)

// ErrLabelsNotSynced is returned when a new WhatsApp Business label would
// be sent before WhatsApp has sent the account's own labels (the app-state
// collection "regular") at least once: label ids are numbers wabook picks
// after the largest it knows, so on a freshly paired device it would pick
// "1" and overwrite one of WhatsApp's built-in labels.
var ErrLabelsNotSynced = errors.New("WhatsApp has not sent this account's own labels yet")

// LabelSyncReporter is implemented by backends that know whether the
// account's labels have been received from WhatsApp since pairing.
type LabelSyncReporter interface {
	// LabelsSynced reports whether the account's labels (app state
	// "regular") have been synced at least once.
	LabelsSynced(ctx context.Context) (bool, error)
}
