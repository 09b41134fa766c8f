package model

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/nyaruka/phonenumbers"
)

// Phone is a phone number as the user typed it and as libphonenumber
// understood it.
type Phone struct {
	Input     string // as given
	E164      string // "+14155550101"; "" when impossible
	Digits    string // E164 without "+"
	Region    string // ISO region it was parsed as/for, e.g. "US"
	Valid     bool   // valid per libphonenumber (after national rules)
	Rewritten bool   // a national rule changed it (Brazil ninth digit)
	// AsWritten is the number's digits before a national rule changed
	// them ("551187654321"), "" when none did: WhatsApp may still know
	// the account by that form.
	AsWritten string
}

// Sendable reports whether the number may be sent to WhatsApp for a check:
// it must be at least possible, and valid or mapped to a valid form by a
// national rule. A possible but invalid number would only waste the daily
// check budget.
func (p Phone) Sendable() bool { return p.E164 != "" && (p.Valid || p.Rewritten) }

// ParsePhone normalises a number in any dialable format: "+1 (631) 555-1004",
// "0044 20 7946 0958", "06 12 34 56 78" with region FR, "tel:+1…", or bare
// digits with a country code ("16315551004"). defaultRegion (ISO code, any
// case) is used for numbers without a country code; "" means such numbers
// are read as international.
//
// The error, when there is one, is a short phrase saying why the number is
// unusable ("too short for US"); it is shown next to the input, so it does
// not repeat the number. A number that is possible but not valid is returned
// without error and with Valid false, except that a Brazilian mobile missing
// its ninth digit gains it (Rewritten).
func ParsePhone(input, defaultRegion string) (Phone, error) {
	p := Phone{Input: input}
	region := strings.ToUpper(strings.TrimSpace(defaultRegion))
	s := strings.TrimSpace(input)
	if len(s) >= 4 && strings.EqualFold(s[:4], "tel:") {
		// RFC 3966: drop parameters (";ext=", ";phone-context=").
		s, _, _ = strings.Cut(s[4:], ";")
		s = strings.TrimSpace(s)
	}
	hasDigit := false
	for _, r := range s {
		if unicode.IsLetter(r) {
			// libphonenumber would read "1-800-FLOWERS" as a vanity
			// number; in an address book letters mean a mistake.
			return p, errors.New("not a number")
		}
		if unicode.IsDigit(r) {
			hasDigit = true
		}
	}
	if !hasDigit {
		return p, errors.New("not a number")
	}
	plus := strings.HasPrefix(s, "+") || strings.HasPrefix(s, "＋")
	if !plus && region != "" && phonenumbers.GetCountryCodeForRegion(region) == 0 {
		return p, fmt.Errorf("unknown region %s", QuoteInput(region))
	}

	cands := phoneCandidates(s, region, plus)
	best := -1
	for i := range cands {
		cands[i].evaluate()
		if best < 0 || cands[i].score > cands[best].score {
			best = i
		}
	}
	c := cands[best]
	if c.score < scorePossible {
		// Explain the interpretation the user most likely meant: the
		// national one when a region was given.
		for _, e := range cands {
			if !e.intl {
				c = e
				break
			}
		}
		p.Region = c.regionCode()
		return p, c.failure()
	}
	p.E164 = phonenumbers.Format(c.num, phonenumbers.E164)
	p.Digits = strings.TrimPrefix(p.E164, "+")
	p.Region = c.regionCode()
	p.Valid = c.valid
	p.Rewritten = c.rewritten
	p.AsWritten = c.asWritten
	return p, nil
}

// phoneCandidate is one way of reading the input.
type phoneCandidate struct {
	text    string // what is handed to libphonenumber
	region  string // region passed along ("" for international)
	intl    bool   // read as carrying its own country code
	guessed bool   // the "+" was added by us, not typed

	num       *phonenumbers.PhoneNumber
	err       error
	reason    phonenumbers.ValidationResult
	valid     bool
	rewritten bool
	asWritten string // the digits before the national rule
	score     int
}

const (
	scoreUnparsable = iota
	scoreImpossible
	scorePossible
	scoreSendable
)

