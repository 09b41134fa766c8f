package sim

import (
	"bytes"
	_ "embed"
)

//go:generate sh -c "go run ./internal/gendemo > demo.json"

//go:embed demo.json
var demoJSON []byte

// DemoJSON is the embedded demo world file (for `wabook --demo` and tests).
func DemoJSON() []byte { return bytes.Clone(demoJSON) }

// DemoWorld returns a fresh copy of the embedded demo world: a WhatsApp
// Business account with 300+ contacts in ten countries, groups, labels, a
// blocklist, registered/rewritten/failing numbers and a rate limit.
func DemoWorld() *World {
	w, err := LoadWorld(bytes.NewReader(demoJSON))
	if err != nil {
		panic("sim: embedded demo world: " + err.Error())
	}
	return w
}
