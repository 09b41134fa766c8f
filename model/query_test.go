package model

import (
	"slices"
	"strings"
	"testing"
)

func TestParseQuery(t *testing.T) {
	t.Parallel()

	tests := []struct {
		in    string
		want  []Term
		err   string // substring of the error; "" = none
		canon string // String() of the result
	}{
		{in: "", want: nil, canon: ""},
		{in: "   ", want: nil, canon: ""},
		{in: "Ada", want: []Term{{Value: "ada"}}, canon: "ada"},
		{in: " ada   LOVELACE ", want: []Term{{Value: "ada"}, {Value: "lovelace"}}, canon: "ada lovelace"},
		{in: "label:VIP", want: []Term{{Key: "label", Value: "vip"}}, canon: "label:vip"},
		{in: "LABEL:vip", want: []Term{{Key: "label", Value: "vip"}}, canon: "label:vip"},
		{in: `label:"New  Customer"`, want: []Term{{Key: "label", Value: "new customer"}}, canon: `label:"new customer"`},
		{in: `label:"new cust`, want: []Term{{Key: "label", Value: "new cust"}}, canon: `label:"new cust"`},
		{in: "-label:vip", want: []Term{{Negate: true, Key: "label", Value: "vip"}}, canon: "-label:vip"},
		{in: "-ada", want: []Term{{Negate: true, Value: "ada"}}, canon: "-ada"},
		{in: `-"new york"`, want: []Term{{Negate: true, Value: "new york"}}, canon: `-"new york"`},
		{in: `"new york" ada`, want: []Term{{Value: "new york"}, {Value: "ada"}}, canon: `"new york" ada`},
		{in: "group:Team is:saved", want: []Term{{Key: "group", Value: "team"}, {Key: "is", Value: "saved"}}, canon: "group:team is:saved"},
		{in: "is:WA check:unchecked", want: []Term{{Key: "is", Value: "wa"}, {Key: "check", Value: "unchecked"}}, canon: "is:wa check:unchecked"},
		{in: "check:processing -check:failed", want: []Term{{Key: "check", Value: "processing"}, {Negate: true, Key: "check", Value: "failed"}}, canon: "check:processing -check:failed"},
		// Half-typed terms are ignored, not errors.
		{in: "label:", want: nil, canon: ""},
		{in: "ada label:", want: []Term{{Value: "ada"}}, canon: "ada"},
		{in: "ada -", want: []Term{{Value: "ada"}}, canon: "ada"},
		{in: `label:"`, want: nil, canon: ""},
		{in: `is: ada`, want: []Term{{Value: "ada"}}, canon: "ada"},
		// Unknown keys are words.
		{in: "foo:bar", want: []Term{{Value: "foo:bar"}}, canon: `"foo:bar"`},
		{in: "http://x", want: []Term{{Value: "http://x"}}, canon: `"http://x"`},
		{in: `"label:vip"`, want: []Term{{Value: "label:vip"}}, canon: `"label:vip"`},
		// Values with odd characters survive a round trip.
		{in: `"say \"hi\""`, want: []Term{{Value: `say "hi"`}}, canon: `"say \"hi\""`},
		{in: `a\b`, want: []Term{{Value: `a\b`}}, canon: `a\b`},
		{in: `label:-x`, want: []Term{{Key: "label", Value: "-x"}}, canon: `label:-x`},
		{in: "+1 415", want: []Term{{Value: "+1"}, {Value: "415"}}, canon: "+1 415"},
		// Bad is:/check: values: the term is dropped, the rest kept.
		{in: "ada is:blah", want: []Term{{Value: "ada"}}, err: `unknown is: value "blah" (use blocked, business, internal, saved, unsaved, wa, hidden)`, canon: "ada"},
		{in: "check:maybe -label:x", want: []Term{{Negate: true, Key: "label", Value: "x"}}, err: `unknown check: value "maybe"`, canon: "-label:x"},
		// Untrusted text pasted into the box is sanitised.
		{in: "ada\x1b[2J\u202e", want: []Term{{Value: "ada"}}, canon: "ada"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()

			q, err := ParseQuery(tt.in)
			if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
				t.Errorf("err = %v, want %q", err, tt.err)
			}
			if q.Raw != tt.in {
				t.Errorf("Raw = %q", q.Raw)
			}
			if !slices.Equal(q.Terms, tt.want) {
				t.Errorf("Terms = %+v, want %+v", q.Terms, tt.want)
			}
			if s := q.String(); s != tt.canon {
				t.Errorf("String() = %q, want %q", s, tt.canon)
			}
		})
	}
}

