package wm

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"go.mau.fi/whatsmeow"
	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/proto/waVnameCert"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/wa"
)

// The existence check is a usync "contact" query that wabook builds and
// reads itself: the pinned whatsmeow's IsOnWhatsApp drops per-user and
// query-level errors and skips users answered without a jid attribute.
// Every shape used here, sent and received, is in PROTOCOL.md, "Existence
// checks (usync)".

// usyncAnswer is what a usync reply says about one queried number.
type usyncAnswer struct {
	exists       bool
	pn           types.JID // phone-number JID answered with; empty when none
	lid          types.JID // LID answered with; empty when none
	verifiedName string
	err          error // an error for this number alone
}

// newUsyncSID returns a fresh usync session id: the netClient seam offers
// no request id generator, and a unique string serves the same purpose of
// telling queries apart (an assumption: wa/wm/PROTOCOL.md, "Request (sent)").
func newUsyncSID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// contactQuery builds the usync contact query for "+digits" numbers, in the
// shape current clients send (wa/wm/PROTOCOL.md, "Existence checks (usync)",
// "Request (sent)").
func contactQuery(sid string, phones []string) whatsmeow.DangerousInfoQuery {
	users := make([]waBinary.Node, len(phones))
	for i, p := range phones {
		users[i] = waBinary.Node{Tag: "user", Content: []waBinary.Node{{
			Tag:     "contact",
			Content: p + "@" + types.LegacyUserServer,
		}}}
	}
	return whatsmeow.DangerousInfoQuery{
		Namespace: "usync",
		Type:      "get",
		To:        types.ServerJID,
		Content: []waBinary.Node{{
			Tag: "usync",
			Attrs: waBinary.Attrs{
				"sid":     sid,
				"mode":    "query",
				"last":    "true",
				"index":   "0",
				"context": "interactive",
			},
			Content: []waBinary.Node{
				{Tag: "query", Content: []waBinary.Node{
					{Tag: "contact", Attrs: waBinary.Attrs{"addressing_mode": "lid"}},
					{Tag: "business", Content: []waBinary.Node{{Tag: "verified_name"}}},
					{Tag: "disappearing_mode"},
					{Tag: "username"},
				}},
				{Tag: "list", Content: users},
			},
		}},
	}
}

// isRateLimit reports whether an error's code or text is WhatsApp's
// rate-overlimit (429).
func isRateLimit(code int, text string) bool { return code == 429 || text == "rate-overlimit" }

// usyncErr turns an <error code=… text=…> node into an error in plain
// words; 429 (rate-overlimit) becomes wa.ErrRateLimited.
func usyncErr(what string, e waBinary.Node) error {
	ag := e.AttrGetter()
	code := ag.OptionalInt("code")
	text := ag.OptionalString("text")
	if isRateLimit(code, text) {
		return fmt.Errorf("wm: %s: %w", what, wa.ErrRateLimited)
	}
	switch {
	case code != 0 && text != "":
		return fmt.Errorf("wm: %s: WhatsApp answered error %d (%s)", what, code, text)
	case code != 0:
		return fmt.Errorf("wm: %s: WhatsApp answered error %d", what, code)
	case text != "":
		return fmt.Errorf("wm: %s: WhatsApp answered error %q", what, text)
	}
	return fmt.Errorf("wm: %s: WhatsApp answered an error without a code", what)
}

// sendErr wraps an error of sending the query: a reply of type "error"
// (whatsmeow's *IQError) with 429 becomes wa.ErrRateLimited.
func sendErr(err error) error {
	var iq *whatsmeow.IQError
	if errors.As(err, &iq) && isRateLimit(iq.Code, iq.Text) {
		return fmt.Errorf("wm: checking numbers: %w (%v)", wa.ErrRateLimited, err)
	}
	return callErr("checking numbers", err)
}

