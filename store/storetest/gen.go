// Package storetest generates realistic address books for tests and
// benchmarks and writes them into a store.
package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/model/fake"
	"github.com/wabook/wabook/store"
)

var firstNames = []string{
	"James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
	"Oliver", "Amelia", "Harry", "Isla", "George", "Emily", "Lukas", "Mia", "Leon", "Hannah",
	"João", "Maria", "Pedro", "Ana", "Lucas", "Beatriz", "Gabriel", "Larissa", "Rafael", "Juliana",
	"Aarav", "Priya", "Rohan", "Ananya", "Vikram", "Sneha", "Arjun", "Kavya", "Rahul", "Divya",
	"Camille", "Louis", "Chloé", "Hugo", "Léa", "Jules", "Sofía", "Alejandro", "Lucía", "Mateo",
	"Chinedu", "Ngozi", "Emeka", "Aisha", "Tunde", "Funmi", "Budi", "Siti", "Agus", "Dewi",
	"Thabo", "Lerato", "Sipho", "Naledi", "José", "Guadalupe", "Fernanda", "Diego", "Valentina", "Carlos",
}

var lastNames = []string{
	"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Wilson", "Taylor",
	"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Silva", "Santos", "Oliveira", "Souza", "Pereira",
	"Sharma", "Patel", "Singh", "Kumar", "Gupta", "Reddy", "Martin", "Bernard", "Dubois", "Lefèvre",
	"García", "Fernández", "López", "Martínez", "Rodríguez", "Hernández", "Okafor", "Adeyemi", "Eze", "Bello",
	"Santoso", "Wijaya", "Nkosi", "Dlamini", "Mokoena", "O'Brien", "Evans", "Thomas", "Roberts", "Walker",
}

var nicknames = []string{"🌸", "✨", "🙂", "⚽", "☀️", "(work)", "❤️", "🚀", "", "", "", ""}

var businesses = []string{
	"Sunrise Bakery", "Blue Harbor Logistics", "Casa Verde Imóveis", "Kiran Textiles", "Le Petit Atelier",
	"Lagos Auto Parts", "Toko Makmur", "Cape Town Tours", "Taquería El Güero", "Berliner Fahrradladen",
	"Northwind Traders", "Green Leaf Pharmacy", "Pixel Print Shop", "Prime Dental Care", "Rapid Courier",
}

var abouts = []string{
	"Hey there! I am using WhatsApp.", "Available", "Busy", "At work", "Battery about to die",
	"Can't talk, WhatsApp only", "In a meeting", "Sleeping", "Urgent calls only", "🏖️",
}

var labelNames = []string{
	"New customer", "VIP", "Lead", "Paid", "Pending payment", "Order complete", "Important", "Follow up",
	"Wholesale", "Retail", "Supplier", "Partner", "Delivery", "Returns", "Support", "Complaint",
	"Newsletter", "Event 2025", "Black Friday", "Referral", "Cold lead", "Warm lead", "Hot lead", "Churned",
	"Trial", "Subscriber", "Gold", "Silver", "Bronze", "North region", "South region", "East region",
	"West region", "São Paulo", "Lagos", "Mumbai", "Berlin", "Paris", "Madrid", "Jakarta",
	"Spanish speaker", "Portuguese speaker", "Quote sent", "Invoice sent", "Do not contact", "Staff",
	"Family", "Friends", "Reseller", "Influencer",
}

var groupWords = []string{
	"Family", "Football Sunday", "Project", "Book club", "Neighbours", "Class of 2012", "Sales team",
	"Support", "Wholesale buyers", "Church choir", "Running club", "Parents", "Trip", "Launch", "Suppliers",
	"Community", "Flat share", "Cousins", "Office", "Alumni",
}

// country builds one random national significant number (digits after the
// country code).
type country struct {
	code   string
	weight int
	gen    func(r *rand.Rand) string
}

