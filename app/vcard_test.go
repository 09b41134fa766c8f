package app

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/emersion/go-vcard"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/wa/sim"
)

// hostileWorld is oddIDWorld with names and labels full of what vCard must
// escape and terminals must not see.
func hostileWorld() *sim.World {
	w := oddIDWorld()
	w.Contacts = append(w.Contacts,
		sim.WorldContact{Phone: "+16465550116", FullName: "Anne; Marie, \"Jr\" \\ O'Neil", FirstName: "Anne;"},
		sim.WorldContact{Phone: "+16465550117", PushName: "=cmd|' /C calc'!A0\u202e"},
	)
	w.Labels = append(w.Labels, sim.WorldLabel{ID: "3", Name: "semi; back\\slash \"q\"", Color: 4, Chats: []string{"+16465550116", "+551187654321"}})
	return w
}

// exportCards exports every contact of svc as format and parses the cards
// back with go-vcard.
func exportCards(t *testing.T, svc *Service, format string) (string, []vcard.Card) {
	t.Helper()
	var buf bytes.Buffer
	if _, err := svc.ExportContacts(context.Background(), &buf, format, ""); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	dec := vcard.NewDecoder(strings.NewReader(text))
	var cards []vcard.Card
	for {
		c, err := dec.Decode()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("go-vcard cannot read the export: %v\n%s", err, text)
		}
		cards = append(cards, c)
	}
	return text, cards
}

// nameParts splits the card's N into its components. go-vcard's Name
// splits at every ";", escaped or not, and its decoder already undid the
// other escapes, leaving "\;" for a semicolon inside a component.
func nameParts(card vcard.Card) []string {
	f := card.Get(vcard.FieldName)
	if f == nil {
		return nil
	}
	var parts []string
	var b strings.Builder
	for i := 0; i < len(f.Value); i++ {
		switch {
		case f.Value[i] == '\\' && i+1 < len(f.Value) && f.Value[i+1] == ';':
			b.WriteByte(';')
			i++
		case f.Value[i] == ';':
			parts = append(parts, b.String())
			b.Reset()
		default:
			b.WriteByte(f.Value[i])
		}
	}
	return append(parts, b.String())
}

