package model

import (
	"fmt"
	"testing"
)

// benchBook builds n synthetic contacts with cached haystacks, 20 labels and
// 200 groups, roughly the shape of a large business account.
func benchBook(n int) ([]*Contact, []string, []Label, []Group) {
	first := []string{"Ana", "Bruno", "Carla", "Diego", "Elena", "Fatima", "Gabriel", "Hana", "Ivan", "Julia",
		"Kenji", "Lucia", "Mateo", "Nadia", "Omar", "Paula", "Quentin", "Rosa", "Sami", "Tomás"}
	last := []string{"Silva", "Santos", "Oliveira", "Souza", "Lima", "Pereira", "Costa", "Rodrigues", "Almeida",
		"Nascimento", "Müller", "García", "Rossi", "Dubois", "Kowalski", "Nguyen", "Khan", "Ivanova", "Sato", "Smith"}
	labels := make([]Label, LabelColors)
	names := []string{"VIP", "New customer", "Lead", "Paid", "Pending payment", "Order complete", "Vendor",
		"Wholesale", "Retail", "Follow up", "Support", "Returned", "Partner", "Press", "Friend", "Family",
		"Spam", "Cold", "Warm", "Hot"}
	for i := range labels {
		labels[i] = Label{ID: int64(i + 1), Name: names[i], Color: i}
	}
	groups := make([]Group, 200)
	for i := range groups {
		name := fmt.Sprintf("Customers %d", i)
		if i%10 == 0 {
			name = fmt.Sprintf("Team %d", i)
		}
		groups[i] = Group{JID: fmt.Sprintf("1203630000000%05d@g.us", i), Name: name}
	}
	contacts := make([]*Contact, n)
	hay := make([]string, n)
	for i := range contacts {
		c := &Contact{
			JID:         fmt.Sprintf("55119%08d@s.whatsapp.net", i),
			Phone:       fmt.Sprintf("+55119%08d", i),
			FullName:    first[i%len(first)] + " " + last[(i/len(first))%len(last)],
			PushName:    first[(i*7)%len(first)],
			IsMyContact: i%3 != 0,
			IsWAContact: i%5 != 0,
			IsBusiness:  i%11 == 0,
		}
		if i%4 == 0 {
			c.FirstName = first[i%len(first)]
		}
		if i%9 == 0 {
			c.Note = "met at the fair, wants a quote"
		}
		for j := range i % 4 {
			c.Labels = append(c.Labels, names[(i+j*5)%len(names)])
		}
		for j := range i % 3 {
			c.Groups = append(c.Groups, groups[(i*3+j)%len(groups)].JID)
		}
		contacts[i] = c
		hay[i] = Haystack(c)
	}
	return contacts, hay, labels, groups
}

// BenchmarkMatch100k times one full pass of a compiled query over 100 000
// contacts: what the contact list does per keystroke. ns/op is per pass.
func BenchmarkMatch100k(b *testing.B) {
	contacts, hay, labels, groups := benchBook(100_000)
	for _, query := range []string{"is:saved", "ana", "label:vip", "group:team", "+55 11", "-is:saved label:v ana"} {
		b.Run(query, func(b *testing.B) {
			q, err := ParseQuery(query)
			if err != nil {
				b.Fatal(err)
			}
			m := q.Compile(labels, groups)
			hits := 0
			b.ResetTimer()
			for b.Loop() {
				hits = 0
				for i, c := range contacts {
					if m.Match(c, hay[i]) {
						hits++
					}
				}
			}
			b.ReportMetric(float64(hits), "hits")
		})
	}
}
