// Forms: text fields, file names that complete with tab, choices, toggles
// and read-only lines; checked off the Update path before they close.
package ui

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"charm.land/lipgloss/v2"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/wabook/wabook/model"
)

// formField is one line of a form: a text input, a yes/no toggle, a
// choice among a few words, or a value shown that cannot be changed.
type formField struct {
	label  string
	input  textinput.Model
	toggle *bool
	// choices, when set, make the field a choice: left/right or space
	// moves choice; onChange runs after it moved.
	choices  []string
	choice   int
	onChange func()
	// readOnly fields show their value and are never focused: a form
	// shows what it cannot change rather than refusing it on save.
	readOnly bool
	readNote string
	// path fields complete file names with tab; hint is the answer of
	// the last completion (the names that match, or that none does).
	path bool
	hint string
	// onEdit runs after what the field holds changed (typed, completed).
	onEdit func()
}

// takesText reports whether the field is a text input the user types in.
func (ff *formField) takesText() bool {
	return ff.toggle == nil && ff.choices == nil && !ff.readOnly
}

// formDialog is a small form (add/edit contact, rename, import options).
// submit validates and returns an error message to show, or "" and the
// command to run; a submit that must look at the disk first (a file to
// read, one not to overwrite) returns f.await(...) and the form stays open
// until that answer comes.
type formDialog struct {
	keyDialog
	title  string
	fields []*formField
	// initial holds each text field's value as first shown, so a submit
	// can tell what the user changed.
	initial []string
	focus   int
	err     string
	waiting bool // a check made by await has not answered yet
	// stop cancels the check await started: esc leaves the form and the
	// work it was waiting for alike.
	stop   context.CancelFunc
	submit func(values []string, toggles []bool) (string, tea.Cmd)
}

func newFormDialog(c *common, title string) *formDialog {
	f := &formDialog{title: title}
	f.keyDialog = newKeyDialog(c, f, f.keys)
	return f
}

func (f *formDialog) keys() []binding {
	focused := func() *formField { return f.fields[f.focus] }
	nextKey := "tab" // on a path field tab completes: ↓ moves on
	if focused().path {
		nextKey = "↓"
	}
	return []binding{
		// Before "next field": on a path field tab completes; elsewhere
		// this row does not match and tab moves on.
		bind(key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "complete file name")), func(tea.KeyPressMsg) tea.Cmd {
			return f.complete(f.focus)
		}).offered().unless(func() string {
			if !focused().path {
				return "not a file name"
			}
			return ""
		}),
		bind(key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp(nextKey, "next field")), func(tea.KeyPressMsg) tea.Cmd {
			return f.setFocus(f.next(1))
		}).offered().unless(f.onlyField),
		bind(key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab", "previous field")), func(tea.KeyPressMsg) tea.Cmd {
			return f.setFocus(f.next(-1))
		}),
		bind(key.NewBinding(key.WithKeys("enter", "ctrl+s"), key.WithHelp("enter", "save")), func(tea.KeyPressMsg) tea.Cmd { return f.save() }).offered(),
		bind(key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")), func(tea.KeyPressMsg) tea.Cmd { return f.leave(nil) }).offered(),
		bind(key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "toggle")), func(tea.KeyPressMsg) tea.Cmd {
			if ff := focused(); ff.toggle != nil {
				*ff.toggle = !*ff.toggle
				f.err = ""
				return nil
			}
			f.choose(1)
			return nil
		}).unless(func() string {
			if focused().takesText() {
				return "space types into a text field"
			}
			return ""
		}),
		bind(key.NewBinding(key.WithKeys("left"), key.WithHelp("←/→", "choose")), func(tea.KeyPressMsg) tea.Cmd {
			f.choose(-1)
			return nil
		}).offered().unless(f.notChoice),
		bind(key.NewBinding(key.WithKeys("right"), key.WithHelp("→", "next choice")), func(tea.KeyPressMsg) tea.Cmd {
			f.choose(1)
			return nil
		}).unless(f.notChoice),
	}
}

// onlyField is why tab cannot move on: there is no other field.
func (f *formDialog) onlyField() string {
	if f.next(1) == f.focus {
		return "This form has one field."
	}
	return ""
}

func (f *formDialog) notChoice() string {
	if f.fields[f.focus].choices == nil {
		return "not a choice"
	}
	return ""
}

// choose moves the focused choice field by step, round.
func (f *formDialog) choose(step int) {
	ff := f.fields[f.focus]
	if ff.choices == nil {
		return
	}
	ff.choice = (ff.choice + step + len(ff.choices)) % len(ff.choices)
	f.err = ""
	if ff.onChange != nil {
		ff.onChange()
	}
}

