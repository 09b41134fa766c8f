package sim

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"time"
)

// Persist says where a Backend keeps what its simulated server knows, so
// that several processes on one database see one account, as they would
// with WhatsApp (README, "Simulated accounts").
type Persist struct {
	// State is the server-state file (blocklist, labels and their chats).
	// State+".lock" is flocked around every read-modify-write.
	State string
	// Requests is the request log, one JSON object per line ("" for none).
	Requests string
	// Reset seeds the state from the world again, whatever the file holds.
	Reset bool
}

// PersistBeside puts the state and the request log beside a database.
func PersistBeside(dbPath string, reset bool) Persist {
	return Persist{State: dbPath + ".sim.json", Requests: dbPath + ".sim-requests.jsonl", Reset: reset}
}

// stateVersion is the shape of the state file; a file of another version
// is refused rather than guessed at.
const stateVersion = 1

// serverState is the state file. World is the key of the world that seeded
// it: a different world seeds again.
type serverState struct {
	Version int          `json:"version"`
	World   string       `json:"world"`
	Saved   time.Time    `json:"saved"`
	Blocked []string     `json:"blocked"` // phone JIDs, in order
	Labels  []WorldLabel `json:"labels"`  // chats as JIDs
}

// Request is one line of the request log.
type Request struct {
	Time   time.Time      `json:"time"`
	PID    int            `json:"pid"`
	Method string         `json:"method"`
	Args   map[string]any `json:"args,omitempty"`
}

// persister is the file side of a Backend opened with Open. Its methods
// run with b.mu held.
type persister struct {
	state, lock string
	key         string
	log         *os.File // nil without a request log
}

// Open returns a backend simulating w whose server state lives in p.State:
// seeded from w when the file does not exist yet, was seeded by a world of
// other content, or p.Reset asks for it; otherwise what the file holds wins
// over the world's blocklist and labels. Every request is appended to
// p.Requests. w must be valid (see New).
func Open(w *World, p Persist, opts ...Option) (*Backend, error) {
	if p.State == "" {
		return nil, errors.New("sim: no state file given")
	}
	key, err := worldKey(w)
	if err != nil {
		return nil, err
	}
	b := New(w, opts...)
	ps := &persister{state: p.State, lock: p.State + ".lock", key: key}
	seed := serverState{Version: stateVersion, World: key, Blocked: slices.Clone(b.blocked), Labels: cloneLabels(b.labels)}
	err = ps.locked(func() error {
		st, err := ps.read()
		switch {
		case p.Reset, errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return fmt.Errorf("%w (--sim-reset seeds it from the world again)", err)
		case st.World != key:
		default:
			b.blocked, b.labels = st.Blocked, st.Labels
			return nil
		}
		return ps.write(seed, b.now())
	})
	if err == nil && p.Requests != "" {
		ps.log, err = os.OpenFile(p.Requests, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			err = fmt.Errorf("sim: opening the request log: %w", err)
		}
	}
	if err != nil {
		b.Close()
		return nil, err
	}
	b.persist = ps
	return b, nil
}

