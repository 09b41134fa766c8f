package wm

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/types"
)

// fixtureNode is the JSON form of a waBinary.Node kept under
// testdata (usync/, blocklist/): an attribute is a string or {"jid": "…"} (sent by the
// server as a JID token); content is a list of nodes, a string, or
// {"base64": "…"} for raw bytes.
type fixtureNode struct {
	Tag     string                     `json:"tag"`
	Attrs   map[string]json.RawMessage `json:"attrs"`
	Content json.RawMessage            `json:"content"`
}

func (f fixtureNode) node() (waBinary.Node, error) {
	n := waBinary.Node{Tag: f.Tag}
	if len(f.Attrs) > 0 {
		n.Attrs = waBinary.Attrs{}
	}
	for k, raw := range f.Attrs {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			n.Attrs[k] = s
			continue
		}
		var j struct{ JID string }
		if err := json.Unmarshal(raw, &j); err != nil || j.JID == "" {
			return n, fmt.Errorf("attribute %s of <%s>: want a string or {\"jid\": …}", k, f.Tag)
		}
		jid, err := types.ParseJID(j.JID)
		if err != nil {
			return n, err
		}
		n.Attrs[k] = jid
	}
	if len(f.Content) == 0 {
		return n, nil
	}
	var children []fixtureNode
	var s string
	var b struct{ Base64 string }
	switch {
	case json.Unmarshal(f.Content, &children) == nil:
		nodes := make([]waBinary.Node, len(children))
		for i, c := range children {
			var err error
			if nodes[i], err = c.node(); err != nil {
				return n, err
			}
		}
		n.Content = nodes
	case json.Unmarshal(f.Content, &s) == nil:
		n.Content = s
	case json.Unmarshal(f.Content, &b) == nil && b.Base64 != "":
		raw, err := base64.StdEncoding.DecodeString(b.Base64)
		if err != nil {
			return n, err
		}
		n.Content = raw
	default:
		return n, fmt.Errorf("content of <%s>: want nodes, a string or {\"base64\": …}", f.Tag)
	}
	return n, nil
}

// roundTrip sends a node through whatsmeow's binary codec, as a frame
// from the server would be decoded.
func roundTrip(t *testing.T, n waBinary.Node) *waBinary.Node {
	t.Helper()
	data, err := waBinary.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	data, err = waBinary.Unpack(data)
	if err != nil {
		t.Fatal(err)
	}
	out, err := waBinary.Unmarshal(data)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// wireFixture loads testdata/DIR/NAME.json and sends it through whatsmeow's
// binary codec, as a frame from the server would be decoded.
func wireFixture(t *testing.T, dir, name string) *waBinary.Node {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", dir, name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var f fixtureNode
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatalf("%s/%s: %v", dir, name, err)
	}
	n, err := f.node()
	if err != nil {
		t.Fatalf("%s/%s: %v", dir, name, err)
	}
	return roundTrip(t, n)
}
