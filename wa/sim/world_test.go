package sim

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

func TestLoadWorldExample(t *testing.T) {
	t.Parallel()

	w, err := LoadWorldFile(filepath.Join("testdata", "example.json"))
	if err != nil {
		t.Fatal(err)
	}
	a := w.Account
	if a.Phone != "+14155550100" || a.PushName != "Acme" || !a.Business || !a.IsPaired() || a.PairAfterMS != 4000 {
		t.Errorf("account = %+v", *a)
	}
	if len(w.Contacts) != 1 {
		t.Fatalf("contacts = %d, want 1", len(w.Contacts))
	}
	c := w.Contacts[0]
	if c.Phone != "+14155550101" || c.FullName != "Ada Lovelace" || c.FirstName != "Ada" || c.PushName != "ada" ||
		c.LID != "211111111111111@lid" || c.About != "Hey there!" || !c.IsMyContact() {
		t.Errorf("contact = %+v", c)
	}
	if len(w.Registered) != 1 || w.Registered[0] != "+14155550102" {
		t.Errorf("registered = %v", w.Registered)
	}
	if w.Rewrites["+5511987654321"] != "+551187654321" {
		t.Errorf("rewrites = %v", w.Rewrites)
	}
	if w.Failing["+14155550109"] != "timeout" {
		t.Errorf("failing = %v", w.Failing)
	}
	if len(w.Groups) != 1 || w.Groups[0].Name != "Team" || w.Groups[0].JID != "120363000000000001@g.us" ||
		strings.Join(w.Groups[0].Participants, " ") != "+14155550101 211111111111111@lid" {
		t.Errorf("groups = %+v", w.Groups)
	}
	if len(w.Blocked) != 1 || w.Blocked[0] != "+14155550103" {
		t.Errorf("blocked = %v", w.Blocked)
	}
	if len(w.Labels) != 1 || w.Labels[0].ID != "1" || w.Labels[0].Name != "New customer" || w.Labels[0].Color != 0 ||
		len(w.Labels[0].Chats) != 1 || w.Labels[0].Chats[0] != "+14155550101" {
		t.Errorf("labels = %+v", w.Labels)
	}
	if w.CheckLatencyMS != 150 || w.RateLimit == nil || *w.RateLimit != (RateLimit{Numbers: 500, PerS: 60}) {
		t.Errorf("latency %d, rate limit %+v", w.CheckLatencyMS, w.RateLimit)
	}
}

func TestLoadWorldDefaultsAndNormalisation(t *testing.T) {
	t.Parallel()

	w, err := LoadWorld(strings.NewReader(`{
		"account": {"phone": "+1 (415) 555-0100"},
		"contacts": [
			{"phone": "+44 20 7946 0001", "full_name": "Saved"},
			{"phone": "+44-20-7946-0002", "push_name": "stranger"},
			{"phone": "+44 20 7946 0003", "full_name": "Hidden", "in_address_book": false}
		],
		"groups": [{"jid": "120363000000000001@g.us", "participants":
			["+442079460001", "442079460002@c.us", "442079460003@s.whatsapp.net", "+44 20 7946 0001", "9@lid"]}],
		"blocked": ["442079460002@s.whatsapp.net"],
		"labels": [{"id": "7", "name": "x", "color": 19, "chats": ["120363000000000001@g.us", "+44 20 7946 0001"]}]
	}`))
	if err != nil {
		t.Fatal(err)
	}
	if !w.Account.IsPaired() {
		t.Error("absent paired should mean paired")
	}
	if w.Account.Phone != "+14155550100" {
		t.Errorf("account phone = %q", w.Account.Phone)
	}
	for i, want := range []bool{true, false, false} {
		if got := w.Contacts[i].IsMyContact(); got != want {
			t.Errorf("contacts[%d].IsMyContact = %v, want %v", i, got, want)
		}
	}
	if got := strings.Join(w.Groups[0].Participants, " "); got != "+442079460001 +442079460002 +442079460003 9@lid" {
		t.Errorf("participants = %s", got)
	}
	if w.Blocked[0] != "+442079460002" {
		t.Errorf("blocked = %v", w.Blocked)
	}
	if got := strings.Join(w.Labels[0].Chats, " "); got != "120363000000000001@g.us +442079460001" {
		t.Errorf("label chats = %s", got)
	}

	w, err = LoadWorld(strings.NewReader(`{"account": {"phone": "+14155550100", "paired": false}}`))
	if err != nil {
		t.Fatal(err)
	}
	if w.Account.IsPaired() {
		t.Error("paired false should mean unpaired")
	}
}

