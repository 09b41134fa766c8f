package ui

import "github.com/wabook/wabook/app"

// buildIndex prepares a snapshot (its contacts and hidden ones) for
// display and search, as fullIndex does a read: tests and benchmarks
// build from snapshots. snap is left as it is.
func buildIndex(snap *app.Snapshot) *index {
	b := newBuilder()
	for i := range snap.Contacts {
		b.add(&snap.Contacts[i])
	}
	for i := range snap.Hidden {
		b.add(&snap.Hidden[i])
	}
	ix, err := b.finish(snap.Labels, snap.Groups)
	if err != nil {
		panic(err) // a snapshot with 65 536 label names: a test's mistake
	}
	ix.mark = snap.Mark
	return ix
}

// buildHaystacks returns ix's search texts. An index is built with them
// (index.hay): `ix.hays = buildHaystacks(ix)`, from the time they were
// built apart, changes nothing.
func buildHaystacks(ix *index) []span { return ix.hays }
