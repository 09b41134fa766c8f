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

	if err := eachKeyed(w.Groups, "groups", "jid", func(g *WorldGroup) *string { return &g.JID }, validateGroup); err != nil {
		return err
	}

	for i, s := range w.Blocked {
		p, ok := normPhoneOrJID(s)
		if !ok {
			return fmt.Errorf("world file: blocked[%d] %q: %s", i, s, notPhone)
		}
		w.Blocked[i] = p
	}

	if err := eachKeyed(w.Labels, "labels", "id", func(l *WorldLabel) *string { return &l.ID }, validateLabel); err != nil {
		return err
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

// eachKeyed checks the items of a list whose items are known by a key
// (groups by JID, labels by id), named list in errors: it trims each key
// (the field named field), fails when one is empty or an earlier item's,
// then checks the item with check, which gets where it is ("labels[2]").
func eachKeyed[T any](items []T, list, field string, key func(*T) *string, check func(it *T, where string) error) error {
	seen := map[string]int{}
	for i := range items {
		where := fmt.Sprintf("%s[%d]", list, i)
		k := key(&items[i])
		*k = strings.TrimSpace(*k)
		if *k == "" {
			return fmt.Errorf("world file: %s.%s is missing", where, field)
		}
		if j, dup := seen[*k]; dup {
			return fmt.Errorf("world file: %s.%s %q: duplicate of %s[%d]", where, field, *k, list, j)
		}
		seen[*k] = i
		if err := check(&items[i], where); err != nil {
			return err
		}
	}
	return nil
}

// validateGroup checks and normalises the group at where ("groups[2]"),
// its JID already trimmed and unique.
func validateGroup(g *WorldGroup, where string) error {
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
	return nil
}

// validateLabel checks and normalises the label at where ("labels[2]"),
// its id already trimmed and unique.
func validateLabel(l *WorldLabel, where string) error {
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
