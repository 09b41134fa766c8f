package serve

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
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
	select {
	case err := <-errc:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after the stop")
	}
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
