package app

import (
	"bufio"
	"context"
	"crypto/sha256"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"modernc.org/sqlite"

	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/store/storetest"
	"github.com/wabook/wabook/wa/sim"
)

// The label-apply crash tests run Service.ApplyLabels on 1 000 contacts in a
// child process (this test binary, re-executed to run
// TestLabelApplyCrashHelper) and SIGKILL it. ApplyLabels has no hook of its
// own, so the child pauses inside the transaction through SQLite itself:
//
//   - mode "mid": a TEMP trigger on contact_labels, created on every
//     connection of the child, calls a Go function that stops at the 500th
//     insert, half-way through the transaction's writes;
//   - mode "commit": a commit hook stops the first write commit after the
//     store is open, with every row written and COMMIT under way;
//   - mode "random": no pause; the parent kills at a random moment between
//     0 and the measured duration of the apply.
const (
	labelsHelperEnv  = "WABOOK_TEST_LABELS_HELPER" // the mode
	labelsHelperDB   = "WABOOK_TEST_LABELS_DB"
	labelsPauseAt    = 500
	labelsTxMarker   = "LABELS-TX-OPEN"
	labelsStart      = "LABELS-START"
	labelsDone       = "LABELS-DONE"
	labelsCrashN     = 1000
	labelsCrashTotal = 1200
	labelsCrashSeed  = 6
)

// labelsCrashChange is what the child applies: a new label, an existing one
// (already on some of the contacts) and one taken off.
var labelsCrashAdd, labelsCrashRemove = []string{"Crash wave, Lead"}, []string{"VIP"}

// labelsCrashJIDs are the 1 000 contacts the label goes on.
func labelsCrashJIDs() []string {
	cs, _, _ := storetest.Generate(labelsCrashTotal, 20, 50, labelsCrashSeed)
	jids := make([]string, labelsCrashN)
	for i := range jids {
		jids[i] = cs[i].JID
	}
	return jids
}

