package app

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/wa"
	"github.com/wabook/wabook/wa/sim"
)

// The crash test runs the queue in a child process: this test binary,
// re-executed with helperEnv set.
const (
	helperEnv   = "WABOOK_TEST_CHECKER_HELPER"
	helperDB    = "WABOOK_TEST_CHECKER_DB"
	helperLog   = "WABOOK_TEST_CHECKER_LOG"
	crashNumber = 2000
)

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "1" {
		os.Exit(checkerHelper())
	}
	if os.Getenv(outboxHelperEnv) == "1" {
		os.Exit(outboxHelper())
	}
	code := m.Run()
	books.Remove()
	os.Exit(code)
}

// loggingBackend writes the numbers of every CheckNumbers call, one call a
// line, to a file before passing the call on: what the backend was sent,
// whatever happens to the process afterwards.
type loggingBackend struct {
	wa.Backend
	log *os.File
}

func (b *loggingBackend) CheckNumbers(ctx context.Context, phones []string) ([]wa.CheckAnswer, error) {
	if _, err := b.log.WriteString(strings.Join(phones, " ") + "\n"); err != nil {
		return nil, err
	}
	return b.Backend.CheckNumbers(ctx, phones)
}

// crashWorld registers every third number of crashInputs.
func crashWorld() (*sim.World, []string) {
	w := &sim.World{Account: &sim.WorldAccount{Phone: "+14155550100"}, CheckLatencyMS: 50}
	nums := make([]string, crashNumber)
	for i := range nums {
		nums[i] = fmt.Sprintf("+1631555%04d", i)
		if i%3 == 0 {
			w.Registered = append(w.Registered, nums[i])
		}
	}
	return w, nums
}

// checkerHelper is the child: it queues the 2 000 numbers when the database
// has no job yet, runs the checker (config from WABOOK_CONFIG) and exits 0
// once every job is finished.
func checkerHelper() int {
	fail := func(err error) int {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 1
	}
	path, err := DefaultConfigPath()
	if err != nil {
		return fail(err)
	}
	cfg, err := LoadConfig(path)
	if err != nil {
		return fail(err)
	}
	st, err := store.Open(os.Getenv(helperDB))
	if err != nil {
		return fail(err)
	}
	defer st.Close()
	logFile, err := os.OpenFile(os.Getenv(helperLog), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return fail(err)
	}
	defer logFile.Close()
	w, nums := crashWorld()
	be := sim.New(w)
	defer be.Close()
	svc := New(st, &loggingBackend{Backend: be, log: logFile}, Options{Config: &cfg, CheckPoll: 10 * time.Millisecond})
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	go svc.Run(ctx)
	if err := svc.SyncOnce(ctx); err != nil {
		return fail(err)
	}
	jobs, err := svc.Jobs(ctx)
	if err != nil {
		return fail(err)
	}
	if len(jobs) == 0 {
		job, err := svc.EnqueueCheck(ctx, nums, CheckOptions{})
		if err != nil {
			return fail(err)
		}
		jobs = append(jobs, job)
	}
	svc.StartChecker(ctx)
	defer svc.StopChecker()
	for _, j := range jobs {
		if err := svc.WaitJob(ctx, j.ID); err != nil {
			return fail(err)
		}
	}
	return 0
}

func readCalls(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var calls [][]string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for sc.Scan() {
		calls = append(calls, strings.Fields(sc.Text()))
	}
	return calls
}

// withoutCanary drops the canary (the account's own number), which goes
// along with each batch and is no result, from every call.
func withoutCanary(calls [][]string) [][]string {
	out := make([][]string, len(calls))
	for i, c := range calls {
		out[i] = slices.DeleteFunc(slices.Clone(c), func(n string) bool { return n == "+14155550100" })
	}
	return out
}

