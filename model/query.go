package model

import (
	"fmt"
	"slices"
	"strings"
)

// Query is a parsed search query (README, "Search"): whitespace-separated terms, all
// of which must match.
//
//	ada "new york" +1415       free words: substrings of names, phone, note
//	label:vip  label:"new customer"
//	group:team  group:120363000000000001@g.us
//	is:blocked|business|internal|saved|unsaved|wa|hidden
//	check:valid|invalid|unchecked|failed|processing
//	-label:vip                 a leading "-" negates any term
//
// Hidden contacts (a contact from WhatsApp cannot be deleted, only hidden)
// match only a query that asks for them with is:hidden (WantsHidden): the
// list, the exports and `wabook contacts` leave them out otherwise.
type Query struct {
	Terms []Term
	Raw   string // the text parsed
}

// Term is one condition of a Query.
type Term struct {
	Negate bool
	Key    string // "" for a free word, "label", "group", "is", "check"
	Value  string // lowercased
}

// Query keys.
const (
	KeyLabel = "label"
	KeyGroup = "group"
	KeyIs    = "is"
	KeyCheck = "check"
)

var (
	isValues    = []string{"blocked", "business", "internal", "saved", "unsaved", "wa", "hidden"}
	checkValues = []string{CheckValid, CheckInvalid, "unchecked", CheckFailed, CheckProcessing}
)

// ParseQuery parses a search query. It is meant to run on every keystroke,
// so it is forgiving: a key with nothing after it yet ("label:") is ignored,
// an unterminated quote runs to the end of the line, and an unknown key
// ("foo:bar") is an ordinary word. Only an unknown is: or check: value is an
// error; the returned Query is still usable — it holds every other term — so
// the UI can show the error and keep filtering.
func ParseQuery(s string) (Query, error) {
	q := Query{Raw: s}
	var firstErr error
	// Sanitising first means values compare cleanly against sanitised
	// haystacks, and the only whitespace left to split on is ' '.
	t := Sanitize(s)
	for i := 0; i < len(t); {
		if t[i] == ' ' {
			i++
			continue
		}
		var term Term
		var ok bool
		term, i, ok = scanTerm(t, i)
		if !ok {
			continue
		}
		if err := checkTerm(term); err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		q.Terms = append(q.Terms, term)
	}
	return q, firstErr
}

// scanTerm reads the term starting at t[i] (not a space) and returns it, the
// index after it, and whether it is a term at all (empty values are not).
func scanTerm(t string, i int) (Term, int, bool) {
	var term Term
	if t[i] == '-' {
		term.Negate = true
		i++
	}
	if i < len(t) && t[i] != '"' {
		// A known key: "label:", "LABEL:", …
		if colon := strings.IndexAny(t[i:], ` ":`); colon > 0 && t[i+colon] == ':' {
			if key := strings.ToLower(t[i : i+colon]); isKey(key) {
				term.Key = key
				i += colon + 1
			}
		}
	}
	var v string
	v, i = scanValue(t, i)
	v = strings.ToLower(v)
	if term.Key == KeyLabel {
		v = NormalizeLabelName(v) // match how label names are stored
	} else if strings.Contains(v, "  ") {
		v = strings.Join(strings.Fields(v), " ")
	}
	term.Value = strings.TrimSpace(v)
	return term, i, term.Value != ""
}