// TestLabelApplyCrashHelper is the child of the label-apply crash tests.
func TestLabelApplyCrashHelper(t *testing.T) {
	t.Parallel()

	mode := os.Getenv(labelsHelperEnv)
	if mode == "" {
		t.Skip("only run as the child of TestLabelApplyCrash*")
	}
	var armed atomic.Bool
	var inserts atomic.Int64
	pause := func() {
		fmt.Println(labelsTxMarker)
		os.Stdout.Sync()
		time.Sleep(time.Minute)
	}
	switch mode {
	case "mid":
		sqlite.MustRegisterScalarFunction("wabook_test_pause", 0, func(*sqlite.FunctionContext, []driver.Value) (driver.Value, error) {
			if armed.Load() && inserts.Add(1) == labelsPauseAt {
				pause()
			}
			return nil, nil
		})
		sqlite.RegisterConnectionHook(func(conn sqlite.ExecQuerierContext, _ string) error {
			_, err := conn.ExecContext(context.Background(),
				`CREATE TEMP TRIGGER wabook_test_pause AFTER INSERT ON contact_labels BEGIN SELECT wabook_test_pause(); END`, nil)
			return err
		})
	case "commit":
		sqlite.RegisterConnectionHook(func(conn sqlite.ExecQuerierContext, _ string) error {
			hr, ok := conn.(sqlite.HookRegisterer)
			if !ok {
				return errors.New("the driver's connection has no commit hook")
			}
			hr.RegisterCommitHook(func() int32 {
				if armed.Load() {
					pause()
				}
				return 0
			})
			return nil
		})
	case "random":
	default:
		t.Fatalf("unknown mode %q", mode)
	}
	st, err := store.Open(os.Getenv(labelsHelperDB))
	if err != nil {
		t.Fatal(err)
	}
	be := sim.New(accountWorld())
	svc := New(st, be, Options{})
	jids := labelsCrashJIDs()
	armed.Store(true)
	fmt.Println(labelsStart)
	os.Stdout.Sync()
	_, err = svc.ApplyLabels(context.Background(), jids, labelsCrashAdd, labelsCrashRemove)
	fmt.Println(labelsDone)
	os.Stdout.Sync()
	if mode != "random" {
		t.Fatalf("ApplyLabels returned without pausing: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Minute) // wait to be killed, like the other modes
}

// labelsDBState summarises every label and assignment of the database at
// path: a digest to compare, and how many contacts carry the new label.
func labelsDBState(t *testing.T, path string) (digest string, members int) {
	t.Helper()
	st, err := store.Open(path)
	if err != nil {
		t.Fatalf("reopening after the kill: %v", err)
	}
	defer st.Close()
	var check string
	if err := st.DB().QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check = %q, %v", check, err)
	}
	fk, err := st.DB().Query(`PRAGMA foreign_key_check`)
	if err != nil {
		t.Fatal(err)
	}
	if fk.Next() {
		t.Error("foreign_key_check reports rows")
	}
	fk.Close()
	h := sha256.New()
	for _, q := range []string{
		`SELECT id || ' ' || name || ' ' || color || ' ' || "order" FROM labels ORDER BY id`,
		`SELECT contact_jid || ' ' || label_id FROM contact_labels ORDER BY contact_jid, label_id`,
	} {
		rows, err := st.DB().Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			io.WriteString(h, s+"\n")
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
	}
	err = st.DB().QueryRow(`SELECT count(*) FROM contact_labels cl JOIN labels l ON l.id = cl.label_id WHERE l.name = 'Crash wave'`).Scan(&members)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", h.Sum(nil)[:8]), members
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// labelsCrashFixture is a closed database of 1 200 generated contacts, 20
// groups and 50 labels, with the state before and after the apply and how
// long the apply took in this process.
type labelsCrashFixture struct {
	template      string
	before, after string
	took          time.Duration
}

func newLabelsCrashFixture(t *testing.T) labelsCrashFixture {
	t.Helper()
	dir := t.TempDir()
	f := labelsCrashFixture{template: filepath.Join(dir, "template.db")}
	st, err := store.Open(f.template)
	if err != nil {
		t.Fatal(err)
	}
	cs, gs, ls := storetest.Generate(labelsCrashTotal, 20, 50, labelsCrashSeed)
	if err := storetest.Populate(context.Background(), st, cs, gs, ls); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(f.template + "-wal"); err == nil {
		t.Fatal("the template's WAL was not checkpointed on close")
	}
	f.before, _ = labelsDBState(t, f.template)

	// The expected result: the same apply, run here on a copy.
	done := filepath.Join(dir, "done.db")
	copyFile(t, f.template, done)
	st, err = store.Open(done)
	if err != nil {
		t.Fatal(err)
	}
	svc := New(st, sim.New(accountWorld()), Options{})
	start := time.Now()
	if _, err := svc.ApplyLabels(context.Background(), labelsCrashJIDs(), labelsCrashAdd, labelsCrashRemove); err != nil {
		t.Fatal(err)
	}
	f.took = time.Since(start)
	st.Close()
	var n int
	f.after, n = labelsDBState(t, done)
	if n != labelsCrashN || f.after == f.before {
		t.Fatalf("the apply put the label on %d contacts, want %d", n, labelsCrashN)
	}
	return f
}

// runLabelsChild copies the template to a fresh file, starts the child in
// mode on it, waits for line on its stdout, calls wait and SIGKILLs it. It
// returns the database and whether the child said it was done.
func runLabelsChild(t *testing.T, f labelsCrashFixture, mode, line string, wait func()) (db string, done bool) {
	t.Helper()
	db = filepath.Join(t.TempDir(), "w.db")
	copyFile(t, f.template, db)
	cmd := exec.Command(os.Args[0], "-test.run=^TestLabelApplyCrashHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), labelsHelperEnv+"="+mode, labelsHelperDB+"="+db)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	seen := make(chan bool, 1)
	var doneSeen atomic.Bool
	go func() {
		sc := bufio.NewScanner(out)
		ok := false
		for sc.Scan() {
			switch sc.Text() {
			case line:
				if !ok {
					ok = true
					seen <- true
				}
			case labelsDone:
				doneSeen.Store(true)
			}
		}
		if !ok {
			seen <- false
		}
	}()
	select {
	case ok := <-seen:
		if !ok {
			cmd.Wait()
			t.Fatalf("the child ended before %s: %s", line, stderr.String())
		}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the child never printed %s", line)
	}
	wait()
	if err := cmd.Process.Signal(os.Kill); err != nil { // SIGKILL
		t.Fatal(err)
	}
	cmd.Wait()
	return db, doneSeen.Load()
}

// TestLabelApplyCrashAllOrNothing kills the child while ApplyLabels' one
// transaction is open (half-way through its inserts, and inside COMMIT):
// the database must be intact, carry none of the change, and take the
// same apply afterwards.
func TestLabelApplyCrashAllOrNothing(t *testing.T) {
	t.Parallel()

	if testing.Short() {
		t.Skip("runs child processes")
	}
	f := newLabelsCrashFixture(t)
	for _, mode := range []string{"mid", "commit"} {
		t.Run(mode, func(t *testing.T) {
			db, _ := runLabelsChild(t, f, mode, labelsTxMarker, func() {})
			got, n := labelsDBState(t, db)
			if got != f.before {
				t.Fatalf("after a kill inside the transaction: state %s with %d contacts labelled, want the state before (%s)", got, n, f.before)
			}
			// The mirror takes the apply again and ends where it should.
			st, err := store.Open(db)
			if err != nil {
				t.Fatal(err)
			}
			svc := New(st, sim.New(accountWorld()), Options{})
			_, err = svc.ApplyLabels(context.Background(), labelsCrashJIDs(), labelsCrashAdd, labelsCrashRemove)
			st.Close()
			if err != nil {
				t.Fatalf("applying again after the kill: %v", err)
			}
			if got, _ := labelsDBState(t, db); got != f.after {
				t.Errorf("applying again after the kill gave state %s, want %s", got, f.after)
			}
		})
	}
}

// TestLabelApplyKillAtRandom kills the child at a random moment between 0
// and the measured duration of the apply, several times: every time the
// database is intact and holds all of the change or none of it.
func TestLabelApplyKillAtRandom(t *testing.T) {
	t.Parallel()

	if testing.Short() {
		t.Skip("runs child processes")
	}
	f := newLabelsCrashFixture(t)
	const runs = 8
	var none, all int
	for i := range runs {
		delay := time.Duration(rand.Int64N(int64(f.took) + 1))
		db, done := runLabelsChild(t, f, "random", labelsStart, func() { time.Sleep(delay) })
		got, n := labelsDBState(t, db)
		switch got {
		case f.before:
			none++
			if done {
				t.Errorf("run %d: the child finished the apply but the database has none of it", i)
			}
		case f.after:
			all++
		default:
			t.Fatalf("run %d, killed %v after the start: state %s with %d contacts labelled is neither before (%s) nor after (%s)",
				i, delay, got, n, f.before, f.after)
		}
	}
	t.Logf("apply takes %v here; %d kills left nothing, %d left everything", f.took, none, all)
}
