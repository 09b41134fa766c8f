package wm

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/appstate"
	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/proto/waVnameCert"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"

	"github.com/wabook/wabook/wa"
)

func verified(name string) *types.VerifiedName {
	return &types.VerifiedName{Details: &waVnameCert.VerifiedNameCertificate_Details{VerifiedName: proto.String(name)}}
}

func TestUserInfoAndPicture(t *testing.T) {
	t.Parallel()

	b, fake := newTestBackend(t, testOpts{})
	ctx := context.Background()
	if err := b.client.Store.LIDs.PutLIDMapping(ctx, lid("211111111111111"), pn("14155550109")); err != nil {
		t.Fatal(err)
	}
	fake.userInfo = map[types.JID]types.UserInfo{
		pn("14155550101"):      {Status: "Hey there!", PictureID: "1234", VerifiedName: verified("Ada Biz")},
		lid("211111111111111"): {Status: "busy"},
	}
	got, err := b.UserInfo(ctx, []string{"14155550101@s.whatsapp.net", "+14155550101", "211111111111111@lid", "14155550199@c.us"})
	if err != nil {
		t.Fatal(err)
	}
	ada := wa.UserInfo{JID: "14155550101@s.whatsapp.net", About: "Hey there!", AvatarID: "1234", VerifiedName: "Ada Biz", IsBusiness: true}
	want := map[string]wa.UserInfo{
		"14155550101@s.whatsapp.net": ada,
		"+14155550101":               ada,
		"211111111111111@lid":        {JID: "14155550109@s.whatsapp.net", About: "busy"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("UserInfo = %#v\nwant %#v", got, want)
	}
	if _, err := b.UserInfo(ctx, []string{"120363000000000001@g.us"}); err == nil {
		t.Fatal("UserInfo of a group: no error")
	}

	fake.pictures = map[types.JID]*types.ProfilePictureInfo{
		pn("14155550101"): {URL: "https://pps.whatsapp.net/v/ada.jpg", ID: "1234"},
		types.NewJID("120363000000000001", types.GroupServer): {URL: "https://pps.whatsapp.net/v/team.jpg"},
	}
	for jid, want := range map[string]string{
		"14155550101@s.whatsapp.net": "https://pps.whatsapp.net/v/ada.jpg",
		"120363000000000001@g.us":    "https://pps.whatsapp.net/v/team.jpg",
		"14155550102@s.whatsapp.net": "",
	} {
		if got, err := b.ProfilePictureURL(ctx, jid); err != nil || got != want {
			t.Errorf("ProfilePictureURL(%s) = %q, %v; want %q", jid, got, err, want)
		}
	}
	for _, e := range []error{whatsmeow.ErrProfilePictureNotSet, whatsmeow.ErrProfilePictureUnauthorized} {
		fake.pictureErr = e
		if got, err := b.ProfilePictureURL(ctx, "14155550101@s.whatsapp.net"); err != nil || got != "" {
			t.Errorf("with %v: %q, %v; want no picture", e, got, err)
		}
	}
	fake.pictureErr = whatsmeow.ErrIQTimedOut
	if _, err := b.ProfilePictureURL(ctx, "14155550101@s.whatsapp.net"); !errors.Is(err, whatsmeow.ErrIQTimedOut) {
		t.Errorf("timeout: %v", err)
	}
}

func TestSetBlocked(t *testing.T) {
	t.Parallel()

	b, fake := newTestBackend(t, testOpts{})
	srv := serveBlocklist(t, fake, "list_empty")
	ctx := context.Background()
	if err := b.SetBlocked(ctx, "14155550101@c.us", true); err != nil {
		t.Fatal(err)
	}
	if err := b.SetBlocked(ctx, "+14155550102", false); err != nil {
		t.Fatal(err)
	}
	if err := b.SetBlocked(ctx, "120363000000000001@g.us", true); err == nil {
		t.Fatal("blocking a group: no error")
	}
	// No LID is known for either number: the phone-number form alone
	// (blocklist_test.go covers blocking by LID).
	want := []waBinary.Node{
		item(waBinary.Attrs{"jid": pn("14155550101"), "action": "block"}),
		item(waBinary.Attrs{"jid": pn("14155550102"), "action": "unblock"}),
	}
	if _, sets := srv.calls(); !reflect.DeepEqual(sets, want) {
		t.Fatalf("updates %v, want %v", sets, want)
	}
	expect(t, b,
		wa.BlockChanged{JID: "14155550101@s.whatsapp.net", Blocked: true},
		wa.BlockChanged{JID: "14155550102@s.whatsapp.net", Blocked: false},
	)
}

func TestSendLabels(t *testing.T) {
	t.Parallel()

	b, fake := newTestBackend(t, testOpts{})
	ctx := context.Background()
	if err := b.SendLabelEdit(ctx, wa.LabelEdit{WALabelID: "3", Name: "VIP", Color: 4}); err != nil {
		t.Fatal(err)
	}
	if err := b.SendLabelEdit(ctx, wa.LabelEdit{WALabelID: "5", Deleted: true}); err != nil {
		t.Fatal(err)
	}
	if err := b.SendLabelChat(ctx, "3", "14155550101@s.whatsapp.net", true); err != nil {
		t.Fatal(err)
	}
	if err := b.SendLabelChat(ctx, "3", "120363000000000001@g.us", false); err != nil {
		t.Fatal(err)
	}
	want := []appstate.PatchInfo{
		appstate.BuildLabelEdit("3", "VIP", 4, false),
		appstate.BuildLabelEdit("5", "", 0, true),
		appstate.BuildLabelChat(pn("14155550101"), "3", true),
		appstate.BuildLabelChat(types.NewJID("120363000000000001", types.GroupServer), "3", false),
	}
	if len(fake.patches) != len(want) {
		t.Fatalf("sent %d patches, want %d", len(fake.patches), len(want))
	}
	for i := range want {
		g, w := fake.patches[i], want[i]
		if g.Type != w.Type || len(g.Mutations) != 1 ||
			!reflect.DeepEqual(g.Mutations[0].Index, w.Mutations[0].Index) ||
			!proto.Equal(g.Mutations[0].Value, w.Mutations[0].Value) {
			t.Errorf("patch %d = %+v, want %+v", i, g, w)
		}
	}
	for _, bad := range []wa.LabelEdit{{Name: "x"}, {WALabelID: "3"}, {WALabelID: "3", Name: "x", Color: 20}} {
		if err := b.SendLabelEdit(ctx, bad); err == nil {
			t.Errorf("SendLabelEdit(%+v): no error", bad)
		}
	}

	p, pfake := newTestBackend(t, testOpts{personal: true})
	if err := p.SendLabelEdit(ctx, wa.LabelEdit{WALabelID: "3", Name: "VIP"}); err != wa.ErrNotBusiness {
		t.Errorf("personal SendLabelEdit: %v", err)
	}
	if err := p.SendLabelChat(ctx, "3", "14155550101@s.whatsapp.net", true); err != wa.ErrNotBusiness {
		t.Errorf("personal SendLabelChat: %v", err)
	}
	if len(pfake.patches) != 0 {
		t.Errorf("personal account sent %d patches", len(pfake.patches))
	}
}

func TestLabelsSynced(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	b, _ := newTestBackend(t, testOpts{contactsSynced: true})
	// The contacts collection synced is not enough: labels live in "regular".
	if ok, err := b.LabelsSynced(ctx); err != nil || ok {
		t.Fatalf("fresh pairing: LabelsSynced = %v, %v", ok, err)
	}
	var hash [128]byte
	if err := b.client.Store.AppState.PutAppStateVersion(ctx, string(appstate.WAPatchRegular), 4, hash); err != nil {
		t.Fatal(err)
	}
	if ok, err := b.LabelsSynced(ctx); err != nil || !ok {
		t.Fatalf("after the regular collection synced: LabelsSynced = %v, %v", ok, err)
	}
	u, _ := newTestBackend(t, testOpts{unpaired: true})
	if _, err := u.LabelsSynced(ctx); !errors.Is(err, wa.ErrNotPaired) {
		t.Fatalf("unpaired: %v", err)
	}
}
