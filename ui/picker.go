package ui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/wabook/wabook/model"
)

// tri is a label's state for the contacts being labelled.
type tri int

const (
	triOff tri = iota
	triOn
	triMixed // some of the selection has it; left as it is
)

// pickerItem is a row of the picker: an existing label or one typed in that
// will be created on apply.
type pickerItem struct {
	name    string
	color   int
	initial tri
	state   tri
	isNew   bool
}

// labelPicker edits the labels of one or many contacts: type to filter,
// space (or tab) toggles, enter on "create" adds a new label, enter applies,
// esc leaves everything as it was. A comma-separated list ("vip, New
// customer") adds all of them, creating the missing ones, and applies.
type labelPicker struct {
	keyDialog
	jids   []string
	items  []*pickerItem
	filter textinput.Model
	cursor int
	err    string
	apply  func(jids, add, remove []string) tea.Cmd
}

func newLabelPicker(c *common, labels []model.Label, contacts []*model.Contact, apply func(jids, add, remove []string) tea.Cmd) *labelPicker {
	have := map[string]int{}
	jids := make([]string, len(contacts))
	for i, c := range contacts {
		jids[i] = c.JID
		for _, l := range c.Labels {
			have[strings.ToLower(l)]++
		}
	}
	p := &labelPicker{jids: jids, apply: apply}
	p.keyDialog = newKeyDialog(c, p, p.keys)
	for _, l := range labels {
		it := &pickerItem{name: l.Name, color: l.Color}
		switch n := have[strings.ToLower(l.Name)]; {
		case n == 0:
			it.initial = triOff
		case n == len(contacts):
			it.initial = triOn
		default:
			it.initial = triMixed
		}
		it.state = it.initial
		p.items = append(p.items, it)
	}
	p.filter = newTextInput("Label: ", "type to filter or create; a, b adds several", 200)
	p.filter.SetWidth(50)
	p.filter.Focus()
	return p
}

// visible returns the items matching the filter, then the create entry (nil)
// when the text names no existing label.
func (p *labelPicker) visible() (items []*pickerItem, create string) {
	text := model.NormalizeLabelName(p.filter.Value())
	q := strings.ToLower(text)
	exact := false
	for _, it := range p.items {
		if q == "" || strings.Contains(strings.ToLower(it.name), q) {
			items = append(items, it)
		}
		if model.SameLabelName(it.name, text) {
			exact = true
		}
	}
	if text != "" && !exact && !strings.Contains(text, ",") {
		create = text
	}
	return items, create
}

func (p *labelPicker) keys() []binding {
	items, create := p.visible()
	rows := len(items)
	if create != "" {
		rows++
	}
	toggle := func(tea.KeyPressMsg) tea.Cmd {
		// On the «create» row, toggling turns the new label on: it is
		// created as enter would, and applied with the other toggles.
		if create != "" && p.cursor == len(items) {
			p.createTyped(create)
			return nil
		}
		p.toggle(items)
		return nil
	}
	return []binding{
		bind(key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")), func(tea.KeyPressMsg) tea.Cmd { return p.close(nil) }).offered(),
		bind(key.NewBinding(key.WithKeys("up", "ctrl+p"), key.WithHelp("↑", "up")), func(tea.KeyPressMsg) tea.Cmd {
			p.cursor = max(0, p.cursor-1)
			return nil
		}),
		bind(key.NewBinding(key.WithKeys("down", "ctrl+n"), key.WithHelp("↓", "down")), func(tea.KeyPressMsg) tea.Cmd {
			// max: with no row at all the cursor stays on 0, not -1.
			p.cursor = max(0, min(rows-1, p.cursor+1))
			return nil
		}),
		// Once something is typed space types; once it is a list, enter
		// applies it and there is nothing on screen to toggle.
		bind(key.NewBinding(key.WithKeys("tab"), key.WithHelp(p.toggleKeys(), "toggle")), toggle).offered().unless(p.whyNotToggle),
		bind(key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "toggle")), toggle).unless(func() string {
			if why := p.whyNotToggle(); why != "" {
				return why
			}
			if p.filter.Value() != "" {
				return "space types into the filter"
			}
			return ""
		}),
		bind(key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "apply / create")), func(tea.KeyPressMsg) tea.Cmd {
			return p.enter(items, create)
		}).offered(),
	}
}

