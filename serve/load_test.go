package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	uv "github.com/charmbracelet/ultraviolet"
	gossh "golang.org/x/crypto/ssh"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/app/apptest"
	"github.com/wabook/wabook/store/storetest"
	"github.com/wabook/wabook/ui"
	"github.com/wabook/wabook/wa/sim"
)

// loadSettings size the load run. The defaults are the short run every
// `go test` makes; README ("Serving a team") gives the full run's
// environment: WABOOK_LOAD_DURATION=20s WABOOK_LOAD_CLIENTS=50.
type loadSettings struct {
	duration time.Duration
	clients  int
	contacts int           // the address book's size
	job      int           // numbers in the check job running meanwhile
	pace     time.Duration // check_pace, one number a query
}

func loadSettingsFromEnv(t *testing.T) loadSettings {
	s := loadSettings{duration: 2 * time.Second, clients: 5, contacts: 3000, job: 5000, pace: 4 * time.Millisecond}
	if v := os.Getenv("WABOOK_LOAD_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("WABOOK_LOAD_DURATION: %v", err)
		}
		s.duration = d
	}
	for _, e := range []struct {
		name string
		v    *int
	}{{"WABOOK_LOAD_CLIENTS", &s.clients}, {"WABOOK_LOAD_CONTACTS", &s.contacts}} {
		if v := os.Getenv(e.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				t.Fatalf("%s: want a whole number above 0, got %q", e.name, v)
			}
			*e.v = n
		}
	}
	return s
}

// loadSessions is how many SSH sessions press keys during the run.
const loadSessions = 3

// latencies are the times of one kind of request or key.
type latencies struct {
	mu sync.Mutex
	by map[string][]time.Duration
}

func (l *latencies) add(kind string, d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.by == nil {
		l.by = map[string][]time.Duration{}
	}
	l.by[kind] = append(l.by[kind], d)
}

// table is one line per kind: count, p50, p99.
func (l *latencies) table() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var b strings.Builder
	for _, kind := range slices.Sorted(func(yield func(string) bool) {
		for k := range l.by {
			if !yield(k) {
				return
			}
		}
	}) {
		ds := slices.Clone(l.by[kind])
		slices.Sort(ds)
		q := func(p float64) time.Duration { return ds[min(len(ds)-1, int(p*float64(len(ds))))] }
		fmt.Fprintf(&b, "  %-34s %7d  p50 %9s  p99 %9s\n", kind, len(ds), q(0.50).Round(10*time.Microsecond), q(0.99).Round(10*time.Microsecond))
	}
	return b.String()
}

// memory is the heap after a collection and the process's resident set.
func memory() (heapMB, rssMB float64) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	heapMB = float64(ms.HeapAlloc) / (1 << 20)
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		if m := regexp.MustCompile(`VmRSS:\s+(\d+) kB`).FindSubmatch(b); m != nil {
			kb, _ := strconv.Atoi(string(m[1]))
			rssMB = float64(kb) / 1024
		}
	}
	return heapMB, rssMB
}