func hasControl(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) || (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069') {
			return true
		}
	}
	return false
}

func hasCJK(s string) bool {
	for _, r := range s {
		if unicode.In(r, unicode.Han, unicode.Hangul, unicode.Hiragana, unicode.Katakana) {
			return true
		}
	}
	return false
}

func TestDemoWorld(t *testing.T) {
	t.Parallel()

	w := DemoWorld()
	if len(w.Contacts) < 300 {
		t.Errorf("contacts = %d, want ≥ 300", len(w.Contacts))
	}
	if len(w.Labels) < 8 {
		t.Errorf("labels = %d, want ≥ 8", len(w.Labels))
	}
	if len(w.Groups) < 15 {
		t.Errorf("groups = %d, want ≥ 15", len(w.Groups))
	}
	if len(w.Blocked) == 0 {
		t.Error("nobody blocked")
	}
	if len(w.Registered) < 20 || len(w.Rewrites) == 0 || len(w.Failing) == 0 {
		t.Errorf("registered %d, rewrites %d, failing %d", len(w.Registered), len(w.Rewrites), len(w.Failing))
	}
	if w.Account.Phone != "+14155550100" || !w.Account.Business || !w.Account.IsPaired() || w.RateLimit == nil {
		t.Errorf("account %+v, rate limit %v", *w.Account, w.RateLimit)
	}
	var cjk, hostile, lids, business, pushOnly, about int
	countries := map[string]bool{}
	lidSet := map[string]bool{}
	for _, c := range w.Contacts {
		if hasCJK(c.FullName) {
			cjk++
		}
		for _, s := range []string{c.FullName, c.FirstName, c.PushName, c.BusinessName, c.About} {
			if hasControl(s) {
				hostile++
			}
		}
		if c.LID != "" {
			lids++
			lidSet[c.LID] = true
		}
		if c.BusinessName != "" {
			business++
		}
		if !c.IsMyContact() && c.FullName == "" && c.PushName != "" {
			pushOnly++
		}
		if c.About != "" {
			about++
		}
		for _, cc := range []string{"+1", "+44", "+49", "+33", "+55", "+91", "+81", "+234", "+52", "+34"} {
			if strings.HasPrefix(c.Phone, cc) {
				countries[cc] = true
			}
		}
	}
	if cjk == 0 {
		t.Error("no CJK name")
	}
	if hostile != 1 {
		t.Errorf("%d hostile strings, want exactly 1", hostile)
	}
	if lids < 10 || business < 10 || pushOnly < 10 || about < len(w.Contacts)/2 {
		t.Errorf("lids %d, business %d, push-name-only %d, about %d", lids, business, pushOnly, about)
	}
	if len(countries) != 10 {
		t.Errorf("countries = %v", countries)
	}
	lidInGroup := false
	for _, g := range w.Groups {
		if n := len(g.Participants); n < 3 || n > 60 {
			t.Errorf("group %q has %d participants", g.Name, n)
		}
		for _, p := range g.Participants {
			lidInGroup = lidInGroup || lidSet[p]
		}
	}
	if !lidInGroup {
		t.Error("no contact LID is a group participant")
	}
	colors := map[int]bool{}
	for _, l := range w.Labels {
		if n := len(l.Chats); n < 2 || n > 40 {
			t.Errorf("label %q has %d chats", l.Name, n)
		}
		colors[l.Color] = true
	}
	if len(colors) < 5 {
		t.Errorf("label colours = %v", colors)
	}
	// The file on disk is what the binary embeds, and DemoWorld is a copy.
	disk, err := os.ReadFile("demo.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(disk, DemoJSON()) {
		t.Error("demo.json differs from the embedded copy")
	}
	if !bytes.Contains(disk, []byte(`\u001b]52;c;`)) || !bytes.Contains(disk, []byte(`\u202e`)) {
		t.Error("demo.json should escape the hostile name's control characters")
	}
	w.Contacts[0].FullName = "changed"
	if DemoWorld().Contacts[0].FullName == "changed" {
		t.Error("DemoWorld shares state between calls")
	}
}

