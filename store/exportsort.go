package store

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/wabook/wabook/model"
)

// runBytes is how much of an export's records ContactsSorted holds before
// it sorts them and writes them out as one run: its memory, whatever the
// size of the book.
const runBytes = 8 << 20

// runSorter orders an export's contacts by key without holding the book: it
// gathers their records (key, rowid, the contact as encodeContact writes
// it) up to runBytes, sorts them and writes them to a temporary file as a
// run, then merges the runs. An export that fits in one run never touches
// the disk. Reading the book once, in JID order, and sorting it this way is
// much cheaper than reading it again by rowid in key order: a B-tree
// descent per contact.
type runSorter struct {
	dir   string // where the temporary file goes
	limit int    // runBytes, or less in tests
	buf   []byte // the current run's records
	recs  []runRec
	file  *os.File // the runs, once there is more than one
	w     *bufio.Writer
	runs  []runSpan
	size  int64 // bytes written to file

	labels, groups []string // the names of the label ranks and group places
}

// runRec is a record of the current run: its key is buf[key:key+keyLen],
// the encoded contact buf[key+keyLen:end].
type runRec struct {
	key, keyLen, end uint32
	rowid            int64
}

type runSpan struct{ from, to int64 }

func (r *runSorter) add(key string, rowid int64, c *model.Contact, ranks, groups []int32) error {
	if len(r.buf) >= r.limit {
		if err := r.spill(); err != nil {
			return err
		}
	}
	from := uint32(len(r.buf))
	r.buf = append(r.buf, key...)
	r.buf = encodeContact(r.buf, c, ranks, groups)
	r.recs = append(r.recs, runRec{from, uint32(len(key)), uint32(len(r.buf)), rowid})
	return nil
}

func (r *runSorter) sort() {
	slices.SortFunc(r.recs, func(a, b runRec) int {
		return cmp.Or(bytes.Compare(r.buf[a.key:a.key+a.keyLen], r.buf[b.key:b.key+b.keyLen]), cmp.Compare(a.rowid, b.rowid))
	})
}

// spill writes the current run to the file, sorted, each record as
// uvarint(len key) key varint(rowid) uvarint(len contact) contact.
func (r *runSorter) spill() error {
	if r.file == nil {
		f, err := createHidden(r.dir)
		if err != nil {
			return err
		}
		r.file, r.w = f, bufio.NewWriterSize(f, 256<<10)
	}
	r.sort()
	from := r.size
	var head [3 * binary.MaxVarintLen64]byte
	for _, rec := range r.recs {
		h := binary.AppendUvarint(head[:0], uint64(rec.keyLen))
		n, _ := r.w.Write(h)
		r.size += int64(n)
		n, _ = r.w.Write(r.buf[rec.key : rec.key+rec.keyLen])
		r.size += int64(n)
		h = binary.AppendVarint(head[:0], rec.rowid)
		h = binary.AppendUvarint(h, uint64(rec.end-rec.key-rec.keyLen))
		n, _ = r.w.Write(h)
		r.size += int64(n)
		n, _ = r.w.Write(r.buf[rec.key+rec.keyLen : rec.end])
		r.size += int64(n)
	}
	if err := r.w.Flush(); err != nil {
		return fmt.Errorf("writing an export's sorted run: %w", err)
	}
	r.runs = append(r.runs, runSpan{from, r.size})
	r.buf, r.recs = r.buf[:0], r.recs[:0]
	return nil
}

// createHidden makes the temporary file in dir (beside the database, in
// its protected directory; the system's temporary directory when dir
// cannot take it), readable by this user alone, and removes its name at
// once where the system allows it, so no copy of the contacts outlives the
// export, even a crash.
func createHidden(dir string) (*os.File, error) {
	f, err := os.CreateTemp(dir, ".wabook-export-*.tmp")
	if err != nil {
		if f, err = os.CreateTemp("", "wabook-export-*.tmp"); err != nil {
			return nil, fmt.Errorf("a temporary file for the export: %w", err)
		}
	}
	os.Remove(f.Name()) // where this fails (Windows), close removes it
	return f, nil
}

// close removes the temporary file.
func (r *runSorter) close() {
	if r.file != nil {
		r.file.Close()
		os.Remove(r.file.Name())
	}
}

// each gives emit the contacts in key order, equal keys in rowid order;
// c and its lists are good until the next call.
func (r *runSorter) each(emit func(c *model.Contact, ranks, groups []int32) error) error {
	var c model.Contact
	var ranks, groups []int32
	if r.file == nil { // one run, in memory
		r.sort()
		for _, rec := range r.recs {
			var err error
			if ranks, groups, err = decodeContact(r.buf[rec.key+rec.keyLen:rec.end], &c, ranks[:0], groups[:0]); err != nil {
				return err
			}
			if err := emit(&c, ranks, groups); err != nil {
				return err
			}
		}
		return nil
	}
	if len(r.recs) > 0 {
		if err := r.spill(); err != nil {
			return err
		}
	}
	r.buf, r.recs = nil, nil
	heads := make([]*runHead, 0, len(r.runs))
	for _, s := range r.runs {
		h := &runHead{r: bufio.NewReaderSize(io.NewSectionReader(r.file, s.from, s.to-s.from), 64<<10)}
		if err := h.next(); err != nil {
			return err
		}
		if h.ok {
			heads = append(heads, h)
		}
	}
	for len(heads) > 0 {
		least := 0
		for i, h := range heads[1:] {
			if h.less(heads[least]) {
				least = i + 1
			}
		}
		h := heads[least]
		var err error
		if ranks, groups, err = decodeContact(h.rec, &c, ranks[:0], groups[:0]); err != nil {
			return err
		}
		if err := emit(&c, ranks, groups); err != nil {
			return err
		}
		if err := h.next(); err != nil {
			return err
		}
		if !h.ok {
			heads = slices.Delete(heads, least, least+1)
		}
	}
	return nil
}

