package sim

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/wabook/wabook/wa"
)

func openSim(t *testing.T, w *World, p Persist) *Backend {
	t.Helper()
	b, err := Open(w, p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// syncedLabels connects b and returns its labels as the sync reports them:
// "id=name/colour" and "id+chat".
func syncedLabels(t *testing.T, b *Backend) string {
	t.Helper()
	if err := b.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ev := range collect(t, b, untilSynced) {
		switch e := ev.(type) {
		case wa.LabelEdited:
			got = append(got, fmt.Sprintf("%s=%s/%d", e.WALabelID, e.Name, e.Color))
		case wa.LabelAssociationChanged:
			got = append(got, fmt.Sprintf("%s+%s", e.WALabelID, e.ChatJID))
		}
	}
	return strings.Join(got, " ")
}

const (
	ada   = "14155550101@s.whatsapp.net"
	grace = "14155550104@s.whatsapp.net"
	world = "14155550103@s.whatsapp.net" // blocked in example.json
)

// Two backends on one state file are two processes on one database: each
// sees what the other changed on the server.
func TestPersistSharedBetweenBackends(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	p := PersistBeside(filepath.Join(t.TempDir(), "w.db"), false)
	a := openSim(t, exampleWorld(t), p)
	b := openSim(t, exampleWorld(t), p)

	if err := a.SetBlocked(ctx, grace, true); err != nil {
		t.Fatal(err)
	}
	if err := a.SendLabelEdit(ctx, wa.LabelEdit{WALabelID: "7", Name: "Paid", Color: 4}); err != nil {
		t.Fatal(err)
	}
	if err := a.SendLabelChat(ctx, "7", ada, true); err != nil {
		t.Fatal(err)
	}
	if err := b.SetBlocked(ctx, world, false); err != nil {
		t.Fatal(err)
	}
	if err := b.SendLabelChat(ctx, "1", ada, false); err != nil {
		t.Fatal(err)
	}
	for name, be := range map[string]*Backend{"a": a, "b": b} {
		if got := be.Blocked(); !slices.Equal(got, []string{grace}) {
			t.Errorf("%s: blocked = %v, want only %s", name, got, grace)
		}
	}
	if got, want := syncedLabels(t, b), "1=New customer/0 7=Paid/4 7+"+ada; got != want {
		t.Errorf("b's sync shows labels %q, want %q", got, want)
	}
	if got, want := syncedLabels(t, a), "1=New customer/0 7=Paid/4 7+"+ada; got != want {
		t.Errorf("a's sync shows labels %q, want %q", got, want)
	}
	// A label b has never heard of is known to b's server all the same.
	if err := b.SendLabelChat(ctx, "7", grace, true); err != nil {
		t.Errorf("b assigning a's new label: %v", err)
	}

	fi, err := os.Stat(p.State)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("state file mode %v, want 0600", fi.Mode().Perm())
	}
	if left, _ := filepath.Glob(p.State + ".tmp-*"); len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
	// A third process started later finds the state, not the world's.
	c := openSim(t, exampleWorld(t), p)
	if got := c.Blocked(); !slices.Equal(got, []string{grace}) {
		t.Errorf("a later backend: blocked = %v, want only %s", got, grace)
	}
}

// The world seeds the state the first time, when its content changes and on
// reset; otherwise the state wins.
func TestPersistSeeding(t *testing.T) {
	t.Parallel()

	dir := t.TempDir()
	base, err := os.ReadFile(filepath.Join("testdata", "example.json"))
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	same := write("same.json", string(base))
	// The same world in other words: spacing and a "+1 (415)" phone that
	// normalises to the same number.
	reformatted := write("reformatted.json", strings.ReplaceAll(strings.ReplaceAll(string(base), "\n", "\n\n"),
		`"+14155550103"`, `"+1 (415) 555-0103"`))
	changed := write("changed.json", strings.Replace(string(base), `"name": "New customer"`, `"name": "New client"`, 1))

	tests := []struct {
		name        string
		world       string
		reset       bool
		wantBlocked []string
	}{
		{"same world: the state wins", same, false, []string{grace}},
		{"same world, reformatted: the state wins", reformatted, false, []string{grace}},
		{"changed world: seeds again", changed, false, []string{world}},
		{"reset: seeds again", same, true, []string{world}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			p := PersistBeside(filepath.Join(t.TempDir(), "w.db"), false)
			first := openSim(t, exampleWorld(t), p)
			if got := first.Blocked(); !slices.Equal(got, []string{world}) {
				t.Fatalf("first use: blocked = %v, want the world's %s", got, world)
			}
			if err := first.SetBlocked(context.Background(), world, false); err != nil {
				t.Fatal(err)
			}
			if err := first.SetBlocked(context.Background(), grace, true); err != nil {
				t.Fatal(err)
			}
			first.Close()

			w, err := LoadWorldFile(tc.world)
			if err != nil {
				t.Fatal(err)
			}
			p.Reset = tc.reset
			next := openSim(t, w, p)
			if got := next.Blocked(); !slices.Equal(got, tc.wantBlocked) {
				t.Errorf("blocked = %v, want %v", got, tc.wantBlocked)
			}
		})
	}
}

