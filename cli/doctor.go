package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

// Doctor prints what a user or a support person needs when something is
// off, one fact per line (JSON with --json). It never connects to
// WhatsApp; --refresh fetches the current WhatsApp Web version now.
//
//	wabook doctor [--json] [--refresh]
func Doctor(ctx context.Context, env Env, args []string) error {
	f, err := ParseDoctorArgs(args)
	if err != nil {
		return err
	}
	if env.Doctor == nil {
		return errors.New("doctor: nothing to report on")
	}
	in := *env.Doctor
	in.Refresh = f.Refresh
	r := app.Doctor(ctx, in)
	if f.JSON {
		return writeJSON(env.Out, r)
	}
	return writeDoctor(env.Out, r)
}

// DoctorFlags are doctor's options.
type DoctorFlags struct{ JSON, Refresh bool }

// ParseDoctorArgs reads doctor's flags, so a mistake is reported before
// anything is opened.
func ParseDoctorArgs(args []string) (DoctorFlags, error) {
	var f DoctorFlags
	fs := newFlags("doctor")
	fs.BoolVar(&f.JSON, "json", false, "print JSON")
	fs.BoolVar(&f.Refresh, "refresh", false, "fetch the current WhatsApp Web version now and cache it")
	if err := parseOnlyFlags(fs, args, "usage: wabook doctor [--json] [--refresh]"); err != nil {
		return f, err
	}
	return f, nil
}

func writeDoctor(w io.Writer, r app.DoctorReport) error {
	var b strings.Builder
	line := func(key, format string, args ...any) {
		fmt.Fprintf(&b, "%-20s %s\n", key+":", model.Sanitize(fmt.Sprintf(format, args...)))
	}
	line("wabook", "%s", r.WabookVersion)

	v := r.WAVersion
	line("WhatsApp Web", "%s (%s)", v.Version, v.Source)
	if v.Note != "" {
		line("version note", "%s", v.Note)
	}
	if v.URL != "" {
		line("version page", "%s", v.URL)
	} else {
		line("version page", "off (wa_version_url)")
	}
	line("built-in version", "%s", v.BuiltIn)
	for _, k := range v.Known {
		var seen []string
		for _, s := range []struct{ what, at string }{{"fetched", k.FetchedAt}, {"connected", k.ConnectedAt}, {"refused", k.RefusedAt}} {
			if s.at != "" {
				seen = append(seen, s.what+" "+s.at)
			}
		}
		from := ""
		if k.Source != "" {
			from = " from " + k.Source
		}
		line("known version", "%s%s: %s", k.Version, from, strings.Join(seen, ", "))
	}

	d := r.Database
	line("database", "%s", d.Path)
	if d.Exists {
		line("database size", "%s", humanBytes(d.SizeBytes))
	}
	if d.Readable || d.SchemaVersion > 0 || d.SchemaNote != "" {
		v := "none"
		if d.SchemaVersion > 0 {
			v = fmt.Sprint(d.SchemaVersion)
		}
		note := ""
		if d.SchemaNote != "" {
			note = ": " + d.SchemaNote
		}
		line("schema version", "%s (this wabook writes %d)%s", v, d.SchemaExpected, note)
	}
	if d.ReadOnly {
		line("database access", "read-only for you: commands that only read work, changes fail")
	}
	if d.Warning != "" {
		line("database warning", "%s", d.Warning)
	}
	line("integrity", "%s", d.Integrity)
	if d.Error != "" {
		line("database error", "%s", d.Error)
	}
	if r.Lock.PID != 0 {
		line("lock", "held by wabook pid %d (%s)", r.Lock.PID, r.Lock.Path)
	} else {
		line("lock", "none (%s)", r.Lock.Path)
	}
	line("log", "%s", r.LogPath)
	line("config", "%s", r.ConfigPath)
	if r.ConfigError != "" {
		line("config error", "%s", r.ConfigError)
	}

	switch a := r.Account; {
	case a == nil:
		line("account", "unknown")
	case !a.Paired:
		line("account", "not paired")
	default:
		kind := "personal"
		if a.Business {
			kind = "business"
		}
		line("account", "%s %q (%s)", a.JID, a.PushName, kind)
	}
	switch {
	case r.LastSync != "":
		line("last sync", "%s", r.LastSync)
	case d.Exists && !d.Readable && d.SchemaNote != "":
		line("last sync", "unknown (%s)", d.SchemaNote)
	case d.Exists && !d.Readable:
		line("last sync", "unknown (the database could not be read)")
	default:
		line("last sync", "never")
	}

	as := r.AppState
	if !as.Known {
		line("app state", "unknown (%s)", as.Unknown)
	} else {
		line("app state", "%s", as.Versions())
		problem := as.Problem
		if problem == "" {
			problem = "none"
		}
		line("app-state problem", "%s", problem)
		line("full resync needed", "%s", yesNo(as.NeedsFullResync))
	}

	if c := r.Checks; c == nil {
		line("check queue", "unknown")
	} else {
		q := fmt.Sprintf("%s waiting, %s pending", counted(c.JobsWaiting, "job", "jobs"), counted(c.NumbersPending, "number", "numbers"))
		switch {
		case c.BackoffUntil != "":
			q += ", backing off until " + c.BackoffUntil
		case c.Paused != "":
			q += ", paused: " + c.Paused
		}
		if c.Error != "" {
			q += " (" + c.Error + ")"
		}
		line("check queue", "%s", q)
		line("check budget", "%d of %d left today", c.BudgetLeft, c.BudgetTotal)
	}
	switch o := r.Outbox; {
	case o == nil:
		line("outbox", "unknown")
	case o.Error != "":
		line("outbox", "unknown (%s)", o.Error)
	default:
		line("outbox", "%s waiting for WhatsApp, %d failed (wabook outbox)", counted(o.Pending, "change", "changes"), o.Failed)
	}
	if r.Unknown != "" {
		line("unknown", "%s", r.Unknown)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// counted says "1 job", "3 jobs".
func counted(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
