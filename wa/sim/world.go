package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
)

// World is a simulated WhatsApp account and everything around it, as read
// from a world file (README, "Simulated accounts"). LoadWorld validates and normalises it:
// every phone becomes "+digits", every "digits@c.us" becomes
// "digits@s.whatsapp.net".
type World struct {
	Account        *WorldAccount     `json:"account"`
	Contacts       []WorldContact    `json:"contacts,omitempty"`
	Registered     []string          `json:"registered,omitempty"`
	Rewrites       map[string]string `json:"rewrites,omitempty"`
	Failing        map[string]string `json:"failing,omitempty"`
	Groups         []WorldGroup      `json:"groups,omitempty"`
	Blocked        []string          `json:"blocked,omitempty"`
	Labels         []WorldLabel      `json:"labels,omitempty"`
	CheckLatencyMS int               `json:"check_latency_ms,omitempty"`
	RateLimit      *RateLimit        `json:"rate_limit,omitempty"`
	// ThrottleLiesAfter N: once more than N numbers were checked within
	// rate_limit.per_s seconds, the server answers "not on WhatsApp" for
	// every number instead of rate-overlimit (0: never). It needs
	// rate_limit, whose per_s is the window.
	ThrottleLiesAfter int `json:"throttle_lies_after,omitempty"`
}

// WorldAccount is the simulated account itself.
type WorldAccount struct {
	Phone    string `json:"phone"`
	PushName string `json:"push_name,omitempty"`
	Business bool   `json:"business,omitempty"`
	// Paired nil (key absent) means paired: a world without the key is a
	// ready account.
	Paired *bool `json:"paired,omitempty"`
	// PairAfterMS is how long an unpaired account takes to pair itself;
	// 0 means DefaultPairAfter.
	PairAfterMS int `json:"pair_after_ms,omitempty"`
}

// IsPaired reports whether the account starts paired (true when the key is
// absent).
func (a *WorldAccount) IsPaired() bool { return a.Paired == nil || *a.Paired }

// WorldContact is one contact of the account.
type WorldContact struct {
	Phone        string `json:"phone"`
	FullName     string `json:"full_name,omitempty"`
	FirstName    string `json:"first_name,omitempty"`
	PushName     string `json:"push_name,omitempty"`
	BusinessName string `json:"business_name,omitempty"`
	LID          string `json:"lid,omitempty"`
	About        string `json:"about,omitempty"`
	AvatarURL    string `json:"avatar_url,omitempty"`
	// InAddressBook nil (key absent) means: saved in the address book when
	// it has a full or first name (those come from the address book).
	InAddressBook *bool `json:"in_address_book,omitempty"`
}

// IsMyContact reports whether the contact is saved in the phone's address
// book.
func (c *WorldContact) IsMyContact() bool {
	if c.InAddressBook != nil {
		return *c.InAddressBook
	}
	return c.FullName != "" || c.FirstName != ""
}

// WorldGroup is a group the account is in. Participants are phones
// ("+…"), phone JIDs ("digits@s.whatsapp.net") or LIDs ("digits@lid").
type WorldGroup struct {
	JID          string   `json:"jid"`
	Name         string   `json:"name,omitempty"`
	Participants []string `json:"participants,omitempty"`
}

// WorldLabel is a WhatsApp Business label. Chats are phones, phone JIDs or
// group JIDs.
type WorldLabel struct {
	ID    string   `json:"id"`
	Name  string   `json:"name"`
	Color int      `json:"color"`
	Chats []string `json:"chats,omitempty"`
}

// RateLimit: at most Numbers numbers are answered within any PerS seconds.
type RateLimit struct {
	Numbers int `json:"numbers"`
	PerS    int `json:"per_s"`
}

// Limits of a world file.
const (
	MaxWorldFileSize = 64 << 20
	MaxLabelColor    = 19
	maxLatencyMS     = 60_000
	maxPairAfterMS   = 3_600_000
	maxRatePerS      = 86_400
)

// LoadWorldFile reads and validates a world file.
func LoadWorldFile(path string) (*World, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("world file: %w", err)
	}
	defer f.Close()
	w, err := LoadWorld(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return w, nil
}

