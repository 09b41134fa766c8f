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
