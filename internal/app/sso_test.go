package app_test

import (
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
