package main

import (
	"math/rand/v2"

	"github.com/wabook/wabook/model/fake"
)

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

var countries = []*country{
	{code: "US", count: 62, number: func(r *rand.Rand) string {
		return "+1" + fake.Pick(r, []string{"415", "212", "646"}) + "55501" + fake.Digits(r, 2)
	}, firsts: []string{"James", "Olivia", "Liam", "Emma", "Noah", "Ava", "Ethan", "Sophia", "Mason", "Isabella", "Lucas", "Mia", "Harper", "Elijah", "Amelia", "Logan", "Evelyn", "Jackson", "Abigail", "Aiden", "Emily", "Carter", "Madison", "Grace", "Daniel", "Chloe", "Henry", "Zoe", "Owen", "Nora", "Jacob", "Riley", "DeShawn", "Keisha", "Tyrone", "Brianna"},
		lasts: []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Jackson", "Martin", "Lee", "Thompson", "White", "Harris", "Clark", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Nguyen", "Hill", "O'Connor", "McAllister"}},
	{code: "GB", count: 34, number: func(r *rand.Rand) string { return "+442079460" + fake.Digits(r, 3) }, // 020 7946 0xxx
		firsts: []string{"Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Jack", "Poppy", "Charlie", "Freya", "Alfie", "Florence", "Archie", "Ivy", "Freddie", "Rosie", "Thomas", "Evie", "Siobhan", "Rhys", "Niamh", "Callum"},
		lasts:  []string{"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Davies", "Thomas", "Roberts", "Walker", "Wright", "Hughes", "Edwards", "Green", "Patel", "Khan", "Murphy", "Campbell", "Fitzgerald-Hughes"}},
	{code: "DE", count: 30, number: func(r *rand.Rand) string {
		return "+4930" + fake.Pick(r, []string{"2", "3", "4", "6", "8"}) + fake.Digits(r, 7)
	},
		firsts: []string{"Lukas", "Anna", "Jonas", "Lena", "Felix", "Marie", "Maximilian", "Sophie", "Paul", "Hannah", "Leon", "Emilia", "Jürgen", "Jörg", "Björn", "Zoë", "Uwe", "Käthe", "Günther", "Fatma"},
		lasts:  []string{"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann", "Krüger", "Yılmaz", "Öztürk"}},
	{code: "FR", count: 30, number: func(r *rand.Rand) string { return "+336" + fake.Digits(r, 8) },
		firsts: []string{"Gabriel", "Louise", "Léo", "Jade", "Raphaël", "Ambre", "Arthur", "Chloé", "Louis", "Inès", "Jules", "Léa", "Hélène", "François", "Zoé", "Anaïs", "Noël", "Maëlle", "Thérèse", "Amélie"},
		lasts:  []string{"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garnier", "Faure", "Rousseau", "Mercier", "Girard", "Lemaître"}},
	{code: "BR", count: 34, number: func(r *rand.Rand) string {
		return "+55" + fake.Pick(r, []string{"11", "11", "11", "21", "31"}) + "9" + fake.Pick(r, []string{"6", "7", "8", "9"}) + fake.Digits(r, 7)
	}, firsts: []string{"João", "Maria", "Pedro", "Ana", "Lucas", "Júlia", "Gabriel", "Beatriz", "Matheus", "Larissa", "Rafael", "Camila", "Felipe", "Letícia", "Thiago", "Fernanda", "Conceição", "Luíza", "Caio", "Vitória"},
		lasts: []string{"Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima", "Gomes", "Costa", "Ribeiro", "Martins", "Carvalho", "Araújo", "Conceição", "Gonçalves", "Magalhães"}},
	{code: "IN", count: 30, number: func(r *rand.Rand) string {
		return "+919" + fake.Pick(r, []string{"8", "7", "9", "1"}) + fake.Digits(r, 8)
	},
		firsts: []string{"Aarav", "Priya", "Vihaan", "Ananya", "Arjun", "Diya", "Sai", "Aadhya", "Reyansh", "Ishita", "Krishna", "Kavya", "Rohan", "Sneha", "Vikram", "Lakshmi", "Rahul", "Pooja", "Aditya", "Meera"},
		lasts:  []string{"Sharma", "Patel", "Singh", "Kumar", "Gupta", "Reddy", "Iyer", "Nair", "Mehta", "Joshi", "Rao", "Chatterjee", "Banerjee", "Das", "Pillai", "Menon", "Verma", "Kapoor"}},
	{code: "JP", count: 24, number: func(r *rand.Rand) string {
		return "+8190" + fake.Pick(r, []string{"1", "2", "3", "4", "5"}) + fake.Digits(r, 7)
	},
		firsts: []string{"Haruto", "Yui", "Sota", "Hina", "Yuto", "Aoi", "Riku", "Mei", "Takumi", "Sakura", "Kenji", "Yuki", "Daiki", "Emi"},
		lasts:  []string{"Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura", "Kobayashi", "Kato", "Yoshida", "Yamada"}},
	{code: "NG", count: 25, number: func(r *rand.Rand) string {
		return "+23480" + fake.Pick(r, []string{"3", "5", "6", "7", "8"}) + fake.Digits(r, 7)
	},
		firsts: []string{"Chinedu", "Ngozi", "Emeka", "Aisha", "Oluwaseun", "Funmilayo", "Ibrahim", "Chiamaka", "Tunde", "Zainab", "Obinna", "Adaeze", "Musa", "Yetunde", "Kelechi", "Bisi"},
		lasts:  []string{"Okafor", "Adeyemi", "Okonkwo", "Bello", "Eze", "Abubakar", "Nwosu", "Adebayo", "Ogunleye", "Ibrahim", "Chukwu", "Balogun", "Onyeka", "Danjuma"}},
	{code: "MX", count: 25, number: func(r *rand.Rand) string {
		return "+5255" + fake.Pick(r, []string{"1", "2", "3", "4", "5", "6"}) + fake.Digits(r, 7)
	},
		firsts: []string{"Santiago", "Ximena", "Mateo", "Valentina", "Sebastián", "Regina", "Diego", "Camila", "Emiliano", "Renata", "José", "Guadalupe", "Jesús", "María José", "Iñaki", "Citlali"},
		lasts:  []string{"Hernández", "García", "Martínez", "López", "González", "Pérez", "Rodríguez", "Sánchez", "Ramírez", "Cruz", "Flores", "Gómez", "Núñez", "Xochitl", "Peña"}},
	{code: "ES", count: 25, number: func(r *rand.Rand) string { return "+346" + fake.Digits(r, 8) },
		firsts: []string{"Hugo", "Lucía", "Martín", "Sofía", "Pablo", "Martina", "Álvaro", "Paula", "Adrián", "Julia", "Íñigo", "Begoña", "Jordi", "Montserrat", "Nerea", "Iker"},
		lasts:  []string{"García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Martín", "Jiménez", "Ruiz", "Muñoz", "Ibáñez", "Etxeberria", "Puigdemont"}},
	{code: "PT", count: 6, number: func(r *rand.Rand) string {
		return "+3519" + fake.Pick(r, []string{"1", "2", "3", "6"}) + fake.Digits(r, 7)
	},
		firsts: []string{"Tiago", "Inês", "Duarte", "Leonor", "Rodrigo", "Matilde"},
		lasts:  []string{"Ferreira", "Pereira", "Sousa", "Fonseca", "Carvalho", "Tavares"}},
	{code: "IT", count: 5, number: func(r *rand.Rand) string {
		return "+393" + fake.Pick(r, []string{"47", "33", "28", "92"}) + fake.Digits(r, 7)
	},
		firsts: []string{"Giulia", "Francesco", "Chiara", "Alessandro", "Niccolò"},
		lasts:  []string{"Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "De Luca"}},
	{code: "KR", count: 3, familyFirst: true, number: func(r *rand.Rand) string {
		return "+8210" + fake.Pick(r, []string{"2", "3", "4", "5", "8"}) + fake.Digits(r, 7)
	},
		firsts: []string{"서윤", "도윤", "하은", "지호"}, lasts: []string{"이", "최", "정", "강"}},
	{code: "CN", count: 3, familyFirst: true, number: func(r *rand.Rand) string {
		return "+861" + fake.Pick(r, []string{"38", "39", "86", "58"}) + fake.Digits(r, 8)
	},
		firsts: []string{"芳", "静", "磊", "强"}, lasts: []string{"张", "刘", "陈", "杨"}},
	{code: "AE", count: 1, number: func(r *rand.Rand) string { return "+97150" + fake.Digits(r, 7) },
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
