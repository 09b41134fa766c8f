package app

import (
	"context"
	"os/user"
	"strings"
	"sync"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
)

// WithActor says who makes the writes done with ctx: wabook serve puts a
// token's name on each API request (serve/api.go) and an SSH operator's
// name (their key's comment) on their session (serve/ssh.go). The contact
// writes (AddContact, EditContact, ApplyLabels, ReplaceLabels,
// HideContact, SetHiddenUndoable, RemoveContacts, SetBlocked, ApplyImport,
// UndoChange) record it and the time on each contact they change
// (model.Contact.LastChangedBy, LastChangedAt); so do the label writes on
// each contact whose labels they change (a merge, DeleteLabel; CreateLabel
// changes none, but its undo deletes). A rename or recolour records it on
// the label alone (model.Label.ChangedBy; model.LastChange weighs the
// two). "" is the local user.
func WithActor(ctx context.Context, name string) context.Context {
	return store.WithChangedBy(ctx, strings.TrimSpace(name))
}

// ActorOf is who WithActor put on ctx, "" when nobody (the local user).
func ActorOf(ctx context.Context) string {
	who, _ := store.ChangedBy(ctx)
	return who
}

// LocalActor is who the writes of a context without an actor are
// recorded as: the OS user running wabook (the TUI and the headless
// commands), "local" when it cannot be told. A name rather than a fixed
// "this computer" because the database may be copied (wabook backup) or
// written by several users of one machine, and the name tells them apart
// as a serve token's name does.
var LocalActor = sync.OnceValue(func() string {
	if u, err := user.Current(); err == nil {
		if n := strings.TrimSpace(model.Clean(u.Username)); n != "" {
			return n
		}
	}
	return "local"
})

// attributed is ctx with its actor made explicit for the store: the local
// user when WithActor named nobody.
func attributed(ctx context.Context) context.Context {
	if ActorOf(ctx) != "" {
		return ctx
	}
	return store.WithChangedBy(ctx, LocalActor())
}
