package web_test

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/identity"
	"github.com/provisio/provisio/internal/server"
	"github.com/provisio/provisio/internal/store/storetest"
)

// plain is a running server driven by a plain HTTP client with a cookie
// jar: the forms' behaviour without a browser.
type plain struct {
	*people
	base string
}

func startPlain(t *testing.T, d storetest.Dialect, options ...func(*server.Config)) *plain {
	t.Helper()
	cfg := server.Config{DatabaseURL: storetest.URL(t, d), App: app.DefaultConfig()}
	cfg.App.MFAFor = nil
	cfg.App.Argon2 = identity.Argon2Params{Time: 1, Memory: 1024, Threads: 1}
	for _, o := range options {
		o(&cfg)
	}
	s, err := server.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(func() { hs.Close(); s.Close() })
	p := &plain{people: &people{t: t, app: s.App}, base: hs.URL}
	_, link, err := s.App.Bootstrap(context.Background(), "Vendor", "olivia@vendor.example", "Olivia Operator")
	if err != nil {
		t.Fatal(err)
	}
	p.register(link)
	p.op = p.actor("olivia@vendor.example")
	return p
}

// browser is a signed-in cookie jar.
func (p *plain) browser(email string) *http.Client {
	p.t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.PostForm(p.base+"/signin", url.Values{"email": {email}, "password": {password}, "next": {"/"}})
	if err != nil {
		p.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/" && resp.Request.URL.Path != "/account" {
		p.t.Fatalf("sign in %s: %d at %s", email, resp.StatusCode, resp.Request.URL)
	}
	return c
}

// read returns a reader of one answer: its status and body.
func read(t *testing.T) func(*http.Response, error) (int, string) {
	return func(resp *http.Response, err error) (int, string) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
}

// partnerRequest sets up a customer administrator and a pending partner
// access request on its standard site.
func (p *plain) partnerRequest() (carol *http.Client, req *domain.AccessRequest, site *domain.Site) {
	p.t.Helper()
	ctx := context.Background()
	partner, err := p.app.CreateOrg(ctx, p.op, app.NewOrg{Kind: domain.OrgPartner, Name: "Northwind Partners"})
	if err != nil {
		p.t.Fatal(err)
	}
	customer, err := p.app.CreateOrg(ctx, p.op, app.NewOrg{Kind: domain.OrgCustomer, Name: "Acme", PartnerID: partner.ID})
	if err != nil {
		p.t.Fatal(err)
	}
	paula := p.person(p.op, partner.ID, "paula@northwind.example", domain.RolePartnerAdmin)
	p.person(p.op, customer.ID, "carol@acme.example", domain.RoleCustomerAdmin)
	site, err = p.app.CreateSite(ctx, p.op, app.NewSite{CustomerID: customer.ID, Name: "acme-prod", Edition: domain.EditionStandard})
	if err != nil {
		p.t.Fatal(err)
	}
	res, err := p.app.RequestAccess(ctx, p.actor("paula@northwind.example"), site.ID, paula.ID, "")
	if err != nil {
		p.t.Fatal(err)
	}
	return p.browser("carol@acme.example"), res.Request, site
}

func (p *plain) requestState(id string) domain.RequestState {
	p.t.Helper()
	l, err := p.app.AccessRequests(context.Background(), p.op, domain.AccessRequestFilter{})
	if err != nil {
		p.t.Fatal(err)
	}
	for _, r := range l.Items {
		if r.ID == id {
			return r.State
		}
	}
	p.t.Fatalf("no request %s", id)
	return ""
}

