// A world file that does not decode is explained here in its own terms: the
// line and column of a syntax error, and the path (contacts[3].phone) of a
// value of the wrong type, an unknown key or a null in a list, where
// encoding/json gives a byte offset, a Go type or a bare field name.

package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// listItems names what each list of a world file holds, for an error
// about a null in it.
var listItems = map[string]string{
	"registered": "a phone number", "blocked": "a phone number",
	"participants": "a phone number or @lid", "chats": "a phone number or group JID",
	"contacts": "an object", "groups": "an object", "labels": "an object",
}

// findNullInList walks data (valid JSON) and reports the first null that
// is an element of a list.
func findNullInList(data []byte) error {
	return walkJSON(data, func(n *jsonNode) error {
		if n.end != 0 || n.tok != nil || !n.inList {
			return nil
		}
		want := listItems[n.key]
		if want == "" {
			want = "a value"
		}
		line, col := lineCol(data, n.first-4)
		return fmt.Errorf("world file: %s is null; want %s (line %d, column %d)", n.path, want, line, col)
	})
}

func skipSpace(data []byte, off int64) int64 {
	for off < int64(len(data)) {
		switch data[off] {
		case ' ', '\t', '\r', '\n':
			off++
			continue
		}
		break
	}
	return off
}

// lineCol turns a byte offset into a 1-based line and column.
func lineCol(data []byte, off int64) (int, int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	if off < 0 {
		off = 0
	}
	before := data[:off]
	line := bytes.Count(before, []byte{'\n'}) + 1
	col := int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

func decodeError(data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		line, col := lineCol(data, syn.Offset-1) // Offset is just past the bad byte
		return fmt.Errorf("world file: line %d, column %d: invalid JSON: %s", line, col, strings.TrimPrefix(syn.Error(), "json: "))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("world file: invalid JSON: unexpected end of file")
	case errors.As(err, &typ):
		path := pathAt(data, typ.Offset)
		if path == "" && typ.Field != "" {
			path = typ.Field
		}
		line, col := lineCol(data, typ.Offset)
		want := describeType(typ.Type.Kind().String())
		if path == "" {
			return fmt.Errorf("world file: want a JSON object at the top level, got %s", typ.Value)
		}
		return fmt.Errorf("world file: %s: want %s, got %s (line %d, column %d)", path, want, typ.Value, line, col)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		if e := findUnknownKey(data); e != nil {
			return e
		}
		return fmt.Errorf("world file: unknown key %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return fmt.Errorf("world file: %s", strings.TrimPrefix(err.Error(), "json: "))
}

func describeType(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "int", "int64", "int32":
		return "a whole number"
	case "slice":
		return "a list"
	case "map", "struct", "ptr":
		return "an object"
	}
	return kind
}

// schema describes the keys a world file may hold, to point at an unknown
// key (encoding/json only names it).
type schema struct {
	fields map[string]*schema // object with these keys
	anyKey bool               // object with free keys (rewrites, failing)
	elem   *schema            // list of these
}

var (
	leaf        = &schema{}
	worldSchema = &schema{fields: map[string]*schema{
		"account": {fields: map[string]*schema{
			"phone": leaf, "push_name": leaf, "business": leaf, "paired": leaf, "pair_after_ms": leaf,
		}},
		"contacts": {elem: &schema{fields: map[string]*schema{
			"phone": leaf, "full_name": leaf, "first_name": leaf, "push_name": leaf, "business_name": leaf,
			"lid": leaf, "about": leaf, "avatar_url": leaf, "in_address_book": leaf,
		}}},
		"registered": {elem: leaf},
		"rewrites":   {anyKey: true},
		"failing":    {anyKey: true},
		"groups": {elem: &schema{fields: map[string]*schema{
			"jid": leaf, "name": leaf, "participants": {elem: leaf},
		}}},
		"blocked": {elem: leaf},
		"labels": {elem: &schema{fields: map[string]*schema{
			"id": leaf, "name": leaf, "color": leaf, "chats": {elem: leaf},
		}}},
		"check_latency_ms":    leaf,
		"rate_limit":          {fields: map[string]*schema{"numbers": leaf, "per_s": leaf}},
		"throttle_lies_after": leaf,
	}}
)

// joinKey extends a path like "contacts[3]" with an object key; keys that
// are not plain words are quoted: rewrites["+5511…"].
func joinKey(path, key string) string {
	plain := key != ""
	for _, r := range key {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			plain = false
			break
		}
	}
	switch {
	case !plain:
		return path + "[" + strconv.Quote(key) + "]"
	case path == "":
		return key
	}
	return path + "." + key
}

