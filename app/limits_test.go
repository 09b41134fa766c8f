package app

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/wa/sim"
)

// manyLabels is a list of n distinct label names.
func manyLabels(n int) string {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("l%d", i)
	}
	return strings.Join(names, ",")
}

// Issue 11 point 9: an edit over a field's limit is one error and changes
// nothing.
func TestEditContactRefusesFieldsOverTheirLimits(t *testing.T) {
	t.Parallel()

	svc, _ := worldService(t, nil)
	ctx := context.Background()
	c, err := svc.AddContact(ctx, ContactInput{Name: "Local", Phone: "+1 415 555 0177", Note: "kept"})
	if err != nil {
		t.Fatal(err)
	}
	longName, longNote := strings.Repeat("n", model.MaxNameBytes+1), strings.Repeat("n", model.MaxNoteBytes+1)
	many := manyLabels(model.MaxContactLabels + 1)
	for _, tt := range []struct {
		name string
		e    ContactEdit
		want string
	}{
		{"name", ContactEdit{Name: &longName}, "name is too long"},
		{"note", ContactEdit{Note: &longNote}, "note is too long"},
		{"labels", ContactEdit{Labels: &many}, "too many labels"},
	} {
		before := labelState(t, svc)
		if _, err := svc.EditContact(ctx, c.JID, tt.e); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
		}
		got, err := svc.FindContact(ctx, c.JID)
		if err != nil || got.FullName != "Local" || got.Note != "kept" || labelState(t, svc) != before {
			t.Errorf("%s: a refused edit changed the contact: %+v, %v", tt.name, got, err)
		}
	}
}

// Adding a number the mirror holds under another form of it (WhatsApp's ID
// for a Brazilian mobile without its ninth digit) names that contact
// instead of making a second one.
func TestAddContactFindsAnotherFormOfTheNumber(t *testing.T) {
	t.Parallel()

	w := accountWorld()
	w.Contacts = []sim.WorldContact{{Phone: "+551187654321", FullName: "Maria Silva"}}
	svc, _ := worldService(t, w)
	ctx := context.Background()
	_, err := svc.AddContact(ctx, ContactInput{Name: "Maria again", Phone: "+55 11 8765-4321"})
	if err == nil || !strings.Contains(err.Error(), `already in the address book as "Maria Silva" (551187654321@c.us)`) {
		t.Errorf("err = %v; want the existing contact named", err)
	}
	if n, _ := svc.store.ContactCount(ctx); n != 1 {
		t.Errorf("%d contacts, want 1", n)
	}
}
