package main_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/mail/mailtest"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestCrash kills the server with SIGKILL at the worst moments and shows
// that nothing is lost or doubled (R-NOTE-1, R-PARTNER-2):
//   - right after a change commits and before its notice is sent, then
//     restarts it: the notice is delivered exactly once;
//   - in the middle of a sweep that expires partner access: after a
//     restart, every expiry completes, with one notice per recipient.
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary")
	}
	bin := build(t)
	storetest.EachDialect(t, func(t *testing.T, d store.Dialect) { crash(t, bin, d) })
}

// build compiles the binary into the test's temporary folder.
func build(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "provisio")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// bootstrap creates the vendor and Olivia, its first operator, through the
// binary, for a server at addr, and returns her registration link.
func bootstrap(t *testing.T, bin, dbURL, addr string) string {
	t.Helper()
	out, err := exec.Command(bin, "bootstrap", "--database-url", dbURL, "--email", "olivia@vendor.example",
		"--name", "Olivia Operator", "--base-url", "http://"+addr).CombinedOutput()
	if err != nil {
		t.Fatalf("bootstrap: %v\n%s", err, out)
	}
	return strings.Fields(string(out[strings.Index(string(out), "http://"):]))[0]
}

type proc struct {
	t    *testing.T
	cmd  *exec.Cmd
	base string
}

func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// serve starts the binary and waits until it is ready.
func serve(t *testing.T, bin, dbURL, addr, smtpAddr string) *proc {
	t.Helper()
	host, port, _ := net.SplitHostPort(smtpAddr)
	cmd := exec.Command(bin, "serve", "--addr", addr, "--database-url", dbURL, "--smtp-host", host, "--smtp-port", port,
		"--smtp-tls", "none", "--sweep-interval", "300ms", "--delivery-attempts", "100", "--job-timeout", "2s", "--mfa-required-for", "none", "--log-level", "warn")
	logf, _ := os.Create(filepath.Join(t.TempDir(), "serve.log"))
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{t: t, cmd: cmd, base: "http://" + addr}
	t.Cleanup(func() { p.kill() })
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(p.base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p
			}
		}
	}
	b, _ := os.ReadFile(logf.Name())
	t.Fatalf("server did not become ready:\n%s", b)
	return nil
}

func (p *proc) kill() {
	if p.cmd.ProcessState == nil {
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
		_, _ = p.cmd.Process.Wait()
	}
}

func (p *proc) call(method, path, token string, body any, out any) {
	p.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, p.base+"/api/v1"+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		p.t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	if out != nil {
		_ = json.Unmarshal(raw, out)
	}
}

