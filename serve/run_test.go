package serve

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/wa/sim"
)

// started waits for Run's "HTTP: scheme://addr" line and returns the URL.
func started(t *testing.T, out *syncBuffer, errc <-chan error) string {
	t.Helper()
	re := regexp.MustCompile(`HTTP: (https?://[0-9.:]+)`)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			return m[1]
		}
		select {
		case err := <-errc:
			t.Fatalf("Run returned before listening: %v\n%s", err, out)
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatalf("Run did not say where it listens:\n%s", out)
	return ""
}

// returned waits for Run, stopped, to return without an error.
func returned(t *testing.T, errc <-chan error) {
	t.Helper()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after the stop")
	}
}

func TestRunRefusesWhatItCannotServeSafely(t *testing.T) {
	t.Parallel()
	a := newAPI(t, HandlerOptions{})
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.pem")
	os.WriteFile(junk, []byte("not a certificate"), 0o600)
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{HTTP: "0.0.0.0:0", SSH: Off}, "--tls-cert and --tls-key, or --insecure-http"},
		{Config{HTTP: ":0", SSH: Off}, "--insecure-http"},
		{Config{HTTP: "example.com:0", SSH: Off}, "--insecure-http"},
		{Config{HTTP: "127.0.0.1", SSH: Off}, "use host:port"},
		{Config{HTTP: Off, SSH: Off}, "nothing to serve"},
		{Config{HTTP: "127.0.0.1:0", SSH: Off, TLSCert: junk}, "go together"},
		{Config{HTTP: "127.0.0.1:0", SSH: Off, TLSCert: junk, TLSKey: junk}, "loading the TLS certificate"},
	} {
		err := Run(context.Background(), a.svc, tc.cfg, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.cfg, err, tc.want)
		}
	}
	for _, host := range []string{"127.0.0.1", "::1", "localhost", "127.1.2.3"} {
		if !isLoopback(host) {
			t.Errorf("%s is loopback", host)
		}
	}
	for _, host := range []string{"", "0.0.0.0", "::", "10.0.0.1", "wabook.example"} {
		if isLoopback(host) {
			t.Errorf("%s is not loopback", host)
		}
	}
}

// A stop lets the request in flight finish and answers it; then Run
// returns and nothing listens any more.
func TestRunStopsGracefully(t *testing.T) {
	t.Parallel()
	a := newAPI(t, HandlerOptions{})
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	out := &syncBuffer{}
	errc := make(chan error, 1)
	go func() { errc <- Run(ctx, a.svc, Config{HTTP: "127.0.0.1:0", SSH: Off, Demo: true}, out) }()
	url := started(t, out, errc)
	demo := regexp.MustCompile(`export TOKEN=(wbk_\S+)`).FindStringSubmatch(out.String())
	if demo == nil {
		t.Fatalf("no demo token in:\n%s", out)
	}

	body, feed := io.Pipe()
	req, _ := http.NewRequest("POST", url+"/v1/contacts/create", body)
	req.Header.Set("Authorization", "Bearer "+demo[1])
	answered := make(chan *http.Response, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
			close(answered)
			return
		}
		answered <- resp
	}()
	io.WriteString(feed, `{"contact_name":"Late Larry",`)
	time.Sleep(200 * time.Millisecond) // the handler is reading the body
	stop()
	// Once nothing accepts connections the stop is under way; Run must
	// still be waiting for the request, whose body is not all there.
	addr := strings.TrimPrefix(url, "http://")
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			break
		}
		c.Close()
		runtime.Gosched()
	}
	select {
	case err := <-errc:
		t.Fatalf("Run returned with a request in flight: %v", err)
	default:
	}
	io.WriteString(feed, `"contact_id":"14155550166"}`)
	feed.Close()
	resp := <-answered
	if resp == nil || resp.StatusCode != 200 {
		t.Fatalf("the request in flight: %+v", resp)
	}
	resp.Body.Close()
	returned(t, errc)
	if _, err := net.DialTimeout("tcp", strings.TrimPrefix(url, "http://"), time.Second); err == nil {
		t.Fatal("still listening after Run returned")
	}
	if _, err := a.svc.FindContact(context.Background(), "14155550166"); err != nil {
		t.Fatalf("the request in flight was not applied: %v", err)
	}
}

// With a certificate, serve answers HTTPS only, and may then listen
// beyond loopback.
func TestRunTLS(t *testing.T) {
	t.Parallel()
	a := newAPI(t, HandlerOptions{})
	cert, key, pool := selfSigned(t)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	out := &syncBuffer{}
	errc := make(chan error, 1)
	go func() {
		errc <- Run(ctx, a.svc, Config{HTTP: "127.0.0.1:0", SSH: Off, TLSCert: cert, TLSKey: key}, out)
	}()
	url := started(t, out, errc)
	if !strings.HasPrefix(url, "https://") {
		t.Fatalf("url %s", url)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	req, _ := http.NewRequest("GET", url+"/v1/contacts/14155550101", nil)
	req.Header.Set("X-Api-Key", a.ro)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("over TLS: %d", resp.StatusCode)
	}
	if resp, err := http.Get(strings.Replace(url, "https", "http", 1) + "/v1/contacts"); err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("plain HTTP on the TLS port: %d", resp.StatusCode)
		}
	}
	stop()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	// Beyond loopback with TLS: allowed (checked without listening).
	if _, err := checkHTTP(Config{HTTP: "0.0.0.0:8443", TLSCert: cert, TLSKey: key}); err != nil {
		t.Fatal(err)
	}
	if _, err := checkHTTP(Config{HTTP: "0.0.0.0:8080", InsecureHTTP: true}); err != nil {
		t.Fatal(err)
	}
}

