package model

import "fmt"

// Limits on a contact's own text. Every contact's name and note are held
// in memory, rendered and searched on each keystroke, so one hostile cell
// of an imported file must not become a 50 MB name. The sizes are far
// above any real name or note: names are at most 1 000 bytes (a phone's
// address book allows a few hundred characters), notes 10 000 bytes (a few
// pages), label names MaxLabelName characters (WhatsApp Business's
// limit), and a contact gets at most MaxContactLabels labels at once.
const (
	MaxNameBytes     = 1000
	MaxNoteBytes     = 10000
	MaxContactLabels = 100
)

// CheckName reports a contact name over MaxNameBytes.
func CheckName(name string) error {
	if n := len(name); n > MaxNameBytes {
		return fmt.Errorf("name is too long (%d bytes, at most %d)", n, MaxNameBytes)
	}
	return nil
}

// CheckNote reports a note over MaxNoteBytes.
func CheckNote(note string) error {
	if n := len(note); n > MaxNoteBytes {
		return fmt.Errorf("note is too long (%d bytes, at most %d)", n, MaxNoteBytes)
	}
	return nil
}

// CheckLabelCount reports a list of more than MaxContactLabels labels.
func CheckLabelCount(n int) error {
	if n > MaxContactLabels {
		return fmt.Errorf("too many labels (%d, at most %d)", n, MaxContactLabels)
	}
	return nil
}
