package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/cli"
	"github.com/provisio/provisio/internal/identity"
	"github.com/provisio/provisio/internal/server"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

const password = "a long enough password"

// run is a started server and a way to call the CLI against it.
type run struct {
	t      *testing.T
	url    string
	dbURL  string
	config string // PROVISIO_CONFIG of the current persona
}

func start(t *testing.T, d store.Dialect) *run {
	t.Helper()
	dbURL := storetest.URL(t, d)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	cfg := server.Config{DatabaseURL: dbURL, App: app.DefaultConfig()}
	cfg.App.BaseURL = base
	cfg.App.Argon2 = identity.Argon2Params{Time: 1, Memory: 1024, Threads: 1}
	cfg.App.MFAFor = nil
	s, err := server.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		s.Close()
	})
	return &run{t: t, url: base, dbURL: dbURL}
}

// as switches to a persona: each keeps its own CLI config file.
func (r *run) as(persona string) *run {
	r.config = filepath.Join(r.t.TempDir(), persona+".json")
	return r
}

// cli runs provisio with args and stdin, and fails unless it exits with want.
func (r *run) cliCode(want int, stdin string, args ...string) string {
	r.t.Helper()
	r.t.Setenv("PROVISIO_CONFIG", r.config)
	var out, errOut bytes.Buffer
	code := cli.Main(context.Background(), append([]string{"provisio"}, args...), strings.NewReader(stdin), &out, &errOut)
	if code != want {
		r.t.Fatalf("provisio %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, want, out.String(), errOut.String())
	}
	return out.String() + errOut.String()
}

func (r *run) cli(args ...string) string { r.t.Helper(); return r.cliCode(0, "", args...) }

// id runs a command with --json and returns the field at path.
func (r *run) json(path string, args ...string) string {
	r.t.Helper()
	var v any
	if err := json.Unmarshal([]byte(r.cli(append(args, "--json")...)), &v); err != nil {
		r.t.Fatal(err)
	}
	for _, k := range strings.Split(path, ".") {
		v = v.(map[string]any)[k]
	}
	s, _ := v.(string)
	return s
}

// scimUsers reads a site's users through SCIM with a site token, as
// its application does, and returns how many there are.
func scimUsers(t *testing.T, base, token string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/scim/v2/Users", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct {
		TotalResults int `json:"totalResults"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("SCIM list: %d %v", resp.StatusCode, err)
	}
	return list.TotalResults
}

var linkRE = regexp.MustCompile(`http://\S+/invitations/\S+`)

// register logs in as persona after accepting the invitation mailed to email.
func (r *run) register(op *run, persona, email string) *run {
	r.t.Helper()
	body := op.cli("mail", "list", "--to", email, "--kind", "invitation", "--json")
	link := linkRE.FindString(strings.ReplaceAll(body, `\n`, " "))
	if link == "" {
		r.t.Fatalf("no invitation for %s in the mailbox: %s", email, body)
	}
	r.as(persona)
	r.cliCode(0, password+"\n", "invitation", "accept", link)
	r.cliCode(0, password+"\n", "login", "--server", r.url, "--email", email)
	return r
}

// TestWalkthrough follows the README: bootstrap, partner and customer with
// administrators, a site with a company, a user invited, registered and
// assigned, the notice in the mailbox, and the story in the audit log.
// R-USER-4 R-ASSIGN-1 R-ASSIGN-2 R-SITE-3 R-NOTE-1 R-NOTE-2 R-AUDIT-1
func TestWalkthrough(t *testing.T) {
	storetest.EachDialect(t, walkthrough)
}

func walkthrough(t *testing.T, d store.Dialect) {
	r := start(t, d)
	op := &run{t: t, url: r.url, dbURL: r.dbURL}
	op.as("olivia")

	// 1. Bootstrap an operator, register and log in.
	out := op.cli("bootstrap", "--database-url", r.dbURL, "--base-url", r.url, "--email", "olivia@vendor.example", "--name", "Olivia Operator")
	link := linkRE.FindString(out)
	op.cliCode(0, password+"\n", "invitation", "accept", link)
	op.cliCode(0, password+"\n", "login", "--server", r.url, "--email", "olivia@vendor.example")
	if out := op.cli("whoami"); !strings.Contains(out, "operator") {
		t.Fatalf("whoami: %s", out)
	}

	// 2. A partner and a linked customer, each with administrators.
	partner := op.json("id", "org", "create", "--kind", "partner", "--name", "Northwind Partners")
	customer := op.json("id", "org", "create", "--kind", "customer", "--name", "Acme", "--partner", partner)
	op.cli("user", "create", "--org", partner, "--email", "paula@northwind.example", "--name", "Paula Partner", "--role", "partner_admin")
	op.cli("user", "create", "--org", customer, "--email", "carol@acme.example", "--name", "Carol Admin", "--role", "customer_admin")
	op.cli("user", "create", "--org", customer, "--email", "dan@acme.example", "--name", "Dan Admin", "--role", "customer_admin")

	// 3. A standard site with a company.
	site := op.json("id", "site", "create", "--customer", customer, "--name", "acme-prod", "--edition", "standard", "--company", "Acme Ltd")

	// 4. The customer administrator invites an operations agent and a user;
	// both register; the administrator assigns them; the agent assigns the
	// user to the company.
	carol := (&run{t: t, url: r.url}).register(op, "carol", "carol@acme.example")
	(&run{t: t, url: r.url}).register(op, "dan", "dan@acme.example")
	oscar := carol.json("user.id", "user", "create", "--org", customer, "--email", "oscar@acme.example", "--name", "Oscar Ops", "--role", "customer_ops")
	uma := carol.json("user.id", "user", "create", "--org", customer, "--email", "uma@acme.example", "--name", "Uma User", "--role", "customer_user")
	// An invited user cannot be assigned yet (R-ASSIGN-1).
	if out := carol.cliCode(1, "", "assignment", "add", "--site", site, "--user", uma); !strings.Contains(out, "R-ASSIGN-1") {
		t.Fatalf("assigning an invited user: %s", out)
	}
	oscarRun := (&run{t: t, url: r.url}).register(op, "oscar", "oscar@acme.example")
	(&run{t: t, url: r.url}).register(op, "uma", "uma@acme.example")
	carol.cli("assignment", "add", "--site", site, "--user", oscar)
	carol.cli("assignment", "add", "--site", site, "--user", uma)
	var companies struct {
		Items []struct{ ID string } `json:"items"`
	}
	if err := json.Unmarshal([]byte(oscarRun.cli("company", "list", "--site", site, "--json")), &companies); err != nil || len(companies.Items) != 1 {
		t.Fatalf("companies: %v %+v", err, companies)
	}
	oscarRun.cli("assignment", "company-add", "--company", companies.Items[0].ID, "--user", uma)
	if out := carol.cli("site", "access", site, "--user", uma, "--company", companies.Items[0].ID); !strings.Contains(out, "allowed:  yes") {
		t.Fatalf("access: %s", out)
	}
	dash := carol.cli("site", "users", site)
	for _, want := range []string{"uma@acme.example", "customer_user", "member", "oscar@acme.example"} {
		if !strings.Contains(dash, want) {
			t.Fatalf("dashboard lacks %q:\n%s", want, dash)
		}
	}

	// 4b. The site's application gets a token, reads its users through
	// SCIM, and the administrator sees them as New (R-APP-1); the
	// organisation maps an identity-provider group to a role (R-APP-4).
	out = carol.cli("scim", "token", "create", "--site", site, "--name", "acme-prod web portal")
	secret := regexp.MustCompile(`scim_\S+`).FindString(out)
	if secret == "" || !strings.Contains(out, "not shown again") {
		t.Fatalf("scim token create: %s", out)
	}
	if n := scimUsers(t, r.url, secret); n != 2 {
		t.Fatalf("the application reads %d users, want 2", n)
	}
	links := carol.cli("scim", "links", site)
	if !strings.Contains(links, "last read the list at") || strings.Count(links, " new ") != 2 || !strings.Contains(links, "Uma User") {
		t.Fatalf("scim links:\n%s", links)
	}
	if out := carol.cli("scim", "group-roles", customer, "--map", "Acme IT=customer_ops"); !strings.Contains(out, "customer_ops") {
		t.Fatalf("group roles: %s", out)
	}
	if out := carol.cliCode(1, "", "scim", "token", "create", "--name", "x"); !strings.Contains(out, "--org ID") {
		t.Fatalf("a token for nobody: %s", out)
	}
	// The compliance report (R-AUDIT-2): Acme has two administrators,
	// the partner one.
	if out := op.cli("compliance"); !strings.Contains(out, "single_administrator") || !strings.Contains(out, "R-ROLE-5") ||
		!strings.Contains(out, "Northwind Partners") {
		t.Fatalf("compliance: %s", out)
	}
	if out := op.cli("compliance", "--org", customer, "--csv", "-"); !strings.HasPrefix(out, "kind,rule,organisation") {
		t.Fatalf("compliance --csv: %s", out)
	}

	// Carol's notifications: the assignments she was told of.
	if out := carol.cli("notifications"); !strings.Contains(out, "user_added_to_site") {
		t.Fatalf("notifications: %s", out)
	}

	// Access history: who could reach the site a moment ago.
	if out := carol.cli("site", "history", site, "--at", time.Now().Add(time.Hour).UTC().Format(time.RFC3339)); !strings.Contains(out, "Uma User") ||
		!strings.Contains(out, "Carol Admin") {
		t.Fatalf("site history: %s", out)
	}

	// R-PLUS-4: Acme locks dormant users; Oscar's account is break-glass.
	if out := carol.cli("org", "update", customer, "--lock-dormant"); !regexp.MustCompile(`lock_dormant:\s+yes`).MatchString(out) {
		t.Fatalf("org update --lock-dormant: %s", out)
	}
	if out := carol.cli("user", "break-glass", oscar, "--reason", "on-call desk"); !strings.Contains(out, "Exempt from the dormancy lock: on-call desk") {
		t.Fatalf("user break-glass: %s", out)
	}
	if out := carol.cliCode(1, "", "user", "break-glass", oscar); !strings.Contains(out, "R-PLUS-4") {
		t.Fatalf("break-glass without a reason: %s", out)
	}
	// The site's web portal signs people in through Provisio (R-APP-2).
	out = carol.cli("app", "create", "--site", site, "--name", "acme-prod web portal", "--redirect-uri", "https://portal.acme.example/cb")
	if !regexp.MustCompile(`app_\S+`).MatchString(out) || !strings.Contains(out, "not shown again") ||
		!strings.Contains(out, r.url+"/.well-known/openid-configuration") {
		t.Fatalf("app create: %s", out)
	}
	if out := carol.cli("app", "list", "--site", site); !strings.Contains(out, "acme-prod web portal") || strings.Contains(out, "aps_") {
		t.Fatalf("app list: %s", out)
	}

	// Partner access through the CLI (R-PARTNER-1, R-PARTNER-2, R-PLUS-1):
	// Paula requests access, Carol approves it for two days, the dashboard
	// shows the grant with its expiry, and Paula gives it up.
	paula := (&run{t: t, url: r.url}).register(op, "paula", "paula@northwind.example")
	paulaID := paula.json("user.id", "whoami")
	reqID := paula.json("request.id", "access", "request", "--site", site, "--user", paulaID)
	if out := carol.cli("access", "list", "--state", "pending"); !strings.Contains(out, reqID) {
		t.Fatalf("pending requests: %s", out)
	}
	if out := carol.cli("access", "approve", reqID, "--period", "48h"); !strings.Contains(out, "approved") {
		t.Fatalf("approve: %s", out)
	}
	if out := carol.cli("site", "users", site); !strings.Contains(out, "paula@northwind.example") || !strings.Contains(out, "partner") {
		t.Fatalf("dashboard after approval: %s", out)
	}
	paula.cli("access", "unassign", "--site", site, "--user", paulaID)
	if out := carol.cli("site", "access", site, "--user", paulaID); !strings.Contains(out, "allowed:  no") {
		t.Fatalf("after unassign: %s", out)
	}

	// 5. The "user added" notices to the customer's administrators.
	mail := op.cli("mail", "list", "--kind", "user_added_to_site")
	for _, want := range []string{"carol@acme.example", "dan@acme.example", "Uma User was added to site acme-prod"} {
		if !strings.Contains(mail, want) {
			t.Fatalf("mailbox lacks %q:\n%s", want, mail)
		}
	}

	// 6. The story in the audit log, and an intact chain.
	log := op.cli("audit", "list", "--limit", "200")
	for _, want := range []string{"org.create", "user.create", "user.register", "site.create", "site.ready",
		"company.create", "assignment.create", "company_assignment.create"} {
		if !strings.Contains(log, want) {
			t.Fatalf("audit log lacks %s:\n%s", want, log)
		}
	}
	csv := op.cli("audit", "export", "--format", "csv", "--action", "assignment.create")
	if n := strings.Count(csv, "\n"); n != 3 {
		t.Fatalf("csv export of two assignments has %d lines:\n%s", n, csv)
	}
	if out := op.cli("audit", "verify"); !strings.Contains(out, "intact") {
		t.Fatalf("verify: %s", out)
	}

	// Tampering is detected, with exit code 2.
	db, err := store.Open(context.Background(), r.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.SQL().Exec(`UPDATE audit_log SET after_json = '{"State":"active"}' WHERE seq = 5`); err != nil {
		t.Fatal(err)
	}
	if out := op.cliCode(2, "", "audit", "verify"); !strings.Contains(out, "BROKEN at entry 5") {
		t.Fatalf("verify after tampering: %s", out)
	}
}
