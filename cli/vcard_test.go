package cli

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// Issue 11 point 12: `wabook export --format vcf` writes vCard 3.0, and
// --vcard-version 4.0 asks for 4.0; another version is a usage error.
func TestExportVCardVersion(t *testing.T) {
	t.Parallel()

	env, out, _ := newEnv(t, checkWorld(0), &testClock{t: time.Now()}, false)
	ctx := context.Background()
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{[]string{"--format", "vcf"}, []string{"VERSION:3.0\r\n", "TEL;TYPE=CELL:+14155550101\r\n", "UID:urn:uuid:"}},
		{[]string{"--format", "vcf", "--vcard-version", "3.0"}, []string{"VERSION:3.0\r\n"}},
		{[]string{"--format", "vcf", "--vcard-version", "4.0"}, []string{"VERSION:4.0\r\n", "TEL;TYPE=cell;VALUE=uri:tel:+14155550101\r\n", "UID:urn:uuid:"}},
	} {
		out.Reset()
		if err := Export(ctx, env, tt.args); err != nil {
			t.Fatalf("%q: %v", tt.args, err)
		}
		for _, w := range tt.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%q: the export lacks %q:\n%s", tt.args, w, out)
			}
		}
	}
	out.Reset()
	err := Export(ctx, env, []string{"--format", "vcf", "--vcard-version", "2.1"})
	var ue *UsageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), `unknown vCard version "2.1" (use 3.0 or 4.0)`) || out.Len() != 0 {
		t.Errorf("--vcard-version 2.1: %v (%T), wrote %d bytes; want a usage error and nothing written", err, err, out.Len())
	}
}
