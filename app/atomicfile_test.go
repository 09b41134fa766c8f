package app_test

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/wabook/wabook/app"
)

func TestWriteFileAtomic(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name      string
		existing  string // "" means no file at the path before
		overwrite bool
		write     error
		wantErr   error
		want      string // the file's content after; "" means no file
	}{
		{name: "new file", want: "new"},
		{name: "replaces", existing: "old", overwrite: true, want: "new"},
		{name: "refuses to replace", existing: "old", wantErr: fs.ErrExist, want: "old"},
		{name: "write fails, nothing left", write: boom, wantErr: boom},
		{name: "write fails, old kept", existing: "old", overwrite: true, write: boom, wantErr: boom, want: "old"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "out.csv")
			if tc.existing != "" {
				if err := os.WriteFile(path, []byte(tc.existing), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			err := app.WriteFileAtomic(path, tc.overwrite, func(w io.Writer) error {
				if _, err := io.WriteString(w, "new"); err != nil {
					return err
				}
				return tc.write
			})
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			got, rerr := os.ReadFile(path)
			switch {
			case tc.want == "" && !errors.Is(rerr, fs.ErrNotExist):
				t.Errorf("a file at the path (%q, %v), want none", got, rerr)
			case tc.want != "" && string(got) != tc.want:
				t.Errorf("file = %q (%v), want %q", got, rerr, tc.want)
			}
			if tc.want == "new" {
				if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
					t.Errorf("mode %v (%v), want 0600", fi.Mode().Perm(), err)
				}
			}
			if ents, _ := os.ReadDir(dir); len(ents) > 1 || (len(ents) == 1 && tc.want == "") {
				t.Errorf("left behind: %v", ents)
			}
		})
	}
}
