package app

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/wa/sim"
)

// accountWorld is a world with the account only (region US).
func accountWorld() *sim.World {
	return &sim.World{Account: &sim.WorldAccount{Phone: "+14155550100"}}
}

// planRow is a planned row, for comparisons.
type planRow struct {
	Phone, Name, Note string
	Labels            []string
}

func planRows(p *ImportPlan) []planRow {
	out := make([]planRow, len(p.rows))
	for i, r := range p.rows {
		out[i] = planRow{r.Phone, r.Name, r.Note, r.Labels}
	}
	return out
}

func TestPlanImportFormats(t *testing.T) {
	t.Parallel()

	svc, _ := worldService(t, nil) // Ada (+14155550101) exists
	ctx := context.Background()
	tests := []struct {
		name, file, text string
		labels           string
		newN, updN, badN int
		rows             []planRow
		reasons          []string
	}{
		{"comma CSV with header", "a.csv",
			"Name,Phone,Labels,Note\nBob,+44 7911 123456,\"VIP, Lead\",likes tea\nAda again,+1 (415) 555-0101,,\n",
			"", 1, 1, 0,
			[]planRow{{"+447911123456", "Bob", "likes tea", []string{"VIP", "Lead"}}, {"+14155550101", "Ada again", "", nil}}, nil},
		{"semicolon, quotes, national numbers", "b.csv",
			"\ufeff\"Full name\";\"Mobile\";\"Notes\"\n\"Smith; John\";\"(415) 555-0177\";\"said \"\"hi\"\"\"\n",
			"", 1, 0, 0, []planRow{{"+14155550177", "Smith; John", `said "hi"`, nil}}, nil},
		{"tab separated, extra labels", "c.txt",
			"phone\tname\n+91 98100 00001\tRavi\n", "Imported, vip", 1, 0, 0,
			[]planRow{{"+919810000001", "Ravi", "", nil}}, nil},
		{"Google Contacts", "contacts.csv",
			"Given Name,Family Name,Phone 1 - Type,Phone 1 - Value,Labels\nJane,Doe,Mobile,+1 415 555 0178,* myContacts ::: Friends ::: Work\n",
			"", 1, 0, 0, []planRow{{"+14155550178", "Jane Doe", "", []string{"Friends", "Work"}}}, nil},
		{"no header", "d.csv", "Alice,+14155550179\nBruno,+55 11 98765-4321\n", "", 2, 0, 0,
			[]planRow{{"+14155550179", "Alice", "", nil}, {"+5511987654321", "Bruno", "", nil}}, nil},
		{"neutralised cells and a name that is the number", "e.csv",
			"name,phone,note\n'+14155550180,'+14155550180,'=1+1\n", "", 1, 0, 0,
			[]planRow{{"+14155550180", "", "=1+1", nil}}, nil},
		// Issue 11 point 9: a repeat is reported, not merged silently.
		{"duplicates reported", "f.csv", "name,phone,labels\nAl,+14155550181,A\n,+1 415 555 0181,B\n", "", 1, 0, 1,
			[]planRow{{"+14155550181", "Al", "", []string{"A"}}}, []string{"row 3 repeats +1 415 555 0181 from row 2"}},
		{"fields over their limits", "l.csv", "name,phone,note,labels\n" +
			strings.Repeat("n", model.MaxNameBytes+1) + ",+14155550185,,\n" +
			"Ok,+14155550186," + strings.Repeat("é", model.MaxNoteBytes/2+1) + ",\n" +
			"Ok,+14155550187,,\"" + strings.Repeat("x", model.MaxLabelName+1) + "\"\n" +
			"Ok,+14155550188,,\"" + strings.Repeat("L,", model.MaxContactLabels) + "M\"\n" +
			"Fine,+14155550189,n,\"" + strings.Repeat("L,", model.MaxContactLabels-1) + "\"\n",
			"", 1, 0, 4, []planRow{{"+14155550189", "Fine", "n", []string{"L"}}},
			[]string{"row 2: name is too long (1001 bytes, at most 1000)", "row 3: note is too long (10002 bytes, at most 10000)",
				"row 4: label name is too long (61 characters, at most 60)", "row 5: too many labels (101, at most 100)"}},
		{"a megabyte phone cell is not echoed whole", "m.csv", "name,phone\nX," + strings.Repeat("1-", 1<<19) + "\n", "", 0, 0, 1,
			nil, []string{`row 2: "1-1-1-1-1-1-1-1-1-1-1-1-1-1-1-1-1-1-1-1-…": too long`}},
		{"invalid rows", "g.csv", "name,phone\nX,abc\nY,\nZ,12\nW,+1 415 555 0182\n", "", 1, 0, 3,
			[]planRow{{"+14155550182", "W", "", nil}},
			[]string{`row 2: "abc": not a number`, `row 3: no phone number`, `row 4: "12": too short for US`}},
		{"vCard 3", "h.vcf",
			"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lovelace;Ada;;;\r\nTEL;TYPE=CELL:+1 415 555 0101\r\nCATEGORIES:VIP,Math\r\nNOTE:first line\\nsecond\\, with comma\\; semi\r\nEND:VCARD\r\n" +
				"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:No Phone\r\nEND:VCARD\r\n",
			"", 0, 1, 1, []planRow{{"+14155550101", "Ada Lovelace", "first line\nsecond, with comma; semi", []string{"VIP", "Math"}}},
			[]string{"card 2: no phone number"}},
		{"vCard 4 by content", "cards.txt",
			"BEGIN:VCARD\nVERSION:4.0\nFN:Grace\n  Hopper\nitem1.TEL;VALUE=uri;TYPE=cell:tel:+1-415-555-0183\nTEL;PREF=1:+14155550184\nEND:VCARD\n",
			"", 1, 0, 0, []planRow{{"+14155550184", "Grace Hopper", "", nil}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := labelState(t, svc)
			p, err := svc.PlanImport(ctx, strings.NewReader(tt.text), tt.file, tt.labels)
			if err != nil {
				t.Fatal(err)
			}
			if p.New != tt.newN || p.Updated != tt.updN || p.Invalid != tt.badN {
				t.Errorf("plan new/updated/invalid = %d/%d/%d, want %d/%d/%d (%v)", p.New, p.Updated, p.Invalid, tt.newN, tt.updN, tt.badN, p.Reasons)
			}
			if got := planRows(p); !slices.EqualFunc(got, tt.rows, func(a, b planRow) bool {
				return a.Phone == b.Phone && a.Name == b.Name && a.Note == b.Note && slices.Equal(a.Labels, b.Labels)
			}) {
				t.Errorf("rows\n%+v\nwant\n%+v", got, tt.rows)
			}
			if tt.reasons != nil && !slices.Equal(p.Reasons, tt.reasons) {
				t.Errorf("reasons %q, want %q", p.Reasons, tt.reasons)
			}
			if tt.labels != "" && !slices.Equal(p.Labels, model.SplitLabelList(tt.labels)) {
				t.Errorf("labels %v", p.Labels)
			}
			if labelState(t, svc) != before {
				t.Error("planning wrote to the mirror")
			}
		})
	}
}

