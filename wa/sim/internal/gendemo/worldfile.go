package main

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