func testBook() ([]*Contact, []Label, []Group) {
	labels := []Label{
		{ID: 1, Name: "VIP"},
		{ID: 2, Name: "VIP Gold"},
		{ID: 3, Name: "New customer"},
		{ID: 4, Name: "Vendor"},
	}
	groups := []Group{
		{JID: "120363000000000001@g.us", Name: "Team"},
		{JID: "120363000000000002@g.us", Name: "Sales team"},
		{JID: "120363000000000003@g.us", Name: "Family"},
	}
	contacts := []*Contact{
		{JID: "14155550101@s.whatsapp.net", Phone: "+14155550101", FullName: "Ada Lovelace", PushName: "ada",
			IsMyContact: true, IsWAContact: true, Labels: []string{"VIP"}, Groups: []string{"120363000000000001@g.us"},
			CheckStatus: CheckValid},
		{JID: "14155550102@s.whatsapp.net", Phone: "+14155550102", PushName: "Bob's Shop", BusinessName: "Bob's Shop",
			IsBusiness: true, IsWAContact: true, Labels: []string{"vip gold", "Vendor"}, Groups: []string{"120363000000000002@g.us"},
			Note: "Supplier in New York"},
		{JID: "33612345678@s.whatsapp.net", Phone: "+33612345678", FullName: "Chloé Durand", IsMyContact: true,
			IsBlocked: true, Labels: []string{"New customer"}, CheckStatus: CheckInvalid},
		{JID: "5511987654321@s.whatsapp.net", Phone: "+5511987654321", PushName: "\x1b[31mEve\u202e", IsInternal: true,
			Groups: []string{"120363000000000003@g.us", "120363000000000001@g.us"}, CheckStatus: CheckFailed},
		// Hidden: only a query with is:hidden finds her.
		{JID: "14155550177@s.whatsapp.net", Phone: "+14155550177", FullName: "Hana Hidden", IsWAContact: true,
			Labels: []string{"VIP"}, Hidden: true},
	}
	return contacts, labels, groups
}

func TestMatch(t *testing.T) {
	t.Parallel()

	contacts, labels, groups := testBook()
	tests := []struct {
		query string
		want  string // first letters of the matching contacts' display names, in order
	}{
		{"", "ABCE"},
		{"ada", "A"},
		{"ADA LOVE", "A"},
		{"lovelace ada", "A"},
		{"chloé", "C"},
		{"new york", "B"},   // two words, both in Bob's note
		{`"new york"`, "B"}, // one phrase
		{`"york new"`, ""},  // phrase order matters
		{"eve", "E"},        // sanitised push name
		{"+1 415", "AB"},    // phone words
		{`"+1 415"`, "AB"},  // phrase of phone punctuation: digits
		{"(415) 555-0101", "A"},
		{"(415)", "AB"},
		{"+1 (415)", "AB"},
		{"(11) 98765-4321", "E"},
		{"555-01", "AB"},
		{"14155550101", "A"},
		{"+33 6 12", "C"},
		{"-ada", "BCE"},
		{"label:vip", "A"}, // exact name wins over prefix
		{"label:VIP", "A"},
		{"label:vi", "AB"}, // prefix while typing: VIP, VIP Gold
		{"label:v", "AB"},  // VIP, VIP Gold, Vendor
		{"label:vendor", "B"},
		{`label:"new customer"`, "C"},
		{`label:"new cus`, "C"},
		{"label:nosuch", ""},
		{"-label:nosuch", "ABCE"},
		{"-label:vip", "BCE"},
		{"label:vi -label:vip", "B"},
		{"group:team", "ABE"}, // Team and Sales team
		{"group:sales", "B"},
		{"group:120363000000000003@g.us", "E"},
		{"-group:team", "C"},
		{"group:nosuch", ""},
		{"is:blocked", "C"},
		{"-is:blocked", "ABE"},
		{"is:business", "B"},
		{"is:internal", "E"},
		{"is:saved", "AC"},
		{"is:unsaved", "BE"},
		{"-is:unsaved", "AC"},
		{"is:wa", "AB"},
		{"check:valid", "A"},
		{"check:invalid", "C"},
		{"check:failed", "E"},
		{"check:unchecked", "B"},
		{"check:processing", ""},
		{"-check:unchecked", "ACE"},
		{"is:saved ada", "A"},
		{"is:saved -ada", "C"},
		{"group:team label:vi is:wa", "AB"},
		{"ada is:bogus", "A"}, // the bad term is dropped
		{"is:hidden", "H"},
		{"is:hidden label:vip", "H"},
		{"is:hidden is:wa hana", "H"},
		{"is:hidden ada", ""},
		{"-is:hidden", "ABCE"},
		{"hana", ""},
		{"label:vip", "A"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			t.Parallel()

			q, _ := ParseQuery(tt.query)
			m := q.Compile(labels, groups)
			if m.Empty() != (len(q.Terms) == 0) {
				t.Errorf("Empty() = %v", m.Empty())
			}
			var got strings.Builder
			for _, c := range contacts {
				hay := Haystack(c)
				if m.Match(c, hay) {
					got.WriteString(Sanitize(c.DisplayName())[:1])
				}
				if m.Match(c, "") != m.Match(c, hay) {
					t.Errorf("Match with computed haystack differs for %s", c.JID)
				}
			}
			if got.String() != tt.want {
				t.Errorf("matches %q, want %q", got.String(), tt.want)
			}
		})
	}
}

