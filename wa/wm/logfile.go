// whatsmeow's log goes to a plain file of its own, never to the terminal
// the TUI is drawing on.

package wm

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/rs/zerolog"
	waLog "go.mau.fi/whatsmeow/util/log"
)

func openLog(opts Options) (waLog.Logger, *os.File, error) {
	if opts.Log != nil {
		return opts.Log, nil, nil
	}
	if opts.LogWriter != nil {
		zl := zerolog.New(opts.LogWriter).Level(zerolog.InfoLevel).With().Timestamp().Logger()
		return waLog.Zerolog(zl), nil, nil
	}
	if opts.LogPath == "" {
		return waLog.Noop, nil, nil
	}
	if err := os.MkdirAll(filepath.Dir(opts.LogPath), 0o700); err != nil {
		return nil, nil, fmt.Errorf("wm: log directory: %w", err)
	}
	// Never through a link, never into anything but a plain file of its
	// own: a link planted at the log's path would have whatsmeow append to
	// the file it names (main opens the same path with app.OpenRegularFile).
	f, err := os.OpenFile(opts.LogPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("wm: log file: %w", err)
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() || hardLinked(fi) {
		f.Close()
		return nil, nil, fmt.Errorf("wm: log file %s: not a plain file of its own; refusing to write to it", opts.LogPath)
	}
	// Info and above: debug logs carry whole protocol nodes.
	zl := zerolog.New(f).Level(zerolog.InfoLevel).With().Timestamp().Logger()
	return waLog.Zerolog(zl), f, nil
}

func hardLinked(fi os.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && st.Nlink > 1
}