func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "wabook test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	c, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(c)
	return certFile, keyFile, pool
}

// A stop answers the requests waiting for WhatsApp at once, as their
// deadline would: a label write and a block whose changes the outbox is
// still trying get 202 with them, a check still queued 429 (Periskope)
// or "processing" (the Business API's blocking: wait). Run returns within
// the grace with every one answered; the outbox and the check queue, which
// outlive Run (servecmd.go), still hold the changes, and the next sender
// delivers them.
func TestRunStopAnswersRequestsWaitingForWhatsApp(t *testing.T) {
	t.Parallel()
	be := sim.New(testWorld(t), sim.WithCheckLatency(time.Hour)) // no check answer comes
	// WhatsApp refuses the first label chat; the retry is an hour away.
	a := newAPIWith(t, be, app.Options{OutboxRetry: time.Hour}, HandlerOptions{})
	labelSyncOn(t, a.svc, true)
	work, stopWork := context.WithCancel(context.Background())
	t.Cleanup(func() { stopWork(); a.svc.StopChecker() })
	a.svc.StartChecker(work)
	be.FailNext("SendLabelChat", errors.New("server busy"))

	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	out := &syncBuffer{}
	errc := make(chan error, 1)
	go func() { errc <- Run(ctx, a.svc, Config{HTTP: "127.0.0.1:0", SSH: Off, Grace: 5 * time.Second}, out) }()
	served := *a
	served.url = started(t, out, errc)

	type call struct {
		name         string
		method, path string
		body         any
	}
	calls := []call{
		{"label write", "PATCH", "/v1/contacts/14155550101", map[string]any{"labels": "New customer, VIP"}},
		{"block", "POST", "/api/contacts/block", map[string]any{"contactId": "14155550104"}},
		{"Periskope check", "POST", "/v1/contacts/check", map[string]any{"contact_ids": []string{"14155550102"}}},
		{"Business API check", "POST", "/v1/contacts", map[string]any{"blocking": "wait", "contacts": []string{"+14155550109"}}},
	}
	outbox := func(kind string, attempts int) bool {
		items, err := a.svc.Outbox(context.Background(), false)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			if it.Kind == kind && it.State == app.OutboxPending && it.Attempts == attempts {
				return true
			}
		}
		return false
	}
	jobs := func(n int) bool {
		js, err := a.svc.Jobs(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return len(js) == n
	}
	// One after the other, each waiting before the next: the label chat
	// refused once, the block queued behind it, both checks queued.
	waiting := []func() bool{
		func() bool { return outbox("label_chat", 1) },
		func() bool { return outbox("block", 0) },
		func() bool { return jobs(1) },
		func() bool { return jobs(2) },
	}
	answers := make([]chan reply, len(calls))
	for i, c := range calls {
		answers[i] = make(chan reply, 1)
		go func() {
			req, err := http.NewRequest(c.method, served.url+c.path, strings.NewReader(mustJSON(t, c.body)))
			if err != nil {
				t.Error(err)
				close(answers[i])
				return
			}
			req.Header.Set("Authorization", "Bearer "+a.full)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Errorf("%s: %v", c.name, err) // cut at the grace: EOF
				close(answers[i])
				return
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			answers[i] <- reply{status: resp.StatusCode, header: resp.Header, body: b}
		}()
		waitFor(t, waiting[i])
	}
	stop()

	got := make([]reply, len(calls))
	for i, c := range calls {
		r, ok := <-answers[i]
		if !ok {
			t.Fatalf("%s: no answer", c.name)
		}
		got[i] = r
	}
	var w waitingBody
	got[0].json(t, &w)
	if got[0].status != 202 || w.Code != "WHATSAPP_PENDING" || len(w.Pending) != 1 || w.Pending[0].Kind != "label_chat" ||
		!strings.Contains(w.Waiting, "stopping") {
		t.Errorf("label write: %d %s", got[0].status, got[0].body)
	}
	var ch outboxBody
	got[1].json(t, &ch)
	if got[1].status != 202 || ch.Kind != "block" || ch.State != "pending" {
		t.Errorf("block: %d %s", got[1].status, got[1].body)
	}
	if got[2].status != 429 || got[2].header.Get("Retry-After") == "" {
		t.Errorf("Periskope check: %d %s", got[2].status, got[2].body)
	}
	var wc struct {
		Contacts []struct{ Status string } `json:"contacts"`
	}
	got[3].json(t, &wc)
	if got[3].status != 200 || len(wc.Contacts) != 1 || wc.Contacts[0].Status != "processing" {
		t.Errorf("Business API check: %d %s", got[3].status, got[3].body)
	}
	returned(t, errc)

	// Still queued; the next sender (a new start) delivers them.
	a.svc.StopOutbox()
	startOutbox(t, a.svc)
	wctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	items, err := a.svc.WaitChanges(wctx, []int64{w.Pending[0].ID, ch.ID})
	if err != nil || len(items) != 2 || items[0].State != app.OutboxDone || items[1].State != app.OutboxDone ||
		!simHasLabel(be, "VIP", adaJID) || !simBlocked(be, "14155550104@s.whatsapp.net") {
		t.Fatalf("after the next start: %+v %v; WhatsApp's labels %+v, blocked %v", items, err, be.Labels(), be.Blocked())
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
