package cli

import (
	"slices"
	"testing"
)

func TestParseArgsFlagsAnywhere(t *testing.T) {
	t.Parallel()

	tests := []struct {
		args    []string
		pos     []string
		name    string
		merge   bool
		wantErr bool
	}{
		{[]string{"ID", "--name", "N"}, []string{"ID"}, "N", false, false},
		{[]string{"--name", "N", "ID"}, []string{"ID"}, "N", false, false},
		{[]string{"OLD", "--merge", "NEW"}, []string{"OLD", "NEW"}, "", true, false},
		{[]string{"--merge", "--", "-odd", "--name"}, []string{"-odd", "--name"}, "", true, false},
		{[]string{"A", "--nope"}, nil, "", false, true},
		{[]string{"A", "--name"}, nil, "", false, true},
	}
	for _, tt := range tests {
		fs := newFlags("t")
		name := fs.String("name", "", "")
		merge := fs.Bool("merge", false, "")
		pos, err := parseArgs(fs, tt.args)
		if (err != nil) != tt.wantErr {
			t.Errorf("%q: err = %v", tt.args, err)
			continue
		}
		if err != nil {
			if _, ok := err.(*UsageError); !ok {
				t.Errorf("%q: %T is not a usage error", tt.args, err)
			}
			continue
		}
		if !slices.Equal(pos, tt.pos) || *name != tt.name || *merge != tt.merge {
			t.Errorf("%q: pos %q name %q merge %v", tt.args, pos, *name, *merge)
		}
	}
}
