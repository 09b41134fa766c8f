package ui

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

// propertyBook is a generated book (benchSnapshot) with every fact a
// query can ask for spread over it: hidden contacts, check answers (one
// outside the vocabulary), blocks waiting, notes and names with
// punctuation, a label name in another case than its label's, contacts
// saved from a check under another WhatsApp ID.
func propertyBook(r *rand.Rand, n int) *app.Snapshot {
	snap := benchSnapshot(n)
	statuses := []string{"", "", "", model.CheckValid, model.CheckInvalid, model.CheckFailed, model.CheckProcessing, "weird"}
	var visible, hidden []model.Contact
	for i := range snap.Contacts {
		c := snap.Contacts[i]
		c.CheckStatus = statuses[r.IntN(len(statuses))]
		c.BlockPending = r.IntN(9)/8 - r.IntN(9)/8
		if r.IntN(20) == 0 {
			c.Note = fmt.Sprintf("call (%s) ext. %d-%d", c.Phone[1:5], r.IntN(100), r.IntN(100))
		}
		if r.IntN(40) == 0 && len(c.Labels) > 0 {
			c.Labels[0] = strings.ToUpper(c.Labels[0])
		}
		if r.IntN(50) == 0 {
			c.JID = model.JIDFromDigits(fmt.Sprint(5511900000000 + r.IntN(99999)))
		}
		if r.IntN(30) == 0 {
			c.Hidden = true
			hidden = append(hidden, c)
			continue
		}
		visible = append(visible, c)
	}
	snap.Contacts, snap.Hidden = visible, hidden
	return snap
}

// randomQuery is 1–3 terms of every kind a user types: words and parts
// of words from the book, phone fragments with punctuation, label:,
// -label:, group: by name and by JID, is:*, check:*, quoted text.
func randomQuery(r *rand.Rand, snap *app.Snapshot) string {
	all := append(slices.Clone(snap.Contacts), snap.Hidden...)
	c := &all[r.IntN(len(all))]
	frag := func(s string) string {
		rs := []rune(s)
		if len(rs) == 0 {
			return "a"
		}
		i := r.IntN(len(rs))
		j := min(len(rs), i+1+r.IntN(6))
		return strings.TrimSpace(string(rs[i:j]))
	}
	var terms []string
	for range 1 + r.IntN(3) {
		var t string
		switch r.IntN(13) {
		case 0:
			t = frag(c.DisplayName())
		case 1, 12: // the start of a name, as people type them
			rs := []rune(c.DisplayName())
			t = strings.TrimSpace(string(rs[:1+r.IntN(min(len(rs), 6))]))
		case 2:
			d := strings.TrimPrefix(c.Phone, "+")
			i := r.IntN(max(1, len(d)-4))
			t = []string{"+", "(", ""}[r.IntN(3)] + d[i:i+2] + []string{" ", "-", ") ", "."}[r.IntN(4)] + d[i+2:i+4]
		case 3:
			t = frag(c.Phone)
		case 4:
			if len(c.Labels) > 0 {
				l := c.Labels[r.IntN(len(c.Labels))]
				t = "label:" + strings.ToLower(l[:1+r.IntN(len(l))])
			} else {
				t = "label:vip"
			}
			if strings.Contains(t, " ") {
				t = `label:"` + t[len("label:"):] + `"`
			}
		case 5:
			t = "-label:" + strings.ToLower(snap.Labels[r.IntN(len(snap.Labels))].Name[:3])
		case 6:
			g := snap.Groups[r.IntN(len(snap.Groups))]
			t = "group:" + strings.ToLower(strings.Fields(g.Name)[0])
			if r.IntN(2) == 0 {
				t = "group:" + g.JID
			}
		case 7:
			t = "is:" + []string{"blocked", "business", "internal", "saved", "unsaved", "wa", "hidden"}[r.IntN(7)]
		case 8:
			t = "check:" + []string{"valid", "invalid", "unchecked", "failed", "processing"}[r.IntN(5)]
		case 9:
			t = `"` + frag(c.DisplayName()) + `"`
		case 10:
			t = frag(c.Note + c.PushName)
		default:
			t = frag(model.JIDUser(c.JID))
		}
		if r.IntN(6) == 0 {
			t = "-" + t
		}
		terms = append(terms, t)
	}
	return strings.Join(terms, " ")
}

// jidsMatching is the model's answer: model.Matcher over every contact,
// hidden ones too, sorted.
func jidsMatching(snap *app.Snapshot, query string) []string {
	q, _ := model.ParseQuery(query)
	m := q.Compile(snap.Labels, snap.Groups)
	var out []string
	for _, cs := range [][]model.Contact{snap.Contacts, snap.Hidden} {
		for i := range cs {
			if m.Empty() && !cs[i].Hidden || !m.Empty() && m.Match(&cs[i], model.Haystack(&cs[i])) {
				out = append(out, cs[i].JID)
			}
		}
	}
	slices.Sort(out)
	return out
}