// next is the field step fields away from the focused one, round, past
// the read-only ones.
func (f *formDialog) next(step int) int {
	i := f.focus
	for range f.fields {
		i = (i + step + len(f.fields)) % len(f.fields)
		if !f.fields[i].readOnly {
			return i
		}
	}
	return f.focus
}

func (f *formDialog) addText(label, value, placeholder string) *formDialog {
	ti := newTextInput("", placeholder, 512)
	// Values may be names strangers chose: what is edited is what is shown.
	ti.SetValue(model.Sanitize(value))
	ti.CursorEnd()
	if len(f.fields) == 0 {
		ti.Focus()
	}
	f.fields = append(f.fields, &formField{label: label, input: ti})
	f.initial = append(f.initial, ti.Value())
	return f
}

// addPath is addText for a file name: tab completes it.
func (f *formDialog) addPath(label, value, placeholder string) *formDialog {
	f.addText(label, value, placeholder)
	f.fields[len(f.fields)-1].path = true
	return f
}

// addReadOnly shows a value the form cannot change, with why (note).
func (f *formDialog) addReadOnly(label, value, note string) *formDialog {
	ti := newTextInput("", "", 512)
	ti.SetValue(value)
	f.fields = append(f.fields, &formField{label: label, input: ti, readOnly: true, readNote: note})
	f.initial = append(f.initial, ti.Value())
	return f
}

// addChoice is a field choosing one of choices (the first at start).
func (f *formDialog) addChoice(label string, choices []string) *formDialog {
	f.fields = append(f.fields, &formField{label: label, choices: choices})
	f.initial = append(f.initial, choices[0])
	return f
}

func (f *formDialog) addToggle(label string, on bool) *formDialog {
	f.fields = append(f.fields, &formField{label: label, toggle: &on})
	f.initial = append(f.initial, "")
	return f
}

func (f *formDialog) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case formCheckedMsg:
		return f.checked(msg)
	case completionMsg:
		if msg.f == f {
			f.completed(msg)
		}
		return nil
	case tea.KeyPressMsg:
		if cmd, ok := f.dispatchTyping(f.keys(), msg); ok {
			return cmd
		}
	}
	ff := f.fields[f.focus]
	if !ff.takesText() {
		return nil
	}
	before := ff.input.Value()
	var cmd tea.Cmd
	ff.input, cmd = ff.input.Update(msg)
	if ff.input.Value() != before {
		// What was said about the values (an error, the names a
		// completion found) was about the old ones.
		f.err, ff.hint = "", ""
		if ff.onEdit != nil {
			ff.onEdit()
		}
	}
	return cmd
}

// values is what the form holds: the text of each text, read-only and
// choice field, and the state of each toggle.
func (f *formDialog) values() ([]string, []bool) {
	values := make([]string, len(f.fields))
	toggles := make([]bool, len(f.fields))
	for i, ff := range f.fields {
		switch {
		case ff.toggle != nil:
			toggles[i] = *ff.toggle
		case ff.choices != nil:
			values[i] = ff.choices[ff.choice]
		default:
			values[i] = ff.input.Value()
		}
	}
	return values, toggles
}

// save submits the values: the form closes, shows what is wrong, or (after
// await) waits for the answer of a check.
func (f *formDialog) save() tea.Cmd {
	if f.waiting {
		return nil // the answer decides; enter again would ask twice
	}
	errText, cmd := f.submit(f.values())
	if errText != "" {
		f.err = errText
		return nil
	}
	if f.waiting {
		return cmd
	}
	return f.leave(cmd)
}

// formVerdict is what a check started with await found: an error to show
// on the form (which stays open), a question to ask first (no goes back
// to the form), and what to do once the form may close.
type formVerdict struct {
	err  string
	ask  string
	then func() tea.Cmd
}

// refuse keeps the form open, saying why.
func refuse(format string, args ...any) formVerdict {
	return formVerdict{err: fmt.Sprintf(format, args...)}
}

// proceed closes the form and runs then (nil: nothing more).
func proceed(then func() tea.Cmd) formVerdict { return formVerdict{then: then} }

// askFirst asks question over the form: yes closes it and runs then, no
// goes back to it with what was typed.
func askFirst(question string, then func() tea.Cmd) formVerdict {
	return formVerdict{ask: question, then: then}
}

// formCheckedMsg is the answer of a check a submit started with await;
// then (made on the Update path, as it may open a dialog or start work)
// runs once the form may close.
type formCheckedMsg struct {
	f *formDialog
	formVerdict
}

// awaitTimeout bounds a form's check: a file looked at, a contact added.
const awaitTimeout = actionTimeout

