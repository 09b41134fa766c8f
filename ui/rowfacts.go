// How the list's search reads a row's facts: model.Matcher's one rule,
// over the compact rows of index.go.
package ui

import "github.com/wabook/wabook/model"

// rowFacts are a row's model.Facts: the list's search matches rows by the
// one rule model.Matcher has for contacts. One value serves a whole
// search; it works out once per label or group term which of the index's
// label names or group JIDs the term selects (a row then checks its
// positions in a table instead of comparing names).
type rowFacts struct {
	ix     *index
	i      int32
	labels []factMemo[model.LabelSet]
	groups []factMemo[model.GroupSet]
}

// factMemo is which positions of an index's table a term's set selects.
type factMemo[S any] struct {
	set *S
	in  []bool
}

// memo is the positions of table set selects (has), worked out on the
// first row asked about it.
func memo[S any](memos *[]factMemo[S], set *S, table []string, has func(string) bool) []bool {
	for _, m := range *memos {
		if m.set == set {
			return m.in
		}
	}
	in := make([]bool, len(table))
	for p, name := range table {
		in[p] = has(name)
	}
	*memos = append(*memos, factMemo[S]{set, in})
	return in
}

func (f *rowFacts) HasFact(x model.Fact) bool {
	if x == model.FactHidden {
		// Hidden rows are the last ones: no need to read the row.
		return int(f.i) >= f.ix.visible()
	}
	return f.ix.rows[f.i].flags&factFlags[x] != 0
}

func (f *rowFacts) CheckedAs() string {
	if c := f.ix.rows[f.i].check; c < checkOther {
		return checkCodes[c]
	}
	return "\x00other" // no check: term's value
}

func (f *rowFacts) HasAnyLabel(s *model.LabelSet) bool {
	r := &f.ix.rows[f.i]
	if r.nLabels == 0 || s.Empty() {
		return false
	}
	return anyIn(f.ix.labelRefs[r.labels:r.labels+uint32(r.nLabels)], memo(&f.labels, s, f.ix.labelNames, s.Has))
}

func (f *rowFacts) InAnyGroup(s *model.GroupSet) bool {
	r := &f.ix.rows[f.i]
	if r.nGroups == 0 {
		return false
	}
	return anyIn(f.ix.groupRefs[r.groups:r.groups+uint32(r.nGroups)], memo(&f.groups, s, f.ix.groupJIDs, s.Has))
}

// anyIn reports whether one of the positions refs is in.
func anyIn[P uint16 | uint32](refs []P, in []bool) bool {
	for _, p := range refs {
		if in[p] {
			return true
		}
	}
	return false
}