// sortedJIDs is the JIDs of rows of ix, sorted.
func sortedJIDs(ix *index, rows []int32) []string {
	out := make([]string, len(rows))
	for k, i := range rows {
		out[k] = ix.jid(i)
	}
	slices.Sort(out)
	return out
}

// Every path a search takes gives model.Matcher's answer over the whole
// contacts: the compact index of a whole build, the index a refresh
// built from another one (applyChanges, its second arena), and the list
// as a user types the query one character at a time (which searches only
// the rows shown when the text narrows, model.Query.Narrows).
func TestSearchPathsGiveTheMatchersAnswers(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(15, 1))
	snap := propertyBook(r, 3000)
	whole := buildIndex(snap)

	// The same book reached by a refresh: built without a tenth of the
	// contacts, which then come as changes.
	var before app.Snapshot = *snap
	ch := &app.Changes{Mark: app.Mark{Contacts: 1}}
	before.Contacts, before.Hidden = nil, nil
	for i, c := range snap.Contacts {
		if i%10 == 3 {
			ch.Contacts = append(ch.Contacts, c)
			stale := c
			stale.FullName, stale.Labels, stale.IsBlocked = "Stale "+c.FullName, nil, !c.IsBlocked
			before.Contacts = append(before.Contacts, stale)
			continue
		}
		before.Contacts = append(before.Contacts, c)
	}
	for i, c := range snap.Hidden {
		if i%2 == 0 {
			ch.Hidden = append(ch.Hidden, c)
			ch.Removed = append(ch.Removed, c.JID)
			c.Hidden = false
			before.Contacts = append(before.Contacts, c)
			continue
		}
		before.Hidden = append(before.Hidden, c)
	}
	refreshed := applyChanges(buildIndex(&before), ch, false)
	if len(refreshed.chunks) != 2 {
		t.Fatalf("the refresh made %d arenas, want 2", len(refreshed.chunks))
	}

	list := newContactList(testCommon(t, app.Status{}, false))
	list.SetSize(100, 40)
	list.setIndex(whole)

	queries := 0
	for range 400 {
		text := randomQuery(r, snap)
		want := jidsMatching(snap, text)
		q, _ := model.ParseQuery(text)
		for name, ix := range map[string]*index{"whole": whole, "refreshed": refreshed} {
			candidates := ix.among(sortedOrder(ix, sortByName), q.WantsHidden())
			shown, _, _ := filtered(ix, text, candidates)
			if shown == nil {
				shown = ix.among(sortedOrder(ix, sortByName), false)
			}
			if got := sortedJIDs(ix, shown); !slices.Equal(got, want) {
				t.Fatalf("%s index, %q: %d contacts, the matcher %d; first difference at %d", name, text, len(got), len(want), firstDiff(got, want))
			}
			// Split among goroutines as a million rows are: the same rows
			// in the same order.
			if m := q.Compile(ix.labels, ix.groups); !m.Empty() {
				if split := matchRowsSplit(ix, m, candidates, 100, true); !slices.Equal(split, shown) {
					t.Fatalf("%s index, %q: split in parts, %d rows, at once %d", name, text, len(split), len(shown))
				}
			}
		}
		// Typed on, one byte at a time, from an empty box.
		list.setQuery("")
		for k := range text {
			list.search.SetValue(text[:k])
			list.refilter()
		}
		list.search.SetValue(text)
		list.refilter()
		if got := sortedJIDs(whole, list.shown); !slices.Equal(got, want) {
			t.Fatalf("typed %q: %d contacts, the matcher %d; first difference at %d", text, len(got), len(want), firstDiff(got, want))
		}
		if len(want) > 0 && len(want) < len(snap.Contacts) {
			queries++
		}
	}
	if queries < 200 {
		t.Errorf("only %d of 400 queries selected some but not all contacts: the test proves little", queries)
	}
}

// A search over one arena (scanArena) finds a word at the very start of a
// row's search text right after a row it matched, and never a word that
// runs from one row's text into the next.
func TestSearchFindsWordsAtTheEdgesOfRows(t *testing.T) {
	t.Parallel()
	snap := &app.Snapshot{}
	for i := range 4 {
		snap.Contacts = append(snap.Contacts, model.Contact{
			// Each text ends with WhatsApp's ID, not the phone's digits.
			JID: fmt.Sprintf("551199900000%d@s.whatsapp.net", i), Phone: fmt.Sprintf("+1415555000%d", i),
			FullName: fmt.Sprintf("Xq%d", i),
		})
	}
	ix := buildIndex(snap)
	if len(ix.chunks) != 1 {
		t.Fatalf("%d arenas", len(ix.chunks))
	}
	for _, q := range []string{"xq", "xq2", "0xq", "5511999000001", "1xq2", "xq3 -xq", "2 xq"} {
		order := sortedOrder(ix, sortByName)
		shown, _, _ := filtered(ix, q, ix.among(order, false))
		if got, want := sortedJIDs(ix, shown), jidsMatching(snap, q); !slices.Equal(got, want) {
			t.Errorf("%q: %v, the matcher %v", q, got, want)
		}
	}
}
