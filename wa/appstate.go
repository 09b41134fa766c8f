package wa

import "context"

// KV is a small persistent key-value store (the mirror's settings) in which
// a backend keeps marks that must survive a restart, such as "needs a full
// app-state resync".
type KV interface {
	Get(ctx context.Context, key string) (string, error)
	Set(ctx context.Context, key, value string) error
}

// Diagnostics is what a backend can tell about itself without connecting,
// for `wabook doctor` and the Account screen.
type Diagnostics struct {
	// AppState maps each app-state collection ("critical_unblock_low",
	// "regular", …) to the version the device store holds (0: never synced).
	AppState map[string]uint64
	// AppStateProblem says in plain words what went wrong with app state
	// (contacts and labels sync), "" when nothing.
	AppStateProblem string
	// NeedsFullResync: a full resync of the app state is due (a save was
	// interrupted, or a failure was detected).
	NeedsFullResync bool
}

// Diagnoser is implemented by backends that have Diagnostics.
type Diagnoser interface {
	Diagnostics(ctx context.Context) Diagnostics
}

// FullResyncer is implemented by backends that can fetch the app state
// (contacts, labels) again from scratch.
type FullResyncer interface {
	FullResync(ctx context.Context) error
}

// AppStateProblem reports the health of the app state (contacts and labels
// sync). Problem says in plain words what went wrong; NeedsFullResync says
// a full resync is due (FullResyncer). A backend sends it when a problem is
// found, when the mark is found at start, and when a full resync failed.
type AppStateProblem struct {
	Problem         string
	NeedsFullResync bool
}

// AppStateResynced reports a full app-state resync that completed: the
// contacts and labels it brought were sent before it, and any earlier
// AppStateProblem is over.
type AppStateResynced struct{}

func (AppStateProblem) isEvent()  {}
func (AppStateResynced) isEvent() {}