// LoadWorld reads and validates a world file. Errors are one line naming the
// problem and where it is, e.g.
// `world file: contacts[3].phone "abc": not a phone number`.
func LoadWorld(r io.Reader) (*World, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxWorldFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("world file: %w", err)
	}
	if len(data) > MaxWorldFileSize {
		return nil, fmt.Errorf("world file: larger than %d MiB", MaxWorldFileSize>>20)
	}
	// Editors on some systems start a UTF-8 file with a byte order mark,
	// which JSON does not allow; it says nothing, so it goes.
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("world file: empty (want a JSON object with at least \"account\")")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var w World
	if err := dec.Decode(&w); err != nil {
		return nil, decodeError(data, err)
	}
	end := dec.InputOffset()
	if _, err := dec.Token(); err != io.EOF {
		line, col := lineCol(data, skipSpace(data, end))
		return nil, fmt.Errorf("world file: line %d, column %d: unexpected data after the world object", line, col)
	}
	// encoding/json reads a null in a list of strings as "", which
	// Validate would quote back as a mystery; say what is there.
	if bytes.Contains(data, []byte("null")) {
		if err := findNullInList(data); err != nil {
			return nil, err
		}
	}
	if err := w.Validate(); err != nil {
		return nil, err
	}
	return &w, nil
}

// listItems names what each list of a world file holds, for an error
// about a null in it.
var listItems = map[string]string{
	"registered": "a phone number", "blocked": "a phone number",
	"participants": "a phone number or @lid", "chats": "a phone number or group JID",
	"contacts": "an object", "groups": "an object", "labels": "an object",
}

// findNullInList walks data (valid JSON) and reports the first null that
// is an element of a list.
func findNullInList(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	var walk func(path, key string, inList bool) error
	walk = func(path, key string, inList bool) error {
		tok, err := dec.Token()
		if err != nil {
			return errStop
		}
		if tok == nil && inList {
			want := listItems[key]
			if want == "" {
				want = "a value"
			}
			line, col := lineCol(data, dec.InputOffset()-4)
			return fmt.Errorf("world file: %s is null; want %s (line %d, column %d)", path, want, line, col)
		}
		d, ok := tok.(json.Delim)
		if !ok {
			return nil
		}
		switch d {
		case '{':
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return errStop
				}
				k, _ := kt.(string)
				if err := walk(joinKey(path, k), k, false); err != nil {
					return err
				}
			}
		case '[':
			for i := 0; dec.More(); i++ {
				if err := walk(path+"["+strconv.Itoa(i)+"]", key, true); err != nil {
					return err
				}
			}
		}
		if _, err := dec.Token(); err != nil {
			return errStop
		}
		return nil
	}
	if err := walk("", "", false); err != nil && err != errStop {
		return err
	}
	return nil
}

func skipSpace(data []byte, off int64) int64 {
	for off < int64(len(data)) {
		switch data[off] {
		case ' ', '\t', '\r', '\n':
			off++
			continue
		}
		break
	}
	return off
}

