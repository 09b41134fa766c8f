// Loading the contact index off the Update path and installing it: the
// first page, the whole book, the refreshes that follow changes.
package ui

import (
	"runtime/debug"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/wabook/wabook/model"
)

// load reads the mirror off the Update path. The first load reads only the
// first page (a query whose cost does not depend on the book's size) and
// shows it at once; the whole book follows in the background. Later loads
// (a refresh: another process, WhatsApp or this UI changed the mirror)
// read only what changed and build the next index from the one shown, in
// the background (Indexes.Latest), while that one stays on screen, so a
// change never stalls a key. Update keeps one load in flight at a time.
func (m *Model) load() tea.Cmd {
	ctx, svc, first, indexes := m.ctx, m.svc, !m.loaded, m.indexes
	sort, query := m.contacts.sort, m.contacts.search.Value()
	return func() tea.Msg {
		if first {
			page, total, err := svc.FirstPage(ctx, firstPageSize)
			if err != nil {
				return snapshotMsg{err: err}
			}
			// The page comes in the list's name order (store.ContactPage
			// orders as the index does): shown as it is.
			ix := windowIndex(page, total, window{laidOut: sortByName})
			ix.labelSync = svc.LabelSyncEnabled()
			return snapshotMsg{ix: ix}
		}
		ix, whole, err := indexes.Latest(ctx)
		if err != nil {
			return snapshotMsg{err: err}
		}
		return snapshotMsg{ix: ix, whole: whole, view: prepareView(ix, sort, query)}
	}
}

// reload refreshes the list after a change: at once, or, when a refresh
// is under way, after it (reloadPending), or, when refreshes come one
// after the other, once refreshGap times the last one's cost has passed
// since it ended. A sync sends a notice for every thousand contacts; at a
// million contacts each refresh builds an index of the whole book, and
// back to back they kept a core busy and the collector at work for the
// whole sync, which the keys felt (BenchmarkKeysDuringSync).
func (m *Model) reload() tea.Cmd {
	switch {
	case m.loading:
		m.reloadPending = true
		return nil
	case m.reloadWaiting:
		return nil
	}
	if wait := min(refreshGap*m.refreshCost, maxRefreshWait) - time.Since(m.lastRefresh); wait > 0 {
		m.reloadWaiting = true
		return tea.Tick(wait, func(time.Time) tea.Msg { return reloadDueMsg{} })
	}
	m.loading, m.loadStarted = true, time.Now()
	return m.load()
}

// refreshGap is how many times a refresh's cost must pass before the next:
// refreshes take at most a quarter of the time while changes keep coming.
const refreshGap = 3

// maxRefreshWait bounds that wait: a change shows within it after the
// refresh before has ended.
const maxRefreshWait = 2 * time.Second

// reloadDueMsg says a refresh that waited for its turn may run.
type reloadDueMsg struct{}

// firstPageSize covers the tallest terminal anyone uses.
const firstPageSize = 150

func (m *Model) installIndex(ix *index) tea.Cmd { return m.installIndexWith(ix, nil) }

// installIndexWith is installIndex with the list's order and rows prepared
// off the Update path (nil: computed here). Its command reads the contact
// the detail view shows again.
func (m *Model) installIndexWith(ix *index, v *listView) tea.Cmd {
	m.ix = ix
	m.labelSync = ix.labelSync
	c := m.contacts
	cmd := c.setIndexWith(ix, v)
	m.labels.setLabels(ix.labels)
	if ix.preview {
		// A window read while the whole book loads (window.go) holds only
		// some contacts: the detail's contact may be missing from it
		// without being deleted. The whole index reopens it.
		return cmd
	}
	c.leaveWindows()
	if m.inDetail {
		return tea.Batch(cmd, m.reopenDetail())
	}
	return cmd
}

// completeIndex returns the background work that follows an index: the
// whole book read after a preview.
func (m *Model) completeIndex(ix *index) tea.Cmd {
	switch {
	case ix.preview:
		ctx, indexes := m.ctx, m.indexes
		return func() tea.Msg {
			full, _, err := indexes.Latest(ctx)
			return indexMsg{from: ix, ix: full, err: err}
		}
	}
	return nil
}

// releaseMemory hands the pages of a replaced index back to the system: at
// 100 000 contacts an index is tens of megabytes, and the runtime would
// otherwise keep them for a while. When a build lifted the memory limit
// (Memory), it settles it: the limit holds again.
func (m *Model) releaseMemory() tea.Cmd {
	mem := m.opts.Memory
	settle := mem.settler()
	return func() tea.Msg {
		if mem.isLifted() {
			settle()
		} else {
			debug.FreeOSMemory()
		}
		return nil
	}
}

// reopenDetail reads the contact of the detail view again after a reload
// (the view keeps showing it meanwhile), or closes the view when the
// contact is gone, saying so when it was not deleted here: the cursor is
// on another contact now, which e would edit.
func (m *Model) reopenDetail() tea.Cmd {
	if m.ix.find(m.detail.jid) < 0 {
		m.inDetail = false
		if !m.detail.deleting {
			m.flash, m.flashUntilSent = model.Sanitize(m.detail.c.DisplayName())+" was deleted elsewhere", false
		}
		return nil
	}
	return m.detail.reload(m.ix)
}