// parseContactReply reads the reply to a contact query. It returns the
// answers it could match to a queried number, keyed by the number's
// digits; numbers left out are not answered. An error means the query as
// a whole was not answered: an <error> under usync/result (rate-overlimit
// → wa.ErrRateLimited) or a reply without the usync list.
func parseContactReply(res *waBinary.Node, asked map[string]bool) (map[string]usyncAnswer, error) {
	if res == nil {
		return nil, errors.New("wm: checking numbers: empty reply")
	}
	usync, ok := res.GetOptionalChildByTag("usync")
	if !ok {
		return nil, errors.New("wm: checking numbers: reply without <usync>")
	}
	if result, ok := usync.GetOptionalChildByTag("result"); ok {
		// Only the contact protocol decides; an error of the business
		// protocol alone costs the verified names, not the answers.
		for _, path := range [][]string{{"error"}, {"contact", "error"}} {
			if e, ok := result.GetOptionalChildByTag(path...); ok {
				return nil, usyncErr("checking numbers", e)
			}
		}
	}
	list, ok := usync.GetOptionalChildByTag("list")
	if !ok {
		return nil, errors.New("wm: checking numbers: reply without a user list")
	}
	out := make(map[string]usyncAnswer, len(asked))
	for _, u := range list.GetChildren() {
		if u.Tag != "user" {
			continue
		}
		digits, a, ok := parseContactUser(u, asked)
		if !ok {
			continue
		}
		if _, dup := out[digits]; !dup {
			out[digits] = a
		}
	}
	return out, nil
}

// parseContactUser reads one <user> of the reply: which asked number it
// answers and what it says. ok is false when it answers no asked number or
// says nothing certain.
func parseContactUser(u waBinary.Node, asked map[string]bool) (digits string, a usyncAnswer, ok bool) {
	jid := attrJID(u, "jid")
	pnJID := attrJID(u, "pn_jid")
	contact, hasContact := u.GetOptionalChildByTag("contact")
	// The number asked is echoed as the contact's content; without it, a
	// phone-number JID equal to an asked number identifies it.
	digits = echoedDigits(contact.Content)
	if !asked[digits] {
		digits = ""
		for _, j := range []types.JID{pnJID, jid} {
			if j.Server == types.DefaultUserServer && asked[j.User] {
				digits = j.User
				break
			}
		}
	}
	if digits == "" {
		return "", a, false
	}
	switch {
	case pnJID.Server == types.DefaultUserServer && model.AllDigits(pnJID.User):
		a.pn = pnJID
	case jid.Server == types.DefaultUserServer && model.AllDigits(jid.User):
		a.pn = jid
	}
	if jid.Server == types.HiddenUserServer && model.AllDigits(jid.User) {
		a.lid = jid
	}
	for _, path := range [][]string{{"contact", "error"}, {"error"}} {
		if e, ok := u.GetOptionalChildByTag(path...); ok {
			a.err = usyncErr("checking "+"+"+digits, e)
			return digits, a, true
		}
	}
	if !hasContact {
		return "", a, false
	}
	switch contact.AttrGetter().OptionalString("type") {
	case "in":
		a.exists = true
	case "out", "invalid":
		// Explicitly not on WhatsApp.
	default:
		return "", a, false
	}
	a.verifiedName = verifiedNameOf(u)
	return digits, a, true
}

// attrJID reads a JID attribute: decoded replies carry types.JID, a
// string is parsed; anything else is empty.
func attrJID(n waBinary.Node, key string) types.JID {
	switch v := n.Attrs[key].(type) {
	case types.JID:
		return v.ToNonAD()
	case string:
		if j, err := types.ParseJID(v); err == nil {
			return j.ToNonAD()
		}
	}
	return types.EmptyJID
}

// echoedDigits reads the number echoed in a <contact>: "+digits@c.us",
// "+digits" or "digits"; "" when it is not a number.
func echoedDigits(content any) string {
	var s string
	switch c := content.(type) {
	case []byte:
		s = string(c)
	case string:
		s = c
	default:
		return ""
	}
	s = strings.TrimSpace(s)
	if at := strings.IndexByte(s, '@'); at >= 0 {
		s = s[:at]
	}
	s = strings.TrimPrefix(s, "+")
	if !model.AllDigits(s) {
		return ""
	}
	return s
}

// verifiedNameOf reads the business name from <business><verified_name>,
// a serialized VerifiedNameCertificate whose details carry the name. A
// certificate that does not parse gives no name rather than failing the
// answer.
func verifiedNameOf(u waBinary.Node) string {
	vn, ok := u.GetOptionalChildByTag("business", "verified_name")
	if !ok {
		return ""
	}
	raw, ok := vn.Content.([]byte)
	if !ok {
		return ""
	}
	var cert waVnameCert.VerifiedNameCertificate
	if err := proto.Unmarshal(raw, &cert); err != nil {
		return ""
	}
	var details waVnameCert.VerifiedNameCertificate_Details
	if err := proto.Unmarshal(cert.GetDetails(), &details); err != nil {
		return ""
	}
	return details.GetVerifiedName()
}
