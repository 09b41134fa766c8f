// Waiting for a check job: running the queue or waiting for the holder (and
// taking it over when it quits), printing the results, exit 3.
package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

// finishJob waits for the job unless told not to, then prints its results,
// one per input in input order. Without waiting it also says who will run
// the job. The line saying what was queued goes to stdout before a table,
// to stderr beside JSON or CSV (except in --no-wait JSON, which carries the
// job id).
func finishJob(ctx context.Context, env Env, job app.Job, o jobOutput) error {
	svc := env.Svc
	wait := !o.noWait && (job.State == app.JobQueued || job.State == app.JobRunning)
	said := o.queued
	switch {
	case wait || job.State == app.JobDone:
		if !o.always {
			said = ""
		}
	case job.State == app.JobPaused:
		said += "; the job is paused: resume it on the Checks screen (p) to run it"
	case env.Holder != 0:
		said += fmt.Sprintf("; wabook pid %d holds the WhatsApp connection and runs it (see wabook checks)", env.Holder)
	default:
		said += "; it runs when wabook next runs the check queue: the UI, or a check that waits (see wabook checks)"
	}
	if said != "" && !(o.json && o.noWait) {
		if o.json || o.csv {
			fmt.Fprintf(env.Err, "wabook: %s\n", said)
		} else {
			fmt.Fprintln(env.Out, said)
		}
	}
	if wait {
		if err := waitForJob(ctx, env, job.ID); err != nil {
			return err
		}
	}
	results, err := svc.JobResults(ctx, job.ID)
	if err != nil {
		return err
	}
	switch {
	case o.csv:
		err = writeCheckCSV(env.Out, results)
	case o.json && o.noWait:
		out := struct {
			JobID   int64             `json:"job_id"`
			Results []CheckResultJSON `json:"results"`
		}{job.ID, checkJSON(results)}
		err = writeJSON(env.Out, out)
	case o.json:
		err = writeJSON(env.Out, checkJSON(results))
	default:
		err = writeCheckTable(env.Out, results)
	}
	if err != nil {
		return err
	}
	return failedNumbers(job.ID, results)
}

// FailedNumbersError says that a check job's results, printed in full,
// include numbers without an answer: WhatsApp errors, "no answer", or
// cancelled. main exits 3 on it, so a script can tell "some numbers need
// another try" from an error (1) and a usage mistake (2).
type FailedNumbersError struct {
	Job                      int64
	Failed, Cancelled, Total int // Failed counts the cancelled ones too
}

// failedNumbers is a FailedNumbersError when some of results failed.
func failedNumbers(job int64, results []model.CheckResult) error {
	e := &FailedNumbersError{Job: job, Total: len(results)}
	for _, r := range results {
		if r.Status == model.CheckFailed {
			e.Failed++
			if r.Error == app.CancelledError {
				e.Cancelled++
			}
		}
	}
	if e.Failed == 0 {
		return nil
	}
	return e
}

// waitForJob waits for the job, telling on stderr (once per change) why
// the queue is not moving.
func waitForJob(ctx context.Context, env Env, id int64) error {
	svc := env.Svc
	// runQueue: this process holds the connection and stays for the
	// answers: it runs the queue until the job is done.
	runQueue := func() error {
		if !svc.Status().Account.Paired {
			return fmt.Errorf("check job %d is queued, but this account is not paired: run \"wabook pair\" first", id)
		}
		svc.StartChecker(ctx)
		svc.StartOutbox(ctx) // holding the connection, it sends what others queue
		if svc.Status().Conn == app.StateOffline {
			if err := svc.Connect(ctx); err != nil {
				return err
			}
		}
		return nil
	}
	if env.Holder == 0 {
		if err := runQueue(); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(env.Err, "wabook: wabook pid %d holds the WhatsApp connection and runs the queue; waiting for it to check job %d (Ctrl-C stops waiting, the job stays queued)\n", env.Holder, id)
	}
	// The process ends with the wait: a batch of another job in flight is
	// still answered and stored (not sent again next time), none started.
	drain := func() {
		if env.Holder != 0 {
			return
		}
		dctx, cancel := context.WithTimeout(ctx, drainWait)
		defer cancel()
		svc.StopCheckerAfterBatch(dctx)
	}
	said := ""
	for {
		wctx, cancel := context.WithTimeout(ctx, time.Second)
		err := svc.WaitJob(wctx, id)
		cancel()
		switch {
		case err == nil:
			drain()
			return nil
		case ctx.Err() != nil:
			return fmt.Errorf("stopped waiting; check job %d stays queued (see wabook checks)", id)
		case !errors.Is(err, context.DeadlineExceeded):
			drain()
			return err
		}
		if env.Holder != 0 {
			// The holder may have quit: then this one runs the queue.
			took, err := takeOver(ctx, env, "runs the queue now")
			if err != nil {
				return fmt.Errorf("%w; check job %d stays queued", err, id)
			}
			if took {
				env.Holder = 0
				if err := runQueue(); err != nil {
					return fmt.Errorf("%w; check job %d stays queued", err, id)
				}
			}
		}
		if p := svc.CheckerStatus().Paused; p != said {
			said = p
			if p != "" {
				fmt.Fprintf(env.Err, "wabook: %s\n", p)
			}
		}
	}
}