// findUnknownKey walks data (already known to be valid JSON) and names the
// first key the schema does not know.
func findUnknownKey(data []byte) error {
	return walkJSON(data, func(n *jsonNode) error {
		if n.end != 0 || n.parent == nil || n.inList {
			return nil
		}
		if s := schemaOf(n.parent); s != nil && s.fields != nil {
			if _, known := s.fields[n.key]; !known {
				line, col := lineCol(data, n.start)
				where := "at the top level"
				if n.parent.path != "" {
					where = "in " + n.parent.path
				}
				return fmt.Errorf("world file: unknown key %q %s (line %d, column %d)", n.key, where, line, col)
			}
		}
		return nil
	})
}

// schemaOf is what worldSchema says of the value n; nil where it says
// nothing (under a key of an object with free keys).
func schemaOf(n *jsonNode) *schema {
	if n.parent == nil {
		return worldSchema
	}
	p := schemaOf(n.parent)
	switch {
	case p == nil:
		return nil
	case n.inList:
		return p.elem
	}
	return p.fields[n.key]
}

var errStop = errors.New("stop")

// pathAt names the deepest JSON value whose text ends at or contains offset
// off, as "contacts[3].phone".
func pathAt(data []byte, off int64) string {
	best, bestDepth := "", -1
	_ = walkJSON(data, func(n *jsonNode) error {
		if n.end != 0 && n.start < off && off <= n.end && n.depth > bestDepth {
			best, bestDepth = n.path, n.depth
		}
		return nil
	})
	return best
}

// jsonNode is one value met by walkJSON.
type jsonNode struct {
	parent *jsonNode
	path   string     // as "contacts[3].phone"
	key    string     // the object key it stands under; for a list element, its list's key
	inList bool       // an element of a list
	depth  int        // 0 at the top
	tok    json.Token // its first token; a json.Delim opens an object or a list
	start  int64      // offset just before it (just past its key, in an object)
	first  int64      // offset just past its first token
	end    int64      // offset just past its last token; 0 until it is read to its end
}

// walkJSON reads data depth first and calls visit twice for each value:
// once its first token is read (n.end is 0), and once it is read to its
// end. The first error visit returns stops the walk and is returned; text
// that does not decode stops the walk where it is, without an error.
func walkJSON(data []byte, visit func(n *jsonNode) error) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	var walk func(n *jsonNode) error
	walk = func(n *jsonNode) error {
		n.start = dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return errStop
		}
		n.tok, n.first = tok, dec.InputOffset()
		if err := visit(n); err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'):
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return errStop
				}
				k, _ := kt.(string)
				if err := walk(&jsonNode{parent: n, path: joinKey(n.path, k), key: k, depth: n.depth + 1}); err != nil {
					return err
				}
			}
		case json.Delim('['):
			for i := 0; dec.More(); i++ {
				child := &jsonNode{parent: n, path: n.path + "[" + strconv.Itoa(i) + "]", key: n.key, inList: true, depth: n.depth + 1}
				if err := walk(child); err != nil {
					return err
				}
			}
		}
		if _, open := tok.(json.Delim); open {
			if _, err := dec.Token(); err != nil { // the closing } or ]
				return errStop
			}
		}
		n.end = dec.InputOffset()
		return visit(n)
	}
	if err := walk(&jsonNode{}); err != nil && err != errStop {
		return err
	}
	return nil
}