// phoneCandidates lists the readings of s worth trying, most preferred first
// (the first wins a tie).
func phoneCandidates(s, region string, plus bool) []phoneCandidate {
	if plus {
		return []phoneCandidate{{text: s, intl: true}}
	}
	national := phoneCandidate{text: s, region: region}
	if rest, ok := strings.CutPrefix(s, "00"); ok {
		// "00" is the international prefix in most of the world; the
		// region's own rules (tried first) know its real prefix.
		idd := phoneCandidate{text: "+" + rest, intl: true, guessed: true}
		if region == "" {
			return []phoneCandidate{idd}
		}
		return []phoneCandidate{national, idd}
	}
	intl := phoneCandidate{text: "+" + s, intl: true, guessed: true}
	if region == "" {
		return []phoneCandidate{intl}
	}
	if !AllDigits(s) || s[0] == '0' {
		return []phoneCandidate{national}
	}
	// Bare digits without a leading 0 may carry a country code
	// ("16315551004"). The better-scoring reading wins; on a tie the
	// international one is preferred where national numbers are written
	// with a trunk "0" (so a number without one is likely international),
	// and the national one elsewhere (US "4155550101" also reads as a valid
	// Swiss number).
	if phonenumbers.GetNddPrefixForRegion(region, true) == "0" {
		return []phoneCandidate{intl, national}
	}
	return []phoneCandidate{national, intl}
}

// evaluate parses the candidate, applies national rules and scores it.
func (c *phoneCandidate) evaluate() {
	c.num, c.err = phonenumbers.Parse(c.text, c.region)
	if c.err != nil {
		c.score = scoreUnparsable
		return
	}
	c.reason = phonenumbers.IsPossibleNumberWithReason(c.num)
	if c.reason != phonenumbers.IS_POSSIBLE {
		// IS_POSSIBLE_LOCAL_ONLY (a US number without area code) cannot
		// be dialled from another phone either.
		c.score = scoreImpossible
		return
	}
	c.valid = phonenumbers.IsValidNumber(c.num)
	if !c.valid {
		if n, ok := brazilNinthDigit(c.num); ok {
			c.asWritten = strings.TrimPrefix(phonenumbers.Format(c.num, phonenumbers.E164), "+")
			c.num, c.rewritten = n, true
			c.valid = phonenumbers.IsValidNumber(n)
		}
	}
	c.score = scorePossible
	if c.valid || c.rewritten {
		c.score = scoreSendable
	}
}

// brazilNinthDigit maps an old 8-digit Brazilian mobile ("+55 11 8765-4321")
// to its current 9-digit form ("+55 11 98765-4321"). Since 2016 every
// Brazilian mobile has the extra 9, but old address books are full of the
// short form, and WhatsApp still knows many accounts by it — the check
// result's wa_id says which.
func brazilNinthDigit(n *phonenumbers.PhoneNumber) (*phonenumbers.PhoneNumber, bool) {
	if n.GetCountryCode() != 55 {
		return nil, false
	}
	nsn := phonenumbers.GetNationalSignificantNumber(n)
	// Two-digit area code (11–99, no zeros), then 8 digits; mobiles
	// started with 6–9, landlines with 2–5.
	if len(nsn) != 10 || nsn[0] == '0' || nsn[1] == '0' || nsn[2] < '6' || nsn[2] > '9' {
		return nil, false
	}
	out, err := phonenumbers.Parse("+55"+nsn[:2]+"9"+nsn[2:], "")
	if err != nil {
		return nil, false
	}
	return out, true
}

// regionCode is the region the candidate's number belongs to, or the region
// it was read for when libphonenumber cannot tell.
func (c *phoneCandidate) regionCode() string {
	if c.num != nil {
		if r := phonenumbers.GetRegionCodeForNumber(c.num); r != "" {
			return r
		}
		if r := phonenumbers.GetRegionCodeForCountryCode(int(c.num.GetCountryCode())); r != "ZZ" {
			return r
		}
	}
	return c.region
}

// failure explains in plain words why the candidate is not a usable number.
func (c *phoneCandidate) failure() error {
	if c.err != nil {
		switch c.err {
		case phonenumbers.ErrInvalidCountryCode:
			if c.guessed || !c.intl {
				return errors.New("no country code (start with + or give a region)")
			}
			return errors.New("unknown country code")
		case phonenumbers.ErrTooShortNSN, phonenumbers.ErrTooShortAfterIDD:
			return errors.New("too short")
		case phonenumbers.ErrNumTooLong:
			return errors.New("too long")
		}
		return errors.New("not a number")
	}
	where := c.regionCode()
	switch c.reason {
	case phonenumbers.TOO_SHORT, phonenumbers.IS_POSSIBLE_LOCAL_ONLY:
		return fmt.Errorf("too short for %s", where)
	case phonenumbers.TOO_LONG:
		return errors.New("too long")
	case phonenumbers.INVALID_COUNTRY_CODE:
		return fmt.Errorf("unknown country code +%d", c.num.GetCountryCode())
	}
	return fmt.Errorf("not a possible number for %s", where)
}