// scanValue reads a value: a double-quoted string (with \" and \\ escapes;
// unterminated, it runs to the end) or everything up to the next space.
func scanValue(t string, i int) (string, int) {
	if i >= len(t) || t[i] != '"' {
		j := strings.IndexByte(t[i:], ' ')
		if j < 0 {
			return t[i:], len(t)
		}
		return t[i : i+j], i + j
	}
	i++
	var b strings.Builder
	for i < len(t) {
		c := t[i]
		switch {
		case c == '"':
			return b.String(), i + 1
		case c == '\\' && i+1 < len(t) && (t[i+1] == '"' || t[i+1] == '\\'):
			b.WriteByte(t[i+1])
			i += 2
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String(), i
}

func isKey(k string) bool {
	return k == KeyLabel || k == KeyGroup || k == KeyIs || k == KeyCheck
}

// checkTerm rejects is: and check: values outside their fixed vocabularies.
func checkTerm(t Term) error {
	switch t.Key {
	case KeyIs:
		if !slices.Contains(isValues, t.Value) {
			return fmt.Errorf("unknown is: value %q (use %s)", t.Value, strings.Join(isValues, ", "))
		}
	case KeyCheck:
		if !slices.Contains(checkValues, t.Value) {
			return fmt.Errorf("unknown check: value %q (use %s)", t.Value, strings.Join(checkValues, ", "))
		}
	}
	return nil
}

// String renders the query canonically: lowercased values, single spaces,
// quotes only where needed. Parsing the result gives the same terms.
func (q Query) String() string {
	var b strings.Builder
	for i, t := range q.Terms {
		if i > 0 {
			b.WriteByte(' ')
		}
		if t.Negate {
			b.WriteByte('-')
		}
		if t.Key != "" {
			b.WriteString(t.Key)
			b.WriteByte(':')
		}
		writeValue(&b, t.Value, t.Key == "")
	}
	return b.String()
}

// writeValue writes v, quoted when reading it back unquoted would split it,
// start a quote, or (for a free word) look like a negation or a key.
func writeValue(b *strings.Builder, v string, free bool) {
	quote := v == "" || strings.ContainsAny(v, ` "`) ||
		free && (strings.HasPrefix(v, "-") || strings.Contains(v, ":"))
	if !quote {
		b.WriteString(v)
		return
	}
	b.WriteByte('"')
	for i := 0; i < len(v); i++ {
		if v[i] == '"' || v[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(v[i])
	}
	b.WriteByte('"')
}

// WantsHidden reports whether q asks for hidden contacts (a term
// is:hidden, not negated): only such a query matches them, and then only
// them.
func (q Query) WantsHidden() bool {
	for _, t := range q.Terms {
		if t.Key == KeyIs && t.Value == "hidden" && !t.Negate {
			return true
		}
	}
	return false
}

// Narrows reports whether every contact q matches is also matched by prev,
// so a list searching for q may look only among prev's results (the search
// box does, as the user types on). That holds when q keeps prev's terms in
// order, none negated, each value at most extended, and adds terms; except
// where extending a value widens what it selects:
//   - a free word that becomes phone-like ("(" → "(4"): "(" is matched as
//     text, "(4" also by its digits, so it can match contacts "(" did not;
//   - group:X extended into a group JID: a JID selects its group whatever
//     the group is called, which the shorter value may not have selected;
//   - is:hidden added: prev matched no hidden contact, q matches only them.
//
// Narrows is the matcher's own rule, so the UI's incremental search and a
// fresh search (the CLI's --query) cannot disagree.
func (q Query) Narrows(prev Query) bool {
	if len(q.Terms) < len(prev.Terms) || q.WantsHidden() != prev.WantsHidden() {
		return false
	}
	for i, t := range q.Terms {
		if t.Negate {
			return false
		}
		if i >= len(prev.Terms) {
			continue
		}
		p := prev.Terms[i]
		if p.Negate || p.Key != t.Key || !strings.HasPrefix(t.Value, p.Value) {
			return false
		}
		if t.Value == p.Value {
			continue
		}
		switch t.Key {
		case "":
			_, tPhone := phoneDigits(t.Value)
			_, pPhone := phoneDigits(p.Value)
			if tPhone && !pPhone {
				return false
			}
		case KeyGroup:
			if strings.Contains(t.Value, "@") {
				return false
			}
		}
	}
	return true
}

// Matcher is a Query compiled against the current labels and groups, ready
// to test contacts quickly. It is immutable and safe for concurrent use.
type Matcher struct {
	terms  []matchTerm
	hidden bool // the query asks for hidden contacts (Query.WantsHidden)
	words  bool // a term is a free word: it reads the haystack
}

type matchKind uint8

// Kinds are ordered by cost: Compile sorts terms so cheap flag tests run
// first and a failing contact is rejected before any substring search.
const (
	mBlocked matchKind = iota
	mBusiness
	mInternal
	mSaved
	mWA
	mHidden
	mCheck
	mLabel
	mGroup
	mWord
)

type matchTerm struct {
	kind   matchKind
	negate bool
	value  string    // mWord: the word; mCheck: the status ("" = unchecked)
	digits string    // mWord: the word without phone punctuation, when it is phone-like
	labels *LabelSet // mLabel: the labels the term selects
	groups *GroupSet // mGroup: the groups the term selects
}

// Compile prepares q for matching. The label and group terms are resolved
// here against the known labels and groups, once per query rather than once
// per contact.
//
// label:X selects the label named X (ignoring case) if there is one, else
// every label whose name starts with X, so the list narrows as the user
// types "label:vi". group:X selects groups whose name contains X, or whose
// JID is X.
func (q Query) Compile(labels []Label, groups []Group) *Matcher {
	m := &Matcher{terms: make([]matchTerm, 0, len(q.Terms)), hidden: q.WantsHidden()}
	for _, t := range q.Terms {
		mt := matchTerm{negate: t.Negate}
		switch t.Key {
		case "":
			mt.kind, mt.value = mWord, t.Value
			m.words = true
			if d, ok := phoneDigits(t.Value); ok && d != t.Value {
				mt.digits = d
			}
		case KeyLabel:
			mt.kind, mt.labels = mLabel, &LabelSet{matchLabels(labels, t.Value)}
		case KeyGroup:
			mt.kind, mt.groups = mGroup, &GroupSet{matchGroups(groups, t.Value)}
		case KeyCheck:
			mt.kind, mt.value = mCheck, t.Value
			if t.Value == "unchecked" {
				mt.value = ""
			}
		case KeyIs:
			switch t.Value {
			case "blocked":
				mt.kind = mBlocked
			case "business":
				mt.kind = mBusiness
			case "internal":
				mt.kind = mInternal
			case "saved":
				mt.kind = mSaved
			case "unsaved":
				mt.kind, mt.negate = mSaved, !t.Negate
			case "wa":
				mt.kind = mWA
			case "hidden":
				mt.kind = mHidden
			default:
				continue // ParseQuery never yields these
			}
		default:
			continue
		}
		m.terms = append(m.terms, mt)
	}
	slices.SortStableFunc(m.terms, func(a, b matchTerm) int { return int(a.kind) - int(b.kind) })
	return m
}

// matchLabels returns the names of the labels label:value selects.
func matchLabels(labels []Label, value string) []string {
	// value was sanitised for the terminal (CellSafe: an emoji family
	// without its joiners); so is the name it is compared with.
	for _, l := range labels {
		if strings.EqualFold(CellSafe(NormalizeLabelName(l.Name)), value) {
			return []string{l.Name}
		}
	}
	var out []string
	for _, l := range labels {
		if strings.HasPrefix(strings.ToLower(CellSafe(NormalizeLabelName(l.Name))), value) {
			out = append(out, l.Name)
		}
	}
	return out
}

// matchGroups returns the set of JIDs of the groups group:value selects.
func matchGroups(groups []Group, value string) map[string]struct{} {
	out := make(map[string]struct{})
	for _, g := range groups {
		if strings.EqualFold(g.JID, value) || strings.Contains(strings.ToLower(Sanitize(g.Name)), value) {
			out[g.JID] = struct{}{}
		}
	}
	return out
}

// phoneDigits returns w without phone punctuation when w consists only of
// digits and phone punctuation and has a digit ("+1 415", "555-01", "(415)").
func phoneDigits(w string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(w); i++ {
		switch c := w[i]; {
		case c >= '0' && c <= '9':
			b.WriteByte(c)
		case strings.IndexByte("+-(). /", c) >= 0:
		default:
			return "", false
		}
	}
	return b.String(), b.Len() > 0
}

// Empty reports whether the matcher has no terms, so every contact that is
// not hidden matches and the caller can skip matching altogether.
func (m *Matcher) Empty() bool { return m == nil || len(m.terms) == 0 }

// Haystack is the text free words are searched in: the contact's names,
// phone (with and without "+"), note and WhatsApp ID's digits, sanitised and lowercased, joined
// with NUL so a word cannot match across two fields. Compute it once per
// contact (when loading) and pass it to Match.
func Haystack(c *Contact) string {
	var b strings.Builder
	WriteHaystack(&b, c)
	return b.String()
}

// WriteHaystack writes Haystack(c) to b.
func WriteHaystack(b *strings.Builder, c *Contact) { writeHaystack(b, c, false) }

// WriteShortHaystack writes to b a haystack every query matches as it
// matches Haystack(c), shorter by the phone's digits: a phone "+digits" is
// written as "+", its digits following as a field of their own. A free
// word found in the phone is "+", the digits or "+" and some of them: the
// first two are found as written, the last is phone-like and Match finds
// it by its digits. The list's index keeps every contact's haystack in
// one arena (ui/index.go); ui's property test holds the two to the same
// answers.
func WriteShortHaystack(b *strings.Builder, c *Contact) { writeHaystack(b, c, true) }

func writeHaystack(b *strings.Builder, c *Contact, short bool) {
	digits := strings.TrimPrefix(c.Phone, "+")
	phone := c.Phone
	if short && len(digits) < len(phone) && digits != "" && strings.Trim(digits, "0123456789") == "" {
		phone = "+"
	}
	// WhatsApp's ID, when it is not the phone's digits (a contact saved
	// from a check keeps the number checked), finds the contact too.
	waID := ""
	if JIDServer(c.JID) == UserServer {
		if u := JIDUser(c.JID); digits == "" {
			digits = u
		} else if u != digits {
			waID = u
		}
	}
	fields := [...]string{
		c.FullName, c.FirstName, c.PushName, c.BusinessName, c.VerifiedName,
		phone, digits, c.Note, waID,
	}
	n := len(fields)
	for _, f := range fields {
		n += len(f)
	}
	b.Grow(n)
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(0)
		}
		b.WriteString(strings.ToLower(Sanitize(f)))
	}
}