// worldKey identifies a world by its normalised content, so formatting alone
// does not seed again but any change of what the world says does.
func worldKey(w *World) (string, error) {
	if w == nil {
		return "", errors.New("sim: nil world")
	}
	c := w.Clone()
	if err := c.Validate(); err != nil {
		return "", err
	}
	data, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("sim: world: %w", err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}

func cloneLabels(ls []WorldLabel) []WorldLabel {
	out := make([]WorldLabel, len(ls))
	for i, l := range ls {
		out[i] = l
		out[i].Chats = slices.Clone(l.Chats)
	}
	return out
}

// locked runs f holding the flock on the lock file, which makes a
// read-modify-write by one process whole for every other.
func (p *persister) locked(f func() error) error {
	lf, err := os.OpenFile(p.lock, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("sim: opening the state lock: %w", err)
	}
	defer lf.Close() // closing lets the flock go
	if err := syscall.Flock(int(lf.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("sim: locking %s: %w", p.lock, err)
	}
	return f()
}

// read reads the state file. A missing file gives an error wrapping
// fs.ErrNotExist.
func (p *persister) read() (serverState, error) {
	var st serverState
	data, err := os.ReadFile(p.state)
	if err != nil {
		return st, fmt.Errorf("sim: reading the server state: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&st); err != nil {
		return st, fmt.Errorf("sim: server state %s is damaged: %v", p.state, err)
	}
	if st.Version != stateVersion {
		return st, fmt.Errorf("sim: server state %s has version %d, want %d", p.state, st.Version, stateVersion)
	}
	return st, nil
}

// write replaces the state file: a reader sees the old file or the new one,
// never a part.
func (p *persister) write(st serverState, now time.Time) error {
	st.Version, st.World, st.Saved = stateVersion, p.key, now.UTC()
	if st.Blocked == nil {
		st.Blocked = []string{}
	}
	if st.Labels == nil {
		st.Labels = []WorldLabel{}
	}
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("sim: saving the server state: %w", err)
	}
	dir := filepath.Dir(p.state)
	tmp, err := os.CreateTemp(dir, filepath.Base(p.state)+".tmp-*")
	if err != nil {
		return fmt.Errorf("sim: saving the server state: %w", err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	_, err = tmp.Write(append(data, '\n'))
	if err == nil {
		err = tmp.Chmod(0o600)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), p.state)
	}
	if err != nil {
		return fmt.Errorf("sim: saving the server state: %w", err)
	}
	return nil
}

// refreshLocked takes the state another process may have saved; b.mu must
// be held. When the file cannot be read the backend keeps what it had: a
// sync then shows the last state this process knew.
func (b *Backend) refreshLocked() {
	if b.persist == nil {
		return
	}
	if st, err := b.persist.read(); err == nil {
		b.blocked, b.labels = st.Blocked, st.Labels
	}
}

// changeLocked applies change to the current server state and saves it;
// b.mu must be held. Without a state file it only applies change. When
// change or the save fails, the in-memory state is that of the file.
func (b *Backend) changeLocked(change func() error) error {
	if b.persist == nil {
		return change()
	}
	return b.persist.locked(func() error {
		st, err := b.persist.read()
		if err != nil {
			return err
		}
		// change works on copies, so st stays what the file holds.
		b.blocked, b.labels = slices.Clone(st.Blocked), cloneLabels(st.Labels)
		if err := change(); err != nil {
			b.blocked, b.labels = st.Blocked, st.Labels
			return err
		}
		if err := b.persist.write(serverState{Blocked: b.blocked, Labels: b.labels}, b.now()); err != nil {
			b.blocked, b.labels = st.Blocked, st.Labels
			return err
		}
		return nil
	})
}

// receivedLocked appends a request to the request log, or says the
// backend is closed (ErrClosed); b.mu must be held.
// A request that cannot be logged is refused, so the log never misses one
// the server acted on.
func (b *Backend) receivedLocked(method string, args map[string]any) error {
	if b.closed {
		return ErrClosed
	}
	if b.persist == nil || b.persist.log == nil {
		return nil
	}
	line, err := json.Marshal(Request{Time: b.now().UTC(), PID: os.Getpid(), Method: method, Args: args})
	if err != nil {
		return fmt.Errorf("sim: request log: %w", err)
	}
	// One write per line: appends of other processes do not cut into it.
	if _, err := b.persist.log.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("sim: request log: %w", err)
	}
	return nil
}

// ReadRequests reads a request log.
func ReadRequests(path string) ([]Request, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("sim: request log: %w", err)
	}
	var out []Request
	for i, line := range bytes.Split(data, []byte{'\n'}) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var r Request
		if err := json.Unmarshal(line, &r); err != nil {
			return nil, fmt.Errorf("sim: request log %s line %d: %w", path, i+1, err)
		}
		out = append(out, r)
	}
	return out, nil
}
