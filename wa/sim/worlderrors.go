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
	dec := json.NewDecoder(bytes.NewReader(data))
	var walk func(path, key string, inList bool) error
	walk = func(path, key string, inList bool) error {
		tok, err := dec.Token()
		if err != nil {
			return errStop
		}
		if tok == nil && inList {
			want := listItems[key]
			if want == "" {
				want = "a value"
			}
			line, col := lineCol(data, dec.InputOffset()-4)
			return fmt.Errorf("world file: %s is null; want %s (line %d, column %d)", path, want, line, col)
		}
		d, ok := tok.(json.Delim)
		if !ok {
			return nil
		}
		switch d {
		case '{':
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return errStop
				}
				k, _ := kt.(string)
				if err := walk(joinKey(path, k), k, false); err != nil {
					return err
				}
			}
		case '[':
			for i := 0; dec.More(); i++ {
				if err := walk(path+"["+strconv.Itoa(i)+"]", key, true); err != nil {
					return err
				}
			}
		}
		if _, err := dec.Token(); err != nil {
			return errStop
		}
		return nil
	}
	if err := walk("", "", false); err != nil && err != errStop {
		return err
	}
	return nil
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
	dec := json.NewDecoder(bytes.NewReader(data))
	var walk func(s *schema, path string) error
	walk = func(s *schema, path string) error {
		tok, err := dec.Token()
		if err != nil {
			return errStop
		}
		d, ok := tok.(json.Delim)
		if !ok {
			return nil
		}
		switch d {
		case '{':
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return errStop
				}
				key, _ := kt.(string)
				var child *schema
				if s != nil && s.fields != nil {
					c, known := s.fields[key]
					if !known {
						line, col := lineCol(data, dec.InputOffset())
						where := "at the top level"
						if path != "" {
							where = "in " + path
						}
						return fmt.Errorf("world file: unknown key %q %s (line %d, column %d)", key, where, line, col)
					}
					child = c
				}
				if err := walk(child, joinKey(path, key)); err != nil {
					return err
				}
			}
		case '[':
			var elem *schema
			if s != nil {
				elem = s.elem
			}
			for i := 0; dec.More(); i++ {
				if err := walk(elem, path+"["+strconv.Itoa(i)+"]"); err != nil {
					return err
				}
			}
		}
		if d == '{' || d == '[' {
			if _, err := dec.Token(); err != nil {
				return errStop
			}
		}
		return nil
	}
	if err := walk(worldSchema, ""); err != nil && err != errStop {
		return err
	}
	return nil
}

var errStop = errors.New("stop")

// pathAt names the deepest JSON value whose text ends at or contains offset
// off, as "contacts[3].phone".
func pathAt(data []byte, off int64) string {
	dec := json.NewDecoder(bytes.NewReader(data))
	best, bestDepth := "", -1
	var walk func(path string, depth int) bool
	walk = func(path string, depth int) bool {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{':
				for dec.More() {
					kt, err := dec.Token()
					if err != nil {
						return false
					}
					key, _ := kt.(string)
					if !walk(joinKey(path, key), depth+1) {
						return false
					}
				}
			case '[':
				for i := 0; dec.More(); i++ {
					if !walk(path+"["+strconv.Itoa(i)+"]", depth+1) {
						return false
					}
				}
			}
			if _, err := dec.Token(); err != nil {
				return false
			}
		}
		end := dec.InputOffset()
		if start < off && off <= end && depth > bestDepth {
			best, bestDepth = path, depth
		}
		return true
	}
	walk("", 0)
	return best
}