// await runs check off the Update path (it may read the disk or ask the
// service) with at most awaitTimeout, and keeps the form open until it
// answers; esc cancels it with the form.
func (f *formDialog) await(check func(ctx context.Context) formVerdict) tea.Cmd {
	f.waiting = true
	ctx, stop := context.WithTimeout(f.ctx, awaitTimeout)
	f.stop = stop
	return f.track(func() tea.Msg {
		defer stop()
		return formCheckedMsg{f: f, formVerdict: check(ctx)}
	})
}

// leave closes the form, cancelling the check it waits for, and returns
// next.
func (f *formDialog) leave(next tea.Cmd) tea.Cmd {
	if f.stop != nil {
		f.stop()
	}
	return f.close(next)
}

func (f *formDialog) checked(msg formCheckedMsg) tea.Cmd {
	if msg.f != f {
		return nil
	}
	f.waiting = false
	switch {
	case msg.err != "":
		f.err = msg.err
		return nil
	case msg.ask != "":
		then := msg.then
		f.open(newConfirm(f.common, msg.ask, func() tea.Cmd {
			var next tea.Cmd
			if then != nil {
				next = then()
			}
			return f.leave(next)
		}))
		return nil
	}
	var next tea.Cmd
	if msg.then != nil {
		next = msg.then()
	}
	return f.leave(next)
}

func (f *formDialog) setFocus(i int) tea.Cmd {
	f.fields[f.focus].input.Blur()
	f.focus = i
	if f.fields[i].takesText() {
		return f.fields[i].input.Focus()
	}
	return nil
}

func (f *formDialog) View(width, _ int) string {
	labelW := 0
	for _, ff := range f.fields {
		labelW = max(labelW, lipgloss.Width(ff.label))
	}
	inner := max(20, width-4)
	valueW := max(10, inner-labelW-4)
	lines := []string{model.Truncate(f.st.Title.Render(f.title), inner), ""}
	for i, ff := range f.fields {
		marker := "  "
		if i == f.focus {
			marker = f.st.Prompt.Render("▸ ")
		}
		var value string
		switch {
		case ff.toggle != nil:
			value = "[ ]"
			if *ff.toggle {
				value = "[x]"
			}
			value += f.st.Dim.Render("  space toggles")
		case ff.choices != nil:
			value = f.choiceView(ff)
		case ff.readOnly:
			value = model.Sanitize(ff.input.Value())
			if value == "" {
				value = "none"
			}
			value += f.st.Dim.Render("  " + ff.readNote)
		default:
			ff.input.SetWidth(max(10, valueW-2))
			value = ff.input.View()
		}
		lines = append(lines, model.Truncate(marker+f.st.FieldName.Render(pad(ff.label, labelW))+"  "+value, inner))
		if ff.hint != "" {
			indent := strings.Repeat(" ", labelW+4)
			hint := wrapText(model.Sanitize(ff.hint), valueW)
			for _, l := range hint[:min(5, len(hint))] {
				lines = append(lines, indent+f.st.Dim.Render(l))
			}
		}
	}
	if f.err != "" {
		lines = append(lines, "")
		// Errors quote what was typed or read (a file's rows).
		lines = append(lines, wrapStyled(f.st.Error, model.Sanitize(f.err), inner)...)
	}
	lines = append(lines, "")
	lines = append(lines, wrapStyled(f.st.Dim, f.footer(), inner)...)
	return f.st.Box.Render(strings.Join(lines, "\n"))
}

// choiceView shows every choice, the chosen one in brackets (readable
// without colour) and highlighted.
func (f *formDialog) choiceView(ff *formField) string {
	parts := make([]string, len(ff.choices))
	for i, c := range ff.choices {
		if i == ff.choice {
			parts[i] = f.st.Prompt.Render("[" + c + "]")
		} else {
			parts[i] = " " + c + " "
		}
	}
	return strings.Join(parts, " ")
}

// footer says what the keys do on the focused field.
func (f *formDialog) footer() string {
	ff := f.fields[f.focus]
	var parts []string
	switch {
	case ff.path:
		parts = append(parts, "tab completes")
	case ff.choices != nil:
		parts = append(parts, "←/→ chooses")
	}
	// Moving on is offered only when there is a field to move to.
	if f.next(1) != f.focus {
		next := "tab next field"
		if ff.path {
			next = "↓ next field"
		}
		parts = append(parts, next)
	}
	if f.waiting {
		return strings.Join(append(parts, "checking…", "esc cancels"), " · ")
	}
	return strings.Join(append(parts, "enter saves", "esc cancels"), " · ")
}

// plainError is err's text without the operation Go puts first ("open
// x: no such file or directory" says "no such file or directory").
func plainError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
