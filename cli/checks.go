package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

// Stdin is where `wabook check -` reads numbers; tests replace it.
var Stdin io.Reader = os.Stdin

// CheckResultJSON is a check result in the shape README, "Headless commands", shows.
type CheckResultJSON = app.CheckResultJSON

// NewCheckResultJSON converts a result.
func NewCheckResultJSON(r model.CheckResult) CheckResultJSON { return app.NewCheckResultJSON(r) }

// Check checks which numbers are on WhatsApp, through the persistent queue.
// Without --no-wait it waits for the job and prints one result per input,
// in input order; with it, it prints the job id and the current statuses.
//
//	wabook check [--force] [--no-wait] [--max-age D] [--region CC] [--json|--csv] [NUMBER...|-]
func Check(ctx context.Context, env Env, args []string) error {
	fs := newFlags("check")
	force := fs.Bool("force", false, "ask WhatsApp even when a cached answer is young enough")
	noWait := fs.Bool("no-wait", false, "queue the check, print the job and return at once")
	maxAge := fs.String("max-age", "", "reuse answers younger than `AGE`, such as 3d or 12h (default: check_max_age from the config file, else 7d)")
	region := fs.String("region", "", "country `CC` for numbers without a country code, such as FR (default: the global --region, else the account's)")
	asJSON := fs.Bool("json", false, "print JSON (the WhatsApp Business API's contact shape) instead of a table")
	asCSV := fs.Bool("csv", false, "print CSV instead of a table")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *asJSON && *asCSV {
		return usagef("check: use either --json or --csv, not both")
	}
	opts := app.CheckOptions{Force: *force, Region: *region}
	if *maxAge != "" {
		d, err := app.ParseAge(*maxAge)
		if err != nil {
			return usagef("check: --max-age: %v", err)
		}
		if d == 0 {
			return usagef("check: --max-age must be more than 0 (use --force to ignore the cache)")
		}
		opts.MaxAge = d
	}
	inputs, err := checkInputs(fs.Args())
	if err != nil {
		return err
	}
	if len(inputs) == 0 {
		return usagef("check: no numbers given (pass numbers as arguments, or - to read them from standard input)")
	}
	job, err := env.Svc.EnqueueCheck(ctx, inputs, opts)
	if err != nil {
		if errors.Is(err, app.ErrUnknownRegion) {
			return usagef("check: --region: %v", err)
		}
		return err
	}
	out := jobOutput{noWait: *noWait, json: *asJSON, csv: *asCSV,
		queued: fmt.Sprintf("check job %d queued: %s", job.ID, counted(job.Total, "number", "numbers"))}
	return finishJob(ctx, env, job, out)
}

// jobOutput is how check and checks retry end: whether they wait, the
// output's format, and the line that says what was queued.
type jobOutput struct {
	noWait, json, csv bool
	queued            string // "check job 3 queued: 2 numbers"
	// always says queued even when waiting (checks retry); check says it
	// only when it does not wait.
	always bool
}

func (e *FailedNumbersError) Error() string {
	why := ""
	switch {
	case e.Cancelled == e.Failed:
		why = " (cancelled)"
	case e.Cancelled > 0:
		why = fmt.Sprintf(" (%d cancelled)", e.Cancelled)
	}
	return fmt.Sprintf("check job %d: %d of %s failed%s; \"wabook checks retry %d\" checks them again",
		e.Job, e.Failed, counted(e.Total, "number", "numbers"), why, e.Job)
}

// drainWait bounds how long a check that is done waits for a batch of
// another job in flight: longer than a query takes before the adapter
// gives up on it, so only a hung call is cut off (and sent again later).
const drainWait = 90 * time.Second

// checkInputs collects the numbers: each argument is one input; "-" reads
// standard input as the Checks screen reads a paste (app.ReadNumbers: one
// number per line or separated by commas, semicolons or tabs; a CSV with a
// phone column or a vCard works too). Blank entries are dropped.
func checkInputs(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		if a == "-" {
			nums, err := app.ReadNumbers(Stdin, "")
			if err != nil {
				return nil, fmt.Errorf("reading numbers from standard input: %w", err)
			}
			out = append(out, nums...)
			continue
		}
		if strings.TrimSpace(a) != "" {
			out = append(out, strings.TrimSpace(a))
		}
	}
	return out, nil
}

func checkJSON(results []model.CheckResult) []CheckResultJSON {
	out := make([]CheckResultJSON, len(results))
	for i, r := range results {
		out[i] = NewCheckResultJSON(r)
	}
	return out
}

var checkCSVHeader = app.CheckResultsHeader

func writeCheckCSV(w io.Writer, results []model.CheckResult) error {
	return app.WriteCheckResultsCSV(w, results)
}

