package directory_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/provisio/provisio/internal/directory"
	"github.com/provisio/provisio/internal/directory/ldaptest"
)

// R-APP-3: against a real OpenLDAP with ppolicy, an account is created
// with a password that must be changed at first use, creating it again
// gives it the new password (a retry after a crash), and disabling it
// stops its sign-in; Explain says what is wrong in plain words.
func TestOpenLDAPAccounts(t *testing.T) {
	srv := ldaptest.Start(t)
	ctx := context.Background()
	c, err := directory.Dial(ctx, srv.Config())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Check(); err != nil {
		t.Fatal(err)
	}
	uma := directory.Account{Login: "uma@acme.example", Name: "Uma User", Email: "uma@acme.example"}
	dn, err := c.Ensure(uma, "first-One-time-pw1")
	if err != nil {
		t.Fatal(err)
	}
	if dn != "uid=uma@acme.example,"+ldaptest.PeopleDN {
		t.Fatalf("dn %s", dn)
	}
	es := srv.Entries()
	if len(es) != 1 || !es[0].Reset || es[0].Attrs["mail"][0] != "uma@acme.example" || es[0].Attrs["cn"][0] != "Uma User" ||
		es[0].Attrs["sn"][0] != "User" {
		t.Fatalf("entries: %+v", es)
	}
	if err := srv.BindAs(dn, "first-One-time-pw1"); !errors.Is(err, ldaptest.ErrMustChange) {
		t.Fatalf("bind with the one-time password: %v", err)
	}
	if _, err := c.Ensure(uma, "second-One-time-pw2"); err != nil {
		t.Fatalf("ensure again: %v", err)
	}
	if es := srv.Entries(); len(es) != 1 {
		t.Fatalf("ensure again made %d entries", len(es))
	}
	if err := srv.BindAs(dn, "first-One-time-pw1"); err == nil || errors.Is(err, ldaptest.ErrMustChange) {
		t.Fatalf("the old password still works: %v", err)
	}
	if err := srv.BindAs(dn, "second-One-time-pw2"); !errors.Is(err, ldaptest.ErrMustChange) {
		t.Fatalf("bind with the new one-time password: %v", err)
	}
	if err := c.Disable(dn); err != nil {
		t.Fatal(err)
	}
	if err := srv.BindAs(dn, "second-One-time-pw2"); err == nil || errors.Is(err, ldaptest.ErrMustChange) {
		t.Fatalf("a disabled account signs in: %v", err)
	}
	if err := c.Disable("uid=nobody," + ldaptest.PeopleDN); err != nil {
		t.Fatalf("disabling an account that is gone: %v", err)
	}
	// Enabled again: a fresh one-time password, the lock lifted.
	if _, err := c.Ensure(uma, "third-One-time-pw3"); err != nil {
		t.Fatal(err)
	}
	if err := srv.BindAs(dn, "third-One-time-pw3"); !errors.Is(err, ldaptest.ErrMustChange) {
		t.Fatalf("re-enabled account: %v", err)
	}

	bad := srv.Config()
	bad.BindPassword = "wrong"
	if _, err := directory.Dial(ctx, bad); !strings.Contains(directory.Explain(err), "refused the bind DN or its password") {
		t.Fatalf("wrong password: %v / %s", err, directory.Explain(err))
	}
	bad = srv.Config()
	bad.BaseDN = "ou=nowhere," + ldaptest.Suffix
	c2, err := directory.Dial(ctx, bad)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if err := c2.Check(); !strings.Contains(directory.Explain(err), "base DN does not exist") {
		t.Fatalf("missing base: %s", directory.Explain(err))
	}
	srv.Stop()
	if _, err := directory.Dial(ctx, srv.Config()); !strings.Contains(directory.Explain(err), "cannot be reached") {
		t.Fatalf("directory down: %s", directory.Explain(err))
	}
}

// The settings are checked before use: a password never crosses the
// network in clear, and the URL, kind and DNs must make sense.
func TestConfigValidate(t *testing.T) {
	ok := directory.Config{URL: "ldaps://ldap.acme.example", BindDN: "cn=admin,dc=acme", BindPassword: "x",
		BaseDN: "ou=people,dc=acme", Flavor: directory.OpenLDAP}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		change func(*directory.Config)
		want   string
	}{
		"clear":     {func(c *directory.Config) { c.URL = "ldap://ldap.acme.example" }, "in clear"},
		"scheme":    {func(c *directory.Config) { c.URL = "http://ldap.acme.example" }, "must be ldap://"},
		"flavor":    {func(c *directory.Config) { c.Flavor = "novell" }, "kind must be"},
		"bind":      {func(c *directory.Config) { c.BindPassword = "" }, "bind DN and its password"},
		"base":      {func(c *directory.Config) { c.BaseDN = "not a dn" }, "not a DN"},
		"adClear":   {func(c *directory.Config) { c.URL, c.Flavor = "ldap://127.0.0.1", directory.ActiveDirectory }, "TLS only"},
		"caNotPEM":  {func(c *directory.Config) { c.CAPEM = "hello" }, "not PEM"},
		"emptyBase": {func(c *directory.Config) { c.BaseDN = " " }, "base DN"},
	} {
		c := ok
		tc.change(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", name, err, tc.want)
		}
	}
	loop := ok
	loop.URL = "ldap://127.0.0.1:3389"
	if err := loop.Validate(); err != nil {
		t.Fatalf("loopback without TLS: %v", err)
	}
}
