// Command gendemo writes wabook's demo world (wa/sim/demo.json) to stdout.
// It is deterministic: the same program always writes the same file.
//
//	go run ./wa/sim/internal/gendemo > wa/sim/demo.json
//
// Every phone number is checked with libphonenumber and must be valid for
// its country; US and UK numbers come from the ranges set aside for fiction
// (555-01xx, 020 7946 0xxx).
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"github.com/wabook/wabook/model/fake"
	"github.com/wabook/wabook/wa/sim"
)

func main() {
	r := rand.New(rand.NewPCG(20260101, 42))
	used := map[string]bool{}
	paired := true
	w := &sim.World{
		Account:        &sim.WorldAccount{Phone: "+14155550100", PushName: "Acme Support", Business: true, Paired: &paired, PairAfterMS: 4000},
		Rewrites:       map[string]string{},
		Failing:        map[string]string{},
		CheckLatencyMS: 150,
		RateLimit:      &sim.RateLimit{Numbers: 500, PerS: 60},
	}
	var contacts []*contact // w.Contacts, filled from these at the end
	reserve := func(p string, mustBeValid bool) string {
		if mustBeValid {
			check(p)
		}
		if used[p] {
			panic("duplicate number " + p)
		}
		used[p] = true
		return p
	}
	reserve(w.Account.Phone, true)

	// Numbers the checks answer specially; none of them is a contact.
	for in, out := range map[string]string{
		"+5511987654321": "+551187654321", // Brazil: old account without the ninth digit
		"+5521998765432": "+552198765432",
		"+5531991234567": "+553191234567",
		"+541123456789":  "+5491123456789", // Argentina: WhatsApp answers with the mobile 9
	} {
		w.Rewrites[reserve(in, true)] = reserve(out, false)
	}
	for in, reason := range map[string]string{
		"+14155550199":  "timeout",
		"+442079460999": "server returned error 500",
		"+33698765432":  "internal-server-error",
	} {
		w.Failing[reserve(in, true)] = reason
	}

	newNumber := func(c *country) string {
		for range 1000 {
			p := c.number(r)
			if used[p] {
				continue
			}
			if !valid(p) {
				continue
			}
			return reserve(p, true)
		}
		panic("no free number for " + c.code)
	}
	add := func(c *contact) *contact {
		contacts = append(contacts, c)
		return c
	}
	person := func(c *country) (full, first string) {
		f, l := fake.Pick(r, c.firsts), fake.Pick(r, c.lasts)
		if c.familyFirst {
			return l + c.space + f, f
		}
		return f + " " + l, f
	}
	pushFor := func(full, first string) string {
		switch r.IntN(10) {
		case 0, 1, 2:
			return first
		case 3:
			return strings.ToLower(first)
		case 4:
			return full
		case 5:
			return first + " " + fake.Pick(r, []string{"✨", "🌻", "⚽", "🎧", "💼", "🙂", "🔥"})
		case 6:
			return strings.ToUpper(string([]rune(first)[:1])) + "."
		case 7:
			return ""
		default:
			return first
		}
	}
	aboutFor := func() string {
		if r.IntN(4) == 0 {
			return ""
		}
		return fake.Pick(r, abouts)
	}
	avatarFor := func() string {
		if r.IntN(5) >= 2 {
			return ""
		}
		return fmt.Sprintf("https://pps.whatsapp.net/v/t61.24694-24/%s_%s_%s_n.jpg?ccb=11-4&oh=01_Q5Aa%s&oe=%X&_nc_sid=5e03e0&_nc_cat=10%d",
			fake.Digits(r, 9), fake.Digits(r, 15), fake.Digits(r, 16), randAlnum(r, 40), 0x68000000+r.IntN(0xfffff), r.IntN(10))
	}

	// Hand-picked contacts first: the names a demo should show.
	special := []struct{ country, full, first, push, about string }{
		{"US", "Maya 🌸", "Maya", "maya", "Coffee first ☕"},
		{"GB", "Tom 👨‍👩‍👧", "Tom", "Tom", "Dad of three"},
		{"JP", "山田 太郎", "太郎", "Taro", "お仕事中です"},
		{"JP", "佐藤 花子", "花子", "はなこ", ""},
		{"CN", "王伟", "伟", "Wei", "不在"},
		{"CN", "李娜", "娜", "Li Na", ""},
		{"KR", "김민준", "민준", "Minjun", "바빠요"},
		{"KR", "박서연", "서연", "서연 🌷", ""},
		{"AE", "أحمد المنصوري", "أحمد", "Ahmed", "متاح"},
		{"FR", "Hélène Lefèvre-Dubois", "Hélène", "Hélène", "En réunion"},
		{"ES", "José Ñúñez Ibáñez", "José", "Pepe", ""},
		{"DE", "Zoë Müller-Lüdenscheidt", "Zoë", "Zoë", "Nur Notfälle"},
		{"BR", "Maria da Conceição Aparecida dos Santos Oliveira Pereira de Albuquerque e Vasconcelos", "Maria", "Cida", "Disponível"},
		{"GB", "Eve\x1b]52;c;ZXZpbA==\x07\x1b[2J\u202Egnp.exe", "Eve", "eve", ""},
		{"NG", "Chukwuemeka Oluwadamilare Adebayo-Okonkwo", "Chukwuemeka", "Emeka", "God is good 🙌"},
		{"IN", "Priya Patel (Accounts)", "Priya", "Priya", "Reply within 24h"},
		{"MX", "Guadalupe \"Lupita\" Peña", "Guadalupe", "Lupita 💃", ""},
		{"US", "Sam O'Connor", "Sam", "sam", "Be kind."},
	}
	for _, s := range special {
		add(&contact{WorldContact: sim.WorldContact{Phone: newNumber(byCode(s.country)), FullName: s.full, FirstName: s.first,
			PushName: s.push, About: s.about, AvatarURL: avatarFor()}, inBook: true, country: s.country})
	}

	// Businesses.
	for _, b := range businesses {
		c := add(&contact{WorldContact: sim.WorldContact{Phone: newNumber(byCode(b.country)), BusinessName: b.name, PushName: b.name,
			About:     fake.Pick(r, []string{"Open Mon–Sat 8:00–18:00", "Orders via WhatsApp 📦", "Wholesale & retail", "Family business since 1987", "We reply within 1 hour", ""}),
			AvatarURL: avatarFor()}, country: b.country})
		if b.saved != "" {
			c.FullName, c.inBook = b.saved, true
		}
		if slices.Contains(lisbon, b.name) && c.About == "" {
			c.About = "Rua Augusta, Lisboa"
		}
	}

	// Ordinary people, country by country, then push-name-only strangers.
	for _, c := range countries {
		for range c.count {
			full, first := person(c)
			add(&contact{WorldContact: sim.WorldContact{Phone: newNumber(c), FullName: full, FirstName: first,
				PushName: pushFor(full, first), About: aboutFor(), AvatarURL: avatarFor()}, inBook: true, country: c.code})
		}
	}
	common := []string{"US", "GB", "DE", "FR", "BR", "IN", "JP", "NG", "MX", "ES"}
	for i, p := range pushOnly {
		cc := common[i%len(common)]
		add(&contact{WorldContact: sim.WorldContact{Phone: newNumber(byCode(cc)), PushName: p, About: aboutFor(), AvatarURL: avatarFor()},
			country: cc})
	}

	// LIDs: twelve contacts spread through the list.
	var withLID []*contact
	for i := 3; len(withLID) < 12; i += 23 {
		c := contacts[i%len(contacts)]
		if c.LID != "" {
			continue
		}
		c.LID = lid(r)
		withLID = append(withLID, c)
	}

	// Numbers on WhatsApp that are not contacts.
	for i := range 30 {
		w.Registered = append(w.Registered, newNumber(byCode(common[(i*3)%len(common)])))
	}

	// Blocked: six contacts and two spammers nobody saved.
	for _, i := range []int{40, 77, 130, 181, 226, 290} {
		w.Blocked = append(w.Blocked, contacts[i].Phone)
	}
	w.Blocked = append(w.Blocked, newNumber(byCode("US")), newNumber(byCode("NG")))

	// Groups.
	people := func(filter func(*contact) bool) []*contact {
		var out []*contact
		for _, c := range contacts {
			if filter(c) {
				out = append(out, c)
			}
		}
		r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
		return out
	}
	from := func(codes ...string) func(*contact) bool {
		return func(c *contact) bool { return len(codes) == 0 || slices.Contains(codes, c.country) }
	}
	isBusiness := func(c *contact) bool { return c.BusinessName != "" }
	groupDefs := []struct {
		name    string
		size    int
		filter  func(*contact) bool
		unknown int // LIDs of people who are not contacts
		strange int // numbers of people who are not contacts
	}{
		{"Team", 9, from("US", "GB"), 0, 0},
		{"Family 🏡", 7, from("US"), 0, 1},
		{"Book club", 11, from("GB", "US", "FR"), 1, 0},
		{"Suppliers BR", 14, func(c *contact) bool { return c.country == "BR" || c.country == "PT" }, 0, 1},
		{"Marathon 2026", 58, from(), 3, 2},
		{"Acme Support Staff", 6, from("US", "GB", "IN"), 0, 0},
		{"Wholesale Buyers EU", 23, from("DE", "FR", "ES", "IT", "PT", "GB"), 1, 0},
		{"Lisbon Pop-up", 5, func(c *contact) bool { return c.country == "PT" || slices.Contains(lisbon, c.BusinessName) }, 0, 0},
		{"Weekend Football ⚽", 18, from("BR", "MX", "ES", "NG"), 1, 1},
		{"Vizinhos – Rua Augusta", 12, from("PT", "BR"), 0, 0},
		{"Tokyo Trip 2025 🗼", 4, from("JP", "KR", "CN"), 0, 0},
		{"VIP Customers", 30, from(), 0, 0},
		{"Dev & Ops", 3, from("IN", "US"), 0, 0},
		{"Parents of 3B", 26, from("DE", "FR", "GB"), 1, 0},
		{"Yoga Mornings 🧘", 10, from("IN", "US", "MX"), 0, 0},
		{"Recipes 🍝", 15, from("IT", "ES", "MX", "FR", "BR"), 0, 0},
		{"Berlin Meetup", 40, from("DE", "GB", "FR", "ES", "NG", "IN"), 2, 1},
		{"Partners Nigeria", 8, func(c *contact) bool { return c.country == "NG" || isBusiness(c) }, 0, 0},
	}
	for gi, d := range groupDefs {
		g := sim.WorldGroup{JID: fmt.Sprintf("1203630%011d@g.us", 48213570+gi*7919), Name: d.name}
		members := people(d.filter)
		n := d.size - d.unknown - d.strange
		if len(members) < n {
			panic(fmt.Sprintf("group %q: only %d candidates", d.name, len(members)))
		}
		for k, c := range members[:n] {
			switch {
			case c.LID != "" && k%2 == 0:
				g.Participants = append(g.Participants, c.LID) // LID-addressed member
			case k%9 == 4:
				g.Participants = append(g.Participants, strings.TrimPrefix(c.Phone, "+")+"@s.whatsapp.net")
			default:
				g.Participants = append(g.Participants, c.Phone)
			}
		}
		for range d.unknown {
			g.Participants = append(g.Participants, lid(r))
		}
		for k := range d.strange {
			if k%2 == 0 {
				g.Participants = append(g.Participants, w.Registered[(gi+k)%len(w.Registered)])
			} else {
				g.Participants = append(g.Participants, newNumber(byCode(common[gi%len(common)])))
			}
		}
		r.Shuffle(len(g.Participants), func(i, j int) { g.Participants[i], g.Participants[j] = g.Participants[j], g.Participants[i] })
		w.Groups = append(w.Groups, g)
	}
	// Make sure a few contact LIDs show up in groups (the store maps them).
	lidsInGroups := 0
	for _, g := range w.Groups {
		for _, p := range g.Participants {
			for _, c := range withLID {
				if p == c.LID {
					lidsInGroups++
				}
			}
		}
	}
	if lidsInGroups < 6 {
		for i, c := range withLID[:4] {
			gr := &w.Groups[4+i*3]
			if !slices.Contains(gr.Participants, c.LID) && !slices.Contains(gr.Participants, c.Phone) {
				gr.Participants = append(gr.Participants, c.LID)
			}
		}
	}

	groupJID := func(name string) string {
		for _, g := range w.Groups {
			if g.Name == name {
				return g.JID
			}
		}
		panic("no group " + name)
	}
	// Labels.
	saved := func(c *contact) bool { return c.inBook || c.BusinessName != "" }
	labelDefs := []struct {
		name   string
		color  int
		size   int
		filter func(*contact) bool
		groups []string
		extra  int // registered numbers that are not contacts
	}{
		{"New customer", 1, 35, saved, nil, 0},
		{"VIP", 4, 12, saved, []string{"VIP Customers"}, 0},
		{"Lead", 9, 38, func(c *contact) bool { return true }, nil, 2},
		{"Paid", 2, 28, saved, nil, 0},
		{"Pending payment", 12, 9, saved, nil, 0},
		{"Supplier", 7, 13, isBusiness, []string{"Suppliers BR"}, 0},
		{"Follow up", 15, 20, func(c *contact) bool { return true }, nil, 0},
		{"Wholesale", 5, 6, isBusiness, []string{"Wholesale Buyers EU"}, 0},
		{"Support", 18, 18, saved, []string{"Acme Support Staff"}, 0},
		{"Partner", 11, 2, func(c *contact) bool { return c.country == "NG" && isBusiness(c) }, []string{"Partners Nigeria"}, 0},
	}
	for i, d := range labelDefs {
		l := sim.WorldLabel{ID: fmt.Sprint(i + 1), Name: d.name, Color: d.color}
		for _, gname := range d.groups {
			l.Chats = append(l.Chats, groupJID(gname))
		}
		for _, c := range people(d.filter) {
			if len(l.Chats) >= d.size-d.extra {
				break
			}
			l.Chats = append(l.Chats, c.Phone)
		}
		for k := range d.extra {
			l.Chats = append(l.Chats, w.Registered[5+k])
		}
		if len(l.Chats) < 2 || len(l.Chats) > 40 {
			panic(fmt.Sprintf("label %q has %d chats", d.name, len(l.Chats)))
		}
		w.Labels = append(w.Labels, l)
	}

	for _, c := range contacts {
		wc := c.WorldContact
		wc.InAddressBook = &c.inBook // stated for every contact of the demo
		w.Contacts = append(w.Contacts, wc)
	}

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(w); err != nil {
		panic(err)
	}
	// encoding/json writes bidi controls as they are; escape them so the
	// file is safe to cat.
	out := buf.String()
	for _, r := range "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f" {
		out = strings.ReplaceAll(out, string(r), fmt.Sprintf(`\u%04x`, r))
	}
	os.Stdout.WriteString(out)
}

func randAlnum(r *rand.Rand, n int) string {
	const abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = abc[r.IntN(len(abc))]
	}
	return string(b)
}

// lid makes a 15-digit LID like WhatsApp's.
func lid(r *rand.Rand) string {
	return fake.Pick(r, []string{"1", "2"}) + fake.Digits(r, 14) + "@lid"
}

func valid(p string) bool {
	n, err := phonenumbers.Parse(p, "")
	return err == nil && phonenumbers.IsValidNumber(n)
}

func check(p string) {
	if !valid(p) {
		panic("not a valid number: " + p)
	}
}