// Changes made at the same time by two backends are all kept: each change
// re-reads the file under the lock, so none overwrites another.
func TestPersistConcurrentChangesAreAllKept(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	p := PersistBeside(filepath.Join(t.TempDir(), "w.db"), false)
	a := openSim(t, exampleWorld(t), p)
	b := openSim(t, exampleWorld(t), p)
	const each = 25
	var wg sync.WaitGroup
	errs := make(chan error, 2*each)
	for i := range each {
		for k, be := range []*Backend{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- be.SetBlocked(ctx, fmt.Sprintf("+1415556%d%03d", k, i), true)
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := len(a.Blocked()); got != 2*each+1 {
		t.Errorf("%d numbers blocked, want %d (the world's and every one blocked)", got, 2*each+1)
	}
}

// A state file that cannot be read is one clear error and stays as it is;
// a reset seeds it again.
func TestPersistDamagedState(t *testing.T) {
	t.Parallel()

	p := PersistBeside(filepath.Join(t.TempDir(), "w.db"), false)
	if err := os.WriteFile(p.State, []byte(`{"version": 1, "blocked": [`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(exampleWorld(t), p)
	if err == nil || !strings.Contains(err.Error(), p.State) || !strings.Contains(err.Error(), "--sim-reset") {
		t.Fatalf("damaged state: err = %v, want one naming the file and --sim-reset", err)
	}
	if data, _ := os.ReadFile(p.State); string(data) != `{"version": 1, "blocked": [` {
		t.Errorf("damaged state file was changed to %q", data)
	}
	p.Reset = true
	if got := openSim(t, exampleWorld(t), p).Blocked(); !slices.Equal(got, []string{world}) {
		t.Errorf("after reset: blocked = %v", got)
	}
}

// A change the server cannot save is refused and leaves the server as it was.
func TestPersistUnsavableChangeIsRefused(t *testing.T) {
	t.Parallel()

	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	p := PersistBeside(filepath.Join(dir, "w.db"), false)
	b := openSim(t, exampleWorld(t), p)
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := b.SetBlocked(context.Background(), grace, true); err == nil {
		t.Fatal("a block whose state cannot be saved succeeded")
	}
	if got := b.Blocked(); !slices.Equal(got, []string{world}) {
		t.Errorf("blocked = %v after a refused block, want %v", got, []string{world})
	}
}

// Every request is logged, refused ones and repeats too, by every backend
// on the database, in the order received.
func TestRequestLog(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	p := PersistBeside(filepath.Join(t.TempDir(), "w.db"), false)
	a := openSim(t, exampleWorld(t), p)
	b := openSim(t, exampleWorld(t), p)
	a.FailNext("SetBlocked", errors.New("server busy"))
	if err := a.SetBlocked(ctx, grace, true); err == nil {
		t.Fatal("FailNext ignored")
	}
	if err := a.SetBlocked(ctx, grace, true); err != nil { // the re-send
		t.Fatal(err)
	}
	if err := b.SendLabelChat(ctx, "1", grace, true); err != nil {
		t.Fatal(err)
	}
	if _, err := b.CheckNumbers(ctx, []string{"+14155550102"}); err != nil {
		t.Fatal(err)
	}
	reqs, err := ReadRequests(p.Requests)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range reqs {
		if r.Time.IsZero() || r.PID != os.Getpid() {
			t.Errorf("request %+v lacks its time or pid", r)
		}
		got = append(got, fmt.Sprintf("%s %v", r.Method, r.Args))
	}
	want := []string{
		"SetBlocked map[blocked:true jid:" + grace + "]",
		"SetBlocked map[blocked:true jid:" + grace + "]",
		"SendLabelChat map[assigned:true chat:" + grace + " id:1]",
		"CheckNumbers map[phones:[+14155550102]]",
	}
	if !slices.Equal(got, want) {
		t.Errorf("request log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	fi, err := os.Stat(p.Requests)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("request log mode %v, want 0600", fi.Mode().Perm())
	}
}
