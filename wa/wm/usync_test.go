package wm

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"go.mau.fi/whatsmeow"
	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/types"

	"github.com/wabook/wabook/wa"
)

// usyncFixture loads testdata/usync/NAME.json as a decoded reply.
func usyncFixture(t *testing.T, name string) *waBinary.Node {
	t.Helper()
	return wireFixture(t, "usync", name)
}

// answerUsync makes the fake answer every usync query with the fixture.
func answerUsync(t *testing.T, fake *fakeNet, name string) {
	reply := usyncFixture(t, name)
	fake.mu.Lock()
	defer fake.mu.Unlock()
	fake.iq = map[string]func(whatsmeow.DangerousInfoQuery) (*waBinary.Node, error){
		"usync": func(whatsmeow.DangerousInfoQuery) (*waBinary.Node, error) { return reply, nil },
	}
}

const (
	ada    = "+14155550101" // on WhatsApp, a verified business
	brazil = "+5511987654321"
	nobody = "+14155550199" // not on WhatsApp
	gone   = "+14155550102" // not on WhatsApp (old reply shape)
	broken = "+14155550109" // WhatsApp answers an error for it
	quiet  = "+14155550177" // left out of the reply
	grace  = "+16315551004"
)

func answered(q, jid string, exists bool) wa.CheckAnswer {
	return wa.CheckAnswer{Query: q, Answered: true, Exists: exists, JID: jid}
}