// bigReader yields n bytes of CSV-looking text without holding them.
type bigReader struct{ n int }

func (r *bigReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	k := min(len(p), r.n)
	for i := range k {
		p[i] = "1234567,\n"[i%9]
	}
	r.n -= k
	return k, nil
}

func TestPlanImportRefusesBadFiles(t *testing.T) {
	t.Parallel()

	svc, _ := worldService(t, nil)
	ctx := context.Background()
	tests := []struct {
		name, file string
		r          io.Reader
		labels     string
		want       string
	}{
		{"binary", "x.csv", bytes.NewReader([]byte("name,phone\x00\x01\x02")), "", "not a CSV or vCard"},
		{"not UTF-8", "x.csv", bytes.NewReader([]byte("name,phone\n\xff\xfe,1\n")), "", "not a CSV or vCard"},
		{"too large", "big.csv", &bigReader{MaxImportSize + 1}, "", "larger than 50 MB"},
		{"empty", "e.csv", strings.NewReader(" \n\n"), "", "empty"},
		{"prose", "notes.txt", strings.NewReader("Dear Sir,\nplease call me back.\n"), "", "no column of phone numbers"},
		{"header without phone", "x.csv", strings.NewReader("name,email\nBob,bob@example.com\n"), "", "names no phone column"},
		{"broken vCard", "x.vcf", strings.NewReader("BEGIN:VCARD\nFN:Half\n"), "", "card 1"},
		{"bad labels", "x.csv", strings.NewReader("phone\n+14155550177\n"), "ok, " + strings.Repeat("q", 70), "too long"},
		{"header only", "x.csv", strings.NewReader("name,phone\n"), "", "no contacts"},
	}
	for _, tt := range tests {
		p, err := svc.PlanImport(ctx, tt.r, tt.file, tt.labels)
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: PlanImport = %+v, %v; want one line with %q", tt.name, p, err, tt.want)
		}
	}
}

