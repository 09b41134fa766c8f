package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
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
