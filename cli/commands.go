package cli

import "context"

// Command is a headless command.
type Command func(ctx context.Context, env Env, args []string) error

// Spec is a headless command and what it needs from the process that runs
// it, in one place, so main only wires: main looks the command up here and
// follows Connection.
type Spec struct {
	Run Command
	// Connection says how the command uses the WhatsApp connection lock.
	Connection Connection
}

// Connection is how a command uses the WhatsApp connection.
type Connection int

const (
	// ReadsOnly: it lets the lock go once the simulated account is
	// mirrored, so that a command queueing changes meanwhile does not
	// take a wabook that sends nothing for the one that sends them.
	ReadsOnly Connection = iota
	// MayHold: it keeps the lock when it gets it — it may send the outbox
	// or run the check queue — and works without it (another wabook
	// holds it).
	MayHold
	// MustHold: it talks to WhatsApp itself and refuses to run while
	// another wabook holds the connection.
	MustHold
)

// Commands are the headless commands by name. doctor is run apart by main:
// it works without the lock or a sound database.
var Commands = map[string]Spec{
	"contacts": {Contacts, ReadsOnly},
	"show":     {Show, ReadsOnly},
	"pair":     {Pair, MustHold},
	"sync":     {Sync, MustHold},
	"logout":   {Logout, MustHold},
	"check":    {Check, MayHold},
	"checks":   {Checks, MayHold},
	"add":      {Queueing(Add), MayHold},
	"edit":     {Queueing(Edit), MayHold},
	"rm":       {Rm, ReadsOnly},
	"block":    {Queueing(Block), MayHold},
	"unblock":  {Queueing(Unblock), MayHold},
	"labels":   {Labels, ReadsOnly},
	"label":    {Queueing(Label), MayHold},
	"import":   {Queueing(Import), MayHold},
	"export":   {Export, ReadsOnly},
	"outbox":   {Outbox, MayHold},
	"backup":   {Backup, ReadsOnly},
	"doctor":   {Doctor, ReadsOnly},
	"token":    {Token, ReadsOnly},
	"serve":    {Serve, MustHold},
}

// HoldsConnection reports whether a command keeps the WhatsApp connection
// lock for its whole run when it gets it (MayHold, MustHold).
func HoldsConnection(command string) bool { return Commands[command].Connection != ReadsOnly }

// NeedsConnection reports whether a command must own the WhatsApp
// connection (and so the lock).
func NeedsConnection(command string) bool { return Commands[command].Connection == MustHold }