func TestQueryNarrows(t *testing.T) {
	t.Parallel()

	tests := []struct {
		prev, next string
		want       bool
	}{
		{"", "ada", true},
		{"ad", "ada", true},
		{"ada", "ada love", true},
		{"ada love", "ada", false},
		{"ada", "ad", false},
		{"ada", "-ada", false},
		{"label:v", "label:vip", true},
		{"label", "label:vip", false},
		{"555", "555-0", true},
		{"+1", "+1 (", true},
		// "(" is plain text; "(4" is also read as digits and matches more.
		{"(", "(4", false},
		{"+1 (", "+1 (4", false},
		{"(4", "(41", true},
		{"(415)", "(415) 5", true},
		{"-", "-(", false}, // a negated term never narrows
		{"group:t", "group:team", true},
		{"group:1203", "group:120363000000000003@g.us", false},
		{"group:120363000000000003@g.us", "group:120363000000000003@g.us", true},
		// is:hidden looks among the hidden contacts, which no other query matched.
		{"hana", "hana is:hidden", false},
		{"", "is:hidden", false},
		{"is:hidden", "is:hidden hana", true},
		{"hana", "hana -is:hidden", false},
	}
	for _, tt := range tests {
		prev, _ := ParseQuery(tt.prev)
		next, _ := ParseQuery(tt.next)
		if got := next.Narrows(prev); got != tt.want {
			t.Errorf("%q after %q: Narrows = %v, want %v", tt.next, tt.prev, got, tt.want)
		}
	}
}

// Typing a query a key at a time and searching only among the previous
// results whenever Narrows allows gives what a fresh search gives.
func TestTypingMatchesAFreshSearch(t *testing.T) {
	t.Parallel()

	contacts, labels, groups := testBook()
	matches := func(q Query, among []*Contact) []*Contact {
		m := q.Compile(labels, groups)
		var out []*Contact
		for _, c := range among {
			if m.Empty() || m.Match(c, Haystack(c)) {
				out = append(out, c)
			}
		}
		return out
	}
	for _, typed := range []string{"(415) 555-0101", "+1 (415)", "(11) 98765-4321", "+55 (11) 9", "ada (415", "group:120363000000000003@g.us", "hana is:hidden"} {
		var prev Query
		shown := contacts
		for i := 1; i <= len(typed); i++ {
			q, _ := ParseQuery(typed[:i])
			among := contacts
			if q.Narrows(prev) {
				among = shown
			}
			shown, prev = matches(q, among), q
			if fresh := matches(q, contacts); !slices.Equal(shown, fresh) {
				t.Fatalf("typing %q: at %q %d contacts, a fresh search finds %d", typed, typed[:i], len(shown), len(fresh))
			}
		}
		if len(shown) == 0 {
			t.Errorf("typing %q finds nobody", typed)
		}
	}
}

func TestHaystack(t *testing.T) {
	t.Parallel()

	c := &Contact{JID: "14155550101@s.whatsapp.net", Phone: "+14155550101", FullName: "Ada \x1b[1mLOVELACE",
		FirstName: "Ada", Note: "Met at\tPyCon"}
	h := Haystack(c)
	for _, want := range []string{"ada lovelace", "+14155550101", "\x0014155550101", "met at pycon"} {
		if !strings.Contains(h, want) {
			t.Errorf("Haystack %q lacks %q", h, want)
		}
	}
	if strings.ContainsRune(h, 0x1b) {
		t.Errorf("Haystack %q not sanitised", h)
	}
	// A phone other than the JID's digits: both find the contact.
	h = Haystack(&Contact{JID: "551187654321@s.whatsapp.net", Phone: "+5511987654321", Note: "x"})
	for _, want := range []string{"\x005511987654321\x00", "\x00551187654321"} {
		if !strings.Contains(h, want) {
			t.Errorf("Haystack %q lacks %q", h, want)
		}
	}
	// No phone: the JID's digits stand in.
	if h := Haystack(&Contact{JID: "4915112345678@s.whatsapp.net"}); !strings.Contains(h, "4915112345678") {
		t.Errorf("Haystack %q lacks JID digits", h)
	}
}

func TestNilMatcher(t *testing.T) {
	t.Parallel()

	var m *Matcher
	if !m.Empty() || !m.Match(&Contact{}, "") {
		t.Error("a nil matcher should match everything")
	}
}

func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"ada", `label:"new customer"`, "-is:blocked", `"say \"hi\""`, "foo:bar",
		"label:", `-"`, `a\`, "is:bogus check:valid", "+1 (415) 555", "\x1b[2J\u202e", `"\\"`} {
		f.Add(s)
	}
	contacts, labels, groups := testBook()
	f.Fuzz(func(t *testing.T, s string) {
		q, _ := ParseQuery(s)
		canon := q.String()
		r, err := ParseQuery(canon)
		if err != nil {
			t.Fatalf("ParseQuery(%q) → %q: %v", s, canon, err)
		}
		if !slices.Equal(q.Terms, r.Terms) {
			t.Fatalf("ParseQuery(%q) = %+v; String %q reparses as %+v", s, q.Terms, canon, r.Terms)
		}
		m := q.Compile(labels, groups)
		for _, c := range contacts {
			m.Match(c, Haystack(c))
		}
	})
}