// RegionOfPhone returns the ISO region of a number ("+14155550101" → "US"),
// or "" when it cannot be told. It also takes bare digits and phone-number
// JIDs, so the account's own JID gives the default --region.
func RegionOfPhone(e164 string) string {
	s := strings.TrimSpace(e164)
	if strings.Contains(s, "@") {
		s = JIDUser(s)
	}
	if !strings.HasPrefix(s, "+") {
		s = "+" + s
	}
	n, err := phonenumbers.Parse(s, "")
	if err != nil {
		return ""
	}
	if r := phonenumbers.GetRegionCodeForNumber(n); r != "" {
		return r
	}
	if r := phonenumbers.GetRegionCodeForCountryCode(int(n.GetCountryCode())); r != "ZZ" {
		return r
	}
	return ""
}

// ParseContactID turns what a user may type to name a contact or chat into a
// JID: a phone number in any format (read with defaultRegion), "<digits>",
// "<digits>@c.us" or "<digits>@s.whatsapp.net" give the phone-number JID
// "<digits>@s.whatsapp.net"; LIDs ("…@lid") and group JIDs ("…@g.us") are
// returned as they are. A phone number only has to be possible, not valid:
// the ID names an existing row, and WhatsApp's IDs are not always numbers
// libphonenumber calls valid.
func ParseContactID(id, defaultRegion string) (string, error) {
	s := strings.TrimSpace(id)
	if user, server, ok := strings.Cut(s, "@"); ok {
		switch strings.ToLower(server) {
		case LIDServer, GroupServer:
			if user != "" && !strings.ContainsFunc(user, unicode.IsSpace) {
				return user + "@" + strings.ToLower(server), nil
			}
		case UserServer, LegacyServer:
			digits := JIDUser(strings.TrimPrefix(user, "+") + "@")
			if AllDigits(digits) && len(digits) <= 20 {
				return JIDFromDigits(digits), nil
			}
		}
		return "", fmt.Errorf("not a phone number or WhatsApp ID: %q", id)
	}
	p, err := ParsePhone(s, defaultRegion)
	if err != nil {
		if strings.ContainsFunc(s, unicode.IsLetter) || !strings.ContainsFunc(s, unicode.IsDigit) {
			return "", fmt.Errorf("not a phone number or WhatsApp ID: %q", id)
		}
		return "", fmt.Errorf("not a phone number or WhatsApp ID: %q (%v)", id, err)
	}
	return JIDFromDigits(p.Digits), nil
}

// WhatsAppIDDigits returns the digits of id when id is written as a whole
// international number — bare digits ("551187654321") or "+" and digits
// with dialling punctuation ("+55 11 8765-4321") — which may be a WhatsApp
// ID as it stands, whatever libphonenumber would make of it. A national
// number ("(415) 555-0101") is not.
func WhatsAppIDDigits(id string) (string, bool) {
	s := strings.TrimSpace(id)
	rest, plus := strings.CutPrefix(s, "+")
	var b strings.Builder
	for i := 0; i < len(rest); i++ {
		switch c := rest[i]; {
		case c >= '0' && c <= '9':
			b.WriteByte(c)
		case plus && strings.IndexByte(" -().", c) >= 0:
		default:
			return "", false
		}
	}
	d := b.String()
	return d, len(d) >= 6 && len(d) <= 20 && d[0] != '0'
}

// KnownRegion reports whether region is an ISO 3166 country code that
// libphonenumber has numbering rules for ("FR", "US").
func KnownRegion(region string) bool {
	return phonenumbers.GetCountryCodeForRegion(strings.ToUpper(region)) != 0
}

// OtherForm is the other form WhatsApp may know a number by, "" when there
// is none: a Brazilian mobile without its ninth digit (accounts made before
// the ninth digit keep the old ID) for one written with it, and the
// number as written for one a national rule changed.
func (p Phone) OtherForm() string {
	if p.AsWritten != "" {
		return p.AsWritten
	}
	d := p.Digits
	// 55, a two-digit area code, 9, then an 8-digit mobile (6–9 first).
	if len(d) == 13 && strings.HasPrefix(d, "55") && d[2] != '0' && d[3] != '0' && d[4] == '9' && d[5] >= '6' && d[5] <= '9' {
		return d[:4] + d[5:]
	}
	return ""
}
