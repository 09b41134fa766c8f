// Package cli holds wabook's headless commands. Each writes its result to
// Env.Out (JSON, CSV or a plain table) and returns an error for main to print
// as one line.
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

// Env is what a command runs with.
type Env struct {
	Svc *app.Service
	Out io.Writer
	Err io.Writer
	// Doctor is what `wabook doctor` reports on (only doctor uses it; Svc
	// may be nil then).
	Doctor *app.DoctorInput
	// Holder is the pid of another wabook process that holds the WhatsApp
	// connection of this database, 0 when this process holds it. Only the
	// holder may run the check queue, and it does so only while a command
	// waits for a job: a command that returns at once must not start a
	// batch and walk away from it.
	Holder int
	// TakeOver takes the WhatsApp connection over when its holder has let
	// it go: true when this process holds it now (Holder is then stale).
	// Nil when this process held it from the start.
	TakeOver func(ctx context.Context) (bool, error)
	// Serve runs wabook serve with the flags the command read (main
	// wires it; only serve uses it).
	Serve func(ctx context.Context, o ServeOptions) error
}

// UsageError is a mistake in how a command was called (exit status 2).
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

func usagef(format string, args ...any) error {
	return &UsageError{Msg: fmt.Sprintf(format, args...)}
}

// newFlags returns a flag set that reports errors instead of exiting, so
// main prints them as one line.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return helpOf(fs.Name(), fs)
		}
		return usagef("%s: %v (see wabook %s --help)", fs.Name(), err, fs.Name())
	}
	return nil
}

// parseOnlyFlags is parseFlags for a command that takes no positional
// argument; hint, when not empty, is added to the error naming one.
func parseOnlyFlags(fs *flag.FlagSet, args []string, hint string) error {
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	return noArgs(fs, fs.Args(), hint)
}

// parseNoArgs is parseOnlyFlags with flags after a stray argument parsed
// too (parseArgs), so that a bad flag there is the error named.
func parseNoArgs(fs *flag.FlagSet, args []string, hint string) error {
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	return noArgs(fs, pos, hint)
}

// noArgs is the error of a command that takes no positional argument and
// was given pos; nil when pos is empty.
func noArgs(fs *flag.FlagSet, pos []string, hint string) error {
	if len(pos) == 0 {
		return nil
	}
	if hint != "" {
		hint = " (" + hint + ")"
	}
	return usagef("%s: unexpected argument %q%s", fs.Name(), pos[0], hint)
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// bidiEscaper writes bidi controls as \u escapes: still the same JSON
// string, but a terminal showing the output cannot be made to reorder it.
var bidiEscaper = strings.NewReplacer(
	"\u202a", `\u202a`, "\u202b", `\u202b`, "\u202c", `\u202c`, "\u202d", `\u202d`, "\u202e", `\u202e`,
	"\u2066", `\u2066`, "\u2067", `\u2067`, "\u2068", `\u2068`, "\u2069", `\u2069`,
	"\u200e", `\u200e`, "\u200f", `\u200f`, "\u061c", `\u061c`,
)

func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = bidiEscaper.WriteString(w, string(b)+"\n")
	return err
}

// writeTable prints aligned columns measured in display cells, so CJK and
// emoji names line up.
func writeTable(w io.Writer, header []string, rows [][]string, maxWidths []int) error {
	widths := make([]int, len(header))
	cells := make([][]string, 0, len(rows)+1)
	cells = append(cells, header)
	for _, r := range rows {
		out := make([]string, len(r))
		for i, cell := range r {
			cell = model.Sanitize(cell)
			if i < len(maxWidths) && maxWidths[i] > 0 {
				cell = model.Truncate(cell, maxWidths[i])
			}
			out[i] = cell
		}
		cells = append(cells, out)
	}
	for _, r := range cells {
		for i, cell := range r {
			widths[i] = max(widths[i], ansi.StringWidth(cell))
		}
	}
	var b strings.Builder
	for _, r := range cells {
		b.Reset()
		for i, cell := range r {
			b.WriteString(cell)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-ansi.StringWidth(cell)+2))
			}
		}
		b.WriteByte('\n')
		if _, err := io.WriteString(w, b.String()); err != nil {
			return err
		}
	}
	return nil
}

// plural words a count: "1 change", "3 changes".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
