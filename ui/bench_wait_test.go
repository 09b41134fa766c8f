package ui

import (
	"bytes"
	"context"
	"encoding/gob"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/store/storetest"
	"github.com/wabook/wabook/wa"
	"github.com/wabook/wabook/wa/sim"
)

// books are the generated database files the benchmarks read, written once
// per run (storetest.Books).
var books storetest.Books

func TestMain(m *testing.M) {
	code := m.Run()
	books.Remove()
	os.Exit(code)
}

// eventLoop runs a Model the way the program's event loop does: one
// message at a time on this goroutine, commands on their own goroutines,
// their messages back in arrival order, keys pressed by a separate
// goroutine at a steady pace. It records how long each key waited from
// its press to the end of the View that shows its effect, so time spent
// behind other messages (a long Update of a load, say) counts.
type eventLoop struct {
	m       *Model
	results chan tea.Msg
	waits   []time.Duration
	slowest time.Duration // the longest Update+View of any message
	// slowestMsg is that message's type: what to look at first.
	slowestMsg string
	// gcSince is when the loop began, or was last reset: report gives the
	// longest pause of a collection since.
	gcSince time.Time
	// pressing is whether pressUntil runs: what is measured
	// (WABOOK_BENCH_TRACE looks at nothing else).
	pressing bool
}

// asInProgram holds the soft memory limit the program runs under
// (MemoryLimit, lifted while big indexes are built) for the rest of b, as
// tui.go does: the collector then runs as often as it does there. The
// Models of b get the Memory it returns (Options.Memory).
//
// At the end of b it waits (up to 20 s) for a limit lifted for a build to
// be settled: a settle still running would step the process's limit down
// during the benchmark after, which the program, with one Memory, never
// sees.
func asInProgram(b *testing.B) *Memory {
	old := debug.SetMemoryLimit(-1)
	mem := HoldMemoryLimit(MemoryLimit)
	b.Cleanup(func() {
		for deadline := time.Now().Add(20 * time.Second); mem.isLifted() && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond)
		}
		debug.SetMemoryLimit(old)
	})
	return mem
}

func newEventLoop(m *Model) *eventLoop {
	return &eventLoop{m: m, results: make(chan tea.Msg, 1024), gcSince: time.Now()}
}

func (e *eventLoop) exec(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		msg := cmd()
		if batch, ok := msg.(tea.BatchMsg); ok {
			for _, c := range batch {
				e.exec(c)
			}
			return
		}
		if msg != nil {
			e.results <- msg
		}
	}()
}

func (e *eventLoop) step(msg tea.Msg) {
	start := time.Now()
	_, cmd := e.m.Update(msg)
	_ = e.m.View()
	d := time.Since(start)
	if e.pressing {
		benchTrace().slow(d, fmt.Sprintf("a %T step", msg))
	}
	if d > e.slowest {
		e.slowest, e.slowestMsg = d, fmt.Sprintf("%T", msg)
	}
	e.exec(cmd)
}

// pressed is a key and when it was pressed.
type pressed struct {
	key tea.Msg
	at  time.Time
}

// pressUntil handles messages and keys (keys cycled, one every interval)
// until done holds after a step; keys still queued then are handled too.
func (e *eventLoop) pressUntil(keys []tea.Msg, every time.Duration, done func() bool) {
	presses := make(chan pressed, 1<<16)
	stop := make(chan struct{})
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for i := 0; ; i++ {
			select {
			case <-stop:
				close(presses)
				return
			case <-t.C:
				presses <- pressed{keys[i%len(keys)], time.Now()}
			}
		}
	}()
	e.pressing = true
	defer func() { e.pressing = false }()
	key := func(p pressed) {
		e.step(p.key)
		wait := time.Since(p.at)
		e.waits = append(e.waits, wait)
		benchTrace().slow(wait, "a key's wait")
	}
	for !done() {
		select {
		case msg := <-e.results:
			e.step(msg)
		case p := <-presses:
			key(p)
		}
	}
	close(stop)
	for p := range presses {
		key(p)
	}
}