func (p *labelPicker) Update(msg tea.Msg) tea.Cmd {
	return p.typeFilter(&p.filter, p.keys, msg, func() {
		// Land on the first match, or on "create" when nothing matches;
		// an error was about the text as it was.
		p.cursor, p.err = 0, ""
	})
}

// toggleKeys is what the hints name for toggling: space only while
// nothing is typed (then it types).
func (p *labelPicker) toggleKeys() string {
	if p.filter.Value() == "" {
		return "space/tab"
	}
	return "tab"
}

// whyNotToggle is why tab and space do not toggle: a list is typed.
func (p *labelPicker) whyNotToggle() string {
	if strings.Contains(p.filter.Value(), ",") {
		return "a list is typed: enter applies it"
	}
	return ""
}

// enter applies a typed list, creates the label typed, or applies the
// toggles.
func (p *labelPicker) enter(items []*pickerItem, create string) tea.Cmd {
	text := p.filter.Value()
	if strings.Contains(text, ",") {
		return p.setList(text)
	}
	if create != "" && p.cursor == len(items) {
		p.createTyped(create)
		return nil
	}
	return p.close(p.applyChanges(nil))
}

// createTyped adds the label typed to the picker, turned on, or says why
// its name cannot be a label's.
func (p *labelPicker) createTyped(name string) {
	if err := model.ValidateLabelName(name); err != nil {
		p.err = err.Error()
		return
	}
	p.items = append(p.items, &pickerItem{name: name, isNew: true, initial: triOff, state: triOn})
	p.filter.SetValue("")
	p.err = ""
	p.cursor = len(p.items) - 1
}

func (p *labelPicker) toggle(items []*pickerItem) {
	if p.cursor < 0 || p.cursor >= len(items) {
		return
	}
	it := items[p.cursor]
	switch {
	case it.initial == triMixed && it.state == triMixed:
		it.state = triOn
	case it.initial == triMixed && it.state == triOn:
		it.state = triOff
	case it.initial == triMixed:
		it.state = triMixed
	case it.state == triOn:
		it.state = triOff
	default:
		it.state = triOn
	}
}

// setList turns on every label of a comma-separated list, creating the
// missing ones, and applies with the toggles made before.
func (p *labelPicker) setList(text string) tea.Cmd {
	names := model.SplitLabelList(text)
	for _, n := range names {
		if err := model.ValidateLabelName(n); err != nil {
			p.err = fmt.Sprintf("%q: %v", n, err)
			return nil
		}
	}
	return p.close(p.applyChanges(names))
}

// changes is what enter applies: the toggles, with every label of list
// turned on; created lists the names of list no label has yet. The preview
// of a list shows exactly this, so it cannot leave out what enter does.
func (p *labelPicker) changes(list []string) (add, remove, created []string) {
	listed := func(name string) bool {
		return slices.ContainsFunc(list, func(n string) bool { return model.SameLabelName(n, name) })
	}
	for _, it := range p.items {
		state := it.state
		if listed(it.name) {
			state = triOn
		}
		switch {
		case state == triOn && it.initial != triOn:
			add = append(add, it.name)
			if it.isNew {
				created = append(created, it.name)
			}
		case state == triOff && it.initial != triOff:
			remove = append(remove, it.name)
		}
	}
	for _, n := range list {
		known := slices.ContainsFunc(p.items, func(it *pickerItem) bool { return model.SameLabelName(it.name, n) }) ||
			slices.ContainsFunc(created, func(c string) bool { return model.SameLabelName(c, n) })
		if !known {
			add = append(add, n)
			created = append(created, n)
		}
	}
	return add, remove, created
}