// TestApprove_MalformedDaysRefused: a "days" value that is not a whole
// number of days is refused with the rule, and the request stays
// pending; it is never taken for the longest access (R-PLUS-1). The
// page offers no more days than the edition allows (R-PARTNER-2).
func TestApprove_MalformedDaysRefused(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d storetest.Dialect) {
		p := startPlain(t, d)
		carol, req, site := p.partnerRequest()
		_, page := read(t)(carol.Get(p.base + "/sites/" + site.ID))
		if !strings.Contains(page, `max="7"`) || !strings.Contains(page, "up to 7 days") && !strings.Contains(page, "the maximum, 7 days") {
			t.Fatalf("the approval form does not show the edition's 7 days")
		}
		for _, days := range []string{"abc", "1.5", "-2", "0", "2h"} {
			status, body := read(t)(carol.PostForm(p.base+"/requests/"+req.ID+"/approve", url.Values{"days": {days}}))
			if status != http.StatusOK || !strings.Contains(body, "R-PLUS-1") {
				t.Fatalf("days=%q: %d, no R-PLUS-1 refusal on the page", days, status)
			}
			if st := p.requestState(req.ID); st != domain.RequestPending {
				t.Fatalf("days=%q left the request %s", days, st)
			}
		}
		read(t)(carol.PostForm(p.base+"/requests/"+req.ID+"/approve", url.Values{"days": {"2"}}))
		if st := p.requestState(req.ID); st != domain.RequestApproved {
			t.Fatalf("days=2: request %s", st)
		}
	})
}

// TestRequestActions_OneRouteEach: only approve and deny answer a
// request; any other action is not a route and changes nothing.
func TestRequestActions_OneRouteEach(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d storetest.Dialect) {
		p := startPlain(t, d)
		carol, req, _ := p.partnerRequest()
		status, _ := read(t)(carol.PostForm(p.base+"/requests/"+req.ID+"/anything", nil))
		if status != http.StatusNotFound && status != http.StatusMethodNotAllowed {
			t.Fatalf("POST /requests/{id}/anything: %d", status)
		}
		if st := p.requestState(req.ID); st != domain.RequestPending {
			t.Fatalf("an unknown action left the request %s", st)
		}
		read(t)(carol.PostForm(p.base+"/requests/"+req.ID+"/deny", nil))
		if st := p.requestState(req.ID); st != domain.RequestDenied {
			t.Fatalf("deny: request %s", st)
		}
	})
}

// TestFlash_NotFromQueryString: no URL can put words on a real page; the
// message a form leaves travels in a cookie, shown once.
func TestFlash_NotFromQueryString(t *testing.T) {
	p := startPlain(t, storetest.SQLite)
	carol, _, site := p.partnerRequest()
	for _, path := range []string{"/signin?ok=Call+0800+HACKER&error=Call+0800+HACKER&form=signin",
		"/sites/" + site.ID + "?ok=Call+0800+HACKER&error=Call+0800+HACKER&form=users"} {
		_, body := read(t)(carol.Get(p.base + path))
		if strings.Contains(body, "HACKER") {
			t.Fatalf("%s shows text from its query string", path)
		}
	}
	_, body := read(t)(carol.PostForm(p.base+"/sites/"+site.ID+"/accountants", url.Values{"email": {"someone@mailinator.com"}}))
	if !strings.Contains(body, "R-USER-2") {
		t.Fatalf("the refusal did not follow the redirect")
	}
	if _, again := read(t)(carol.Get(p.base + "/sites/" + site.ID)); strings.Contains(again, "R-USER-2") {
		t.Fatal("the refusal is shown twice")
	}
}

// roleNameRE finds a role name or a role test in a template.
var roleNameRE = regexp.MustCompile(`\bis \$?\.Actor\b|\.IsAdmin\b|\.IsOperator\b|"(operator|partner_admin|partner_agent|customer_admin|customer_ops|customer_user|accountant)"|>(operator|partner_admin|partner_agent|customer_admin|customer_ops|customer_user)<`)

// grantLiteralRE finds a grant period written into a template.
var grantLiteralRE = regexp.MustCompile(`\b\d+ (days?|hours?)\b|max="\d+"`)