// lineCol turns a byte offset into a 1-based line and column.
func lineCol(data []byte, off int64) (int, int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	if off < 0 {
		off = 0
	}
	before := data[:off]
	line := bytes.Count(before, []byte{'\n'}) + 1
	col := int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

func decodeError(data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		line, col := lineCol(data, syn.Offset-1) // Offset is just past the bad byte
		return fmt.Errorf("world file: line %d, column %d: invalid JSON: %s", line, col, strings.TrimPrefix(syn.Error(), "json: "))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("world file: invalid JSON: unexpected end of file")
	case errors.As(err, &typ):
		path := pathAt(data, typ.Offset)
		if path == "" && typ.Field != "" {
			path = typ.Field
		}
		line, col := lineCol(data, typ.Offset)
		want := describeType(typ.Type.Kind().String())
		if path == "" {
			return fmt.Errorf("world file: want a JSON object at the top level, got %s", typ.Value)
		}
		return fmt.Errorf("world file: %s: want %s, got %s (line %d, column %d)", path, want, typ.Value, line, col)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		if e := findUnknownKey(data); e != nil {
			return e
		}
		return fmt.Errorf("world file: unknown key %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return fmt.Errorf("world file: %s", strings.TrimPrefix(err.Error(), "json: "))
}

func describeType(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "int", "int64", "int32":
		return "a whole number"
	case "slice":
		return "a list"
	case "map", "struct", "ptr":
		return "an object"
	}
	return kind
}

// schema describes the keys a world file may hold, to point at an unknown
// key (encoding/json only names it).
type schema struct {
	fields map[string]*schema // object with these keys
	anyKey bool               // object with free keys (rewrites, failing)
	elem   *schema            // list of these
}

var (
	leaf        = &schema{}
	worldSchema = &schema{fields: map[string]*schema{
		"account": {fields: map[string]*schema{
			"phone": leaf, "push_name": leaf, "business": leaf, "paired": leaf, "pair_after_ms": leaf,
		}},
		"contacts": {elem: &schema{fields: map[string]*schema{
			"phone": leaf, "full_name": leaf, "first_name": leaf, "push_name": leaf, "business_name": leaf,
			"lid": leaf, "about": leaf, "avatar_url": leaf, "in_address_book": leaf,
		}}},
		"registered": {elem: leaf},
		"rewrites":   {anyKey: true},
		"failing":    {anyKey: true},
		"groups": {elem: &schema{fields: map[string]*schema{
			"jid": leaf, "name": leaf, "participants": {elem: leaf},
		}}},
		"blocked": {elem: leaf},
		"labels": {elem: &schema{fields: map[string]*schema{
			"id": leaf, "name": leaf, "color": leaf, "chats": {elem: leaf},
		}}},
		"check_latency_ms":    leaf,
		"rate_limit":          {fields: map[string]*schema{"numbers": leaf, "per_s": leaf}},
		"throttle_lies_after": leaf,
	}}
)

// joinKey extends a path like "contacts[3]" with an object key; keys that
// are not plain words are quoted: rewrites["+5511…"].
func joinKey(path, key string) string {
	plain := key != ""
	for _, r := range key {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			plain = false
			break
		}
	}
	switch {
	case !plain:
		return path + "[" + strconv.Quote(key) + "]"
	case path == "":
		return key
	}
	return path + "." + key
}

// findUnknownKey walks data (already known to be valid JSON) and names the
// first key the schema does not know.
func findUnknownKey(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	var walk func(s *schema, path string) error
	walk = func(s *schema, path string) error {
		tok, err := dec.Token()
		if err != nil {
			return errStop
		}
		d, ok := tok.(json.Delim)
		if !ok {
			return nil
		}
		switch d {
		case '{':
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return errStop
				}
				key, _ := kt.(string)
				var child *schema
				if s != nil && s.fields != nil {
					c, known := s.fields[key]
					if !known {
						line, col := lineCol(data, dec.InputOffset())
						where := "at the top level"
						if path != "" {
							where = "in " + path
						}
						return fmt.Errorf("world file: unknown key %q %s (line %d, column %d)", key, where, line, col)
					}
					child = c
				}
				if err := walk(child, joinKey(path, key)); err != nil {
					return err
				}
			}
		case '[':
			var elem *schema
			if s != nil {
				elem = s.elem
			}
			for i := 0; dec.More(); i++ {
				if err := walk(elem, path+"["+strconv.Itoa(i)+"]"); err != nil {
					return err
				}
			}
		}
		if d == '{' || d == '[' {
			if _, err := dec.Token(); err != nil {
				return errStop
			}
		}
		return nil
	}
	if err := walk(worldSchema, ""); err != nil && err != errStop {
		return err
	}
	return nil
}

var errStop = errors.New("stop")

// pathAt names the deepest JSON value whose text ends at or contains offset
// off, as "contacts[3].phone".
func pathAt(data []byte, off int64) string {
	dec := json.NewDecoder(bytes.NewReader(data))
	best, bestDepth := "", -1
	var walk func(path string, depth int) bool
	walk = func(path string, depth int) bool {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{':
				for dec.More() {
					kt, err := dec.Token()
					if err != nil {
						return false
					}
					key, _ := kt.(string)
					if !walk(joinKey(path, key), depth+1) {
						return false
					}
				}
			case '[':
				for i := 0; dec.More(); i++ {
					if !walk(path+"["+strconv.Itoa(i)+"]", depth+1) {
						return false
					}
				}
			}
			if _, err := dec.Token(); err != nil {
				return false
			}
		}
		end := dec.InputOffset()
		if start < off && off <= end && depth > bestDepth {
			best, bestDepth = path, depth
		}
		return true
	}
	walk("", 0)
	return best
}

