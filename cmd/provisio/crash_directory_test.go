package main_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/provisio/provisio/internal/directory/ldaptest"
	"github.com/provisio/provisio/internal/mail/mailtest"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestCrash_DirectoryAccount: a user is assigned to a professional site
// while its directory is down; the server, having chosen the one-time
// password, retries, and is killed with SIGKILL before the account
// exists. The directory comes back and the server restarts: the account
// is created exactly once, with the password chosen before, which the
// user then sees once and which the directory says must be changed.
// Removing the user disables the account through the running queue
// (R-APP-3).
func TestCrash_DirectoryAccount(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary")
	}
	ldap := ldaptest.Start(t)
	bin := build(t)
	storetest.EachDialect(t, func(t *testing.T, d store.Dialect) {
		crashDirectory(t, bin, d, ldap)
	})
}

var linkRE = regexp.MustCompile(`/invitations/([A-Za-z0-9_-]+)`)

func crashDirectory(t *testing.T, bin string, d store.Dialect, ldap *ldaptest.Server) {
	dbURL := storetest.URL(t, d)
	smtpAddr, addr := freePort(t), freePort(t)
	sink := mailtest.Start(t, smtpAddr)
	link := bootstrap(t, bin, dbURL, addr)
	p := serve(t, bin, dbURL, addr, smtpAddr)
	register := func(email, token string) string {
		p.call("POST", "/invitations/accept", "", map[string]string{"token": token, "password": "a long enough password"}, nil)
		var tok struct{ Token string }
		p.call("POST", "/tokens", "", map[string]string{"email": email, "password": "a long enough password"}, &tok)
		return tok.Token
	}
	invitation := func(email string) string {
		msgs, ok := sink.Wait(20*time.Second, func(ms []mailtest.Message) bool {
			for _, m := range ms {
				if m.To[0] == email && linkRE.MatchString(m.Text()) {
					return true
				}
			}
			return false
		})
		if !ok {
			t.Fatalf("no invitation for %s", email)
		}
		for _, m := range msgs {
			if m.To[0] == email {
				if l := linkRE.FindStringSubmatch(m.Text()); l != nil {
					return l[1]
				}
			}
		}
		return ""
	}
	op := register("olivia@vendor.example", link[strings.LastIndex(link, "/")+1:])

	var org, site struct{ ID string }
	p.call("POST", "/orgs", op, map[string]any{"kind": "customer", "name": "Acme"}, &org)
	p.call("POST", "/sites", op, map[string]any{"customer_id": org.ID, "name": "acme-pro", "edition": "professional"}, &site)
	cfg := ldap.Config()
	p.call("PUT", "/sites/"+site.ID+"/directory", op, map[string]any{"url": cfg.URL, "bind_dn": cfg.BindDN,
		"bind_password": cfg.BindPassword, "base_dn": cfg.BaseDN, "kind": "openldap"}, nil)
	var carol, uma struct{ User struct{ ID string } }
	p.call("POST", "/users", op, map[string]any{"org_id": org.ID, "email": "carol@acme.example", "name": "Carol Admin",
		"roles": []string{"customer_admin"}}, &carol)
	admin := register("carol@acme.example", invitation("carol@acme.example"))
	p.call("POST", "/users", admin, map[string]any{"org_id": org.ID, "email": "uma@acme.example", "name": "Uma User",
		"roles": []string{"customer_user"}}, &uma)
	umaToken := register("uma@acme.example", invitation("uma@acme.example"))

	// The directory is down; the assignment commits and the server tries.
	ldap.Stop()
	p.call("POST", "/sites/"+site.ID+"/users", admin, map[string]any{"user_id": uma.User.ID}, nil)
	db := openDB(t, dbURL)
	state := func() (st string, attempts int) {
		_ = db.SQL().QueryRow(`SELECT state, attempts FROM directory_accounts WHERE user_id = $1`, uma.User.ID).Scan(&st, &attempts)
		return st, attempts
	}
	waitFor(t, "a failed attempt", func() bool { st, n := state(); return st == "creating" && n >= 1 })
	p.kill()

	// The directory is back; so is the server.
	ldap.Restart()
	p = serve(t, bin, dbURL, addr, smtpAddr)
	waitFor(t, "the account", func() bool { st, _ := state(); return st == "active" })
	time.Sleep(time.Second) // more sweeps: still one account, one notice
	var entries []ldaptest.Entry
	for _, e := range ldap.Entries() {
		if strings.HasPrefix(e.DN, "uid=uma@acme.example,") {
			entries = append(entries, e)
		}
	}
	if len(entries) != 1 || !entries[0].Reset {
		t.Fatalf("entries for uma: %+v", entries)
	}
	var created, told int
	_ = db.SQL().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'directory.account_created'`).Scan(&created)
	_ = db.SQL().QueryRow(`SELECT COUNT(*) FROM notices WHERE kind = 'directory_account_ready'`).Scan(&told)
	if created != 1 || told != 1 {
		t.Fatalf("%d accounts created and %d notices", created, told)
	}
	var shown struct{ Password, DN string }
	p.call("POST", "/me/directory-accounts/"+site.ID+"/password", umaToken, nil, &shown)
	if err := ldap.BindAs(shown.DN, shown.Password); !errors.Is(err, ldaptest.ErrMustChange) {
		t.Fatalf("bind with the password shown: %v", err)
	}
	// Secrets are sealed at rest.
	var bindPW string
	if err := db.SQL().QueryRow(`SELECT bind_password FROM site_directories`).Scan(&bindPW); err != nil ||
		!strings.HasPrefix(bindPW, "sealed:") || strings.Contains(bindPW, cfg.BindPassword) {
		t.Fatalf("bind password stored as %q (%v)", bindPW, err)
	}

	// Removal disables the account through the running queue.
	p.call("DELETE", "/sites/"+site.ID+"/users/"+uma.User.ID, admin, nil, nil)
	waitFor(t, "the account disabled", func() bool { st, _ := state(); return st == "disabled" })
	if err := ldap.BindAs(shown.DN, shown.Password); err == nil || errors.Is(err, ldaptest.ErrMustChange) {
		t.Fatalf("a removed user binds: %v", err)
	}
	p.kill()
	// The next dialect starts from the same directory: clear uma's entry.
	ldap.Delete("uid=uma@acme.example," + ldaptest.PeopleDN)
}

func openDB(t *testing.T, url string) *store.DB {
	t.Helper()
	db, err := store.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(45 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if ok() {
			return
		}
	}
	t.Fatalf("waited in vain for %s", what)
}