func (p *labelPicker) applyChanges(list []string) tea.Cmd {
	add, remove, _ := p.changes(list)
	if len(add) == 0 && len(remove) == 0 {
		return nil
	}
	return p.apply(p.jids, add, remove)
}

func (p *labelPicker) View(width, height int) string {
	inner := max(24, min(width-4, 60))
	items, create := p.visible()
	lines := []string{p.st.Title.Render(fmt.Sprintf("Labels of %d contact%s", len(p.jids), plural(len(p.jids)))), filterView(p.filter), ""}
	if text := p.filter.Value(); strings.Contains(text, ",") {
		// A list: say what enter will do, name by name, with the toggles
		// made before the list was typed (enter applies those too).
		add, remove, created := p.changes(model.SplitLabelList(text))
		lines = append(lines, "enter applies:")
		for _, n := range add {
			line := "  + " + model.Sanitize(n)
			if slices.ContainsFunc(created, func(c string) bool { return model.SameLabelName(c, n) }) {
				line += p.st.Dim.Render("  (new label)")
			}
			lines = append(lines, model.Truncate(line, inner))
		}
		for _, n := range remove {
			lines = append(lines, model.Truncate("  − "+model.Sanitize(n), inner))
		}
		if len(add)+len(remove) == 0 {
			lines = append(lines, p.st.Dim.Render("  nothing: every contact has these labels"))
		}
		if p.err != "" {
			lines = append(lines, "", p.st.Error.Render(model.Truncate(p.err, inner)))
		}
		lines = append(lines, "", p.st.Dim.Render(model.Truncate("enter applies · esc cancels", inner)))
		return p.st.Box.Render(strings.Join(lines, "\n"))
	}
	// The box's border, title, filter and hint take seven lines, an error
	// two more; a list longer than the rest scrolls, saying how many
	// labels are above and below.
	rows := max(3, height-7)
	if p.err != "" {
		rows = max(3, rows-2)
	}
	scroll := len(items) > rows
	if scroll {
		rows = max(1, rows-2)
	}
	first := max(0, min(p.cursor-rows+1, len(items)-rows))
	if scroll {
		lines = append(lines, p.moreLine("↑", first))
	}
	for i := first; i < len(items) && i < first+rows; i++ {
		it := items[i]
		box := map[tri]string{triOff: "[ ]", triOn: "[x]", triMixed: "[-]"}[it.state]
		line := box + " " + p.st.Swatch(it.color) + " " + model.Sanitize(it.name)
		if it.isNew {
			line += p.st.Dim.Render("  (new)")
		}
		marker := "  "
		if i == p.cursor {
			marker = cursorMarker + " "
			line = p.st.CursorRow.Render(line)
		}
		lines = append(lines, model.Truncate(marker+line, inner))
	}
	if scroll {
		lines = append(lines, p.moreLine("↓", len(items)-min(len(items), first+rows)))
	}
	if create != "" {
		line := fmt.Sprintf("+ create «%s»", model.Sanitize(create))
		marker := "  "
		if p.cursor == len(items) {
			marker = cursorMarker + " "
			line = p.st.CursorRow.Render(line)
		}
		lines = append(lines, model.Truncate(marker+line, inner))
	}
	if len(items) == 0 && create == "" {
		lines = append(lines, p.st.Dim.Render("no label matches"))
	}
	if p.err != "" {
		lines = append(lines, "", p.st.Error.Render(model.Truncate(p.err, inner)))
	}
	lines = append(lines, "", p.st.Dim.Render(model.Truncate(p.toggleKeys()+" toggle · enter applies · esc cancels", inner)))
	return p.st.Box.Render(strings.Join(lines, "\n"))
}

// moreLine says how many labels are past the list's edge (arrow ↑ or ↓);
// blank when none, so the list does not jump.
func (p *labelPicker) moreLine(arrow string, n int) string {
	if n == 0 {
		return ""
	}
	return p.st.Dim.Render(fmt.Sprintf("  %s %d more", arrow, n))
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