// bigCSV is 10 000 rows, semicolon-separated: rows with i%100 < 3 are bad
// (not a number, too short, empty), rows with i%50 == 10 are numbers the
// mirror already has.
func bigCSV() (text string, existing []model.Contact) {
	var b strings.Builder
	b.WriteString("Name;Phone;Labels;Note\n")
	for i := range 10_000 {
		phone := fmt.Sprintf("+91 981%07d", i)
		switch {
		case i%100 == 0:
			phone = "abc"
		case i%100 == 1:
			phone = "12345"
		case i%100 == 2:
			phone = ""
		case i%50 == 10:
			existing = append(existing, model.Contact{JID: fmt.Sprintf("91981%07d@s.whatsapp.net", i), PushName: "wa", IsWAContact: true})
		}
		fmt.Fprintf(&b, "\"Person %d\";%s;\"Batch A, Tier %d\";\"note; %d\"\n", i, phone, i%3, i)
	}
	return b.String(), existing
}

// TestImport10k is acceptance 3: exact counts, reasons, one transaction.
func TestImport10k(t *testing.T) {
	t.Parallel()

	svc, _ := worldService(t, accountWorld())
	ctx := context.Background()
	text, existing := bigCSV()
	if err := svc.store.UpsertContacts(ctx, existing); err != nil {
		t.Fatal(err)
	}
	p, err := svc.PlanImport(ctx, strings.NewReader(text), "big.csv", "Imported 2026")
	if err != nil {
		t.Fatal(err)
	}
	if p.New != 9500 || p.Updated != 200 || p.Invalid != 300 {
		t.Fatalf("plan = %d new, %d updated, %d invalid; want 9500, 200, 300", p.New, p.Updated, p.Invalid)
	}
	wantReasons := []string{`row 2: "abc": not a number`, `row 3: "12345": too short for US`, `row 4: no phone number`,
		`row 102: "abc": not a number`}
	if len(p.Reasons) != 10 || !slices.Equal(p.Reasons[:4], wantReasons) {
		t.Errorf("reasons %q", p.Reasons)
	}
	res, err := svc.ApplyImport(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if res.New != 9500 || res.Updated != 200 || res.Invalid != 300 {
		t.Errorf("result %+v", res)
	}
	if n, _ := svc.store.ContactCount(ctx); n != 9700 {
		t.Errorf("%d contacts, want 9700", n)
	}
	l, err := svc.store.LabelByName(ctx, "imported 2026")
	if err != nil || l.Count != 9700 {
		t.Errorf("Imported 2026: %+v, %v", l, err)
	}
	c, err := svc.FindContact(ctx, "+91 9810000010")
	if err != nil || c.PushName != "wa" || c.FullName != "Person 10" || c.Note != "note; 10" || c.Source != model.SourceWhatsApp ||
		!slices.Equal(c.Labels, []string{"Imported 2026", "Batch A", "Tier 1"}) {
		t.Errorf("updated contact %+v, %v", c, err)
	}
	c, err = svc.FindContact(ctx, "+91 9810000011")
	if err != nil || c.Source != model.SourceImport || c.FullName != "Person 11" {
		t.Errorf("new contact %+v, %v", c, err)
	}
}

func BenchmarkImport10k(b *testing.B) {
	text, _ := bigCSV()
	ctx := context.Background()
	be := sim.New(accountWorld())
	defer be.Close()
	for b.Loop() {
		b.StopTimer()
		st, err := store.Open(filepath.Join(b.TempDir(), "w.db"))
		if err != nil {
			b.Fatal(err)
		}
		svc := New(st, be, Options{})
		b.StartTimer()
		p, err := svc.PlanImport(ctx, strings.NewReader(text), "big.csv", "Imported")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := svc.ApplyImport(ctx, p); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		st.Close()
		b.StartTimer()
	}
}

const (
	importHelperEnv  = "WABOOK_TEST_IMPORT_HELPER"
	importHelperDB   = "WABOOK_TEST_IMPORT_DB"
	importHelperFile = "WABOOK_TEST_IMPORT_FILE"
	inTxMarker       = "IMPORT-TX-OPEN"
)

// TestImportCrashHelper is the child of TestImportCrashLeavesNothing: it
// imports the file and, inside the transaction, says so and waits to be
// killed.
func TestImportCrashHelper(t *testing.T) {
	t.Parallel()

	if os.Getenv(importHelperEnv) != "1" {
		t.Skip("only run as the child of TestImportCrashLeavesNothing")
	}
	st, err := store.Open(os.Getenv(importHelperDB))
	if err != nil {
		t.Fatal(err)
	}
	be := sim.New(accountWorld())
	svc := New(st, be, Options{})
	f, err := os.Open(os.Getenv(importHelperFile))
	if err != nil {
		t.Fatal(err)
	}
	p, err := svc.PlanImport(context.Background(), f, f.Name(), "Crash")
	if err != nil {
		t.Fatal(err)
	}
	importBeforeCommit = func() error {
		fmt.Println(inTxMarker)
		os.Stdout.Sync()
		time.Sleep(time.Minute)
		return errors.New("not killed")
	}
	_, err = svc.ApplyImport(context.Background(), p)
	t.Fatalf("ApplyImport returned: %v", err)
}

// TestImportCrashLeavesNothing is acceptance 3's SIGKILL: the import runs
// in a child process that is killed while its transaction is open; the
// database must be intact and hold nothing of the import.
func TestImportCrashLeavesNothing(t *testing.T) {
	t.Parallel()

	if testing.Short() {
		t.Skip("runs a child process")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "w.db")
	text, existing := bigCSV()
	file := filepath.Join(dir, "big.csv")
	if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.UpsertContacts(context.Background(), existing); err != nil {
		t.Fatal(err)
	}
	st.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^TestImportCrashHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), importHelperEnv+"=1", importHelperDB+"="+db, importHelperFile+"="+file)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	seen := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		ok := false
		for sc.Scan() {
			if sc.Text() == inTxMarker {
				ok = true
				break
			}
		}
		seen <- ok
		io.Copy(io.Discard, out)
	}()
	select {
	case ok := <-seen:
		if !ok {
			cmd.Wait()
			t.Fatalf("the child ended before its transaction: %s", stderr.String())
		}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the child never reached the transaction")
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	cmd.Wait()

	st, err = store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var check string
	if err := st.DB().QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check = %q, %v", check, err)
	}
	counts := map[string]string{
		`SELECT count(*) FROM contacts`:                         fmt.Sprint(len(existing)),
		`SELECT count(*) FROM contacts WHERE source = 'import'`: "0",
		`SELECT count(*) FROM contacts WHERE full_name <> ''`:   "0",
		`SELECT count(*) FROM labels`:                           "0",
		`SELECT count(*) FROM contact_labels`:                   "0",
	}
	for q, want := range counts {
		var got string
		if err := st.DB().QueryRow(q).Scan(&got); err != nil || got != want {
			t.Errorf("%s = %s, %v; want %s", q, got, err, want)
		}
	}
}

