// Noticing what other processes commit to the mirror (PRAGMA data_version,
// then the change counters), as notices.
package app

import (
	"context"
	"time"
)

// watchOtherWriters tells the front ends when another process, or another
// handle on the file, has committed to the mirror (a second UI, a script
// running wabook add): DataChanged and ChecksChanged, within commitPoll.
// It reads one number per poll (store.CommitWatcher), off every front
// end's path; the notices coalesce, so a burst of commits is a few reloads.
// Commits of this process count too, when another of its connections made
// them: a reload more, never one less; whatsmeow's writes to its own tables
// do not count (store.CommitWatcher).
func (s *Service) watchOtherWriters(ctx context.Context) {
	w, err := s.store.WatchCommits(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Warn("watching for other writers", "err", err)
		}
		return
	}
	defer w.Close()
	tick := time.NewTicker(s.commitPoll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		ch, err := w.Changed(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			s.log.Warn("watching for other writers", "err", err)
		default:
			if ch.Data || ch.Checks {
				// Before the notice: whoever it wakes sees the
				// version moved (DataVersion).
				s.otherCommits.Add(1)
			}
			if ch.Data {
				s.notify(DataChanged)
			}
			if ch.Checks {
				s.notify(ChecksChanged)
			}
			if ch.Outbox {
				s.refreshOutboxCounts(ctx)
				s.kickOutbox()
			}
		}
		if s.watched != nil {
			s.watched()
		}
	}
}

// DataVersion moves whenever what the mirror holds may have changed: at
// once for this process's own commits (store.Store.Writes, counted before
// the writer returns) and, for other processes', when watchOtherWriters
// notices them (within CommitPoll), before it sends DataChanged. While it
// stays the same, a copy read from the mirror (ui.Indexes, serve's lists)
// is as fresh as a new read: they compare it rather than ask SQLite on
// every read. It only ever grows.
func (s *Service) DataVersion() uint64 {
	return s.store.Writes() + s.otherCommits.Load()
}