// TestLoad is issue 14's load run, on loopback: `wabook serve` (Run) over
// a simulated account whose book has a few thousand contacts, while a
// check job of 5 000 numbers runs at a pace of a few milliseconds; HTTP
// clients mix reads, label patches and cached checks, each patching
// contacts of its own so that the last value written is known; SSH
// sessions press keys and time each key to the frame that shows it. It
// asserts no error but the rate limit's 429s (none expected: the limit is
// set high), no lost write, and one contact index for every session; it
// logs the latencies (run with -v). Short by default; README's "Serving a
// team" has the full run.
func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("the load run takes seconds")
	}
	set := loadSettingsFromEnv(t)

	// The numbers: the job's, half of them on WhatsApp, and those the
	// cached checks ask, answered before the run.
	jobNumbers := make([]string, set.job)
	for i := range jobNumbers {
		jobNumbers[i] = fmt.Sprintf("+1415700%04d", i)
	}
	cached := make([]string, 100)
	for i := range cached {
		cached[i] = fmt.Sprintf("+1415701%04d", i)
	}
	world := &sim.World{Account: &sim.WorldAccount{Phone: "+14155550100", Business: true}}
	for i, n := range append(slices.Clone(jobNumbers), cached...) {
		if i%2 == 0 {
			world.Registered = append(world.Registered, n)
		}
	}
	cfg := app.DefaultConfig()
	cfg.CheckBatchSize, cfg.CheckPace, cfg.CheckDailyBudget = 1, set.pace, 1_000_000
	be := sim.New(world)
	svc, st, ctx := apptest.Run(t, be, app.Options{Config: &cfg, OutboxRetry: time.Millisecond})
	apptest.Sync(ctx, t, svc)
	cs, gs, ls := storetest.Generate(set.contacts, set.contacts/100, 30, 14)
	if err := storetest.Populate(ctx, st, cs, gs, ls); err != nil {
		t.Fatal(err)
	}
	svc.StartChecker(ctx)
	svc.StartOutbox(ctx)
	// Label sync on, as on a business account that uses it: a label patch
	// answers once WhatsApp (the sim) confirmed what it queued. What
	// turning it on queued (every label and its chats) is delivered first.
	if _, err := svc.SetLabelSync(ctx, true); err != nil {
		t.Fatal(err)
	}
	if items, err := svc.Outbox(ctx, true); err != nil || len(items) == 0 {
		t.Fatalf("turning label sync on queued %d changes, %v", len(items), err)
	} else {
		ids := make([]int64, len(items))
		for i, it := range items {
			ids[i] = it.ID
		}
		if _, err := svc.WaitChanges(ctx, ids); err != nil {
			t.Fatal(err)
		}
	}
	warm, err := svc.EnqueueCheck(ctx, cached, app.CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.WaitJob(ctx, warm.ID); err != nil {
		t.Fatal(err)
	}
	token, err := svc.AddToken(ctx, "load", false)
	if err != nil {
		t.Fatal(err)
	}

	// serve, as `wabook serve` runs it.
	dir := t.TempDir()
	keys := make([]gossh.Signer, loadSessions)
	var lines []string
	for i := range keys {
		var line string
		keys[i], line = newOperator(t, fmt.Sprintf("Operator %d", i+1))
		lines = append(lines, line)
	}
	keysPath := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(keysPath, []byte(strings.Join(lines, "")), 0o600); err != nil {
		t.Fatal(err)
	}
	indexes := ui.NewIndexes(svc)
	runCtx, stop := context.WithCancel(ctx)
	out := &syncBuffer{}
	errc := make(chan error, 1)
	go func() {
		errc <- Run(runCtx, svc, Config{HTTP: "127.0.0.1:0", SSH: "127.0.0.1:0", AuthorizedKeys: keysPath,
			HostKey: filepath.Join(dir, "host_key"), RateLimit: 1 << 30, indexes: indexes}, out)
	}()
	defer func() {
		stop()
		if err := <-errc; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	url := started(t, out, errc)
	sshAt := regexp.MustCompile(`SSH: ssh -p (\d+) (\S+)`).FindStringSubmatch(out.String())
	if sshAt == nil {
		t.Fatalf("Run did not say where SSH listens:\n%s", out)
	}
	hostKey := readHostKey(t, filepath.Join(dir, "host_key"))
	f := &sshFixture{addr: sshAt[2] + ":" + sshAt[1], hostKey: hostKey}

	// One session, then three: the memory, and one index for all. A
	// whole read that a large change forced (ForcedReads) is no session's
	// own: of the others, one alone, the first session's, may happen.
	heap0, rss0 := memory() // no index yet: no session, no list asked
	loaded := func(tm *term) { tm.waitFor("the session's list", fmt.Sprintf("%d contacts", set.contacts)) }
	ownReads := func() int64 { return indexes.WholeReads() - indexes.ForcedReads() }
	terms := []*term{f.open(t, keys[0], 120, 40)}
	loaded(terms[0])
	eventuallyT(t, "the whole index", func() bool { return ownReads() == 1 })
	heap1, rss1 := memory()
	for i := 1; i < loadSessions; i++ {
		terms = append(terms, f.open(t, keys[i], 120, 40))
		loaded(terms[i])
	}
	heap3, rss3 := memory()
	if n := ownReads(); n != 1 {
		t.Errorf("the mirror was read whole %d times for %d sessions (besides %d forced by large changes): they do not share one index",
			n, loadSessions, indexes.ForcedReads())
	}

	// The run.
	job, err := svc.EnqueueCheck(ctx, jobNumbers, app.CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	own := make([][]string, set.clients) // each client's contacts (IDs)
	for i := range cs {
		if c := i % set.clients; len(own[c]) < 8 {
			own[c] = append(own[c], strings.TrimPrefix(cs[i].Phone, "+"))
		}
	}
	lat := &latencies{}
	res := &loadResults{}
	end := time.Now().Add(set.duration)
	var wg sync.WaitGroup
	clients := make([]*loadClient, set.clients)
	for c := range clients {
		cl := &loadClient{url: url, token: token, own: own[c], cached: cached, total: set.contacts,
			last: map[string]string{}, rnd: rand.New(rand.NewPCG(uint64(c), 1)), lat: lat, res: res}
		clients[c] = cl
		wg.Go(func() { cl.run(end) })
	}
	for i, tm := range terms {
		wg.Go(func() { pressKeys(tm, i, end, lat, res) })
	}
	wg.Wait()
	progress, err := svc.Job(ctx, job.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Every client's last write to each of its contacts is what a read,
	// and the list, show now, and what WhatsApp has.
	lost := 0
	for _, cl := range clients {
		lost += cl.lost(be)
	}
	res.lost.Store(int64(lost))
	{
		t.Logf("load: %s, %d HTTP clients, %d SSH sessions, %d contacts, check pace %s (job: %d of %d numbers answered during the run)\n"+
			"requests %d, errors %d, 429s %d, lost writes %d\n%s"+
			"memory after GC: no session heap %.1f MB RSS %.1f MB; 1 session heap %.1f MB RSS %.1f MB; %d sessions heap %.1f MB RSS %.1f MB\n"+
			"(the SSH clients and their terminal emulators are in this process too)",
			set.duration, set.clients, loadSessions, set.contacts, set.pace, set.job-progress.Counts.Processing, set.job,
			res.requests.Load(), res.errors.Load(), res.limited.Load(), res.lost.Load(), lat.table(),
			heap0, rss0, heap1, rss1, loadSessions, heap3, rss3)
		for _, e := range res.firstErrors() {
			t.Log(e)
		}
		if res.errors.Load() != 0 || res.lost.Load() != 0 {
			t.Errorf("%d errors, %d lost writes", res.errors.Load(), res.lost.Load())
		}
		if res.requests.Load() == 0 {
			t.Error("no request was answered")
		}
	}
}

// readHostKey is the public half of Run's host key file.
func readHostKey(t *testing.T, path string) gossh.PublicKey {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.ParsePrivateKey(b)
	if err != nil {
		t.Fatal(err)
	}
	return signer.PublicKey()
}

// loadResults are the run's counts, shared by every client and session.
type loadResults struct {
	requests, errors, limited, lost atomic.Int64
	mu                              sync.Mutex
	first                           []string // the first errors, for the log
}

func (r *loadResults) fail(format string, args ...any) {
	r.errors.Add(1)
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.first) < 10 {
		r.first = append(r.first, fmt.Sprintf(format, args...))
	}
}

func (r *loadResults) firstErrors() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.first)
}