func writeCheckTable(w io.Writer, results []model.CheckResult) error {
	rows := make([][]string, len(results))
	for i, r := range results {
		note := r.Error
		if r.VerifiedName != "" {
			note = r.VerifiedName
		}
		if r.Cached {
			note = strings.TrimSpace(note + " (cached)")
		}
		rows[i] = []string{r.Input, r.Phone, r.Status, r.WAID, note}
	}
	return writeTable(w, []string{"INPUT", "NUMBER", "STATUS", "WA_ID", "NOTE"}, rows, []int{30, 0, 0, 0, 50})
}

// JobJSON is a check job as `wabook checks --json` prints it.
type JobJSON struct {
	ID        int64          `json:"id"`
	CreatedAt string         `json:"created_at"`
	State     app.JobState   `json:"state"`
	Total     int            `json:"total"`
	Counts    map[string]int `json:"counts"` // app.JobCounts.Map: the five statuses by name
	Cached    int            `json:"cached"`
	ETASec    int64          `json:"eta_s"`
	Error     string         `json:"error"`
	Force     bool           `json:"force"`
	MaxAge    string         `json:"max_age"`
	Region    string         `json:"region"`
}

// CheckerJSON is the queue's state as `wabook checks --json` prints it.
type CheckerJSON struct {
	Running      bool       `json:"running"`
	Paused       string     `json:"paused"`
	BackoffUntil *string    `json:"backoff_until"`
	BudgetLeft   int        `json:"budget_left"`
	BudgetTotal  int        `json:"budget_total"`
	Settings     app.Config `json:"settings"`
	// Canary is the number asked alongside the last batch; NoCanary why
	// it went without one.
	Canary         string  `json:"canary"`
	NoCanary       string  `json:"no_canary"`
	CanaryTrips    int     `json:"canary_trips"`
	LastCanaryTrip *string `json:"last_canary_trip"`
}

// Checks lists the check jobs and the queue's state; `checks retry JOB`
// queues a job's failed numbers again.
//
//	wabook checks [--json]
//	wabook checks retry JOB
func Checks(ctx context.Context, env Env, args []string) error {
	if len(args) > 0 && args[0] == "retry" {
		return checksRetry(ctx, env, args[1:])
	}
	fs := newFlags("checks")
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	if err := parseOnlyFlags(fs, args, ""); err != nil {
		return err
	}
	jobs, err := env.Svc.Jobs(ctx)
	if err != nil {
		return err
	}
	st := env.Svc.CheckerStatus()
	if *asJSON {
		out := struct {
			Checker CheckerJSON `json:"checker"`
			Jobs    []JobJSON   `json:"jobs"`
		}{Checker: CheckerJSON{Running: st.Running, Paused: st.Paused, BudgetLeft: st.BudgetLeft,
			BudgetTotal: st.BudgetTotal, Settings: st.Settings, Canary: st.Canary, NoCanary: st.NoCanary,
			CanaryTrips: st.CanaryTrips}, Jobs: make([]JobJSON, len(jobs))}
		if !st.BackoffUntil.IsZero() {
			s := rfc3339(st.BackoffUntil)
			out.Checker.BackoffUntil = &s
		}
		if !st.LastCanaryTrip.IsZero() {
			s := rfc3339(st.LastCanaryTrip)
			out.Checker.LastCanaryTrip = &s
		}
		for i, j := range jobs {
			out.Jobs[i] = JobJSON{ID: j.ID, CreatedAt: rfc3339(j.CreatedAt), State: j.State, Total: j.Total,
				Counts: j.Counts.Map(), Cached: j.Cached, ETASec: int64(j.ETA / time.Second), Error: j.Error,
				Force: j.Options.Force, MaxAge: j.Options.MaxAge.String(), Region: j.Options.Region}
		}
		return writeJSON(env.Out, out)
	}
	queue := "idle"
	switch {
	case st.Paused != "":
		queue = st.Paused
	case !st.Running && env.Holder != 0:
		queue = fmt.Sprintf("not running in this process: wabook pid %d holds the WhatsApp connection", env.Holder)
	case !st.Running:
		queue = "not running: it runs in the UI, or while a check waits"
	}
	fmt.Fprintf(env.Out, "queue: %s\nbudget: %d of %d numbers left today; batches of %d, one per %s\n",
		queue, st.BudgetLeft, st.BudgetTotal, st.Settings.CheckBatchSize, st.Settings.CheckPace)
	if line := canaryLine(st); line != "" {
		fmt.Fprintf(env.Out, "canary: %s\n", line)
	}
	fmt.Fprintln(env.Out)
	rows := make([][]string, len(jobs))
	for i, j := range jobs {
		eta := ""
		if j.ETA > 0 {
			eta = j.ETA.Round(time.Second).String()
		}
		rows[i] = []string{strconv.FormatInt(j.ID, 10), j.CreatedAt.Local().Format("2006-01-02 15:04"), string(j.State),
			strconv.Itoa(j.Total), strconv.Itoa(j.Counts.Valid), strconv.Itoa(j.Counts.Invalid),
			strconv.Itoa(j.Counts.Failed), strconv.Itoa(j.Counts.Cancelled),
			strconv.Itoa(j.Counts.Processing), strconv.Itoa(j.Cached), eta, j.Error}
	}
	return writeTable(env.Out, []string{"JOB", "CREATED", "STATE", "TOTAL", "VALID", "INVALID", "FAILED", "CANCELLED", "PROCESSING", "CACHED", "ETA", "ERROR"},
		rows, []int{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 50})
}