// waitFull handles messages until the full index is on screen.
func (e *eventLoop) waitFull() {
	for e.m.ix.preview || !e.m.loaded {
		e.step(<-e.results)
	}
}

// reset forgets the waits and steps recorded so far.
func (e *eventLoop) reset() {
	e.waits, e.slowest, e.slowestMsg, e.gcSince = nil, 0, "", time.Now()
}

// report gives the key waits' percentiles, the slowest step (its message
// type in the log) and the longest garbage-collection pause since the
// loop began or was reset.
func (e *eventLoop) report(b *testing.B) {
	if len(e.waits) == 0 {
		b.Fatal("no key was pressed")
	}
	w := slices.Clone(e.waits)
	slices.Sort(w)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	pct := func(p float64) float64 { return ms(w[int(p*float64(len(w)-1))]) }
	b.ReportMetric(pct(0.5), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(pct(1), "worst-ms")
	b.ReportMetric(float64(len(w)), "keys")
	b.ReportMetric(ms(e.slowest), "slowest-step-ms")
	var gc debug.GCStats
	debug.ReadGCStats(&gc)
	var pause time.Duration
	for i, end := range gc.PauseEnd {
		if end.After(e.gcSince) {
			pause = max(pause, gc.Pause[i])
		}
	}
	b.ReportMetric(ms(pause), "gc-pause-ms")
	b.Logf("slowest step: %s (%.1f ms)", e.slowestMsg, ms(e.slowest))
}

var (
	moveKeys = []tea.Msg{tea.KeyPressMsg{Code: tea.KeyDown}, tea.KeyPressMsg{Code: tea.KeyDown}, tea.KeyPressMsg{Code: tea.KeyUp}}
	// typeKeys open the search box, then type and delete "mar" over and
	// over.
	typeKeys = []tea.Msg{
		tea.KeyPressMsg{Code: '/', Text: "/"},
		tea.KeyPressMsg{Code: 'm', Text: "m"}, tea.KeyPressMsg{Code: 'a', Text: "a"}, tea.KeyPressMsg{Code: 'r', Text: "r"},
		tea.KeyPressMsg{Code: tea.KeyBackspace}, tea.KeyPressMsg{Code: tea.KeyBackspace}, tea.KeyPressMsg{Code: tea.KeyBackspace},
		tea.KeyPressMsg{Code: 'm', Text: "m"}, tea.KeyPressMsg{Code: 'a', Text: "a"}, tea.KeyPressMsg{Code: 'r', Text: "r"},
		tea.KeyPressMsg{Code: tea.KeyBackspace}, tea.KeyPressMsg{Code: tea.KeyBackspace}, tea.KeyPressMsg{Code: tea.KeyBackspace},
		tea.KeyPressMsg{Code: tea.KeyEscape},
	}
)

// BenchmarkKeysDuringLoad starts the Contacts screen on a generated book
// (100 000 contacts, and 1 000 000 without -short) and, from the first
// frame on, presses a key every 5 ms until the full index is on screen
// with its search haystacks and the memory limit lifted for its build is
// settled (Memory; at 1 000 000 the settle waits 2.5 s for another build
// first, and its steps follow: about 600 keys of each op come after the
// index is in): cursor moves ("move") or typing and deleting
// in the search box ("type"). One op is one such start; the metrics are
// the key waits, press to the end of the frame that shows the key, over
// every op (p50-ms, p99-ms, worst-ms), the slowest Update+View of any
// message (slowest-step-ms, its type in the log), the longest
// garbage-collection pause (gc-pause-ms) and load-ms, the mean time from
// the first frame to the full index. The
// program's memory limit (MemoryLimit) holds, as in the other key-wait
// benchmarks (connected).
func BenchmarkKeysDuringLoad(b *testing.B) {
	sizes := []int{100_000}
	if !testing.Short() {
		sizes = append(sizes, 1_000_000)
	}
	world, err := sim.LoadWorld(strings.NewReader(`{"account": {"phone": "+14155550100"}}`))
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range sizes {
		path := books.Path(b, n)
		for _, keys := range []struct {
			name string
			keys []tea.Msg
		}{{"move", moveKeys}, {"type", typeKeys}} {
			b.Run(fmt.Sprintf("n=%d/%s", n, keys.name), func(b *testing.B) {
				mem := asInProgram(b)
				all := &eventLoop{gcSince: time.Now()} // every op's waits
				var loading time.Duration
				for b.Loop() {
					st, err := store.Open(path)
					if err != nil {
						b.Fatal(err)
					}
					backend := sim.New(world)
					m := New(b.Context(), app.New(st, backend, app.Options{}), Options{Memory: mem})
					e := newEventLoop(m)
					e.step(tea.WindowSizeMsg{Width: 120, Height: 40})
					e.exec(m.Init())
					for !m.loaded {
						e.step(<-e.results)
					}
					first := time.Now()
					var in time.Time // the full index on screen
					e.pressUntil(keys.keys, 5*time.Millisecond, func() bool {
						if in.IsZero() && !m.ix.preview && m.ix.hays != nil {
							in = time.Now()
						}
						return !in.IsZero() && !mem.isLifted()
					})
					loading += in.Sub(first)
					all.waits = append(all.waits, e.waits...)
					if e.slowest > all.slowest {
						all.slowest, all.slowestMsg = e.slowest, e.slowestMsg
					}
					if m.ix.total != n {
						b.Fatalf("the list has %d contacts, want %d", m.ix.total, n)
					}
					backend.Close()
					st.Close()
				}
				all.report(b)
				b.ReportMetric(float64(loading.Microseconds())/1000/float64(b.N), "load-ms")
			})
		}
	}
}

// waitSizes are the book sizes the key-wait benchmarks run at: 100 000
// contacts, and 1 000 000 without -short.
func waitSizes() []int {
	if testing.Short() {
		return []int{100_000}
	}
	return []int{100_000, 1_000_000}
}

// connected is a service over a copy of the n-contact book (the
// benchmarks write) and the simulated backend of world, running and
// synced once, and a Model on it with its full index on screen, under the
// program's memory limit (asInProgram). Both end
// with the benchmark.
func connected(b *testing.B, n int, world string, cfg *app.Config) (*app.Service, *sim.Backend, *eventLoop) {
	mem := asInProgram(b)
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	st, err := store.Open(books.Copy(b, n))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	w, err := sim.LoadWorld(strings.NewReader(world))
	if err != nil {
		b.Fatal(err)
	}
	backend := sim.New(w)
	b.Cleanup(func() { backend.Close() })
	svc := app.New(st, backend, app.Options{Config: cfg})
	go svc.Run(ctx)
	if err := svc.SyncOnce(ctx); err != nil {
		b.Fatal(err)
	}
	m := New(b.Context(), svc, Options{Memory: mem})
	e := newEventLoop(m)
	e.step(tea.WindowSizeMsg{Width: 120, Height: 40})
	e.exec(m.Init())
	e.waitFull()
	return svc, backend, e
}

// BenchmarkKeysDuringCheckJob presses a cursor key every 5 ms on a
// 100 000-contact list (and 1 000 000 without -short) for the whole of a
// 5 000-number check job against the simulated backend (20 ms a call),
// from its start until the Checks screen's data says it is done: the
// worker reports through notices whose loads run off the Update path and
// come back as messages, as in the program. One op is one whole job; the
// metrics are the key waits, press to the end of the frame that shows the
// key, over every op (p50-ms, p99-ms, worst-ms), the slowest Update+View
// of any message (slowest-step-ms, its type in the log) and the longest
// garbage-collection pause (gc-pause-ms).
func BenchmarkKeysDuringCheckJob(b *testing.B) {
	for _, n := range waitSizes() {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			cfg := app.DefaultConfig()
			cfg.CheckPace = time.Millisecond
			cfg.CheckDailyBudget = 1_000_000
			svc, _, e := connected(b, n, `{"account": {"phone": "+14155550100"}, "check_latency_ms": 20}`, &cfg)
			ctx := b.Context()
			svc.StartChecker(ctx)
			defer svc.StopChecker()
			m := e.m
			e.reset()
			round := 0
			for b.Loop() {
				numbers := make([]string, 5_000)
				for i := range numbers {
					numbers[i] = fmt.Sprintf("+1415%03d%04d", 200+round, i)
				}
				round++
				job, err := svc.EnqueueCheck(ctx, numbers, app.CheckOptions{})
				if err != nil {
					b.Fatal(err)
				}
				e.pressUntil(moveKeys, 5*time.Millisecond, func() bool {
					for _, j := range m.checks.jobs {
						if j.ID == job.ID {
							return j.State == app.JobDone
						}
					}
					return false
				})
			}
			b.StopTimer()
			jobs, err := svc.Jobs(ctx)
			if err != nil || len(jobs) == 0 || jobs[0].State != app.JobDone || jobs[0].Counts.Processing != 0 {
				b.Fatalf("the job did not finish during the benchmark: %+v %v", jobs, err)
			}
			e.report(b)
		})
	}
}

