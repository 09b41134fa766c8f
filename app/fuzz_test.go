package app

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/wabook/wabook/model"
)

// Fuzz targets for hostile import files and pasted number lists. Their
// seed corpora run in every `go test`; `go test -fuzz FuzzX ./app` explores.

var csvSeeds = []string{
	"Name,Phone,Labels,Note\nBob,+44 7911 123456,\"VIP, Lead\",likes tea\nAda again,+1 (415) 555-0101,,\n",
	"\ufeff\"Full name\";\"Mobile\";\"Notes\"\n\"Smith; John\";\"(415) 555-0177\";\"said \"\"hi\"\"\"\n",
	"phone\tname\n+91 98100 00001\tRavi\n",
	"Given Name,Family Name,Phone 1 - Type,Phone 1 - Value,Labels\nJane,Doe,Mobile,+1 415 555 0178,* myContacts ::: Friends ::: Work\n",
	"Alice,+14155550179\nBruno,+55 11 98765-4321\n",
	"name,phone,note\n'+14155550180,'+14155550180,'=1+1\n",
	"name,phone,labels\nAl,+14155550181,A\n,+1 415 555 0181,B\nAl,+14155550181,\"a, b\"\n",
	"name,phone\nX,abc\nY,\nZ,12\nW,+1 415 555 0182\n",
	"name,phone,labels\nEve\x1b]52;c;ZXZpbA==\x07,+14155550183,\"\u202Egnp, " + strings.Repeat("q", 70) + "\"\n",
	"name,phone\n\"unterminated,+14155550184\n",
	"name,email\nBob,bob@example.com\n",
	"Dear Sir,\nplease call me back.\n",
	" \n\n",
	"phone\n+999 1234567\n+1 000 000 0000\n+0\n++1\n",
	"\"a\"\"b\",\"\n\",\r\n\r\n,,,\n",
}

var vcardSeeds = []string{
	"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lovelace;Ada;;;\r\nTEL;TYPE=CELL:+1 415 555 0101\r\nCATEGORIES:VIP,Math\r\nNOTE:first line\\nsecond\\, with comma\\; semi\r\nEND:VCARD\r\n" +
		"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:No Phone\r\nEND:VCARD\r\n",
	"BEGIN:VCARD\nVERSION:4.0\nFN:Grace\n  Hopper\nitem1.TEL;VALUE=uri;TYPE=cell:tel:+1-415-555-0183\nTEL;PREF=1:+14155550184\nEND:VCARD\n",
	"BEGIN:VCARD\nVERSION:4.0\nFN:WA only\nX-WABOOK-JID:14155550185@s.whatsapp.net\nEND:VCARD\n",
	"BEGIN:VCARD\nVERSION:4.0\nFN:Lid\nX-WABOOK-JID:123@lid\nEND:VCARD\n",
	"BEGIN:VCARD\nFN:Half\n",
	"BEGIN:VCARD\nVERSION:3.0\nFN:Eve\x1b[2J\nTEL:+14155550186\nCATEGORIES:a\\,b,,\x1b]8;;x\x07\nEND:VCARD\n",
	"BEGIN:VCARD\nVERSION:3.0\nFN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=41da\nTEL:+1 415 555 0187\nTEL:+1 415 555 0187\nEND:VCARD\nBEGIN:VCARD\nTEL:+14155550187\nEND:VCARD\n",
	"END:VCARD\n",
	"BEGIN:VCARD\nBEGIN:VCARD\nEND:VCARD\n",
	"BEGIN:VCARD\nVERSION:3.0\nTEL;TYPE=\"a\nEND:VCARD\n",
	"",
}