// Acceptance 3: a 2 000-number job killed with SIGKILL midway and
// restarted loses no result and sends no finished batch again: only the
// batch in flight at the kill is sent twice.
func TestCrashResume(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a child process for seconds")
	}
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "config.json")
	if err := os.WriteFile(cfgPath, []byte(`{"check_pace":"5ms","check_daily_budget":100000}`), 0o600); err != nil {
		t.Fatal(err)
	}
	dbPath, logPath := filepath.Join(dir, "w.db"), filepath.Join(dir, "calls.log")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	child := func() *exec.Cmd {
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), helperEnv+"=1", helperDB+"="+dbPath, helperLog+"="+logPath, "WABOOK_CONFIG="+cfgPath)
		cmd.Stderr = os.Stderr
		return cmd
	}

	// First run: kill it once about a third of the batches are out.
	first := child()
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for len(readCalls(t, logPath)) < 35 {
		if time.Now().After(deadline) {
			first.Process.Kill()
			t.Fatal("the child sent too few batches")
		}
		time.Sleep(2 * time.Millisecond)
	}
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	first.Wait()
	before := withoutCanary(readCalls(t, logPath))

	st, err := store.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	inflight, err := st.InflightCheckBatches(context.Background())
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(inflight) > 1 {
		t.Fatalf("%d batches in flight after the kill, want at most 1", len(inflight))
	}
	if len(before) >= crashNumber/20 {
		t.Fatalf("the first run sent all %d batches before the kill", len(before))
	}

	// Second run: resume and finish.
	second := child()
	if err := second.Run(); err != nil {
		t.Fatalf("second run: %v", err)
	}
	raw := readCalls(t, logPath)
	all := withoutCanary(raw)
	after := all[len(before):]

	// The batch in flight at the kill is the last one the first run sent
	// and the first one the second run sends; nothing else is sent twice.
	var resent []string
	if len(inflight) == 1 {
		resent = inflight[0].Phones
		if !slices.Equal(before[len(before)-1], resent) {
			t.Errorf("batch in flight %v is not the last one sent %v", resent, before[len(before)-1])
		}
		if len(after) == 0 || !slices.Equal(after[0], resent) {
			t.Errorf("the second run did not start with the batch in flight")
		}
	}
	t.Logf("killed after %d calls; %d calls after the restart; %d numbers resent", len(before), len(after), len(resent))
	sent := map[string]int{}
	for i, call := range all {
		if len(raw[i]) > 20 {
			t.Errorf("a call of %d numbers", len(raw[i]))
		}
		for _, n := range call {
			sent[n]++
		}
	}
	w, nums := crashWorld()
	for _, n := range nums {
		want := 1
		if slices.Contains(resent, n) {
			want = 2
		}
		if sent[n] != want {
			t.Errorf("%s sent %d times, want %d", n, sent[n], want)
		}
	}
	if len(sent) != len(nums) {
		t.Errorf("%d distinct numbers sent, want %d", len(sent), len(nums))
	}

	// Every number has exactly one final result, the right one.
	st, err = store.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	jobs, err := st.CheckJobs(context.Background())
	if err != nil || len(jobs) != 1 || jobs[0].State != store.JobDone || jobs[0].Total != crashNumber {
		t.Fatalf("jobs after the restart: %+v, %v", jobs, err)
	}
	rs, err := st.CheckItems(context.Background(), jobs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rs {
		want := model.CheckInvalid
		if slices.Contains(w.Registered, nums[i]) {
			want = model.CheckValid
		}
		if r.Input != nums[i] || r.Status != want || r.CheckedAt.IsZero() {
			t.Errorf("result %d = %+v, want %s", i, r, want)
		}
	}
	if b, _ := st.InflightCheckBatches(context.Background()); len(b) != 0 {
		t.Errorf("%d batches still in flight", len(b))
	}
}

// BenchmarkQueueBookkeeping10k measures the queue's own cost: a 10 000-number
// job against a sim without latency, zero pace: normalising, the job's
// transaction, 527 batches marked in flight and committed (19 numbers and the
// canary each, app/canary.go).
func BenchmarkQueueBookkeeping10k(b *testing.B) {
	const n = 10_000
	w, nums := registeredWorld(n)
	cfg := Config{CheckBatchSize: 20, CheckPace: 0, CheckDailyBudget: 1_000_000, CheckMaxAge: time.Hour}
	for b.Loop() {
		b.StopTimer()
		st, err := store.Open(filepath.Join(b.TempDir(), "w.db"))
		if err != nil {
			b.Fatal(err)
		}
		be := sim.New(w)
		svc := New(st, be, Options{Config: &cfg})
		ctx, cancel := context.WithCancel(context.Background())
		go svc.Run(ctx)
		if err := svc.SyncOnce(ctx); err != nil {
			b.Fatal(err)
		}
		svc.StartChecker(ctx)
		b.StartTimer()

		job, err := svc.EnqueueCheck(ctx, nums, CheckOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if err := svc.WaitJob(ctx, job.ID); err != nil {
			b.Fatal(err)
		}

		b.StopTimer()
		if want := (n + 18) / 19; be.CheckCalls() != want {
			b.Fatalf("%d calls, want %d", be.CheckCalls(), want)
		}
		svc.StopChecker()
		cancel()
		be.Close()
		st.Close()
		b.StartTimer()
	}
}