// canaryLine says in one line which canary the queue uses and when one
// tripped; "" before the first batch.
func canaryLine(st app.CheckerStatus) string {
	var parts []string
	switch {
	case st.Canary != "":
		parts = append(parts, st.Canary)
	case st.NoCanary != "":
		parts = append(parts, model.Sanitize(st.NoCanary))
	}
	if st.CanaryTrips > 0 {
		times := "times"
		if st.CanaryTrips == 1 {
			times = "time"
		}
		parts = append(parts, fmt.Sprintf("tripped %d %s, last at %s", st.CanaryTrips, times, st.LastCanaryTrip.Local().Format("2006-01-02 15:04:05")))
	}
	return strings.Join(parts, "; ")
}

// checksRetryFlags are the flags of checks retry.
type checksRetryFlags struct {
	fs                *flag.FlagSet
	noWait, json, csv *bool
}

func newChecksRetryFlags() checksRetryFlags {
	fs := newFlags("checks retry")
	return checksRetryFlags{fs: fs,
		noWait: fs.Bool("no-wait", false, "queue the numbers again, print the job and return at once"),
		json:   fs.Bool("json", false, "print JSON (the WhatsApp Business API's contact shape) instead of a table"),
		csv:    fs.Bool("csv", false, "print CSV instead of a table"),
	}
}

// checksRetry queues a job's failed numbers again and, like check, waits
// for them and prints the job's results (--no-wait: only queue).
//
//	wabook checks retry JOB [--no-wait] [--json|--csv]
func checksRetry(ctx context.Context, env Env, args []string) error {
	const use = "usage: wabook checks retry JOB [--no-wait] [--json|--csv]"
	f := newChecksRetryFlags()
	fs, noWait, asJSON, asCSV := f.fs, f.noWait, f.json, f.csv
	// The job number may come before the flags, as the usage shows it.
	var pos []string
	for len(args) > 0 {
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		pos, args = append(pos, fs.Arg(0)), fs.Args()[1:]
	}
	if len(pos) != 1 {
		return usagef(use)
	}
	if *asJSON && *asCSV {
		return usagef("checks retry: use either --json or --csv, not both")
	}
	id, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil || id <= 0 {
		return usagef("checks retry: %q is not a job number (see wabook checks)", pos[0])
	}
	n, err := env.Svc.RetryJob(ctx, id)
	nothing := errors.Is(err, app.ErrNothingToRetry)
	switch {
	case errors.Is(err, app.ErrNoJob):
		return fmt.Errorf("checks retry: there is no check job %d (see wabook checks)", id)
	case err != nil && !nothing:
		return fmt.Errorf("checks retry: %w", err)
	}
	job, err := env.Svc.Job(ctx, id)
	if err != nil {
		return fmt.Errorf("checks retry: %w", err)
	}
	queued := fmt.Sprintf("check job %d: %s queued again", id, counted(n, "failed or cancelled number", "failed or cancelled numbers"))
	if nothing {
		// Numbers queued again earlier (by a retry --no-wait) still wait:
		// running them is what the user asks for.
		if job.State == app.JobPaused && job.Counts.Processing > 0 {
			return fmt.Errorf("checks retry: check job %d has no failed numbers; it is paused with %s waiting: resume it on the Checks screen (p)",
				id, counted(job.Counts.Processing, "number", "numbers"))
		}
		if job.State != app.JobQueued && job.State != app.JobRunning {
			return fmt.Errorf("checks retry: check job %d has no failed numbers to retry", id)
		}
		queued = fmt.Sprintf("check job %d: no failed numbers; %s still to check", id,
			counted(job.Counts.Processing, "number", "numbers"))
	}
	out := jobOutput{noWait: *noWait, json: *asJSON, csv: *asCSV, always: true, queued: queued}
	return finishJob(ctx, env, job, out)
}