// TestTemplates_AskThePolicy: templates read what the app decided
// (.Actor.Can, the site view's .Can, its MaxGrant), never role names or
// a grant period of their own.
func TestTemplates_AskThePolicy(t *testing.T) {
	err := filepath.WalkDir("templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			if m := roleNameRE.FindString(line); m != "" {
				t.Errorf("%s:%d tests a role (%s)", path, i+1, m)
			}
			if m := grantLiteralRE.FindString(line); m != "" {
				t.Errorf("%s:%d writes a period of its own (%s)", path, i+1, m)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestInternalErrors_LoggedWithRequestID: when the database fails under a
// form post or a link page, the person reads a plain apology with the
// request id, never the cause, and the log has the cause under the same
// request id.
func TestInternalErrors_LoggedWithRequestID(t *testing.T) {
	var logs strings.Builder
	cfg := server.Config{DatabaseURL: storetest.URL(t, storetest.SQLite), App: app.DefaultConfig()}
	cfg.App.Argon2 = identity.Argon2Params{Time: 1, Memory: 1024, Threads: 1}
	s, err := server.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(&syncWriter{w: &logs}, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	defer hs.Close()
	s.Close() // the database goes away under the running handler
	for _, path := range []string{"/invitations/inv_x", "/password-resets/rst_x", "/signin"} {
		resp, err := http.PostForm(hs.URL+path, url.Values{"password": {"long enough password"}, "email": {"a@b.example"}})
		status, body := read(t)(resp, err)
		id := resp.Header.Get("X-Request-Id")
		if status != http.StatusInternalServerError || id == "" || !strings.Contains(body, "request "+id) {
			t.Fatalf("POST %s: %d, request id %q not on the page", path, status, id)
		}
		if strings.Contains(body, "closed") {
			t.Fatalf("POST %s shows the cause", path)
		}
		if !strings.Contains(logs.String(), "request_id="+id) || !strings.Contains(logs.String(), "closed") {
			t.Fatalf("POST %s: no log line with the cause under request %s:\n%s", path, id, logs.String())
		}
	}
}

// syncWriter lets the server's goroutines log into one builder.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// TestMFAPending_OnlyTheAccountPage: a partner user who signed in with a
// password only must enrol a second factor first (R-PLUS-3). The app
// refuses everything else; the pages send the person to the account page,
// where enrolment works.
func TestMFAPending_OnlyTheAccountPage(t *testing.T) {
	p, paula := enrollingPartner(t)
	for _, path := range []string{"/", "/sites", "/orgs", "/requests"} {
		resp, err := paula.Get(p.base + path)
		_, body := read(t)(resp, err)
		if resp.Request.URL.Path != "/account" || !strings.Contains(body, "authenticator") {
			t.Fatalf("GET %s as an enrolling session ended at %s", path, resp.Request.URL)
		}
	}
	_, body := read(t)(paula.PostForm(p.base+"/account/mfa-start", nil))
	if !strings.Contains(body, "data:image/png;base64,") {
		t.Fatal("enrolment did not start for the enrolling session")
	}
}

// TestSafeNext_NoOpenRedirect: after sign-in, and after inviting a user,
// the portal redirects only to its own paths; the usual bypasses (tab,
// backslash, encoded slashes, "//", "/\", userinfo, schemes) land on "/".
func TestSafeNext_NoOpenRedirect(t *testing.T) {
	p := startPlain(t, storetest.SQLite)
	customer, err := p.app.CreateOrg(context.Background(), p.op, app.NewOrg{Kind: domain.OrgCustomer, Name: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	p.person(p.op, customer.ID, "carol@acme.example", domain.RoleCustomerAdmin)
	carol := p.browser("carol@acme.example")
	noFollow := func(c *http.Client) *http.Client {
		return &http.Client{Jar: c.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	bad := []string{"//evil.example", "/\\evil.example", "\\\\evil.example", "/%09/evil.example", "/\t/evil.example",
		"/%5Cevil.example", "/%2F%2Fevil.example", "/%2f/evil.example", "https://evil.example", "http:evil.example",
		"//user@evil.example", "https://carol@evil.example/", "javascript:alert(1)", " /evil", "/%0d%0aSet-Cookie:x=y",
		"evil.example", "/ /evil.example"}
	for i, next := range bad {
		resp, err := noFollow(&http.Client{}).PostForm(p.base+"/signin", url.Values{"email": {"carol@acme.example"},
			"password": {password}, "next": {next}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); loc != "/" {
			t.Errorf("sign-in with next=%q redirects to %q", next, loc)
		}
		resp, err = noFollow(carol).PostForm(p.base+"/users", url.Values{"org_id": {customer.ID}, "name": {"Some Person"},
			"email": {fmt.Sprintf("person%d@acme.example", i)}, "role": {"customer_user"}, "back": {next}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); loc != "/" {
			t.Errorf("inviting with back=%q redirects to %q", next, loc)
		}
	}
	resp, err := noFollow(&http.Client{}).PostForm(p.base+"/signin", url.Values{"email": {"carol@acme.example"},
		"password": {password}, "next": {"/sites?state=ready"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); loc != "/sites?state=ready" {
		t.Errorf("a path of the portal is kept: %q", loc)
	}
}

// TestPartnerLink_PartnerAccepts: a customer's administrator asks a
// partner to become its partner of record; the partner's administrator
// sees the request on the organisations page and accepts it, and only then
// is the customer linked.
func TestPartnerLink_PartnerAccepts(t *testing.T) {
	p := startPlain(t, storetest.SQLite)
	ctx := context.Background()
	partner, err := p.app.CreateOrg(ctx, p.op, app.NewOrg{Kind: domain.OrgPartner, Name: "Northwind Partners"})
	if err != nil {
		t.Fatal(err)
	}
	customer, err := p.app.CreateOrg(ctx, p.op, app.NewOrg{Kind: domain.OrgCustomer, Name: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	p.person(p.op, partner.ID, "paula@northwind.example", domain.RolePartnerAdmin)
	p.person(p.op, customer.ID, "carol@acme.example", domain.RoleCustomerAdmin)
	if _, err := p.app.SetPartner(ctx, p.actor("carol@acme.example"), customer.ID, partner.ID); err != nil {
		t.Fatal(err)
	}
	if c, _ := p.app.Org(ctx, p.op, customer.ID); c.PartnerID != "" {
		t.Fatal("linked before the partner accepted")
	}
	paula := p.browser("paula@northwind.example")
	_, page := read(t)(paula.Get(p.base + "/orgs"))
	if !strings.Contains(page, "<strong>Acme</strong> asks your organisation to become its partner of record") {
		t.Fatal("the request is not on the partner's organisations page")
	}
	_, page = read(t)(paula.PostForm(p.base+"/orgs/link-requests/"+customer.ID+"/accept", nil))
	if !strings.Contains(page, "You are now the partner of record of Acme") {
		t.Fatal("no confirmation after accepting")
	}
	if c, _ := p.app.Org(ctx, p.op, customer.ID); c.PartnerID != partner.ID {
		t.Fatalf("after accepting, the partner is %q", c.PartnerID)
	}
}

// TestForgotPassword_WebPage: the sign-in page links to a page that mails
// a reset link; the answer reads the same for an unknown address.
func TestForgotPassword_WebPage(t *testing.T) {
	p := startPlain(t, storetest.SQLite)
	customer, err := p.app.CreateOrg(context.Background(), p.op, app.NewOrg{Kind: domain.OrgCustomer, Name: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	p.person(p.op, customer.ID, "carol@acme.example", domain.RoleCustomerAdmin)
	if _, page := read(t)(http.Get(p.base + "/signin")); !strings.Contains(page, `href="/password-resets"`) {
		t.Fatal("the sign-in page has no link to reset a password")
	}
	answer := func(email string) string {
		status, page := read(t)(http.PostForm(p.base+"/password-resets", url.Values{"email": {email}}))
		if status != http.StatusOK {
			t.Fatalf("%s: %d", email, status)
		}
		return strings.ReplaceAll(page, email, "EMAIL")
	}
	known, unknown := answer("carol@acme.example"), answer("nobody@acme.example")
	if known != unknown || !strings.Contains(known, "a link to choose a new password is on its way") {
		t.Fatal("the answers differ, or say nothing")
	}
	if !strings.Contains(p.lastMail("carol@acme.example", domain.NoticePasswordReset), "/password-resets/") {
		t.Fatal("no reset link was mailed")
	}
}

// TestMFAEnrolment_WrongFirstCodeKeepsTheSecret: a wrong first code is
// refused next to the same enrolment (same secret, same QR code), and the
// right code then enrols; the account page then shows the enrolment and
// makes new recovery codes (R-PLUS-3).
func TestMFAEnrolment_WrongFirstCodeKeepsTheSecret(t *testing.T) {
	p, paula := enrollingPartner(t)
	secretRE := regexp.MustCompile(`type the secret <code>([A-Z2-7]+)</code>`)
	_, page := read(t)(paula.PostForm(p.base+"/account/mfa-start", nil))
	m := secretRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no secret on the enrolment page")
	}
	right, err := totp.GenerateCode(m[1], time.Now())
	if err != nil {
		t.Fatal(err)
	}
	wrong := fmt.Sprintf("%06d", (atoi(right)+500000)%1000000)
	_, page = read(t)(paula.PostForm(p.base+"/account/mfa-confirm", url.Values{"code": {wrong}}))
	if again := secretRE.FindStringSubmatch(page); again == nil || again[1] != m[1] || !strings.Contains(page, "does not match") {
		t.Fatalf("after a wrong code the enrolment changed or said nothing")
	}
	if !strings.Contains(page, `src="data:image/png;base64,`) {
		t.Fatal("the QR code does not render")
	}
	_, page = read(t)(paula.PostForm(p.base+"/account/mfa-confirm", url.Values{"code": {right}}))
	if !strings.Contains(page, "recovery codes") {
		t.Fatal("the right code did not enrol")
	}

	// Enrolled: the account page says so and makes new recovery codes
	// from a fresh code (the one just used works once).
	if _, page = read(t)(paula.Get(p.base + "/account")); !strings.Contains(page, `id="mfa-status"`) || !strings.Contains(page, "enrolled") {
		t.Fatal("the account page does not show the enrolment")
	}
	if _, page = read(t)(paula.PostForm(p.base+"/account/mfa-codes", url.Values{"code": {right}})); !strings.Contains(page, "does not match") {
		t.Fatal("a used code made new recovery codes")
	}
	next, _ := totp.GenerateCode(m[1], time.Now().Add(30*time.Second))
	_, page = read(t)(paula.PostForm(p.base+"/account/mfa-codes", url.Values{"code": {next}}))
	codes := regexp.MustCompile(`(?s)New recovery codes made.*?<pre class="mail">(.*?)</pre>`).FindStringSubmatch(page)
	if codes == nil || len(strings.Fields(codes[1])) != 10 {
		t.Fatal("no new recovery codes")
	}
}

func atoi(s string) int {
	n := 0
	for _, r := range s {
		n = n*10 + int(r-'0')
	}
	return n
}

// enrollingPartner starts a portal where partner users must use a second
// factor, and signs in a partner administrator who has none yet.
func enrollingPartner(t *testing.T) (*plain, *http.Client) {
	t.Helper()
	p := startPlain(t, storetest.SQLite, func(c *server.Config) { c.App.MFAFor = map[domain.UserType]bool{domain.TypePartner: true} })
	partner, err := p.app.CreateOrg(context.Background(), p.op, app.NewOrg{Kind: domain.OrgPartner, Name: "Northwind Partners"})
	if err != nil {
		t.Fatal(err)
	}
	p.person(p.op, partner.ID, "paula@northwind.example", domain.RolePartnerAdmin)
	return p, p.browser("paula@northwind.example")
}

// TestMFAEnrolment_ContinuesWhereThePersonWasGoing: a person who must
// enrol a second factor at sign-in goes on, once enrolled, to the page the
// sign-in was for (a site application's sign-in step, say). R-PLUS-3
func TestMFAEnrolment_ContinuesWhereThePersonWasGoing(t *testing.T) {
	p, _ := enrollingPartner(t)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.PostForm(p.base+"/signin", url.Values{"email": {"paula@northwind.example"}, "password": {password}, "next": {"/sites"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Request.URL.Path != "/account" || resp.Request.URL.Query().Get("next") != "/sites" {
		t.Fatalf("sign-in ended at %s", resp.Request.URL)
	}
	_, page := read(t)(c.PostForm(p.base+"/account/mfa-start", url.Values{"next": {"/sites"}}))
	m := regexp.MustCompile(`type the secret <code>([A-Z2-7]+)</code>`).FindStringSubmatch(page)
	if m == nil || !strings.Contains(page, `name="next" value="/sites"`) {
		t.Fatalf("the enrolment lost where the person was going:\n%s", page)
	}
	code, _ := totp.GenerateCode(m[1], time.Now())
	_, page = read(t)(c.PostForm(p.base+"/account/mfa-confirm", url.Values{"code": {code}, "next": {"/sites"}}))
	if !strings.Contains(page, `href="/sites" id="continue"`) {
		t.Fatalf("no Continue to /sites after enrolling:\n%s", page)
	}
}
