package wm

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLogFileIsNeverFollowed: whatsmeow's log goes only into a plain file
// of its own; a link planted at its path is refused and the file it points
// to is left as it was.
func TestLogFileIsNeverFollowed(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name  string
		plant func(t *testing.T, log, victim string)
	}{
		{"symlink", func(t *testing.T, log, victim string) {
			if err := os.Symlink(victim, log); err != nil {
				t.Fatal(err)
			}
		}},
		{"hard link", func(t *testing.T, log, victim string) {
			if err := os.Link(victim, log); err != nil {
				t.Fatal(err)
			}
		}},
		{"directory", func(t *testing.T, log, victim string) {
			if err := os.Mkdir(log, 0o700); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			log, victim := filepath.Join(dir, "wabook.log"), filepath.Join(dir, "precious.txt")
			if err := os.WriteFile(victim, []byte("keep me\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			tt.plant(t, log, victim)
			_, f, err := openLog(Options{LogPath: log})
			if err == nil {
				f.Close()
				t.Fatal("log opened through a planted file")
			}
			if !strings.Contains(err.Error(), "log file") {
				t.Errorf("error %q does not name the log file", err)
			}
			if b, _ := os.ReadFile(victim); string(b) != "keep me\n" {
				t.Errorf("the linked file now holds %q", b)
			}
		})
	}
	// A plain file is fine, created or appended to.
	log := filepath.Join(t.TempDir(), "wabook.log")
	for range 2 {
		_, f, err := openLog(Options{LogPath: log})
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
}