func TestLoadWorldErrors(t *testing.T) {
	t.Parallel()

	const acct = `"account": {"phone": "+14155550100"}`
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "world file: empty"},
		{"blank", " \n\t ", "world file: empty"},
		{"bad JSON", `{"account": {"phone": "+14155550100",}}`, "world file: line 1, column 38: invalid JSON"},
		{"truncated", `{"account": {"phone": "+1415`, "unexpected end of file"},
		{"not an object", `[1, 2]`, "want a JSON object at the top level"},
		{"trailing garbage", "{" + acct + "}\n  xyz", "world file: line 2, column 3: unexpected data after the world object"},
		{"two objects", "{" + acct + "} {}", "unexpected data after the world object"},
		{"unknown top key", "{" + acct + `, "contact": []}`, `world file: unknown key "contact" at the top level`},
		{"unknown nested key", "{" + acct + `, "contacts": [{"phone": "+14155550101"}, {"phone": "+14155550102", "fullname": "x"}]}`,
			`world file: unknown key "fullname" in contacts[1]`},
		{"unknown account key", `{"account": {"phone": "+14155550100", "bussiness": true}}`, `unknown key "bussiness" in account`},
		{"missing account", `{"contacts": []}`, `world file: "account" is missing`},
		{"null", `null`, `world file: "account" is missing`},
		{"missing account phone", `{"account": {"push_name": "x"}}`, "world file: account.phone is missing"},
		{"bad account phone", `{"account": {"phone": "14155550100"}}`, `world file: account.phone "14155550100": not a phone number`},
		{"wrong type", "{" + acct + `, "contacts": [{"phone": "+14155550101"}, {"phone": 14155550102}]}`,
			"world file: contacts[1].phone: want a string, got number"},
		{"wrong type bool", `{"account": {"phone": "+14155550100", "paired": "yes"}}`, "world file: account.paired: want true or false, got string"},
		{"wrong container", "{" + acct + `, "groups": {}}`, "world file: groups: want a list, got object"},
		{"bad phone", "{" + acct + `, "contacts": [{"phone": "+14155550101"}, {"phone": "+1"}, {"phone": "+1"}, {"phone": "abc"}]}`,
			`world file: contacts[1].phone "+1": not a phone number`},
		{"bad phone letters", "{" + acct + `, "contacts": [{"phone": "+1415555O101"}]}`, `contacts[0].phone "+1415555O101": not a phone number`},
		{"phone too long", "{" + acct + `, "contacts": [{"phone": "+1234567890123456"}]}`, `not a phone number`},
		{"missing contact phone", "{" + acct + `, "contacts": [{"full_name": "Ada"}]}`, "world file: contacts[0].phone is missing"},
		{"duplicate phone", "{" + acct + `, "contacts": [{"phone": "+14155550101"}, {"phone": "+1 415 555 0102"}, {"phone": "+1 (415) 555-0101"}]}`,
			`world file: contacts[2].phone "+1 (415) 555-0101": duplicate of contacts[0]`},
		{"bad lid", "{" + acct + `, "contacts": [{"phone": "+14155550101", "lid": "abc@lid"}]}`, `contacts[0].lid "abc@lid": not a LID`},
		{"duplicate lid", "{" + acct + `, "contacts": [{"phone": "+14155550101", "lid": "1@lid"}, {"phone": "+14155550102", "lid": "1@lid"}]}`,
			`contacts[1].lid "1@lid": duplicate of contacts[0]`},
		{"bad color", "{" + acct + `, "labels": [{"id": "1", "name": "VIP", "color": 20}]}`, "world file: labels[0].color 20: want 0–19"},
		{"negative color", "{" + acct + `, "labels": [{"id": "1", "name": "VIP", "color": -1}]}`, "labels[0].color -1"},
		{"label without name", "{" + acct + `, "labels": [{"id": "1", "name": " ", "color": 1}]}`, "labels[0].name is missing"},
		{"duplicate label id", "{" + acct + `, "labels": [{"id": "1", "name": "a"}, {"id": "1", "name": "b"}]}`, `labels[1].id "1": duplicate of labels[0]`},
		{"bad label chat", "{" + acct + `, "labels": [{"id": "1", "name": "a", "chats": ["team"]}]}`, `labels[0].chats[0] "team": not a phone number or group JID`},
		{"participant garbage", "{" + acct + `, "groups": [{"jid": "1@g.us", "participants": ["+14155550101"]}, {"jid": "2@g.us", "participants": ["x"]}]}`,
			`world file: groups[1].participants[0] "x": not a phone number or @lid`},
		{"group jid", "{" + acct + `, "groups": [{"jid": "team", "participants": []}]}`, `groups[0].jid "team": not a group JID`},
		{"group jid missing", "{" + acct + `, "groups": [{"name": "Team"}]}`, `groups[0].jid is missing`},
		{"duplicate group", "{" + acct + `, "groups": [{"jid": "1@g.us"}, {"jid": "1@g.us"}]}`, `groups[1].jid "1@g.us": duplicate of groups[0]`},
		{"bad registered", "{" + acct + `, "registered": ["+14155550101", "555-0101"]}`, `registered[1] "555-0101": not a phone number`},
		{"null registered", "{" + acct + `, "registered": ["+14155550101", null]}`, `world file: registered[1] is null; want a phone number (line 1, column 71)`},
		{"null blocked", "{" + acct + `, "blocked": [null]}`, `world file: blocked[0] is null; want a phone number`},
		{"null contact", "{" + acct + `, "contacts": [null]}`, `world file: contacts[0] is null; want an object`},
		{"null participant", "{" + acct + `, "groups": [{"jid": "1@g.us", "participants": [null]}]}`, `world file: groups[0].participants[0] is null; want a phone number or @lid`},
		{"bad blocked", "{" + acct + `, "blocked": ["nobody"]}`, `blocked[0] "nobody": not a phone number`},
		{"bad rewrite key", "{" + acct + `, "rewrites": {"5511987654321": "+551187654321"}}`, `rewrites key "5511987654321": not a phone number`},
		{"bad rewrite value", "{" + acct + `, "rewrites": {"+5511987654321": "x"}}`, `rewrites["+5511987654321"] "x": not a phone number`},
		{"bad failing key", "{" + acct + `, "failing": {"x": "timeout"}}`, `failing key "x": not a phone number`},
		{"negative latency", "{" + acct + `, "check_latency_ms": -1}`, "check_latency_ms -1"},
		{"fractional latency", "{" + acct + `, "check_latency_ms": 1.5}`, "check_latency_ms: want a whole number"},
		{"rate limit zero", "{" + acct + `, "rate_limit": {"numbers": 0, "per_s": 60}}`, "rate_limit.numbers 0"},
		{"rate limit per_s", "{" + acct + `, "rate_limit": {"numbers": 10}}`, "rate_limit.per_s 0"},
		{"lies without a window", "{" + acct + `, "throttle_lies_after": 10}`, "throttle_lies_after needs rate_limit"},
		{"lies negative", "{" + acct + `, "rate_limit": {"numbers": 10, "per_s": 60}, "throttle_lies_after": -1}`, "throttle_lies_after -1"},
		{"lies not a number", "{" + acct + `, "rate_limit": {"numbers": 10, "per_s": 60}, "throttle_lies_after": "10"}`, "throttle_lies_after: want a whole number"},
		{"pair after negative", `{"account": {"phone": "+14155550100", "pair_after_ms": -5}}`, "account.pair_after_ms -5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			w, err := LoadWorld(strings.NewReader(tt.in))
			if err == nil {
				t.Fatalf("no error; world %+v", w)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q\nwant it to contain %q", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "world file: ") || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q should be one line starting with \"world file: \"", err)
			}
		})
	}
}

