// File names that complete with tab in a form's path field: the folder is
// read off the Update path, and a late answer is dropped.
package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"

	"github.com/wabook/wabook/model"
)

// completionMsg is the answer of a file name completion: the names in the
// typed folder that start with what was typed (folders end in "/").
type completionMsg struct {
	f     *formDialog
	field int
	typed string
	names []string
	err   error
}

// complete completes the file name typed in field i. The folder is read in
// a command, off the Update path: it may be large or on a slow or hung
// mount, and no key may wait for a disk.
func (f *formDialog) complete(i int) tea.Cmd {
	typed := f.fields[i].input.Value()
	return f.track(func() tea.Msg {
		names, err := matchingNames(typed)
		return completionMsg{f: f, field: i, typed: typed, names: names, err: err}
	})
}

// splitPath cuts a typed path into its folder part, as typed (ending in
// "/", or empty), and the start of the name.
func splitPath(typed string) (folder, start string) {
	i := strings.LastIndex(typed, string(filepath.Separator))
	return typed[:i+1], typed[i+1:]
}

// matchingNames lists the entries of typed's folder whose name starts with
// typed's last part. Hidden entries only when that part starts with a dot;
// names that are not plain text (control characters: they could not be
// shown, or typed) never.
func matchingNames(typed string) ([]string, error) {
	folder, start := splitPath(typed)
	dir := expandHome(folder)
	if dir == "" {
		dir = "."
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, start) || name != model.Sanitize(name) ||
			strings.HasPrefix(name, ".") && !strings.HasPrefix(start, ".") {
			continue
		}
		if e.IsDir() {
			name += string(filepath.Separator)
		}
		names = append(names, name)
	}
	return names, nil
}

// completed puts the answer of a completion in its field, unless the
// field changed meanwhile (the user typed on: the answer is stale).
func (f *formDialog) completed(msg completionMsg) {
	ff := f.fields[msg.field]
	if ff.input.Value() != msg.typed {
		return
	}
	folder, start := splitPath(msg.typed)
	switch {
	case msg.err != nil:
		ff.hint = "cannot read the folder: " + plainError(msg.err)
	case len(msg.names) == 0:
		ff.hint = "no name starts with «" + model.Sanitize(start) + "» there"
	case len(msg.names) == 1:
		ff.input.SetValue(folder + msg.names[0])
		ff.hint = ""
	default:
		common := msg.names[0]
		for _, n := range msg.names[1:] {
			for !strings.HasPrefix(n, common) {
				common = common[:len(common)-1]
			}
		}
		// Back to a whole character: names may differ inside one.
		for !utf8.ValidString(common) {
			common = common[:len(common)-1]
		}
		ff.input.SetValue(folder + common)
		const shown = 12
		ff.hint = strings.Join(msg.names[:min(shown, len(msg.names))], "  ")
		if len(msg.names) > shown {
			ff.hint += fmt.Sprintf("  … %d more", len(msg.names)-shown)
		}
	}
	ff.input.CursorEnd()
	if ff.onEdit != nil && ff.input.Value() != msg.typed {
		ff.onEdit()
	}
}
