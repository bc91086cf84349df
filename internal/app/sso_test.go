package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestSingleSignOn: the sign-in page finds the organisation by the email's
// domain, the same answer for any address there. R-PLUS-3
func TestSingleSignOn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		if _, err := w.app.SingleSignOn(w.ctx, "someone@acme.example"); domain.ErrorCode(err) != domain.ENotFound {
			t.Fatalf("before any provider: %v", err)
		}
		must(t, of(w.app.SetOIDCProvider(w.ctx, w.cAdmin, w.customer.ID, domain.OIDCProvider{Issuer: "https://id.acme.example",
			ClientID: "provisio", ClientSecret: "s3cret", AllowedDomains: []string{"acme.example", "acme-group.example"}})))
		// Claimed, not yet proven: the sign-in page does not use it.
		if _, err := w.app.SingleSignOn(w.ctx, "someone@acme.example"); domain.ErrorCode(err) != domain.ENotFound {
			t.Fatalf("an unproven domain was used: %v", err)
		}
		for _, d := range []string{"acme.example", "acme-group.example"} {
			must(t, of(w.app.VerifySSODomain(w.ctx, w.op, w.customer.ID, d)))
		}
		for _, email := range []string{"Carol.Admin@ACME.example", "nobody@acme-group.example"} {
			if org, err := w.app.SingleSignOn(w.ctx, email); err != nil || org != w.customer.ID {
				t.Fatalf("%s: %q %v", email, org, err)
			}
		}
		if _, err := w.app.SingleSignOn(w.ctx, "someone@example.org"); domain.ErrorCode(err) != domain.ENotFound {
			t.Fatalf("another domain: %v", err)
		}
		if _, err := w.app.SingleSignOn(w.ctx, "not an email"); domain.ErrorCode(err) != domain.ENotFound {
			t.Fatalf("not an email: %v", err)
		}
		// Domains match exactly: LIKE wildcards in the caller's text find
		// nothing.
		for _, email := range []string{"x@%", "x@%.example", "x@acme_example", "x@_cme.example", `x@acme\.example`} {
			if _, err := w.app.SingleSignOn(w.ctx, email); domain.ErrorCode(err) != domain.ENotFound {
				t.Fatalf("%s found an organisation: %v", email, err)
			}
		}
	})
}

// TestSSODomains_ClaimedOnceAndProven: an email domain is claimed for
// single sign-on by one organisation at most (another's claim is refused
// without naming it), and counts only once proven: by the DNS TXT record
// the organisation publishes, or by an operator's approval; an
// organisation's own administrator cannot approve it otherwise. Until
// then, the provider's sign-ins at that domain are refused.
func TestSSODomains_ClaimedOnceAndProven(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		t2 := w.secondTenant()
		p := domain.OIDCProvider{Issuer: "https://id.acme.example", ClientID: "provisio", AllowedDomains: []string{"acme.example"}}
		must(t, of(w.app.SetOIDCProvider(w.ctx, w.cAdmin, w.customer.ID, p)))
		// The other tenant cannot take the domain, nor learn who holds it.
		_, err := w.app.SetOIDCProvider(w.ctx, t2.cAdmin, t2.customer.ID, p)
		wantCode(t, err, domain.EConflict, "R-PLUS-3")
		if strings.Contains(err.Error(), w.customer.Name) || strings.Contains(err.Error(), w.customer.ID) {
			t.Fatalf("the refusal names the holder: %v", err)
		}
		// Unproven, the provider cannot sign anyone in at the domain.
		ivy := w.invite(w.cAdmin, w.customer.ID, "ivy.invited@acme.example", domain.RoleCustomerUser)
		_, err = w.app.OIDCSignIn(w.ctx, w.customer.ID, ivy.Email, true, "127.0.0.1", "test")
		wantCode(t, err, domain.EUnauthorized, "")
		// The administrator proves it by DNS: not published yet, then published.
		doms := must(t, of(w.app.SSODomains(w.ctx, w.cAdmin, w.customer.ID)))
		if len(doms) != 1 || doms[0].Verified() {
			t.Fatalf("claims: %+v", doms)
		}
		published := map[string][]string{}
		w.app.SetTXTLookup(func(_ context.Context, name string) ([]string, error) { return published[name], nil })
		_, err = w.app.VerifySSODomain(w.ctx, w.cAdmin, w.customer.ID, "acme.example")
		wantCode(t, err, domain.ERule, "R-PLUS-3")
		published[doms[0].TXTName()] = []string{"v=spf1 -all", doms[0].TXTValue()}
		if d := must(t, of(w.app.VerifySSODomain(w.ctx, w.cAdmin, w.customer.ID, "acme.example"))); d.VerifiedBy != "dns" {
			t.Fatalf("proved by %q", d.VerifiedBy)
		}
		if _, err := w.app.OIDCSignIn(w.ctx, w.customer.ID, ivy.Email, true, "127.0.0.1", "test"); err != nil {
			t.Fatalf("a proven domain: %v", err)
		}
		// Dropping a domain from the provider releases the claim.
		p.AllowedDomains = []string{"acme-group.example"}
		must(t, of(w.app.SetOIDCProvider(w.ctx, w.cAdmin, w.customer.ID, p)))
		must(t, of(w.app.SetOIDCProvider(w.ctx, t2.cAdmin, t2.customer.ID,
			domain.OIDCProvider{Issuer: "https://id.beta.example", ClientID: "provisio", AllowedDomains: []string{"acme.example"}})))
	})
}
