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
)

// The world file's shape (README, "Simulated accounts"), kept here so the generator does not
// depend on the package it generates data for.
type world struct {
	Account        account           `json:"account"`
	Contacts       []*contact        `json:"contacts"`
	Registered     []string          `json:"registered"`
	Rewrites       map[string]string `json:"rewrites"`
	Failing        map[string]string `json:"failing"`
	Groups         []group           `json:"groups"`
	Blocked        []string          `json:"blocked"`
	Labels         []label           `json:"labels"`
	CheckLatencyMS int               `json:"check_latency_ms"`
	RateLimit      rateLimit         `json:"rate_limit"`
}

type account struct {
	Phone       string `json:"phone"`
	PushName    string `json:"push_name"`
	Business    bool   `json:"business"`
	Paired      bool   `json:"paired"`
	PairAfterMS int    `json:"pair_after_ms"`
}

type contact struct {
	Phone         string `json:"phone"`
	FullName      string `json:"full_name,omitempty"`
	FirstName     string `json:"first_name,omitempty"`
	PushName      string `json:"push_name,omitempty"`
	BusinessName  string `json:"business_name,omitempty"`
	LID           string `json:"lid,omitempty"`
	About         string `json:"about,omitempty"`
	AvatarURL     string `json:"avatar_url,omitempty"`
	InAddressBook bool   `json:"in_address_book"`

	country string
}

type group struct {
	JID          string   `json:"jid"`
	Name         string   `json:"name"`
	Participants []string `json:"participants"`
}

type label struct {
	ID    string   `json:"id"`
	Name  string   `json:"name"`
	Color int      `json:"color"`
	Chats []string `json:"chats"`
}

type rateLimit struct {
	Numbers int `json:"numbers"`
	PerS    int `json:"per_s"`
}

// country describes how to make numbers and names for one country.
type country struct {
	code   string // ISO region
	count  int    // ordinary contacts to make
	number func(r *rand.Rand) string
	firsts []string
	lasts  []string
	// familyFirst writes the family name first (Japan, China, Korea).
	familyFirst bool
	space       string // between the names
}

func digits(r *rand.Rand, n int) string {
	var b strings.Builder
	for range n {
		b.WriteByte(byte('0' + r.IntN(10)))
	}
	return b.String()
}

func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