func TestLoadWorldFileErrors(t *testing.T) {
	t.Parallel()

	if _, err := LoadWorldFile(filepath.Join(t.TempDir(), "nope.json")); err == nil || !strings.Contains(err.Error(), "world file:") {
		t.Errorf("missing file: %v", err)
	}
	p := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(p, []byte(`{"account": {}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadWorldFile(p); err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "account.phone is missing") {
		t.Errorf("bad file: %v", err)
	}
}

func TestParsePhone(t *testing.T) {
	t.Parallel()

	tests := []struct {
		in, want string
		ok       bool
	}{
		{"+14155550101", "+14155550101", true},
		{" +1 (415) 555-0101 ", "+14155550101", true},
		{"+44 20 7946.0000", "+442079460000", true},
		{"+1234567", "+1234567", true},
		{"+123456", "", false},
		{"+1234567890123456", "", false},
		{"14155550101", "", false},
		{"+0155550101", "", false},
		{"+1415555010a", "", false},
		{"++14155550101", "", false},
		{"", "", false},
		{"+", "", false},
	}
	for _, tt := range tests {
		got, ok := ParsePhone(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParsePhone(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func FuzzLoadWorld(f *testing.F) {
	example, err := os.ReadFile(filepath.Join("testdata", "example.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(example)
	f.Add([]byte(`{"account": {"phone": "+14155550100", "paired": false}}`))
	f.Add([]byte(`{"account": {"phone": "+14155550100"}, "contacts": [{"phone": 1}]}`))
	f.Add([]byte(`{"account": {"phone": "+1"}, "groups": [{"jid": "1-2@g.us", "participants": ["1@lid", "x"]}]}`))
	f.Add([]byte(`{"account": {"phone": "+14155550100"}, "labels": [{"id": "1", "name": "a", "color": 99}]} trailing`))
	f.Add([]byte(`[{"account": null}]`))
	f.Add([]byte("\xff\xfe{"))
	f.Fuzz(func(t *testing.T, data []byte) {
		w, err := LoadWorld(bytes.NewReader(data))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "world file: ") {
				t.Fatalf("error without prefix: %v", err)
			}
			return
		}
		// A loaded world runs, and survives a round trip.
		New(w).Close()
		out, err := json.Marshal(w)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := LoadWorld(bytes.NewReader(out)); err != nil {
			t.Fatalf("round trip: %v\n%s", err, out)
		}
	})
}

// A world file saved with a UTF-8 byte order mark is read like one
// without; errors still point at the right line and column.
func TestLoadWorldWithByteOrderMark(t *testing.T) {
	t.Parallel()

	const body = `{"account": {"phone": "+14155550100"}, "registered": ["+14155550101"]}`
	w, err := LoadWorld(strings.NewReader("\ufeff" + body))
	if err != nil {
		t.Fatalf("with a BOM: %v", err)
	}
	if w.Account.Phone != "+14155550100" || len(w.Registered) != 1 {
		t.Errorf("world read as %+v", w)
	}
	_, err = LoadWorld(strings.NewReader("\ufeff{\"account\": {\"phone\": \"+14155550100\",}}"))
	if err == nil || !strings.Contains(err.Error(), "line 1, column 38") {
		t.Errorf("bad JSON after a BOM: %v, want it placed at line 1, column 38", err)
	}
}
