package model

import (
	"fmt"
	"strconv"
	"strings"
)

// WAVersion is a WhatsApp Web version: three dot-separated numbers, such as
// 2.3000.1031080782 (the third is the web client's revision).
type WAVersion [3]uint32

// ParseWAVersion reads "2.3000.1031080782". Anything else (fewer or more
// parts, signs, spaces, numbers beyond 32 bits, all zeros) is refused: the
// version goes into the client payload WhatsApp checks, as three uint32s.
func ParseWAVersion(s string) (WAVersion, error) {
	var v WAVersion
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return v, fmt.Errorf("%q is not a WhatsApp Web version (three numbers like 2.3000.1031080782)", s)
	}
	for i, p := range parts {
		if p == "" || strings.TrimLeft(p, "0123456789") != "" {
			return WAVersion{}, fmt.Errorf("%q is not a WhatsApp Web version (three numbers like 2.3000.1031080782)", s)
		}
		n, err := strconv.ParseUint(p, 10, 32)
		if err != nil {
			return WAVersion{}, fmt.Errorf("%q is not a WhatsApp Web version: %s is too large", s, p)
		}
		v[i] = uint32(n)
	}
	if v == (WAVersion{}) {
		return v, fmt.Errorf("%q is not a WhatsApp Web version (all zeros)", s)
	}
	return v, nil
}

// String writes the version as WhatsApp does.
func (v WAVersion) String() string { return fmt.Sprintf("%d.%d.%d", v[0], v[1], v[2]) }

// Compare orders versions part by part: -1 when v is older than o, 0 when
// equal, +1 when newer.
func (v WAVersion) Compare(o WAVersion) int {
	for i := range v {
		switch {
		case v[i] < o[i]:
			return -1
		case v[i] > o[i]:
			return 1
		}
	}
	return 0
}

// WebVersionFromRevision is the version a WhatsApp Web client_revision
// stands for: web clients announce 2.3000.<revision> (wa/wm/PROTOCOL.md).
func WebVersionFromRevision(rev uint32) WAVersion { return WAVersion{2, 3000, rev} }
