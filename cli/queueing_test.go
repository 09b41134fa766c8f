package cli

import (
	"context"
	"errors"
	"testing"
)

// A command interrupted by Ctrl-C (its context cancelled) reports in its own
// words; the outbox bookkeeping after it must not replace them with
// "context canceled".
func TestQueueingKeepsAnInterruptedCommandsWords(t *testing.T) {
	t.Parallel()

	env, _, _ := newEnv(t, checkWorld(1), newClock(), false)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	said := errors.New("import cancelled; nothing was imported")
	err := Queueing(func(ctx context.Context, env Env, args []string) error {
		cancel() // Ctrl-C while the command runs
		return said
	})(ctx, env, nil)
	if !errors.Is(err, said) {
		t.Errorf("Queueing returned %v, want the command's own %q", err, said)
	}
}
