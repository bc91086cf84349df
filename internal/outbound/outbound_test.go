package outbound_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"github.com/provisio/provisio/internal/outbound"
)

// TestPublic: private, loopback, link-local (cloud metadata), shared,
// documentation and reserved addresses are not public; IPv4-mapped forms
// of them neither.
func TestPublic(t *testing.T) {
	for addr, want := range map[string]bool{
		"8.8.8.8": true, "2a00:1450:4001:82b::200e": true, "1.1.1.1": true,
		"127.0.0.1": false, "127.0.0.2": false, "::1": false, "10.1.2.3": false, "172.16.0.1": false,
		"192.168.1.1": false, "169.254.169.254": false, "fe80::1": false, "fd00::1": false, "100.64.0.1": false,
		"0.0.0.0": false, "::": false, "224.0.0.1": false, "255.255.255.255": false, "::ffff:127.0.0.1": false,
		"::ffff:10.0.0.1": false, "192.0.2.1": false, "198.18.0.1": false, "64:ff9b::a00:1": false,
	} {
		if got := outbound.Public(netip.MustParseAddr(addr)); got != want {
			t.Errorf("Public(%s) = %v, want %v", addr, got, want)
		}
	}
}

// TestClient_RefusesInsideAndRedirects: a call to a loopback address is
// refused when the call is made (not only when the URL is checked),
// unless loopback is allowed for development; a redirect is never
// followed, even to an allowed address.
func TestClient_RefusesInsideAndRedirects(t *testing.T) {
	hit := make(chan string, 4)
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hit <- r.URL.Path }))
	defer target.Close()
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/stolen", http.StatusTemporaryRedirect)
	}))
	defer redirector.Close()

	_, err := outbound.Client(time.Second, false).Post(target.URL+"/hook", "application/json", nil)
	if !errors.Is(err, outbound.ErrRefused) {
		t.Fatalf("loopback without the setting: %v", err)
	}
	// A name resolving to loopback is refused as well as the address.
	_, err = outbound.Client(time.Second, false).Get("http://localhost:" + target.URL[len("http://127.0.0.1:"):])
	if !errors.Is(err, outbound.ErrRefused) {
		t.Fatalf("a name that resolves to loopback: %v", err)
	}
	resp, err := outbound.Client(time.Second, true).Post(redirector.URL+"/hook", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTemporaryRedirect {
		t.Fatalf("redirect answered %d", resp.StatusCode)
	}
	select {
	case p := <-hit:
		t.Fatalf("the redirect was followed to %s", p)
	default:
	}
}
