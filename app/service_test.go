package app

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/wa"
	"github.com/wabook/wabook/wa/sim"
)

func syncedService(t *testing.T) (*Service, *sim.Backend) { return worldService(t, nil) }

// eventually polls until cond holds: events are applied by Run's goroutine.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestBackendEventsReachTheMirror(t *testing.T) {
	t.Parallel()

	svc, backend := syncedService(t)
	ctx := context.Background()
	contact := func(jid string) model.Contact {
		c, err := svc.store.Contact(ctx, jid)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	const ada, grace = "14155550101@s.whatsapp.net", "14155550104@s.whatsapp.net"

	tests := []struct {
		name  string
		event wa.Event
		holds func() bool
	}{
		{"push name", wa.PushNameChanged{JID: ada, PushName: "countess"}, func() bool { return contact(ada).PushName == "countess" }},
		{"block", wa.BlockChanged{JID: grace, Blocked: true}, func() bool { return contact(grace).IsBlocked }},
		{"blocklist", wa.BlocklistReplaced{JIDs: []string{ada}}, func() bool { return contact(ada).IsBlocked && !contact(grace).IsBlocked }},
		{"label removed from chat", wa.LabelAssociationChanged{WALabelID: "2", ChatJID: grace, Assigned: false}, func() bool { return len(contact(grace).Labels) == 0 }},
		{"label renamed", wa.LabelEdited{WALabelID: "1", Name: "Customer", Color: 5}, func() bool { return slices.Equal(contact(ada).Labels, []string{"Customer"}) }},
		{"label deleted", wa.LabelEdited{WALabelID: "1", Deleted: true}, func() bool { return len(contact(ada).Labels) == 0 }},
		{"group left", wa.GroupLeft{JID: "120363000000000002@g.us"}, func() bool { return slices.Equal(contact(ada).Groups, []string{"120363000000000001@g.us"}) }},
		{"new contact", wa.ContactsUpserted{Contacts: []model.Contact{{JID: "14155550177@s.whatsapp.net", FullName: "New Person", IsWAContact: true}}},
			func() bool {
				c, err := svc.store.Contact(ctx, "14155550177@s.whatsapp.net")
				return err == nil && c.FullName == "New Person"
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			backend.Inject(tt.event)
			eventually(t, tt.name, tt.holds)
		})
	}
}

func TestConnectionEventsUpdateStatus(t *testing.T) {
	t.Parallel()

	svc, backend := syncedService(t)
	until := time.Now().Add(time.Hour).Truncate(time.Second)
	backend.Inject(wa.ConnectionChanged{State: wa.StateTempBanned, Until: until, Detail: "banned for spam"})
	eventually(t, "ban status", func() bool {
		st := svc.Status()
		return st.Conn == wa.StateTempBanned && st.Until.Equal(until) && st.Detail == "banned for spam"
	})
	backend.Inject(wa.LoggedOut{Reason: "removed from the phone"})
	eventually(t, "logged out", func() bool { return svc.Status().Conn == wa.StateLoggedOut })
	// The mirror stays after a logout.
	if n, err := svc.store.ContactCount(context.Background()); err != nil || n != 6 {
		t.Errorf("mirror after logout: %d contacts, %v", n, err)
	}
}

// Notices coalesce: a burst of changes leaves one notice of each kind until
// the front end acknowledges it.
func TestNoticesCoalesce(t *testing.T) {
	t.Parallel()

	svc, backend := syncedService(t)
	// The sync's notices are all sent: SyncOnce returned once SyncCompleted
	// was applied, and events are applied in order, each notifying as it
	// goes. Acknowledging what waits now lets the burst's first change send
	// a notice of its own.
	for len(svc.Notices()) > 0 {
		svc.Acknowledge(<-svc.Notices())
	}
	for i := 0; i < 50; i++ {
		backend.Inject(wa.PushNameChanged{JID: "14155550101@s.whatsapp.net", PushName: fmt.Sprintf("n%d", i)})
	}
	// Events are applied in order: once the last one is in, the burst is.
	eventually(t, "the burst applied", func() bool {
		c, err := svc.store.Contact(context.Background(), "14155550101@s.whatsapp.net")
		return err == nil && c.PushName == "n49"
	})
	// Nothing acknowledged yet: at most one data notice is waiting.
	got := 0
	for len(svc.Notices()) > 0 {
		n := <-svc.Notices()
		if n.Kind == DataChanged {
			got++
		}
	}
	if got != 1 {
		t.Errorf("%d data notices waiting after a burst, want 1", got)
	}
}