// Issue 11, point 12: vCard 3.0 by default, 4.0 on request; every card has
// a UID derived from the WhatsApp ID (the same in every export and both
// versions), FN, N, TEL and CATEGORIES as go-vcard reads them back.
func TestVCardExportReadsBack(t *testing.T) {
	t.Parallel()

	svc, _ := worldService(t, hostileWorld())
	ctx := context.Background()
	contacts, err := svc.store.Contacts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byJID := map[string]model.Contact{}
	for _, c := range contacts {
		byJID[c.JID] = c
	}
	uids := map[string]string{} // JID → UID of the first export
	for _, tt := range []struct{ format, version string }{{"vcf", "3.0"}, {FormatVCard4, "4.0"}, {"vcf", "3.0"}} {
		text, cards := exportCards(t, svc, tt.format)
		if len(cards) != len(contacts) {
			t.Fatalf("%s: %d cards for %d contacts", tt.format, len(cards), len(contacts))
		}
		if tt.version == "3.0" && strings.Contains(text, "tel:") {
			t.Errorf("a 3.0 export holds a tel: URI:\n%s", text)
		}
		for _, card := range cards {
			jid := card.Value("X-WABOOK-JID")
			c, ok := byJID[jid]
			if !ok {
				t.Fatalf("card with X-WABOOK-JID %q: no such contact", jid)
			}
			if v := card.Value(vcard.FieldVersion); v != tt.version {
				t.Errorf("%s: VERSION %q, want %s", jid, v, tt.version)
			}
			uid := card.Value(vcard.FieldUID)
			if !strings.HasPrefix(uid, "urn:uuid:") || len(uid) != len("urn:uuid:")+36 {
				t.Errorf("%s: UID %q is not a UUID URN", jid, uid)
			}
			if first, ok := uids[jid]; ok && first != uid {
				t.Errorf("%s: UID %q, an earlier export gave %q", jid, uid, first)
			}
			uids[jid] = uid
			if fn := vcardText.Replace(card.PreferredValue(vcard.FieldFormattedName)); fn != model.Clean(c.DisplayName()) {
				t.Errorf("%s: FN %q, want %q", jid, fn, model.Clean(c.DisplayName()))
			}
			n := nameParts(card)
			if tt.version == "3.0" && n == nil {
				t.Errorf("%s: a 3.0 card without N", jid)
			}
			if c.FullName != "" {
				if len(n) < 2 {
					t.Errorf("%s: no N for %q", jid, c.FullName)
				} else if got := strings.TrimSpace(n[1] + " " + n[0]); got != model.Clean(c.FullName) {
					t.Errorf("%s: N gives %q, want %q", jid, got, model.Clean(c.FullName))
				}
			}
			tel := card.Get(vcard.FieldTelephone)
			wantTel := c.Phone
			if tt.version == "4.0" {
				wantTel = "tel:" + c.Phone
			}
			if tel == nil || tel.Value != wantTel || !slices.ContainsFunc(tel.Params.Types(), func(s string) bool { return strings.EqualFold(s, vcard.TypeCell) }) {
				t.Errorf("%s: TEL %+v, want %s of type cell", jid, tel, wantTel)
			}
			var cats []string
			for _, v := range card.Values(vcard.FieldCategories) {
				for part := range strings.SplitSeq(v, ",") {
					cats = append(cats, vcardText.Replace(part))
				}
			}
			if !slices.Equal(slices.Sorted(slices.Values(cats)), slices.Sorted(slices.Values(c.Labels))) {
				t.Errorf("%s: CATEGORIES %q, want %q", jid, cats, c.Labels)
			}
		}
	}
	// Different contacts, different UIDs.
	seen := map[string]bool{}
	for _, uid := range uids {
		if seen[uid] {
			t.Errorf("UID %s given twice", uid)
		}
		seen[uid] = true
	}
}

// abook (a terminal address book) converts the default export and reads
// every number as a number, not a "tel:" URI. abook's plain csv output has
// no column for a mobile number (TYPE=CELL), so the numbers are read with
// its custom format; the csv conversion is run too and must hold no URI.
func TestVCardExportInAbook(t *testing.T) {
	t.Parallel()

	abook, err := exec.LookPath("abook")
	if err != nil {
		t.Skip("abook is not installed (Debian package abook; .ci/run installs it): the vCard export is not tried in abook")
	}
	svc, _ := worldService(t, hostileWorld())
	ctx := context.Background()
	contacts, err := svc.store.Contacts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	text, _ := exportCards(t, svc, "vcf")
	dir := t.TempDir()
	in := filepath.Join(dir, "export.vcf")
	if err := os.WriteFile(in, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	convert := func(args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(ctx, abook, append([]string{"--convert", "--informat", "vcard", "--infile", in}, args...)...)
		cmd.Env = []string{"HOME=" + dir}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("abook %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	csvOut := convert("--outformat", "csv", "--outfile", "-")
	if n := strings.Count(csvOut, "\n"); n != len(contacts) || strings.Contains(csvOut, "tel:") {
		t.Errorf("abook's csv has %d lines for %d contacts, or a tel: URI:\n%s", n, len(contacts), csvOut)
	}
	got := convert("--outformat", "custom", "--outformatstr", "{mobile}|{phone}", "--outfile", "-")
	lines := strings.Split(strings.TrimSpace(got), "\n")
	for _, c := range contacts {
		if !slices.Contains(lines, c.Phone+"|") {
			t.Errorf("abook does not read %s (%s) as a mobile number:\n%s", c.Phone, c.JID, got)
		}
	}
}