var countries = []country{
	{"1", 20, func(r *rand.Rand) string { // US/CA: NPA NXX XXXX
		area := fake.Pick(r, []string{"201", "212", "305", "310", "312", "347", "415", "469", "512", "617", "646", "702", "713", "718", "773", "818", "917", "929", "416", "604"})
		return area + strconv.Itoa(200+r.IntN(800)) + fake.Digits(r, 4)
	}},
	{"44", 8, func(r *rand.Rand) string { return "7" + strconv.Itoa(4+r.IntN(6)) + fake.Digits(r, 8) }},
	{"49", 8, func(r *rand.Rand) string {
		p := fake.Pick(r, []string{"151", "152", "157", "160", "162", "170", "171", "172", "175", "176", "177", "178", "179"})
		if p[1] == '5' {
			return p + fake.Digits(r, 8)
		}
		return p + fake.Digits(r, 7)
	}},
	{"55", 15, func(r *rand.Rand) string {
		return fake.Pick(r, []string{"11", "21", "31", "41", "51", "61", "71", "81", "85", "19"}) + "9" + strconv.Itoa(6+r.IntN(4)) + fake.Digits(r, 7)
	}},
	{"91", 15, func(r *rand.Rand) string { return strconv.Itoa(6+r.IntN(4)) + fake.Digits(r, 9) }},
	{"33", 8, func(r *rand.Rand) string { return strconv.Itoa(6+r.IntN(2)) + fake.Digits(r, 8) }},
	{"34", 6, func(r *rand.Rand) string { return "6" + fake.Digits(r, 8) }},
	{"52", 6, func(r *rand.Rand) string { return fake.Pick(r, []string{"55", "33", "81"}) + fake.Digits(r, 8) }},
	{"234", 6, func(r *rand.Rand) string {
		return fake.Pick(r, []string{"803", "806", "810", "813", "816", "703", "706", "905"}) + fake.Digits(r, 7)
	}},
	{"62", 5, func(r *rand.Rand) string {
		return "8" + fake.Pick(r, []string{"11", "12", "13", "21", "22", "52", "57", "58", "77", "78", "95", "96"}) + fake.Digits(r, 8)
	}},
	{"27", 3, func(r *rand.Rand) string { return strconv.Itoa(6+r.IntN(3)) + fake.Digits(r, 8) }},
}

var totalWeight = func() int {
	n := 0
	for _, c := range countries {
		n += c.weight
	}
	return n
}()

// phone returns a random E.164 number not in used, and records it.
func phone(r *rand.Rand, used map[string]bool) string {
	for {
		w := r.IntN(totalWeight)
		var c country
		for _, c = range countries {
			if w < c.weight {
				break
			}
			w -= c.weight
		}
		p := "+" + c.code + c.gen(r)
		if !used[p] {
			used[p] = true
			return p
		}
	}
}