// syncSentinel is the JID of the contact a sync in BenchmarkKeysDuringSync
// adds last; its name sorts before every generated one.
const syncSentinel = "19990000001@s.whatsapp.net"

// BenchmarkKeysDuringSync presses a key every 5 ms (cursor moves, "move",
// or typing and deleting in the search box, "type") on a 100 000-contact
// list (and 1 000 000 without -short) while WhatsApp sends the whole
// contact list again: the generated book (storetest.Generate, as the file
// holds it) with every tenth contact's push name changed, in
// ContactsUpserted events of 1 000 as the backends send them, each decoded
// from bytes as it is sent (wireEvents), through the
// service's event loop (app.Service.Run) as in the program, the UI
// refreshing on its notices (Indexes merging the changes, or reading the
// mirror whole). The last event adds a contact whose name sorts first;
// the keys run from the first event, while the events are decoded and
// sent, until the list shows it and the memory limit lifted for the
// refreshes is settled (Memory; about 600 keys after it shows at
// 1 000 000, as in BenchmarkKeysDuringLoad). One op is
// one such sync; the metrics are the key waits, press to the end of the
// frame that shows the key, over every op (p50-ms, p99-ms, worst-ms), the
// slowest Update+View of any message (slowest-step-ms, its type in the
// log), the longest garbage-collection pause (gc-pause-ms) and sync-ms,
// the mean time from the first event to the list showing the last.
func BenchmarkKeysDuringSync(b *testing.B) {
	for _, n := range waitSizes() {
		groups, labels := storetest.BookShape(n)
		events := wireEvents(b, n, groups, labels)
		for _, keys := range []struct {
			name string
			keys []tea.Msg
		}{{"move", moveKeys}, {"type", typeKeys}} {
			b.Run(fmt.Sprintf("n=%d/%s", n, keys.name), func(b *testing.B) {
				_, backend, e := connected(b, n, `{"account": {"phone": "+14155550100"}}`, nil)
				m := e.m
				e.reset()
				var took time.Duration
				round := 0
				for b.Loop() {
					round++
					name := fmt.Sprintf("!sync %d", round)
					last := model.Contact{
						JID: syncSentinel, Phone: "+19990000001", FullName: name,
						IsMyContact: true, IsWAContact: true, Source: model.SourceWhatsApp,
					}
					start := time.Now()
					// The events are decoded and sent as the keys run, as
					// they come off the wire in the program.
					sent := make(chan error, 1)
					go func() {
						defer close(sent)
						for k, wire := range events {
							batch, err := decodeEvent(wire)
							if err != nil {
								sent <- err
								return
							}
							for i := range batch {
								if (k*wireEventSize+i)%10 == 0 {
									batch[i].PushName = fmt.Sprintf("Sync%d %d", round, k*wireEventSize+i)
								}
							}
							if k == len(events)-1 {
								batch = append(batch, last)
							}
							backend.Inject(wa.ContactsUpserted{Contacts: batch})
						}
					}()
					var shown time.Time // the last event's contact on screen
					e.pressUntil(keys.keys, 5*time.Millisecond, func() bool {
						if shown.IsZero() && m.ix.visible() > 0 && m.ix.name(0) == name {
							shown = time.Now()
						}
						return !shown.IsZero() && !m.opts.Memory.isLifted()
					})
					if err := <-sent; err != nil {
						b.Fatal(err)
					}
					took += shown.Sub(start)
				}
				b.StopTimer()
				if m.ix.total != n+1 {
					b.Fatalf("the list has %d contacts, want %d", m.ix.total, n+1)
				}
				e.report(b)
				b.ReportMetric(float64(took.Microseconds())/1000/float64(b.N), "sync-ms")
			})
		}
	}
}