// Every reply shape the parser handles, fed as a decoded node.
func TestCheckNumbersReplyShapes(t *testing.T) {
	t.Parallel()

	adaBiz := answered(ada, "14155550101@s.whatsapp.net", true)
	adaBiz.VerifiedName = "Ada Biz"
	adaLID := adaBiz
	adaLID.LID = "211111111111111@lid"
	adaPlainLID := answered(ada, "14155550101@s.whatsapp.net", true)
	adaPlainLID.LID = "211111111111111@lid"
	brazilLID := answered(brazil, "551187654321@s.whatsapp.net", true)
	brazilLID.LID = "233333333333333@lid"
	cases := []struct {
		fixture string
		asked   []string
		want    []wa.CheckAnswer
		errPart string // the whole query not answered
		rate    bool   // … because of rate-overlimit
	}{
		{fixture: "success", asked: []string{ada, brazil}, want: []wa.CheckAnswer{
			adaBiz, answered(brazil, "551187654321@s.whatsapp.net", true)}},
		{fixture: "lid", asked: []string{ada, brazil}, want: []wa.CheckAnswer{adaLID, brazilLID}},
		{fixture: "not_on_whatsapp", asked: []string{nobody, gone}, want: []wa.CheckAnswer{
			answered(nobody, "14155550199@s.whatsapp.net", false), answered(gone, "14155550102@s.whatsapp.net", false)}},
		{fixture: "mixed", asked: []string{ada, nobody, quiet, grace}, want: []wa.CheckAnswer{
			adaPlainLID, answered(nobody, "14155550199@s.whatsapp.net", false), {Query: quiet},
			answered(grace, "16315551004@s.whatsapp.net", true)}},
		{fixture: "user_error", asked: []string{ada, broken}, want: []wa.CheckAnswer{
			answered(ada, "14155550101@s.whatsapp.net", true),
			{Query: broken, Answered: true, JID: "14155550109@s.whatsapp.net", Err: errors.New("500")}}},
		{fixture: "empty_list", asked: []string{ada, nobody}, want: []wa.CheckAnswer{{Query: ada}, {Query: nobody}}},
		{fixture: "no_number", asked: []string{ada, quiet}, want: []wa.CheckAnswer{
			answered(ada, "14155550101@s.whatsapp.net", true), {Query: quiet}}},
		{fixture: "result_429", asked: []string{ada}, errPart: "rate-overlimit", rate: true},
		{fixture: "iq_429", asked: []string{ada}, errPart: "rate-overlimit", rate: true},
		{fixture: "result_479", asked: []string{ada}, errPart: "479"},
		{fixture: "iq_479", asked: []string{ada}, errPart: "479"},
	}
	for _, c := range cases {
		t.Run(c.fixture, func(t *testing.T) {
			b, fake := newTestBackend(t, testOpts{})
			answerUsync(t, fake, c.fixture)
			got, err := b.CheckNumbers(context.Background(), c.asked)
			if c.errPart != "" {
				if err == nil || !strings.Contains(err.Error(), c.errPart) || errors.Is(err, wa.ErrRateLimited) != c.rate {
					t.Fatalf("err = %v, want one with %q (rate limited: %v)", err, c.errPart, c.rate)
				}
				if got != nil {
					t.Errorf("answers %#v with a query-level error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(c.want) {
				t.Fatalf("%d answers, want %d: %#v", len(got), len(c.want), got)
			}
			for i, w := range c.want {
				g := got[i]
				if (w.Err == nil) != (g.Err == nil) || (w.Err != nil && !strings.Contains(g.Err.Error(), w.Err.Error())) {
					t.Errorf("answer %d: err %v, want one with %v", i, g.Err, w.Err)
				}
				g.Err, w.Err = nil, nil
				if !reflect.DeepEqual(g, w) {
					t.Errorf("answer %d:\n got %#v\nwant %#v", i, g, w)
				}
			}
		})
	}
}

// The query sent: one usync contact query in the documented shape, the
// numbers deduplicated, what is not "+digits" never sent and failed at
// once; it survives the binary codec.
func TestCheckNumbersQuery(t *testing.T) {
	t.Parallel()

	b, fake := newTestBackend(t, testOpts{})
	answerUsync(t, fake, "success")
	got, err := b.CheckNumbers(context.Background(), []string{ada, brazil, "0800 FLOWERS", ada})
	if err != nil {
		t.Fatal(err)
	}
	if !got[2].Answered || got[2].Err == nil || got[2].Exists {
		t.Errorf("bad input answered %#v, want a per-number error", got[2])
	}
	if !reflect.DeepEqual(got[0], got[3]) || got[0].VerifiedName != "Ada Biz" {
		t.Errorf("duplicate answers differ: %#v / %#v", got[0], got[3])
	}
	if len(fake.iqs) != 1 {
		t.Fatalf("%d queries sent, want 1", len(fake.iqs))
	}
	q := fake.iqs[0]
	if q.Namespace != "usync" || q.Type != "get" || q.To != types.ServerJID {
		t.Errorf("query %s/%s to %s", q.Namespace, q.Type, q.To)
	}
	content, ok := q.Content.([]waBinary.Node)
	if !ok || len(content) != 1 {
		t.Fatalf("query content %#v", q.Content)
	}
	usync := roundTrip(t, content[0])
	ag := usync.AttrGetter()
	if usync.Tag != "usync" || ag.String("mode") != "query" || ag.String("context") != "interactive" ||
		ag.String("last") != "true" || ag.String("index") != "0" || ag.String("sid") == "" {
		t.Errorf("usync node %s", usync.XMLString())
	}
	contact, ok := usync.GetOptionalChildByTag("query", "contact")
	if !ok || contact.AttrGetter().String("addressing_mode") != "lid" {
		t.Errorf("no <contact addressing_mode=lid> in the query: %s", usync.XMLString())
	}
	if _, ok := usync.GetOptionalChildByTag("query", "business", "verified_name"); !ok {
		t.Errorf("no <business><verified_name> in the query: %s", usync.XMLString())
	}
	list := usync.GetChildByTag("list")
	var sent []string
	for _, u := range list.GetChildren() {
		c := u.GetChildByTag("contact")
		raw, _ := c.Content.([]byte)
		sent = append(sent, string(raw))
	}
	if want := []string{"+14155550101@c.us", "+5511987654321@c.us"}; !reflect.DeepEqual(sent, want) {
		t.Errorf("users sent %q, want %q", sent, want)
	}
	// Two queries get two session ids.
	if _, err := b.CheckNumbers(context.Background(), []string{ada}); err != nil {
		t.Fatal(err)
	}
	sid := func(q whatsmeow.DangerousInfoQuery) string {
		return q.Content.([]waBinary.Node)[0].AttrGetter().String("sid")
	}
	if sid(fake.iqs[0]) == sid(fake.iqs[1]) {
		t.Errorf("both queries used sid %s", sid(fake.iqs[0]))
	}
}

// A LID answer teaches whatsmeow's LID map (wa/wm/PROTOCOL.md, "Existence
// checks (usync)", "Replies (parsed)").
func TestCheckNumbersStoresLIDMapping(t *testing.T) {
	t.Parallel()

	b, fake := newTestBackend(t, testOpts{})
	answerUsync(t, fake, "lid")
	if _, err := b.CheckNumbers(context.Background(), []string{ada, brazil}); err != nil {
		t.Fatal(err)
	}
	got, err := b.client.Store.LIDs.GetPNForLID(context.Background(), lid("233333333333333"))
	if err != nil || got != pn("551187654321") {
		t.Errorf("PN for the LID = %v, %v; want 551187654321", got, err)
	}
}

func TestCheckNumbersErrors(t *testing.T) {
	t.Parallel()

	b, fake := newTestBackend(t, testOpts{})
	ctx := context.Background()
	fake.iq = map[string]func(whatsmeow.DangerousInfoQuery) (*waBinary.Node, error){
		"usync": func(whatsmeow.DangerousInfoQuery) (*waBinary.Node, error) { return nil, whatsmeow.ErrIQTimedOut },
	}
	if _, err := b.CheckNumbers(ctx, []string{ada}); !errors.Is(err, whatsmeow.ErrIQTimedOut) || errors.Is(err, wa.ErrRateLimited) {
		t.Errorf("timeout gave %v", err)
	}
	// A reply without <usync> or without the list answers nothing.
	for _, reply := range []waBinary.Node{
		{Tag: "iq", Attrs: waBinary.Attrs{"type": "result"}},
		{Tag: "iq", Attrs: waBinary.Attrs{"type": "result"}, Content: []waBinary.Node{{Tag: "usync"}}},
	} {
		r := roundTrip(t, reply)
		fake.iq["usync"] = func(whatsmeow.DangerousInfoQuery) (*waBinary.Node, error) { return r, nil }
		if got, err := b.CheckNumbers(ctx, []string{ada}); err == nil {
			t.Errorf("reply %s gave %#v, want an error", r.XMLString(), got)
		}
	}
	many := make([]string, 21)
	for i := range many {
		many[i] = fmt.Sprintf("+1415555%04d", i)
	}
	if _, err := b.CheckNumbers(ctx, many); err == nil || !strings.Contains(err.Error(), "at most 20") {
		t.Errorf("21 numbers: %v", err)
	}
	u, _ := newTestBackend(t, testOpts{unpaired: true})
	if _, err := u.CheckNumbers(ctx, []string{ada}); err != wa.ErrNotPaired {
		t.Errorf("unpaired: %v", err)
	}
}