// Generate returns n contacts, the given number of groups (about 50
// participants each, mostly phone JIDs, some the LIDs of contacts, some
// strangers) and labels; contacts carry 0–3 label names. The same arguments
// always give the same data.
func Generate(n, groups, labels int, seed int64) ([]model.Contact, []model.Group, []model.Label) {
	r := rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
	used := map[string]bool{}

	ls := make([]model.Label, labels)
	for i := range ls {
		name := fmt.Sprintf("Segment %d", i+1)
		if i < len(labelNames) {
			name = labelNames[i]
		}
		ls[i] = model.Label{Name: name, Color: i % 20, Order: i}
	}

	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	lids := map[string]bool{}
	cs := make([]model.Contact, n)
	for i := range cs {
		p := phone(r, used)
		c := model.Contact{
			JID:         model.JIDFromPhone(p),
			Phone:       p,
			IsWAContact: r.IntN(100) < 97,
			IsBlocked:   r.IntN(100) < 1,
			IsInternal:  r.IntN(100) < 2,
			Source:      model.SourceWhatsApp,
		}
		first, last := fake.Pick(r, firstNames), fake.Pick(r, lastNames)
		if r.IntN(100) < 75 {
			c.IsMyContact = true
			c.FirstName = first
			c.FullName = first + " " + last
		}
		if r.IntN(100) < 80 {
			c.PushName = strings.TrimSpace(first + " " + fake.Pick(r, nicknames))
		}
		if r.IntN(100) < 7 {
			c.IsBusiness = true
			c.BusinessName = fake.Pick(r, businesses)
			if r.IntN(2) == 0 {
				c.VerifiedName = c.BusinessName
			}
		}
		if r.IntN(100) < 35 {
			for {
				l := "1" + fake.Digits(r, 14) + "@lid"
				if !lids[l] {
					lids[l] = true
					c.LID = l
					break
				}
			}
		}
		if r.IntN(100) < 30 {
			c.About = fake.Pick(r, abouts)
		}
		if r.IntN(2) == 0 {
			c.AvatarID = strconv.FormatInt(1_600_000_000+r.Int64N(200_000_000), 10)
		}
		if r.IntN(100) < 5 {
			c.Note = "Met at the " + fake.Pick(r, []string{"trade fair", "shop", "conference", "market"})
		}
		switch x := r.IntN(100); {
		case x < 5:
			c.Source = model.SourceLocal
		case x < 10:
			c.Source = model.SourceImport
		}
		c.CreatedAt = base.Add(-time.Duration(r.IntN(3*365*24)) * time.Hour)
		c.UpdatedAt = c.CreatedAt.Add(time.Duration(r.IntN(90*24)) * time.Hour)
		if labels > 0 {
			k := 0
			switch x := r.IntN(10); {
			case x >= 9:
				k = 3
			case x >= 7:
				k = 2
			case x >= 4:
				k = 1
			}
			seen := map[int]bool{}
			for range k {
				j := r.IntN(labels)
				if !seen[j] {
					seen[j] = true
					c.Labels = append(c.Labels, ls[j].Name)
				}
			}
		}
		cs[i] = c
	}

	gjids := map[string]bool{}
	gs := make([]model.Group, groups)
	for i := range gs {
		var jid string
		for {
			jid = "120363" + fake.Digits(r, 12) + "@g.us"
			if !gjids[jid] {
				gjids[jid] = true
				break
			}
		}
		size := 30 + r.IntN(41) // 30..70, about 50
		g := model.Group{JID: jid, Name: fmt.Sprintf("%s %d", fake.Pick(r, groupWords), i+1)}
		in := map[string]bool{}
		for len(g.Participants) < size {
			var m string
			if n == 0 || r.IntN(10) == 0 {
				m = model.JIDFromPhone(phone(r, used)) // a stranger
			} else {
				c := &cs[r.IntN(n)]
				m = c.JID
				if c.LID != "" && r.IntN(4) == 0 {
					m = c.LID
				}
			}
			if !in[m] {
				in[m] = true
				g.Participants = append(g.Participants, m)
			}
			if n > 0 && n < size && len(in) >= n { // small address books
				break
			}
		}
		g.ParticipantCount = len(g.Participants)
		gs[i] = g
	}
	return cs, gs, ls
}

// Populate writes generated data into s: labels first (so their order and
// colours are kept), then contacts, their labels and groups, each step in
// one transaction (the labels one per label).
func Populate(ctx context.Context, s *store.Store, contacts []model.Contact, groups []model.Group, labels []model.Label) error {
	for _, l := range labels {
		if l.WALabelID != "" {
			if _, err := s.UpsertWALabel(ctx, l.WALabelID, l.Name, l.Color); err != nil {
				return err
			}
			continue
		}
		if _, err := s.LabelByName(ctx, l.Name); err == nil {
			continue
		}
		if _, err := s.CreateLabel(ctx, l.Name, l.Color); err != nil {
			return err
		}
	}
	if err := s.UpsertContacts(ctx, contacts); err != nil {
		return err
	}
	// The labels go on through the path the app uses (ChangeLabels), one
	// transaction per label: a fresh store has label sync off, so nothing is
	// queued for WhatsApp.
	byLabel := map[string][]string{}
	var names []string
	for i := range contacts {
		for _, l := range contacts[i].Labels {
			if byLabel[l] == nil {
				names = append(names, l)
			}
			byLabel[l] = append(byLabel[l], contacts[i].JID)
		}
	}
	for _, l := range names {
		if _, err := s.ChangeLabels(ctx, byLabel[l], []string{l}, nil); err != nil {
			return err
		}
	}
	if len(groups) > 0 {
		return s.ReplaceGroups(ctx, groups)
	}
	return nil
}

// SameContact reports whether a and b are equal, nil and empty label and
// group lists alike: what two readers of the same contact must agree on.
func SameContact(a, b model.Contact) bool {
	for _, c := range []*model.Contact{&a, &b} {
		if len(c.Labels) == 0 {
			c.Labels = nil
		}
		if len(c.Groups) == 0 {
			c.Groups = nil
		}
	}
	return reflect.DeepEqual(a, b)
}