// wireEventSize is how many contacts a ContactsUpserted event of
// BenchmarkKeysDuringSync carries, as the backends send them.
const wireEventSize = 1000

// wireEvents is the generated book of n contacts (storetest.Generate, as
// the file holds it) as the bytes of its events, wireEventSize contacts
// each (gob). A sync's contacts reach the
// program as bytes off the wire, decoded an event at a time: held as a
// million model.Contact values (seventeen strings and slices each) for the whole
// benchmark, they were ten million pointers for every collection to
// follow, which the program never holds, and the keys waited for
// collections the program does not make.
func wireEvents(b *testing.B, n int, groups, labels int) [][]byte {
	cs, _, _ := storetest.Generate(n, groups, labels, 1)
	var events [][]byte
	for i := 0; i < len(cs); i += wireEventSize {
		var buf bytes.Buffer
		if err := gob.NewEncoder(&buf).Encode(cs[i:min(len(cs), i+wireEventSize)]); err != nil {
			b.Fatal(err)
		}
		events = append(events, buf.Bytes())
	}
	return events
}

// decodeEvent is the contacts of one of wireEvents.
func decodeEvent(wire []byte) ([]model.Contact, error) {
	var cs []model.Contact
	err := gob.NewDecoder(bytes.NewReader(wire)).Decode(&cs)
	return cs, err
}