// loadClient is one HTTP client of the run: its own connection pool, its
// own contacts to patch and the last labels it gave each.
type loadClient struct {
	url, token string
	own        []string // contact IDs (digits) only this client patches
	cached     []string // numbers answered before the run
	total      int      // contacts in the book
	last       map[string]string
	rnd        *rand.Rand
	lat        *latencies
	res        *loadResults
	http       http.Client
}

// loadLabels are the labels the patches choose from: a fixed few, as a
// team's are.
var loadLabels = []string{"Load A", "Load B", "Load C", "Load D", "Load E", "Load F"}

// do sends one request; route names it in the latencies. It returns the
// body of a 2xx answer, nil otherwise (counted).
func (cl *loadClient) do(route, method, path string, body any, want int) []byte {
	var rd io.Reader
	if body != nil {
		js, _ := json.Marshal(body)
		rd = bytes.NewReader(js)
	}
	req, err := http.NewRequest(method, cl.url+path, rd)
	if err != nil {
		cl.res.fail("%s: %v", route, err)
		return nil
	}
	req.Header.Set("Authorization", "Bearer "+cl.token)
	start := time.Now()
	resp, err := cl.http.Do(req)
	if err != nil {
		cl.res.fail("%s: %v", route, err)
		return nil
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	cl.lat.add(route, time.Since(start))
	cl.res.requests.Add(1)
	switch {
	case err != nil:
		cl.res.fail("%s: reading the answer: %v", route, err)
	case resp.StatusCode == http.StatusTooManyRequests:
		cl.res.limited.Add(1)
	case resp.StatusCode != want:
		cl.res.fail("%s %s: %d %.200s", method, path, resp.StatusCode, b)
	default:
		return b
	}
	return nil
}

// labels is a random choice of one or two of loadLabels, as a patch
// sends it.
func (cl *loadClient) labels() string {
	a, b := cl.rnd.IntN(len(loadLabels)), cl.rnd.IntN(len(loadLabels))
	if a == b {
		return loadLabels[a]
	}
	return loadLabels[a] + ", " + loadLabels[b]
}

// run mixes the routes until end: mostly reads, a patch in five, a cached
// check in ten.
func (cl *loadClient) run(end time.Time) {
	for time.Now().Before(end) {
		id := cl.own[cl.rnd.IntN(len(cl.own))]
		switch x := cl.rnd.IntN(20); {
		case x < 4:
			cl.do("GET /v1/contacts/{id}", "GET", "/v1/contacts/"+id, nil, 200)
		case x < 8:
			cl.do("GET /v1/contacts?limit=50", "GET", fmt.Sprintf("/v1/contacts?offset=%d&limit=50", cl.rnd.IntN(cl.total)), nil, 200)
		case x < 10:
			cl.do("GET /api/contacts/all?limit=100", "GET", fmt.Sprintf("/api/contacts/all?offset=%d&limit=100", cl.rnd.IntN(cl.total)), nil, 200)
		case x < 12:
			cl.do("GET /api/contacts?contactId=", "GET", "/api/contacts?contactId="+id, nil, 200)
		case x < 14:
			ids := []string{id, cl.own[cl.rnd.IntN(len(cl.own))]}
			labels := cl.labels()
			if cl.do("PATCH /v1/contacts/labels", "PATCH", "/v1/contacts/labels", map[string]any{"contact_ids": ids, "labels": labels}, 204) != nil {
				cl.last[ids[0]], cl.last[ids[1]] = labels, labels
			}
		case x < 16:
			labels := cl.labels()
			if cl.do("PATCH /v1/contacts/{id}", "PATCH", "/v1/contacts/"+id, map[string]any{"labels": labels}, 200) != nil {
				cl.last[id] = labels
			}
		case x < 18:
			nums := []string{cl.cached[cl.rnd.IntN(len(cl.cached))], cl.cached[cl.rnd.IntN(len(cl.cached))]}
			cl.do("POST /v1/contacts/check (cached)", "POST", "/v1/contacts/check", map[string]any{"contact_ids": nums}, 200)
		default:
			nums := []string{cl.cached[cl.rnd.IntN(len(cl.cached))]}
			cl.do("POST /v1/contacts wait (cached)", "POST", "/v1/contacts", map[string]any{"blocking": "wait", "contacts": nums}, 200)
		}
	}
}

// lost counts the client's contacts whose labels are not the last it
// wrote, in a read of the contact, in the list or on WhatsApp (be: every
// patch answered once WhatsApp had it).
func (cl *loadClient) lost(be *sim.Backend) int {
	norm := func(labels []string) string {
		ls := slices.Clone(labels)
		for i := range ls {
			ls[i] = strings.ToLower(strings.TrimSpace(ls[i]))
		}
		slices.Sort(ls)
		return strings.Join(slices.Compact(ls), ",")
	}
	want := func(list string) string { return norm(strings.Split(list, ",")) }
	listed := map[string][]string{}
	for off := 0; off < cl.total; off += MaxListLimit {
		var p listPage
		if b := cl.do("final list", "GET", fmt.Sprintf("/v1/contacts?offset=%d", off), nil, 200); b != nil && json.Unmarshal(b, &p) == nil {
			for _, c := range p.Contacts {
				listed[strings.TrimSuffix(c.ContactID, "@c.us")] = c.Labels
			}
		}
	}
	n := 0
	for id, labels := range cl.last {
		var c contactBody
		b := cl.do("final read", "GET", "/v1/contacts/"+id, nil, 200)
		if b == nil || json.Unmarshal(b, &c) != nil || norm(c.Labels) != want(labels) || norm(listed[id]) != want(labels) {
			cl.res.fail("lost write: %s has %v (listed %v), last written %q", id, c.Labels, listed[id], labels)
			n++
			continue
		}
		var onWA []string
		for _, l := range loadLabels {
			if simHasLabel(be, l, id+"@s.whatsapp.net") {
				onWA = append(onWA, l)
			}
		}
		if norm(onWA) != want(labels) {
			cl.res.fail("lost on WhatsApp: %s has %v there, last written %q", id, onWA, labels)
			n++
		}
	}
	return n
}

// pressKeys is one operator at the keyboard until end: down and up the
// list (j, k) and a search typed a letter at a time, each key timed to
// the first frame that shows it: the cursor row moved, the letter in the
// search box.
func pressKeys(tm *term, who int, end time.Time, lat *latencies, res *loadResults) {
	query := []string{"ma", "jo", "an"}[who%3]
	for time.Now().Before(end) {
		for _, k := range []string{"j", "j", "k"} {
			before := cursorRow(tm)
			timeKey(tm, "ssh key j/k", k, func() bool { return cursorRow(tm) != before }, lat, res)
		}
		timeKey(tm, "ssh key /", "/", func() bool { return true }, lat, nil)
		for i := range query {
			typed := query[:i+1]
			timeKey(tm, "ssh key (search letter)", query[i:i+1], func() bool { return searchShows(tm, typed) }, lat, res)
		}
		timeKey(tm, "ssh key esc", "\x1b", func() bool { return !searchShows(tm, query) }, lat, nil)
	}
}

// timeKey sends key and waits (at most 5 s) until shown says its frame is
// drawn; the time goes in lat under kind. A frame that never comes is an
// error when res is given.
func timeKey(tm *term, kind, key string, shown func() bool, lat *latencies, res *loadResults) {
	start := time.Now()
	if _, err := io.WriteString(tm.stdin, key); err != nil {
		if res != nil {
			res.fail("%s: %v", kind, err)
		}
		return
	}
	timeout := time.After(5 * time.Second)
	for !shown() {
		select {
		case <-tm.drawn:
		case <-timeout:
			if res != nil {
				res.fail("%s %q: no frame showed it within 5 s:\n%s", kind, key, tm.screen())
			}
			return
		}
	}
	lat.add(kind, time.Since(start))
	// A person types a key at a time: keys in one read are taken as a
	// paste (ssh_test.go's keys).
	time.Sleep(30 * time.Millisecond)
}

// cursorRow is the line the list's cursor is on (drawn reversed across
// the row) and its text.
func cursorRow(tm *term) string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	w, h := tm.emu.Width(), tm.emu.Height()
	for y := 1; y < h-1; y++ {
		reversed := true
		for _, x := range []int{0, w / 3, w / 2} {
			c := tm.emu.CellAt(x, y)
			reversed = reversed && c != nil && c.Style.Attrs&uv.AttrReverse != 0
		}
		if reversed {
			return fmt.Sprint(y, strings.TrimSpace(strings.Split(tm.emu.String(), "\n")[y]))
		}
	}
	return ""
}

// searchShows reports whether the search line shows text.
func searchShows(tm *term, text string) bool {
	return strings.Contains(tm.screen(), "/"+text) || strings.Contains(tm.screen(), "/ "+text)
}