func crash(t *testing.T, bin string, d store.Dialect) {
	dbURL := storetest.URL(t, d)
	smtpAddr := freePort(t) // nothing listens yet: every delivery attempt fails
	addr := freePort(t)

	// Bootstrap through the binary, register through the API.
	link := bootstrap(t, bin, dbURL, addr)
	p := serve(t, bin, dbURL, addr, smtpAddr)
	p.call("POST", "/invitations/accept", "", map[string]string{"token": link[strings.LastIndex(link, "/")+1:],
		"password": "a long enough password"}, nil)
	var tok struct{ Token string }
	p.call("POST", "/tokens", "", map[string]string{"email": "olivia@vendor.example", "password": "a long enough password"}, &tok)

	// 1. A change commits; the server dies before it can send the notice.
	var org struct{ ID string }
	p.call("POST", "/orgs", tok.Token, map[string]any{"kind": "customer", "name": "Acme"}, &org)
	var created struct{ User struct{ ID string } }
	p.call("POST", "/users", tok.Token, map[string]any{"org_id": org.ID, "email": "carol@acme.example",
		"name": "Carol Admin", "roles": []string{"customer_admin"}}, &created)
	p.kill()

	db, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var noticeID string
	if err := db.SQL().QueryRow(`SELECT id FROM notices WHERE to_email = 'carol@acme.example' AND state = 'pending'`).Scan(&noticeID); err != nil {
		t.Fatalf("the notice must be committed and pending: %v", err)
	}

	sink := mailtest.Start(t, smtpAddr)
	p = serve(t, bin, dbURL, addr, smtpAddr)
	msgs, ok := sink.Wait(30*time.Second, func(ms []mailtest.Message) bool {
		for _, m := range ms {
			if m.Header.Get("X-Provisio-Notice") == noticeID {
				return true
			}
		}
		return false
	})
	if !ok {
		t.Fatalf("notice %s never delivered after restart; got %d messages", noticeID, len(msgs))
	}
	time.Sleep(time.Second) // more sweeps and retries: still once
	if n := count(sink.Messages(), noticeID); n != 1 {
		t.Fatalf("notice delivered %d times", n)
	}

	// 2. Expired partner access to sweep; kill the server mid-sweep.
	p.kill()
	const n = 150
	seedExpired(t, db, org.ID, created.User.ID, n)
	p = serve(t, bin, dbURL, addr, smtpAddr)
	left := remaining(t, db)
	for deadline := time.Now().Add(30 * time.Second); left == n && time.Now().Before(deadline); left = remaining(t, db) {
		time.Sleep(2 * time.Millisecond)
	}
	p.kill()
	left = remaining(t, db)
	if left == 0 || left == n {
		t.Fatalf("the kill was not mid-sweep: %d of %d left", left, n)
	}
	t.Logf("killed with %d of %d expiries left", left, n)
	p = serve(t, bin, dbURL, addr, smtpAddr)
	for deadline := time.Now().Add(60 * time.Second); remaining(t, db) > 0 && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	if left := remaining(t, db); left != 0 {
		t.Fatalf("%d expiries never completed", left)
	}
	var notices, entries int
	_ = db.SQL().QueryRow(`SELECT COUNT(*) FROM notices WHERE kind = 'access_expired'`).Scan(&notices)
	_ = db.SQL().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'partner_access.expire'`).Scan(&entries)
	if notices != 2*n || entries != n { // the partner user and Carol, once each
		t.Fatalf("%d expiry notices and %d audit entries for %d expiries", notices, entries, n)
	}
	p.kill()
}

func count(ms []mailtest.Message, id string) int {
	c := 0
	for _, m := range ms {
		if m.Header.Get("X-Provisio-Notice") == id {
			c++
		}
	}
	return c
}

func remaining(t *testing.T, db *store.DB) int {
	var c int
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM site_assignments WHERE via = 'partner'`).Scan(&c); err != nil {
		t.Fatal(err)
	}
	return c
}

// seedExpired gives n partner users access to a site of the customer that
// ended an hour ago, straight through the store, as if the server had been
// down when it ran out.
func seedExpired(t *testing.T, db *store.DB, customerID, adminID string, n int) {
	ctx := context.Background()
	now := time.Now().UTC()
	if _, err := db.SQL().Exec(`UPDATE users SET state = 'active' WHERE id = $1`, adminID); err != nil {
		t.Fatal(err)
	}
	partner := &domain.Org{ID: domain.NewID("org", now), Kind: domain.OrgPartner, Name: "Northwind", CreatedAt: now}
	err := db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.CreateOrg(ctx, partner); err != nil {
			return err
		}
		cust, err := tx.Org(ctx, domain.Everything, customerID)
		if err != nil {
			return err
		}
		cust.PartnerID = partner.ID
		if err := tx.UpdateOrg(ctx, cust); err != nil {
			return err
		}
		site := &domain.Site{ID: domain.NewID("site", now), CustomerID: customerID, Name: "acme-prod", Edition: domain.EditionStandard,
			State: domain.SiteReady, CreatedAt: now, UpdatedAt: now}
		if err := tx.CreateSite(ctx, site); err != nil {
			return err
		}
		for i := range n {
			u := &domain.User{ID: domain.NewID("usr", now), OrgID: partner.ID, Type: domain.TypePartner,
				Email: fmt.Sprintf("agent%d@northwind.example", i), Name: "Agent " + strconv.Itoa(i),
				Roles: []domain.Role{domain.RolePartnerAgent}, State: domain.UserActive, CreatedAt: now, UpdatedAt: now}
			if err := tx.CreateUser(ctx, u); err != nil {
				return err
			}
			if err := tx.CreateAssignment(ctx, &domain.Assignment{ID: domain.NewID("asg", now), SiteID: site.ID, UserID: u.ID,
				Role: domain.RolePartnerAgent, Via: domain.ViaPartner, ExpiresAt: now.Add(-time.Hour), CreatedAt: now}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
