// The check queue seen from outside: the worker's status, the day's budget,
// ETAs, and saving a job's valid numbers as contacts.
package app

import (
	"context"
	"fmt"
	"time"

	"github.com/wabook/wabook/model"
)

// CheckerStatus says what the check queue's worker is doing.
type CheckerStatus struct {
	// Running: the worker runs in this process (it holds the WhatsApp
	// connection). Another process may run the queue when false.
	Running bool
	// Paused says why nothing is being sent while jobs wait, in plain
	// words ("daily budget of 1000 numbers spent; resumes tomorrow"); ""
	// when sending or idle.
	Paused string
	// BackoffUntil is when sending resumes after WhatsApp refused a check
	// (rate-overlimit) or a call failed; zero when not backing off.
	BackoffUntil time.Time
	// BudgetLeft of BudgetTotal numbers may still be checked today.
	BudgetLeft  int
	BudgetTotal int
	Settings    Config
	// Canary is the number asked alongside the last batch to catch a
	// server that answers "not on WhatsApp" for everything; "" when that
	// batch went without one, and then NoCanary says why in plain words.
	Canary   string
	NoCanary string
	// CanaryTrips is how many batches were not believed because their
	// canary came back "not on WhatsApp"; LastCanaryTrip the last time
	// (zero when never).
	CanaryTrips    int
	LastCanaryTrip time.Time
}

// CheckerStatus reports the worker's state, the day's budget and any
// backoff. It reads the store, so it also tells about a queue another
// process runs.
func (s *Service) CheckerStatus() CheckerStatus {
	c := s.chk
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	c.mu.Lock()
	st := CheckerStatus{Running: c.running, Paused: c.paused}
	c.mu.Unlock()
	st.Settings = c.cfg
	st.BudgetTotal = c.cfg.CheckDailyBudget
	now := c.clock()
	used, err := s.store.CheckBudgetUsed(ctx, s.checkAccount(), dayOf(now))
	if err != nil {
		s.log.Warn("reading the check budget", "err", err)
	}
	st.BudgetLeft = max(0, st.BudgetTotal-used)
	cst, bo := s.loadCheckState(ctx)
	reason := bo.reason
	if bo.until.After(now) {
		st.BackoffUntil = bo.until
	}
	st.Canary, st.NoCanary, st.CanaryTrips, st.LastCanaryTrip = cst.last, cst.note, cst.trips, cst.lastTrip
	if !st.Running {
		switch {
		case !st.BackoffUntil.IsZero():
			st.Paused = reason
		case st.BudgetLeft == 0:
			st.Paused = budgetReason(c.cfg)
		}
	}
	return st
}

// eta estimates how long n numbers take to check.
func eta(n int, st CheckerStatus, now time.Time) time.Duration {
	cfg := st.Settings
	batches := func(k int) time.Duration {
		return time.Duration((k+cfg.CheckBatchSize-1)/cfg.CheckBatchSize) * cfg.CheckPace
	}
	var d time.Duration
	if st.BackoffUntil.After(now) {
		d = st.BackoffUntil.Sub(now)
	}
	if n <= st.BudgetLeft {
		return d + batches(n)
	}
	rest := n - st.BudgetLeft
	d = max(d, batches(st.BudgetLeft))
	d = max(d, nextDay(now).Sub(now))
	days := (rest - 1) / cfg.CheckDailyBudget
	d += time.Duration(days) * 24 * time.Hour
	return d + batches(rest-days*cfg.CheckDailyBudget)
}

// SaveValidAsContacts saves every valid result of a job as a contact, with
// labels, in one transaction, and returns how many contacts that is. A
// number not yet in the address book becomes a local contact (JID from the
// wa_id WhatsApp answered with, phone the number checked); an existing
// contact is kept and gains the labels. One person stays one contact: a
// contact kept under another form of the number than WhatsApp's ID (an
// import adds a Brazilian mobile's ninth digit, WhatsApp may know it
// without) moves to WhatsApp's ID with its name, labels and note. labels are names, each possibly a comma-separated list ("VIP,
// new customer"); names are matched ignoring case and missing ones are
// created.
func (s *Service) SaveValidAsContacts(ctx context.Context, jobID int64, labels []string) (int, error) {
	if err := s.writable(ctx); err != nil {
		return 0, err
	}
	var names []string
	for _, l := range labels {
		for _, n := range model.SplitLabelList(l) {
			if err := model.ValidateLabelName(n); err != nil {
				return 0, fmt.Errorf("label %q: %w", n, err)
			}
			dup := false
			for _, seen := range names {
				dup = dup || model.SameLabelName(seen, n)
			}
			if !dup {
				names = append(names, n)
			}
		}
	}
	results, err := s.JobResults(ctx, jobID)
	if err != nil {
		return 0, err
	}
	var cs []model.Contact
	for _, r := range results {
		if r.Status != model.CheckValid || r.WAID == "" {
			continue
		}
		// The phone is the number checked, the JID WhatsApp's ID for it:
		// the store moves a contact kept under the number's own form.
		phone := r.Phone
		if phone == "" {
			phone = "+" + r.WAID
		}
		cs = append(cs, model.Contact{
			JID:          model.JIDFromDigits(r.WAID),
			Phone:        phone,
			VerifiedName: r.VerifiedName,
			IsWAContact:  true,
			Source:       model.SourceLocal,
		})
	}
	if len(cs) == 0 {
		return 0, nil
	}
	n, err := s.store.SaveCheckedContacts(ctx, cs, names)
	if err != nil {
		return 0, fmt.Errorf("saving contacts: %w", err)
	}
	s.notify(DataChanged)
	s.outboxQueued(ctx) // the labels, with label sync on
	return n, nil
}

func budgetReason(cfg Config) string {
	return fmt.Sprintf("daily budget of %d numbers spent; resumes tomorrow", cfg.CheckDailyBudget)
}

func dayOf(t time.Time) string { return t.Format("2006-01-02") }

func nextDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, t.Location())
}