// ParsePhone normalises a phone number written in any common format
// ("+1 (415) 555-0101", "+44 20 7946-0000") to "+digits". It requires the
// leading "+" and 7–15 digits; it does not apply national numbering rules.
func ParsePhone(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "+") {
		return "", false
	}
	digits := make([]byte, 0, 16)
	for _, r := range s[1:] {
		switch {
		case r >= '0' && r <= '9':
			digits = append(digits, byte(r))
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.' || r == '\u00a0':
		default:
			return "", false
		}
		if len(digits) > 15 {
			return "", false
		}
	}
	if len(digits) < 7 || digits[0] == '0' {
		return "", false
	}
	return "+" + string(digits), true
}

func allDigits(s string, min, max int) bool {
	if len(s) < min || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isLID reports whether s is "digits@lid".
func isLID(s string) bool {
	user, ok := strings.CutSuffix(s, "@lid")
	return ok && allDigits(user, 1, 20)
}

// phoneJIDUser returns the digits of "digits@s.whatsapp.net" or
// "digits@c.us".
func phoneJIDUser(s string) (string, bool) {
	user, ok := strings.CutSuffix(s, "@s.whatsapp.net")
	if !ok {
		user, ok = strings.CutSuffix(s, "@c.us")
	}
	if !ok || !allDigits(user, 7, 15) || user[0] == '0' {
		return "", false
	}
	return user, true
}

// isGroupJID reports whether s is "digits@g.us" or the old
// "digits-digits@g.us".
func isGroupJID(s string) bool {
	user, ok := strings.CutSuffix(s, "@g.us")
	if !ok {
		return false
	}
	a, b, two := strings.Cut(user, "-")
	if two {
		return allDigits(a, 1, 20) && allDigits(b, 1, 20)
	}
	return allDigits(user, 1, 20)
}

// normPhoneOrJID accepts a phone or a phone JID and returns "+digits".
func normPhoneOrJID(s string) (string, bool) {
	if p, ok := ParsePhone(s); ok {
		return p, true
	}
	if user, ok := phoneJIDUser(strings.TrimSpace(s)); ok {
		return "+" + user, true
	}
	return "", false
}

const notPhone = `not a phone number (want "+" then 7–15 digits)`

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
		g.JID = strings.TrimSpace(g.JID)
		if g.JID == "" {
			return fmt.Errorf("world file: %s.jid is missing", where)
		}
		if !isGroupJID(g.JID) {
			return fmt.Errorf("world file: %s.jid %q: not a group JID (want digits@g.us)", where, g.JID)
		}
		if j, dup := groups[g.JID]; dup {
			return fmt.Errorf("world file: %s.jid %q: duplicate of groups[%d]", where, g.JID, j)
		}
		groups[g.JID] = i
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
		l.ID = strings.TrimSpace(l.ID)
		if l.ID == "" {
			return fmt.Errorf("world file: %s.id is missing", where)
		}
		if j, dup := labels[l.ID]; dup {
			return fmt.Errorf("world file: %s.id %q: duplicate of labels[%d]", where, l.ID, j)
		}
		labels[l.ID] = i
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

// Clone returns a deep copy of the world.
func (w *World) Clone() *World {
	if w == nil {
		return nil
	}
	c := *w
	if w.Account != nil {
		a := *w.Account
		if a.Paired != nil {
			p := *a.Paired
			a.Paired = &p
		}
		c.Account = &a
	}
	c.Contacts = make([]WorldContact, len(w.Contacts))
	for i, wc := range w.Contacts {
		if wc.InAddressBook != nil {
			b := *wc.InAddressBook
			wc.InAddressBook = &b
		}
		c.Contacts[i] = wc
	}
	c.Registered = append([]string(nil), w.Registered...)
	c.Rewrites = cloneMap(w.Rewrites)
	c.Failing = cloneMap(w.Failing)
	c.Groups = make([]WorldGroup, len(w.Groups))
	for i, g := range w.Groups {
		g.Participants = append([]string(nil), g.Participants...)
		c.Groups[i] = g
	}
	c.Blocked = append([]string(nil), w.Blocked...)
	c.Labels = make([]WorldLabel, len(w.Labels))
	for i, l := range w.Labels {
		l.Chats = append([]string(nil), l.Chats...)
		c.Labels[i] = l
	}
	if w.RateLimit != nil {
		rl := *w.RateLimit
		c.RateLimit = &rl
	}
	return &c
}

func cloneMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