// TestExportImportRoundTrip is acceptance 4: every contact of the demo
// world, with labels and notes, survives export and import into a fresh
// database, as CSV and as vCard.
func TestExportImportRoundTrip(t *testing.T) {
	t.Parallel()

	src, _ := worldService(t, sim.DemoWorld())
	ctx := context.Background()
	all, err := src.store.Contacts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 400 {
		t.Fatalf("demo world has only %d contacts", len(all))
	}
	notes := []string{"", "plain", "comma, semicolon; and \"quotes\"", "=SUM(A1)", "@home", "-5 +3", `back\slash`, "über 東京 🌸"}
	for i, c := range all {
		if _, err := src.EditContact(ctx, c.JID, ContactEdit{Note: &notes[i%len(notes)], AddLabels: []string{"", "Round trip", "Odd"}[i%3]}); err != nil {
			t.Fatal(err)
		}
	}
	want, err := src.store.Contacts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"csv", "vcf"} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			n, err := src.ExportContacts(ctx, &buf, format, "")
			if err != nil || n != len(want) {
				t.Fatalf("exported %d, %v; want %d", n, err, len(want))
			}
			dst, _ := worldService(t, accountWorld())
			p, err := dst.PlanImport(ctx, &buf, "export."+format, "")
			if err != nil {
				t.Fatal(err)
			}
			if p.New != len(want) || p.Invalid != 0 || p.Updated != 0 {
				t.Fatalf("plan %d new, %d updated, %d invalid (%v); want %d new", p.New, p.Updated, p.Invalid, p.Reasons, len(want))
			}
			if _, err := dst.ApplyImport(ctx, p); err != nil {
				t.Fatal(err)
			}
			for _, w := range want {
				got, err := dst.store.Contact(ctx, w.JID)
				if err != nil {
					t.Errorf("%s missing after the round trip", w.JID)
					continue
				}
				gl, wl := slices.Sorted(slices.Values(got.Labels)), slices.Sorted(slices.Values(w.Labels))
				if got.DisplayName() != model.Clean(w.DisplayName()) || got.Phone != w.Phone || got.Note != w.Note || !slices.Equal(gl, wl) {
					t.Errorf("%s: got %q %s %q %v, want %q %s %q %v", w.JID, got.DisplayName(), got.Phone, got.Note, gl,
						model.Clean(w.DisplayName()), w.Phone, w.Note, wl)
				}
			}
		})
	}
}

