package cli

import (
	"context"
	"flag"
	"fmt"
)

const tokenUsage = "usage: wabook token add NAME [--read-only] | ls [--json] | rm NAME"

// Token manages the tokens of wabook serve's HTTP APIs. A change counts at
// once in a serve running on the same database: it reads the tokens at
// every request.
//
//	wabook token add NAME [--read-only]
//	wabook token ls [--json]
//	wabook token rm NAME
func Token(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 {
		return usagef("%s", tokenUsage)
	}
	act, rest := args[0], args[1:]
	switch act {
	case "add", "ls", "rm":
	case "-h", "-help", "--help":
		return helpOf("token", nil)
	default:
		return usagef("token: unknown action %q; %s", act, tokenUsage)
	}
	fs, readOnly, asJSON := tokenFlags(act)
	pos, err := parseArgs(fs, rest)
	if err != nil {
		return err
	}
	switch act {
	case "add":
		if len(pos) != 1 {
			return usagef("usage: wabook token add NAME [--read-only]")
		}
		secret, err := env.Svc.AddToken(ctx, pos[0], *readOnly)
		if err != nil {
			return err
		}
		kind := "full"
		if *readOnly {
			kind = "read-only"
		}
		// The secret alone on stdout, so TOKEN=$(wabook token add NAME)
		// works; what it is goes to stderr.
		fmt.Fprintf(env.Err, "%s token %q (shown this once; wabook keeps only its hash):\n", kind, pos[0])
		_, err = fmt.Fprintln(env.Out, secret)
		return err
	case "rm":
		if len(pos) != 1 {
			return usagef("usage: wabook token rm NAME")
		}
		if err := env.Svc.RemoveToken(ctx, pos[0]); err != nil {
			return err
		}
		_, err := fmt.Fprintf(env.Out, "removed token %q\n", pos[0])
		return err
	}
	if len(pos) != 0 {
		return usagef("usage: wabook token ls [--json]")
	}
	toks, err := env.Svc.Tokens(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(env.Out, toks) // never nil: [] when there is none
	}
	if len(toks) == 0 {
		_, err := fmt.Fprintln(env.Err, "no tokens yet (wabook token add NAME)")
		return err
	}
	rows := make([][]string, len(toks))
	for i, t := range toks {
		access := "full"
		if t.ReadOnly {
			access = "read-only"
		}
		rows[i] = []string{t.Name, access, rfc3339(t.Created)}
	}
	return writeTable(env.Out, []string{"NAME", "ACCESS", "CREATED"}, rows, nil)
}

// tokenFlags is the flag set of a token action: --read-only for add,
// --json for ls.
func tokenFlags(act string) (fs *flag.FlagSet, readOnly, asJSON *bool) {
	fs = newFlags("token " + act)
	readOnly, asJSON = new(bool), new(bool)
	switch act {
	case "add":
		fs.BoolVar(readOnly, "read-only", false, "the token reads contacts and cached check results only: no writes, no spending of the check budget")
	case "ls":
		fs.BoolVar(asJSON, "json", false, "print JSON instead of a table")
	}
	return fs, readOnly, asJSON
}