var countries = []*country{
	{code: "US", count: 62, number: func(r *rand.Rand) string {
		return "+1" + pick(r, []string{"415", "212", "646"}) + "55501" + digits(r, 2)
	}, firsts: []string{"James", "Olivia", "Liam", "Emma", "Noah", "Ava", "Ethan", "Sophia", "Mason", "Isabella", "Lucas", "Mia", "Harper", "Elijah", "Amelia", "Logan", "Evelyn", "Jackson", "Abigail", "Aiden", "Emily", "Carter", "Madison", "Grace", "Daniel", "Chloe", "Henry", "Zoe", "Owen", "Nora", "Jacob", "Riley", "DeShawn", "Keisha", "Tyrone", "Brianna"},
		lasts: []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Jackson", "Martin", "Lee", "Thompson", "White", "Harris", "Clark", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Nguyen", "Hill", "O'Connor", "McAllister"}},
	{code: "GB", count: 34, number: func(r *rand.Rand) string { return "+442079460" + digits(r, 3) }, // 020 7946 0xxx
		firsts: []string{"Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Jack", "Poppy", "Charlie", "Freya", "Alfie", "Florence", "Archie", "Ivy", "Freddie", "Rosie", "Thomas", "Evie", "Siobhan", "Rhys", "Niamh", "Callum"},
		lasts:  []string{"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Davies", "Thomas", "Roberts", "Walker", "Wright", "Hughes", "Edwards", "Green", "Patel", "Khan", "Murphy", "Campbell", "Fitzgerald-Hughes"}},
	{code: "DE", count: 30, number: func(r *rand.Rand) string { return "+4930" + pick(r, []string{"2", "3", "4", "6", "8"}) + digits(r, 7) },
		firsts: []string{"Lukas", "Anna", "Jonas", "Lena", "Felix", "Marie", "Maximilian", "Sophie", "Paul", "Hannah", "Leon", "Emilia", "Jürgen", "Jörg", "Björn", "Zoë", "Uwe", "Käthe", "Günther", "Fatma"},
		lasts:  []string{"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann", "Krüger", "Yılmaz", "Öztürk"}},
	{code: "FR", count: 30, number: func(r *rand.Rand) string { return "+336" + digits(r, 8) },
		firsts: []string{"Gabriel", "Louise", "Léo", "Jade", "Raphaël", "Ambre", "Arthur", "Chloé", "Louis", "Inès", "Jules", "Léa", "Hélène", "François", "Zoé", "Anaïs", "Noël", "Maëlle", "Thérèse", "Amélie"},
		lasts:  []string{"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garnier", "Faure", "Rousseau", "Mercier", "Girard", "Lemaître"}},
	{code: "BR", count: 34, number: func(r *rand.Rand) string {
		return "+55" + pick(r, []string{"11", "11", "11", "21", "31"}) + "9" + pick(r, []string{"6", "7", "8", "9"}) + digits(r, 7)
	}, firsts: []string{"João", "Maria", "Pedro", "Ana", "Lucas", "Júlia", "Gabriel", "Beatriz", "Matheus", "Larissa", "Rafael", "Camila", "Felipe", "Letícia", "Thiago", "Fernanda", "Conceição", "Luíza", "Caio", "Vitória"},
		lasts: []string{"Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima", "Gomes", "Costa", "Ribeiro", "Martins", "Carvalho", "Araújo", "Conceição", "Gonçalves", "Magalhães"}},
	{code: "IN", count: 30, number: func(r *rand.Rand) string { return "+919" + pick(r, []string{"8", "7", "9", "1"}) + digits(r, 8) },
		firsts: []string{"Aarav", "Priya", "Vihaan", "Ananya", "Arjun", "Diya", "Sai", "Aadhya", "Reyansh", "Ishita", "Krishna", "Kavya", "Rohan", "Sneha", "Vikram", "Lakshmi", "Rahul", "Pooja", "Aditya", "Meera"},
		lasts:  []string{"Sharma", "Patel", "Singh", "Kumar", "Gupta", "Reddy", "Iyer", "Nair", "Mehta", "Joshi", "Rao", "Chatterjee", "Banerjee", "Das", "Pillai", "Menon", "Verma", "Kapoor"}},
	{code: "JP", count: 24, number: func(r *rand.Rand) string { return "+8190" + pick(r, []string{"1", "2", "3", "4", "5"}) + digits(r, 7) },
		firsts: []string{"Haruto", "Yui", "Sota", "Hina", "Yuto", "Aoi", "Riku", "Mei", "Takumi", "Sakura", "Kenji", "Yuki", "Daiki", "Emi"},
		lasts:  []string{"Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura", "Kobayashi", "Kato", "Yoshida", "Yamada"}},
	{code: "NG", count: 25, number: func(r *rand.Rand) string { return "+23480" + pick(r, []string{"3", "5", "6", "7", "8"}) + digits(r, 7) },
		firsts: []string{"Chinedu", "Ngozi", "Emeka", "Aisha", "Oluwaseun", "Funmilayo", "Ibrahim", "Chiamaka", "Tunde", "Zainab", "Obinna", "Adaeze", "Musa", "Yetunde", "Kelechi", "Bisi"},
		lasts:  []string{"Okafor", "Adeyemi", "Okonkwo", "Bello", "Eze", "Abubakar", "Nwosu", "Adebayo", "Ogunleye", "Ibrahim", "Chukwu", "Balogun", "Onyeka", "Danjuma"}},
	{code: "MX", count: 25, number: func(r *rand.Rand) string {
		return "+5255" + pick(r, []string{"1", "2", "3", "4", "5", "6"}) + digits(r, 7)
	},
		firsts: []string{"Santiago", "Ximena", "Mateo", "Valentina", "Sebastián", "Regina", "Diego", "Camila", "Emiliano", "Renata", "José", "Guadalupe", "Jesús", "María José", "Iñaki", "Citlali"},
		lasts:  []string{"Hernández", "García", "Martínez", "López", "González", "Pérez", "Rodríguez", "Sánchez", "Ramírez", "Cruz", "Flores", "Gómez", "Núñez", "Xochitl", "Peña"}},
	{code: "ES", count: 25, number: func(r *rand.Rand) string { return "+346" + digits(r, 8) },
		firsts: []string{"Hugo", "Lucía", "Martín", "Sofía", "Pablo", "Martina", "Álvaro", "Paula", "Adrián", "Julia", "Íñigo", "Begoña", "Jordi", "Montserrat", "Nerea", "Iker"},
		lasts:  []string{"García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Martín", "Jiménez", "Ruiz", "Muñoz", "Ibáñez", "Etxeberria", "Puigdemont"}},
	{code: "PT", count: 6, number: func(r *rand.Rand) string { return "+3519" + pick(r, []string{"1", "2", "3", "6"}) + digits(r, 7) },
		firsts: []string{"Tiago", "Inês", "Duarte", "Leonor", "Rodrigo", "Matilde"},
		lasts:  []string{"Ferreira", "Pereira", "Sousa", "Fonseca", "Carvalho", "Tavares"}},
	{code: "IT", count: 5, number: func(r *rand.Rand) string { return "+393" + pick(r, []string{"47", "33", "28", "92"}) + digits(r, 7) },
		firsts: []string{"Giulia", "Francesco", "Chiara", "Alessandro", "Niccolò"},
		lasts:  []string{"Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "De Luca"}},
	{code: "KR", count: 3, familyFirst: true, number: func(r *rand.Rand) string { return "+8210" + pick(r, []string{"2", "3", "4", "5", "8"}) + digits(r, 7) },
		firsts: []string{"서윤", "도윤", "하은", "지호"}, lasts: []string{"이", "최", "정", "강"}},
	{code: "CN", count: 3, familyFirst: true, number: func(r *rand.Rand) string { return "+861" + pick(r, []string{"38", "39", "86", "58"}) + digits(r, 8) },
		firsts: []string{"芳", "静", "磊", "强"}, lasts: []string{"张", "刘", "陈", "杨"}},
	{code: "AE", count: 1, number: func(r *rand.Rand) string { return "+97150" + digits(r, 7) },
		firsts: []string{"Omar", "Fatima"}, lasts: []string{"Al Hashimi", "Al Mansouri"}},
}

func byCode(code string) *country {
	for _, c := range countries {
		if c.code == code {
			return c
		}
	}
	panic("no country " + code)
}

var abouts = []string{
	"Hey there! I am using WhatsApp.", "Hey there! I am using WhatsApp.", "Hey there! I am using WhatsApp.",
	"Available", "Busy", "At work", "At the gym 🏋️", "Urgent calls only", "Can't talk, WhatsApp only",
	"Sleeping 😴", "Battery about to die", "In a meeting", "Living my best life ✨", "Carpe diem",
	"Disponível", "Ocupado", "Só mensagens, por favor 🙏", "Nur Notfälle", "Bin im Urlaub 🏖️",
	"En réunion", "Pas de vocaux svp", "Ocupada, solo mensajes", "De vacaciones 🌴", "Trabajando",
	"お仕事中です", "不在", "God is good 🙌", "No calls, text only", "📍 Lagos", "🇧🇷🇵🇹",
	"Coffee first ☕", "Runner. Reader. Dad.", "Mom of 3 💕", "Música é vida 🎶", "Out of office until Monday",
	"Reply within 24h", "Let's build something!", "Be kind.", "…", "🙂",
}

var lisbon = []string{"Lisbon Bakery", "Pastelaria Belém Doce", "Tasca do Bairro"}

// businesses: name, country, in address book (with the full name saved).
var businesses = []struct {
	name, country, saved string
}{
	{"Lisbon Bakery", "PT", "Lisbon Bakery (orders)"},
	{"Pastelaria Belém Doce", "PT", ""},
	{"Tasca do Bairro", "PT", ""},
	{"Padaria Pão Quente", "BR", "Padaria Pão Quente"},
	{"Distribuidora São Jorge", "BR", "São Jorge – fornecedor"},
	{"Embalagens Paulista Ltda", "BR", ""},
	{"Café Mineiro", "BR", ""},
	{"Golden Gate Florist", "US", "Florist SF"},
	{"Brooklyn Bike Repair", "US", ""},
	{"Empire Print & Copy", "US", "Print shop"},
	{"Thames Plumbing Ltd", "GB", "Plumber – Thames"},
	{"Camden Coffee Roasters", "GB", ""},
	{"Bäckerei Schmidt", "DE", "Bäckerei Schmidt"},
	{"Spreewald Feinkost GmbH", "DE", ""},
	{"Boulangerie Martin", "FR", ""},
	{"Fromagerie Lefèvre", "FR", "Fromager"},
	{"Taquería El Güero", "MX", "Tacos El Güero 🌮"},
	{"Papelería Ñandú", "MX", ""},
	{"Ferretería López e Hijos", "ES", "Ferretería"},
	{"Mumbai Spice Traders", "IN", "Spice supplier"},
	{"Chai Corner Pune", "IN", ""},
	{"Sakura Sushi 桜", "JP", ""},
	{"Lagos Prints Ltd", "NG", "Lagos Prints"},
	{"Abuja Fabrics & Textiles", "NG", ""},
	{"Trattoria Da Nico", "IT", ""},
}

var pushOnly = []string{"Carlos 🚀", "jess", "Dr. Okafor", "Mãe", "bigmike", "Pri", "~ Lu ~", "Kenny",
	"JP", "Tía Rosa", "Sunny ☀️", "nico.b", "Ахмед", "Dani", "Babajide", "Anjali 🌺", "M.", "Hiro",
	"Léa ✌️", "Gabi", "Tee", "Flo", "Manu", "🦊", "Chuks", "Ritu", "Juanjo", "Kat", "Sven", "Bea",
	"Olu", "Raj", "Yuki ❄️", "Fer", "Ash", "Deb", "Zé", "Kiki", "Pablo M", "Lola"}

func main() {
	r := rand.New(rand.NewPCG(20260101, 42))
	used := map[string]bool{}
	w := &world{
		Account:        account{Phone: "+14155550100", PushName: "Acme Support", Business: true, Paired: true, PairAfterMS: 4000},
		Rewrites:       map[string]string{},
		Failing:        map[string]string{},
		CheckLatencyMS: 150,
		RateLimit:      rateLimit{Numbers: 500, PerS: 60},
	}
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
		w.Contacts = append(w.Contacts, c)
		return c
	}
	person := func(c *country) (full, first string) {
		f, l := pick(r, c.firsts), pick(r, c.lasts)
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
			return first + " " + pick(r, []string{"✨", "🌻", "⚽", "🎧", "💼", "🙂", "🔥"})
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
		return pick(r, abouts)
	}
	avatarFor := func() string {
		if r.IntN(5) >= 2 {
			return ""
		}
		return fmt.Sprintf("https://pps.whatsapp.net/v/t61.24694-24/%s_%s_%s_n.jpg?ccb=11-4&oh=01_Q5Aa%s&oe=%X&_nc_sid=5e03e0&_nc_cat=10%d",
			digits(r, 9), digits(r, 15), digits(r, 16), randAlnum(r, 40), 0x68000000+r.IntN(0xfffff), r.IntN(10))
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
		add(&contact{Phone: newNumber(byCode(s.country)), FullName: s.full, FirstName: s.first, PushName: s.push,
			About: s.about, AvatarURL: avatarFor(), InAddressBook: true, country: s.country})
	}

	// Businesses.
	for _, b := range businesses {
		c := add(&contact{Phone: newNumber(byCode(b.country)), BusinessName: b.name, PushName: b.name,
			About:     pick(r, []string{"Open Mon–Sat 8:00–18:00", "Orders via WhatsApp 📦", "Wholesale & retail", "Family business since 1987", "We reply within 1 hour", ""}),
			AvatarURL: avatarFor(), country: b.country})
		if b.saved != "" {
			c.FullName, c.InAddressBook = b.saved, true
		}
		if slices.Contains(lisbon, b.name) && c.About == "" {
			c.About = "Rua Augusta, Lisboa"
		}
	}

	// Ordinary people, country by country, then push-name-only strangers.
	for _, c := range countries {
		for range c.count {
			full, first := person(c)
			add(&contact{Phone: newNumber(c), FullName: full, FirstName: first, PushName: pushFor(full, first),
				About: aboutFor(), AvatarURL: avatarFor(), InAddressBook: true, country: c.code})
		}
	}
	common := []string{"US", "GB", "DE", "FR", "BR", "IN", "JP", "NG", "MX", "ES"}
	for i, p := range pushOnly {
		cc := common[i%len(common)]
		add(&contact{Phone: newNumber(byCode(cc)), PushName: p, About: aboutFor(), AvatarURL: avatarFor(), country: cc})
	}

	// LIDs: twelve contacts spread through the list.
	var withLID []*contact
	for i := 3; len(withLID) < 12; i += 23 {
		c := w.Contacts[i%len(w.Contacts)]
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
		w.Blocked = append(w.Blocked, w.Contacts[i].Phone)
	}
	w.Blocked = append(w.Blocked, newNumber(byCode("US")), newNumber(byCode("NG")))

	// Groups.
	people := func(filter func(*contact) bool) []*contact {
		var out []*contact
		for _, c := range w.Contacts {
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
		g := group{JID: fmt.Sprintf("1203630%011d@g.us", 48213570+gi*7919), Name: d.name}
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
	saved := func(c *contact) bool { return c.InAddressBook || c.BusinessName != "" }
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
		l := label{ID: fmt.Sprint(i + 1), Name: d.name, Color: d.color}
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
	return pick(r, []string{"1", "2"}) + digits(r, 14) + "@lid"
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
