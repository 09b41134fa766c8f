package sim

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Validate checks the world and normalises it in place. LoadWorld calls it;
// call it yourself on a World built in code.
func (w *World) Validate() error {
	if w.Account == nil {
		return errors.New(`world file: "account" is missing`)
	}
	a := w.Account
	if strings.TrimSpace(a.Phone) == "" {
		return errors.New("world file: account.phone is missing")
	}
	p, ok := ParsePhone(a.Phone)
	if !ok {
		return fmt.Errorf("world file: account.phone %q: %s", a.Phone, notPhone)
	}
	a.Phone = p
	if a.PairAfterMS < 0 || a.PairAfterMS > maxPairAfterMS {
		return fmt.Errorf("world file: account.pair_after_ms %d: want 0–%d", a.PairAfterMS, maxPairAfterMS)
	}

	phones := map[string]int{}
	lids := map[string]int{}
	for i := range w.Contacts {
		c := &w.Contacts[i]
		where := fmt.Sprintf("contacts[%d]", i)
		if strings.TrimSpace(c.Phone) == "" {
			return fmt.Errorf("world file: %s.phone is missing", where)
		}
		p, ok := ParsePhone(c.Phone)
		if !ok {
			return fmt.Errorf("world file: %s.phone %q: %s", where, c.Phone, notPhone)
		}
		if j, dup := phones[p]; dup {
			return fmt.Errorf("world file: %s.phone %q: duplicate of contacts[%d]", where, c.Phone, j)
		}
		phones[p] = i
		c.Phone = p
		if c.LID != "" {
			if !isLID(c.LID) {
				return fmt.Errorf("world file: %s.lid %q: not a LID (want digits@lid)", where, c.LID)
			}
			if j, dup := lids[c.LID]; dup {
				return fmt.Errorf("world file: %s.lid %q: duplicate of contacts[%d]", where, c.LID, j)
			}
			lids[c.LID] = i
		}
	}

	for i, s := range w.Registered {
		p, ok := ParsePhone(s)
		if !ok {
			return fmt.Errorf("world file: registered[%d] %q: %s", i, s, notPhone)
		}
		w.Registered[i] = p
	}

	var err error
	if w.Rewrites, err = normPhoneMap("rewrites", w.Rewrites, true); err != nil {
		return err
	}
	if w.Failing, err = normPhoneMap("failing", w.Failing, false); err != nil {
		return err
	}

	groups := map[string]int{}
	for i := range w.Groups {
		g := &w.Groups[i]
		where := fmt.Sprintf("groups[%d]", i)
		if err := uniqueKey(groups, "groups", i, "jid", &g.JID); err != nil {
			return err
		}
		if !isGroupJID(g.JID) { // a duplicate of a bad JID never gets here: the first one fails
			return fmt.Errorf("world file: %s.jid %q: not a group JID (want digits@g.us)", where, g.JID)
		}
		seen := map[string]bool{}
		out := g.Participants[:0]
		for k, s := range g.Participants {
			var norm string
			switch {
			case isLID(strings.TrimSpace(s)):
				norm = strings.TrimSpace(s)
			default:
				p, ok := normPhoneOrJID(s)
				if !ok {
					return fmt.Errorf("world file: %s.participants[%d] %q: not a phone number or @lid", where, k, s)
				}
				norm = p
			}
			if !seen[norm] { // the same member twice is listed once
				seen[norm] = true
				out = append(out, norm)
			}
		}
		g.Participants = out
	}

	for i, s := range w.Blocked {
		p, ok := normPhoneOrJID(s)
		if !ok {
			return fmt.Errorf("world file: blocked[%d] %q: %s", i, s, notPhone)
		}
		w.Blocked[i] = p
	}

	labels := map[string]int{}
	for i := range w.Labels {
		l := &w.Labels[i]
		where := fmt.Sprintf("labels[%d]", i)
		if err := uniqueKey(labels, "labels", i, "id", &l.ID); err != nil {
			return err
		}
		if strings.TrimSpace(l.Name) == "" {
			return fmt.Errorf("world file: %s.name is missing", where)
		}
		if l.Color < 0 || l.Color > MaxLabelColor {
			return fmt.Errorf("world file: %s.color %d: want 0–%d (WhatsApp's palette)", where, l.Color, MaxLabelColor)
		}
		for k, s := range l.Chats {
			s = strings.TrimSpace(s)
			if isGroupJID(s) {
				l.Chats[k] = s
				continue
			}
			p, ok := normPhoneOrJID(s)
			if !ok {
				return fmt.Errorf("world file: %s.chats[%d] %q: not a phone number or group JID", where, k, l.Chats[k])
			}
			l.Chats[k] = p
		}
	}

	if w.CheckLatencyMS < 0 || w.CheckLatencyMS > maxLatencyMS {
		return fmt.Errorf("world file: check_latency_ms %d: want 0–%d", w.CheckLatencyMS, maxLatencyMS)
	}
	if rl := w.RateLimit; rl != nil {
		if rl.Numbers <= 0 {
			return fmt.Errorf("world file: rate_limit.numbers %d: want more than 0", rl.Numbers)
		}
		if rl.PerS <= 0 || rl.PerS > maxRatePerS {
			return fmt.Errorf("world file: rate_limit.per_s %d: want 1–%d", rl.PerS, maxRatePerS)
		}
	}
	switch {
	case w.ThrottleLiesAfter < 0:
		return fmt.Errorf("world file: throttle_lies_after %d: want more than 0", w.ThrottleLiesAfter)
	case w.ThrottleLiesAfter > 0 && w.RateLimit == nil:
		return errors.New("world file: throttle_lies_after needs rate_limit (its per_s is the window)")
	}
	return nil
}

// uniqueKey trims *key, the field named field of list[i], and fails when
// it is empty or an earlier item's (seen maps keys to their items).
func uniqueKey(seen map[string]int, list string, i int, field string, key *string) error {
	*key = strings.TrimSpace(*key)
	if *key == "" {
		return fmt.Errorf("world file: %s[%d].%s is missing", list, i, field)
	}
	if j, dup := seen[*key]; dup {
		return fmt.Errorf("world file: %s[%d].%s %q: duplicate of %s[%d]", list, i, field, *key, list, j)
	}
	seen[*key] = i
	return nil
}

// normPhoneMap validates a map keyed by phones, in key order so the first
// error is always the same. When valuesArePhones the values are phones too.
func normPhoneMap(name string, m map[string]string, valuesArePhones bool) (map[string]string, error) {
	if m == nil {
		return nil, nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make(map[string]string, len(m))
	from := map[string]string{}
	for _, k := range keys {
		p, ok := ParsePhone(k)
		if !ok {
			return nil, fmt.Errorf("world file: %s key %q: %s", name, k, notPhone)
		}
		if prev, dup := from[p]; dup {
			return nil, fmt.Errorf("world file: %s keys %q and %q are the same number", name, prev, k)
		}
		from[p] = k
		v := m[k]
		if valuesArePhones {
			pv, ok := ParsePhone(v)
			if !ok {
				return nil, fmt.Errorf("world file: %s[%q] %q: %s", name, k, v, notPhone)
			}
			v = pv
		}
		out[p] = v
	}
	return out, nil
}
