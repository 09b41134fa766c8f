package ui

import "charm.land/bubbles/v2/key"

// KeyMap holds every key and its help text; each screen's key table
// (Screen.Bindings) says which of them act there and what they do, so the
// help always matches what the keys do.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	Search, Open, Back, Select, SelectAll   key.Binding
	Sort                                    key.Binding
	Copy                                    key.Binding
	NextTab, PrevTab                        key.Binding
	Contacts, Labels, Account               key.Binding
	Help, Quit                              key.Binding
	ApplySearch, CancelSearch               key.Binding
	PairPhone, Retry, Logout, FullResync    key.Binding
	RetryChanges, DropChange                key.Binding
	NewPairCode                             key.Binding
	Checks, CheckSelection                  key.Binding
	NewJob, PauseJob, CancelJob, SaveValid  key.Binding
	RetryJob                                key.Binding
	Export                                  key.Binding
	EditLabels, Add, Edit, Delete, Block    key.Binding
	Hide, Invert                            key.Binding
	ExportContacts, Import, Undo, Refresh   key.Binding
	NewLabel, RenameLabel, LabelColor       key.Binding
	DeleteLabel, LabelSync, ShowLabel       key.Binding
	ScrollResults                           key.Binding
	FilterResults                           key.Binding
	// In a field, only the arrows move: letters type.
	TypingUp, TypingDown                  key.Binding
	TypingPageUp, TypingPageDown          key.Binding
	Confirm, Cancel, NextField, PrevField key.Binding
	StartCheck, Toggle, PairPhoneCode     key.Binding
	Palette                               key.Binding
}

// DefaultKeyMap is the default keys (README, "Keys").
func DefaultKeyMap() *KeyMap {
	return &KeyMap{
		Up:             key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("↑/k", "up")),
		Down:           key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("↓/j", "down")),
		PageUp:         key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up")),
		PageDown:       key.NewBinding(key.WithKeys("pgdown", "ctrl+f"), key.WithHelp("pgdn", "page down")),
		Top:            key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "first")),
		Bottom:         key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "last")),
		Search:         key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "search")),
		Open:           key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Back:           key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back / clear")),
		Select:         key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "select")),
		SelectAll:      key.NewBinding(key.WithKeys("*"), key.WithHelp("*", "select all")),
		Sort:           key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "sort")),
		Copy:           key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy JID")),
		NextTab:        key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next screen")),
		PrevTab:        key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous screen")),
		Contacts:       key.NewBinding(key.WithKeys("1"), key.WithHelp("1", "contacts")),
		Labels:         key.NewBinding(key.WithKeys("3"), key.WithHelp("3", "labels")),
		Account:        key.NewBinding(key.WithKeys("4"), key.WithHelp("4", "account")),
		Help:           key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "all keys")),
		Quit:           key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		ApplySearch:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep filter")),
		CancelSearch:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear search")),
		Checks:         key.NewBinding(key.WithKeys("2"), key.WithHelp("2", "checks")),
		CheckSelection: key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "check numbers")),
		NewJob:         key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new check")),
		PauseJob:       key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "pause/resume")),
		CancelJob:      key.NewBinding(key.WithKeys("C"), key.WithHelp("C", "cancel job")),
		RetryJob:       key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "retry failed & cancelled")),
		SaveValid:      key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "save valid as contacts")),
		Export:         key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "export CSV")),
		EditLabels:     key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "labels")),
		Add:            key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "add contact")),
		Edit:           key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit")),
		Delete:         key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "delete")),
		Block:          key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "block/unblock")),
		Hide:           key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "hide/show again")),
		Invert:         key.NewBinding(key.WithKeys("!"), key.WithHelp("!", "invert selection")),
		ExportContacts: key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "export shown")),
		Import:         key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "import file")),
		Undo:           key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "undo (labels, hide)")),
		Refresh:        key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "fetch about & picture")),
		NewLabel:       key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new label")),
		RenameLabel:    key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "rename")),
		LabelColor:     key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "colour")),
		DeleteLabel:    key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "delete")),
		LabelSync:      key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "WhatsApp sync on/off")),
		PairPhone:      key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "pair by phone number")),
		Retry:          key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "connect again")),
		Logout:         key.NewBinding(key.WithKeys("L"), key.WithHelp("L", "log out")),
		FullResync:     key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "resync contacts & labels")),
		RetryChanges:   key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "send failed changes again")),
		DropChange:     key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "drop a failed change")),
		NewPairCode:    key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new pairing code")),
		ShowLabel:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "its contacts")),
		ScrollResults:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "scroll results")),
		FilterResults:  key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "filter results")),
		TypingUp:       key.NewBinding(key.WithKeys("up"), key.WithHelp("↑", "up")),
		TypingDown:     key.NewBinding(key.WithKeys("down"), key.WithHelp("↓", "down")),
		TypingPageUp:   key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		TypingPageDown: key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "page down")),
		Confirm:        key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "confirm")),
		Cancel:         key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		NextField:      key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next field")),
		PrevField:      key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous field")),
		StartCheck:     key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "start")),
		Toggle:         key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "toggle")),
		PairPhoneCode:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "ask for a code")),
		Palette:        key.NewBinding(key.WithKeys(":", "ctrl+p"), key.WithHelp(":", "find an action")),
	}
}
