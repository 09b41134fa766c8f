package model

import (
	"slices"
	"strings"
)

// Facts are what a Matcher reads of a contact besides its haystack: its
// flags, its check status, its labels and its groups. *Contact has them;
// so has a row of the list's compact index (ui/index.go), which keeps no
// Contact. One rule (MatchFacts) then serves both, and they cannot
// disagree.
type Facts interface {
	// HasFact reports one of the contact's flags.
	HasFact(f Fact) bool
	// CheckedAs is the status of the last check of its phone, "" when
	// never checked.
	CheckedAs() string
	// HasAnyLabel reports whether it carries one of the labels of s.
	HasAnyLabel(s *LabelSet) bool
	// InAnyGroup reports whether it shares one of the groups of s.
	InAnyGroup(s *GroupSet) bool
}

// LabelSet is the labels a label: term selects, by name. One term keeps
// one set, so a holder of many contacts' facts may work out once per set
// which of its own label names are in it.
type LabelSet struct{ names []string }

// Has reports whether a label named name (ignoring case) is in s.
func (s *LabelSet) Has(name string) bool {
	for _, w := range s.names {
		if name == w || strings.EqualFold(name, w) {
			return true
		}
	}
	return false
}

// Empty reports whether s selects no label.
func (s *LabelSet) Empty() bool { return len(s.names) == 0 }

// GroupSet is the groups a group: term selects, by JID; kept per term as
// LabelSet is.
type GroupSet struct{ jids map[string]struct{} }

// Has reports whether the group jid is in s.
func (s *GroupSet) Has(jid string) bool {
	_, ok := s.jids[jid]
	return ok
}

// Fact is a yes-or-no fact of a contact that a query can ask for (is:).
type Fact uint8

// The facts of is: (is:unsaved is FactSaved negated).
const (
	FactBlocked Fact = iota
	FactBusiness
	FactInternal
	FactSaved
	FactWA
	FactHidden
)

// HasFact: Facts.
func (c *Contact) HasFact(f Fact) bool {
	switch f {
	case FactBlocked:
		return c.IsBlocked
	case FactBusiness:
		return c.IsBusiness
	case FactInternal:
		return c.IsInternal
	case FactSaved:
		return c.IsMyContact
	case FactWA:
		return c.IsWAContact
	case FactHidden:
		return c.Hidden
	}
	return false
}

// CheckedAs: Facts.
func (c *Contact) CheckedAs() string { return c.CheckStatus }

// HasAnyLabel: Facts.
func (c *Contact) HasAnyLabel(s *LabelSet) bool { return slices.ContainsFunc(c.Labels, s.Has) }

// InAnyGroup: Facts.
func (c *Contact) InAnyGroup(s *GroupSet) bool {
	for _, g := range c.Groups {
		if s.Has(g) {
			return true
		}
	}
	return false
}

// Match reports whether c satisfies every term (a hidden contact, only when
// the query asks for hidden ones: WantsHidden). haystack is Haystack(c),
// which callers should compute once per contact and keep; when it is "" and
// a free word needs it, Match computes it.
func (m *Matcher) Match(c *Contact, haystack string) bool {
	if haystack == "" && m != nil && m.words {
		haystack = Haystack(c)
	}
	return m.MatchFacts(c, haystack)
}

// MatchFacts reports whether the contact whose facts are f and whose
// haystack (Haystack) is haystack satisfies every term: Match's rule for
// any holder of the facts. It allocates nothing: a caller matching many
// rows passes one reused value.
func (m *Matcher) MatchFacts(f Facts, haystack string) bool {
	hidden := f.HasFact(FactHidden)
	if m == nil {
		return !hidden
	}
	if hidden != m.hidden {
		return false
	}
	for i := range m.terms {
		t := &m.terms[i]
		var ok bool
		switch t.kind {
		case mBlocked:
			ok = f.HasFact(FactBlocked)
		case mBusiness:
			ok = f.HasFact(FactBusiness)
		case mInternal:
			ok = f.HasFact(FactInternal)
		case mSaved:
			ok = f.HasFact(FactSaved)
		case mWA:
			ok = f.HasFact(FactWA)
		case mHidden:
			ok = hidden
		case mCheck:
			ok = f.CheckedAs() == t.value
		case mLabel:
			ok = f.HasAnyLabel(t.labels)
		case mGroup:
			ok = f.InAnyGroup(t.groups)
		case mWord:
			ok = strings.Contains(haystack, t.value) ||
				t.digits != "" && strings.Contains(haystack, t.digits)
		}
		if ok == t.negate {
			return false
		}
	}
	return true
}

// Anchor is a text every haystack the matcher matches contains: its
// longest free word that is not negated and is matched as typed only (a
// phone-like word may match by its digits instead); "" when there is
// none. A caller keeping many haystacks in one string may search that
// string for it at once and match only the contacts it is found in
// (ui/index.go).
func (m *Matcher) Anchor() string {
	anchor := ""
	if m == nil {
		return ""
	}
	for _, t := range m.terms {
		if t.kind == mWord && !t.negate && t.digits == "" && len(t.value) > len(anchor) {
			anchor = t.value
		}
	}
	return anchor
}