// fuzzPlanImport plans data as a file called name with the extra labels and
// checks the plan against the records the file holds.
func fuzzPlanImport(t *testing.T, svc *Service, data []byte, name, labels string) {
	if len(data) > 1<<16 {
		return // size limits are tested elsewhere; keep iterations quick
	}
	p, err := svc.PlanImport(context.Background(), bytes.NewReader(data), name, labels)
	if err != nil {
		if msg := err.Error(); strings.ContainsAny(msg, "\n\r\x1b") || !utf8.ValidString(msg) {
			t.Fatalf("error is not one clean line: %q", msg)
		}
		return
	}
	if p.New < 0 || p.Updated < 0 || p.Invalid < 0 {
		t.Fatalf("negative counts %+v", p)
	}
	if p.New+p.Updated != len(p.rows) {
		t.Fatalf("new %d + updated %d != %d rows planned", p.New, p.Updated, len(p.rows))
	}
	if want := min(p.Invalid, maxReasons); len(p.Reasons) != want {
		t.Fatalf("%d reasons for %d invalid rows", len(p.Reasons), p.Invalid)
	}
	for _, r := range p.Reasons {
		if strings.ContainsAny(r, "\n\r\x1b") {
			t.Fatalf("reason is not one clean line: %q", r)
		}
	}

	// The same records, read again: every one is a planned row, a repeat
	// of an earlier one's number (reported), or invalid.
	text := strings.TrimPrefix(string(data), "\ufeff")
	var recs []importRecord
	if ext := strings.ToLower(name[strings.LastIndexByte(name, '.')+1:]); ext == "vcf" || strings.HasPrefix(strings.ToUpper(strings.TrimSpace(text)), "BEGIN:VCARD") {
		recs, err = readVCards(text)
	} else {
		recs, err = readContactsCSV(text)
	}
	if err != nil {
		t.Fatalf("the plan succeeded but reading the records again failed: %v", err)
	}
	seen, trusted := map[string]bool{}, map[string]bool{}
	for _, rec := range recs {
		jid, _ := trustedJID(rec.jid, strings.TrimSpace(rec.phone), svc.Region())
		if jid != "" {
			trusted[jid] = true
		} else {
			ph, err := model.ParsePhone(strings.TrimSpace(rec.phone), svc.Region())
			if err != nil || !ph.Sendable() {
				continue
			}
			jid = model.JIDFromDigits(ph.Digits)
		}
		if checkImportLabels(rec.labels) != nil || model.CheckName(cleanName(rec.name)) != nil || model.CheckNote(cleanNote(rec.note)) != nil {
			continue
		}
		if _, err := labelList(rec.labels...); err != nil {
			continue
		}
		seen[jid] = true
	}
	if p.Invalid != len(recs)-len(seen) || len(p.rows) != len(seen) || p.New+p.Updated+p.Invalid != len(recs) {
		t.Fatalf("%d records (%d distinct valid numbers): plan says %d new + %d updated + %d invalid",
			len(recs), len(seen), p.New, p.Updated, p.Invalid)
	}
	jids := map[string]bool{}
	for _, r := range p.rows {
		if jids[r.JID] || !seen[r.JID] {
			t.Fatalf("row %+v: duplicate or unexpected JID", r)
		}
		jids[r.JID] = true
		// A JID the file carried may differ from its phone's normal form.
		if !strings.HasPrefix(r.Phone, "+") || model.JIDFromPhone(r.Phone) != r.JID && !trusted[r.JID] {
			t.Fatalf("row %+v: phone and JID disagree", r)
		}
		if model.Clean(r.Name) != r.Name {
			t.Fatalf("row name %q is not sanitised", r.Name)
		}
	}
}

func FuzzPlanImportCSV(f *testing.F) {
	for _, s := range csvSeeds {
		f.Add([]byte(s), "")
	}
	f.Add([]byte("phone\n+14155550177\n"), "Imported, vip")
	f.Add([]byte("phone\n+14155550177\n"), "ok, "+strings.Repeat("q", 70))
	svc, _ := worldService(f, nil) // Ada (+14155550101) exists: some rows update
	f.Fuzz(func(t *testing.T, data []byte, labels string) {
		fuzzPlanImport(t, svc, data, "contacts.csv", labels)
	})
}

func FuzzPlanImportVCard(f *testing.F) {
	for _, s := range vcardSeeds {
		f.Add([]byte(s), "")
	}
	f.Add([]byte(vcardSeeds[0]), "a,,b, A")
	svc, _ := worldService(f, nil)
	f.Fuzz(func(t *testing.T, data []byte, labels string) {
		fuzzPlanImport(t, svc, data, "contacts.vcf", labels)
	})
}

func FuzzReadNumbers(f *testing.F) {
	seeds := []struct{ text, ext string }{
		{"+1 415 555 0101\n06 12 34 56 78, +44 7911 123456; 0171-1234567\t+91 98100 00001\r\n", ""},
		{"name,phone\nAda,+1 415 555 0101\nBob,\n", "csv"},
		{"Ada;+14155550101;x\nBob;+14155550102;y\n", ".csv"},
		{"\"a\nb\",\"12345\"\n", "csv"},
		{"BEGIN:VCARD\nVERSION:3.0\nTEL:tel:+14155550101\nTEL: \nEND:VCARD\n", "vcf"},
		{"BEGIN:VCARD\nFN:x\n", ""},
		{"\ufeff+14155550101", "txt"},
		{"\x00\x01", ""},
		{"\xff", "csv"},
		{"", ""},
		{" ,;\t\n", ""},
		{"\x1b[31m+14155550101\x1b[0m", ""},
	}
	for _, s := range seeds {
		f.Add([]byte(s.text), s.ext)
	}
	f.Fuzz(func(t *testing.T, data []byte, ext string) {
		nums, err := ReadNumbers(bytes.NewReader(data), ext)
		if err != nil {
			if msg := err.Error(); strings.ContainsAny(msg, "\n\r") {
				t.Fatalf("error is not one line: %q", msg)
			}
			if nums != nil {
				t.Fatalf("numbers %q with error %v", nums, err)
			}
			return
		}
		if bytes.IndexByte(data, 0) >= 0 || !utf8.Valid(data) {
			t.Fatalf("binary input accepted: %q", nums)
		}
		if len(nums) > MaxNumbersJob {
			t.Fatalf("%d numbers, more than a job takes", len(nums))
		}
		for _, n := range nums {
			if n == "" || strings.TrimSpace(n) != n {
				t.Fatalf("number %q is empty or untrimmed", n)
			}
			if !strings.Contains(string(data), n) && !strings.Contains(strings.NewReplacer("\r\n", "\n").Replace(string(data)), n) {
				// vCard unfolding and CSV quoting may join text; the number
				// must still be made of the input's characters.
				for _, r := range n {
					if !strings.ContainsRune(string(data), r) {
						t.Fatalf("number %q has %q, which is not in the input", n, r)
					}
				}
			}
		}
	})
}
