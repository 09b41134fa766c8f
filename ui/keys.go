package ui

import "charm.land/bubbles/v2/key"

// KeyMap holds every binding; screens pick the ones they use and feed them to
// bubbles/help, so the help always matches what the keys do.
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
	Checks, CheckSelection                  key.Binding
	NewJob, PauseJob, CancelJob, SaveValid  key.Binding
	RetryJob                                key.Binding
	Export                                  key.Binding
	EditLabels, Add, Edit, Delete, Block    key.Binding
	ExportContacts, Import, Undo, Refresh   key.Binding
	NewLabel, RenameLabel, LabelColor       key.Binding
	DeleteLabel, LabelSync                  key.Binding
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
	}
}

// helpMap adapts a list of bindings to help.KeyMap.
type helpMap struct {
	short []key.Binding
	full  [][]key.Binding
}

func (h helpMap) ShortHelp() []key.Binding  { return h.short }
func (h helpMap) FullHelp() [][]key.Binding { return h.full }

// KeySection is the keys of one screen, or one mode of it, as the full help
// lists them.
type KeySection struct {
	Title string
	Keys  []key.Binding
}

// Sections is the one list of which keys act where: the full help (?) is
// drawn from it, the screens' full help maps are cut from it, and a test
// checks that no key means two things in one place and that every key a
// screen's short help offers is in it.
func (k *KeyMap) Sections() []KeySection {
	return []KeySection{
		{"Everywhere", []key.Binding{k.NextTab, k.PrevTab, k.Contacts, k.Checks, k.Labels, k.Account, k.Help, k.Quit}},
		{"Contacts", []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.Search, k.Open, k.Select, k.SelectAll, k.Sort, k.Back}},
		{"Contacts: change", []key.Binding{k.EditLabels, k.Undo, k.CheckSelection, k.Add, k.Edit, k.Delete, k.Block, k.ExportContacts, k.Import}},
		{"Checks", []key.Binding{k.NewJob, k.PauseJob, k.CancelJob, k.RetryJob, k.SaveValid, k.Export, key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "scroll results"))}},
		{"Search", []key.Binding{k.ApplySearch, k.CancelSearch}},
		{"Detail", []key.Binding{k.Copy, k.Refresh, k.EditLabels, k.Edit, k.Block, k.Back}},
		{"Labels", []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "its contacts")), k.NewLabel, k.RenameLabel, k.LabelColor, k.DeleteLabel, k.Undo, k.LabelSync}},
		{"Account", []key.Binding{k.PairPhone, k.Retry, k.Logout, k.FullResync, k.RetryChanges, k.DropChange, k.Up, k.Down}},
	}
}

// section is the keys of the section titled title (nil when none is).
func (k *KeyMap) section(title string) []key.Binding {
	for _, s := range k.Sections() {
		if s.Title == title {
			return s.Keys
		}
	}
	return nil
}