// BenchmarkRootView renders the whole screen (tabs, list, status bar, help)
// as the program does, to check the chrome adds little.
func BenchmarkRootView(b *testing.B) {
	st, err := store.Open(filepath.Join(b.TempDir(), "w.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	world, err := sim.LoadWorld(strings.NewReader(`{"account": {"phone": "+14155550100", "push_name": "Acme"}}`))
	if err != nil {
		b.Fatal(err)
	}
	m := New(b.Context(), app.New(st, sim.New(world), app.Options{}), Options{})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	snap := *snapshotOf(100_000)
	snap.Contacts = slices.Clone(snap.Contacts) // buildIndex sorts in place
	ix := buildIndex(&snap)
	ix.hays = buildHaystacks(ix)
	m.loaded = true
	m.installIndex(ix)
	for b.Loop() {
		_ = m.View()
	}
}

// BenchmarkColdStart is opening the database and reading it up to the first
// frame of the contact list (the first page, app.Service.FirstPage): what a
// user waits for after pressing enter on "wabook". It runs at 10 000,
// 100 000 and 1 000 000 contacts (the last skipped with -short).
func BenchmarkColdStart(b *testing.B) {
	world, err := sim.LoadWorld(strings.NewReader(`{"account": {"phone": "+14155550100"}}`))
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range benchSizes() {
		path := books.Path(b, n)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			for b.Loop() {
				st, err := store.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				backend := sim.New(world)
				svc := app.New(st, backend, app.Options{})
				m := New(b.Context(), svc, Options{})
				m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
				m.Update(m.load()())
				if !strings.Contains(m.View().Content, "of "+spaced(n)) {
					b.Fatal("first frame does not show the list")
				}
				backend.Close()
				st.Close()
			}
		})
	}
}