// runHead is a run being merged, standing on its next record.
type runHead struct {
	r        *bufio.Reader
	ok       bool
	key, rec []byte
	rowid    int64
}

func (h *runHead) less(o *runHead) bool {
	return cmp.Or(bytes.Compare(h.key, o.key), cmp.Compare(h.rowid, o.rowid)) < 0
}

func (h *runHead) next() error {
	n, err := binary.ReadUvarint(h.r)
	if errors.Is(err, io.EOF) {
		h.ok = false
		return nil
	}
	if err == nil {
		h.key, err = readN(h.r, h.key, n)
	}
	if err == nil {
		h.rowid, err = binary.ReadVarint(h.r)
	}
	if err == nil {
		n, err = binary.ReadUvarint(h.r)
	}
	if err == nil {
		h.rec, err = readN(h.r, h.rec, n)
	}
	if err != nil {
		return fmt.Errorf("reading an export's sorted run: %w", err)
	}
	h.ok = true
	return nil
}

func readN(r io.Reader, buf []byte, n uint64) ([]byte, error) {
	buf = slices.Grow(buf[:0], int(n))[:n]
	_, err := io.ReadFull(r, buf)
	return buf, err
}

// encodeContact appends c's stored fields and its label ranks and group
// places to b, for decodeContact.
func encodeContact(b []byte, c *model.Contact, ranks, groups []int32) []byte {
	for _, s := range [...]string{c.JID, c.Phone, c.LID, c.FullName, c.FirstName, c.PushName, c.BusinessName,
		c.VerifiedName, c.About, c.AvatarID, c.AvatarURL, c.Note, c.Source, c.CheckStatus, c.LastChangedBy} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	flags := 0
	for i, f := range [...]bool{c.IsMyContact, c.IsWAContact, c.IsBlocked, c.IsInternal, c.IsBusiness, c.Hidden} {
		if f {
			flags |= 1 << i
		}
	}
	b = binary.AppendUvarint(b, uint64(flags))
	b = binary.AppendVarint(b, int64(c.BlockPending))
	b = binary.AppendVarint(b, toUnix(c.CreatedAt))
	b = binary.AppendVarint(b, toUnix(c.UpdatedAt))
	b = binary.AppendVarint(b, unixMilli(c.LastChangedAt))
	for _, l := range [...][]int32{ranks, groups} {
		b = binary.AppendUvarint(b, uint64(len(l)))
		for _, v := range l {
			b = binary.AppendUvarint(b, uint64(v))
		}
	}
	return b
}

// decodeContact reads what encodeContact wrote into c (its text shares no
// memory with b) and appends the label ranks and group places.
func decodeContact(b []byte, c *model.Contact, ranks, groups []int32) ([]int32, []int32, error) {
	bad := errors.New("an export's sorted run holds a bad record")
	uv := func() uint64 { return take(&b, binary.Uvarint) }
	sv := func() int64 { return take(&b, binary.Varint) }
	// One string for every text field: they are substrings of it.
	var text [15]string
	all := string(b)
	for i := range text {
		n := uv()
		if b == nil || n > uint64(len(b)) {
			return ranks, groups, bad
		}
		at := len(all) - len(b)
		text[i] = all[at : at+int(n)]
		b = b[n:]
	}
	flags := uv()
	pending := sv()
	created, updated, changed := sv(), sv(), sv()
	for _, l := range [...]*[]int32{&ranks, &groups} {
		n := uv()
		if b == nil || n > uint64(len(b)) {
			return ranks, groups, bad
		}
		for range n {
			*l = append(*l, int32(uv()))
		}
	}
	if b == nil || len(b) != 0 {
		return ranks, groups, bad
	}
	*c = model.Contact{
		JID: text[0], Phone: text[1], LID: text[2], FullName: text[3], FirstName: text[4], PushName: text[5],
		BusinessName: text[6], VerifiedName: text[7], About: text[8], AvatarID: text[9], AvatarURL: text[10],
		Note: text[11], Source: text[12], CheckStatus: text[13], LastChangedBy: text[14],
		IsMyContact: flags&1 != 0, IsWAContact: flags&2 != 0, IsBlocked: flags&4 != 0,
		IsInternal: flags&8 != 0, IsBusiness: flags&16 != 0, Hidden: flags&32 != 0,
		BlockPending: int(pending),
		CreatedAt:    fromUnix(created), UpdatedAt: fromUnix(updated), LastChangedAt: fromUnixMilli(changed),
	}
	return ranks, groups, nil
}

// take reads a varint from the front of *b with read (binary.Uvarint,
// binary.Varint); a bad one leaves *b nil.
func take[T uint64 | int64](b *[]byte, read func([]byte) (T, int)) T {
	v, n := read(*b)
	if n <= 0 {
		*b = nil
		return 0
	}
	*b = (*b)[n:]
	return v
}

// unixMilli is t in unix milliseconds, 0 for none (fromUnixMilli).
func unixMilli(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// tempDir is where an export's runs go: beside the database.
func (s *Store) tempDir() string { return filepath.Dir(s.path) }