func TestExportFormats(t *testing.T) {
	t.Parallel()

	svc, _ := worldService(t, nil)
	ctx := context.Background()
	if _, err := svc.AddContact(ctx, ContactInput{Name: "=cmd|' /C calc'!A0", Phone: "+1 415 555 0190", Labels: "VIP", Note: "@SUM(1+1)"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddContact(ctx, ContactInput{Name: "-2+3", Phone: "+1 415 555 0191", Note: "+danger"}); err != nil {
		t.Fatal(err)
	}

	// CSV: no cell a spreadsheet would run.
	var buf bytes.Buffer
	n, err := svc.ExportContacts(ctx, &buf, "csv", "")
	if err != nil || n != 8 {
		t.Fatalf("csv export: %d, %v", n, err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], ContactsCSVHeader) {
		t.Errorf("header %v", rows[0])
	}
	for _, r := range rows[1:] {
		for i, cell := range r {
			// Phone numbers keep their "+": they cannot be formulas.
			if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) && !isPhoneText(cell) {
				t.Errorf("column %s starts with %q: %q", rows[0][i], cell[0], cell)
			}
		}
	}
	if !strings.Contains(fmt.Sprint(rows), `'=cmd|' /C calc'!A0`) || !strings.Contains(fmt.Sprint(rows), "'@SUM(1+1)") {
		t.Errorf("neutralised cells missing: %v", rows)
	}

	// A query picks the rows.
	buf.Reset()
	if n, err := svc.ExportContacts(ctx, &buf, "json", "label:vip"); err != nil || n != 2 {
		t.Fatalf("json export of label:vip: %d, %v", n, err)
	}
	var objs []ContactJSON
	if err := json.Unmarshal(buf.Bytes(), &objs); err != nil || len(objs) != 2 {
		t.Fatalf("json: %v, %d objects", err, len(objs))
	}
	for _, o := range objs {
		if !slices.Contains(o.Labels, "VIP") || !strings.HasSuffix(o.ContactID, "@c.us") || o.ContactType != "user" {
			t.Errorf("json object %+v", o)
		}
	}

	// vCard 3.0 by default, 4.0 on request (issue 11 point 12), with the
	// fields asked for.
	uid := "UID:" + VCardUID("14155550101@s.whatsapp.net") + "\r\n"
	for _, tt := range []struct {
		format string
		want   []string
	}{
		{"vcf", []string{"VERSION:3.0\r\n", "TEL;TYPE=CELL:+14155550101\r\n"}},
		{FormatVCard4, []string{"VERSION:4.0\r\n", "TEL;TYPE=cell;VALUE=uri:tel:+14155550101\r\n"}},
	} {
		buf.Reset()
		if _, err := svc.ExportContacts(ctx, &buf, tt.format, "ada"); err != nil {
			t.Fatal(err)
		}
		v := buf.String()
		for _, want := range append(tt.want, "BEGIN:VCARD\r\n", uid, "FN:Ada Lovelace\r\n", "N:Lovelace;Ada;;;\r\n",
			"CATEGORIES:New customer\r\n", "X-WABOOK-JID:14155550101@s.whatsapp.net\r\n", "END:VCARD\r\n") {
			if !strings.Contains(v, want) {
				t.Errorf("%s: vCard lacks %q:\n%s", tt.format, want, v)
			}
		}
	}
	for _, bad := range []string{"xml", ""} {
		if _, err := svc.ExportContacts(ctx, io.Discard, bad, ""); err == nil {
			t.Errorf("format %q accepted", bad)
		}
	}
	if _, err := svc.ExportContacts(ctx, io.Discard, "csv", "is:bogus"); err == nil {
		t.Error("bad query accepted")
	}
}

func TestWriteFoldedKeepsRunes(t *testing.T) {
	t.Parallel()

	var b strings.Builder
	long := "NOTE:" + strings.Repeat("東京🌸", 40)
	writeFolded(&b, long)
	unfolded := strings.ReplaceAll(b.String(), "\r\n ", "")
	if strings.TrimSuffix(unfolded, "\r\n") != long {
		t.Error("folding changed the text")
	}
	for line := range strings.Lines(b.String()) {
		if len(strings.TrimRight(line, "\r\n")) > 75 {
			t.Errorf("line of %d octets", len(line))
		}
	}
}
