package serve

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/app/apptest"
	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/store/storetest"
	"github.com/wabook/wabook/wa/sim"
)

// bigBook is a service over a generated book of n contacts (storetest),
// its store and context.
func bigBook(tb testing.TB, n int) (*app.Service, *store.Store, context.Context) {
	tb.Helper()
	world, err := sim.LoadWorld(strings.NewReader(`{"account": {"phone": "+14155550100", "business": true}}`))
	if err != nil {
		tb.Fatal(err)
	}
	svc, st, ctx := apptest.Run(tb, sim.New(world), app.Options{})
	apptest.Sync(ctx, tb, svc)
	cs, gs, ls := storetest.Generate(n, n/100, 30, 14)
	if err := storetest.Populate(ctx, st, cs, gs, ls); err != nil {
		tb.Fatal(err)
	}
	return svc, st, ctx
}

// BenchmarkListContactsPage measures GET /v1/contacts?limit=50 over
// loopback HTTP on a 10 000-contact book with nothing changing between
// requests: one op is one request answered and its body read.
func BenchmarkListContactsPage(b *testing.B) {
	if testing.Short() {
		b.Skip("builds a 10 000-contact book")
	}
	svc, _, ctx := bigBook(b, 10_000)
	tok, err := svc.AddToken(ctx, "ops", false)
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(NewHandler(svc, HandlerOptions{RateLimit: 1 << 30}))
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/v1/contacts?limit=50", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	for b.Loop() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}
