package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

const oidcSecret = "client-secret-never-shown"

func acmeProvider() domain.OIDCProvider {
	return domain.OIDCProvider{Issuer: "https://id.acme.example", ClientID: "provisio", ClientSecret: oidcSecret,
		AllowedDomains: []string{" ACME.example ", "acme.example"}}
}

// TestOIDCProviderSettings checks who may set up an organisation's
// identity provider, what is refused, and that the client secret is never
// returned nor recorded.
func TestOIDCProviderSettings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		a, cust := w.app, w.customer.ID
		for name, c := range map[string]struct {
			edit  func(*domain.OIDCProvider)
			field string
		}{
			"PlainHTTP":      {func(p *domain.OIDCProvider) { p.Issuer = "http://id.acme.example" }, "issuer"},
			"NotAURL":        {func(p *domain.OIDCProvider) { p.Issuer = "id.acme.example" }, "issuer"},
			"IssuerQuery":    {func(p *domain.OIDCProvider) { p.Issuer = "https://id.acme.example/?x=1" }, "issuer"},
			"NoClientID":     {func(p *domain.OIDCProvider) { p.ClientID = " " }, "client_id"},
			"NoDomains":      {func(p *domain.OIDCProvider) { p.AllowedDomains = nil }, "allowed_domains"},
			"NotADomain":     {func(p *domain.OIDCProvider) { p.AllowedDomains = []string{"@acme.example"} }, "allowed_domains"},
			"BareTopDomain":  {func(p *domain.OIDCProvider) { p.AllowedDomains = []string{"example"} }, "allowed_domains"},
			"EmptyDomainRow": {func(p *domain.OIDCProvider) { p.AllowedDomains = []string{""} }, "allowed_domains"},
		} {
			t.Run(name, func(t *testing.T) {
				p := acmeProvider()
				c.edit(&p)
				err := unchanged(t, db, func() error { _, err := a.SetOIDCProvider(w.ctx, w.cAdmin, cust, p); return err })
				wantCode(t, err, domain.EInvalid, "")
				if e := err.(*domain.Error); e.Field != c.field {
					t.Fatalf("field %q, want %q", e.Field, c.field)
				}
			})
		}
		t.Run("ErrForbidden", func(t *testing.T) {
			_, err := a.SetOIDCProvider(w.ctx, w.cOps, cust, acmeProvider())
			wantCode(t, err, domain.EForbidden, "")
			_, err = a.SetOIDCProvider(w.ctx, w.pAdmin, cust, acmeProvider()) // the partner sees the customer, not its people
			wantCode(t, err, domain.EForbidden, "")
		})
		t.Run("ErrOtherTenant", func(t *testing.T) {
			_, err := a.SetOIDCProvider(w.ctx, w.cAdmin, w.partner.ID, acmeProvider())
			wantCode(t, err, domain.ENotFound, "R-ORG-1")
			t2 := w.secondTenant()
			_, err = a.SetOIDCProvider(w.ctx, t2.cAdmin, cust, acmeProvider())
			wantCode(t, err, domain.ENotFound, "R-ORG-1")
			_, err = a.OIDCProvider(w.ctx, t2.cAdmin, cust)
			wantCode(t, err, domain.ENotFound, "R-ORG-1")
		})
		t.Run("OK", func(t *testing.T) {
			_, err := a.OIDCProvider(w.ctx, w.cAdmin, cust)
			wantCode(t, err, domain.ENotFound, "")
			seq := auditHead(t, db)
			p, err := a.SetOIDCProvider(w.ctx, w.cAdmin, cust, acmeProvider())
			if err != nil {
				t.Fatal(err)
			}
			if p.ClientSecret != "" || !p.SecretSet || len(p.AllowedDomains) != 1 || p.AllowedDomains[0] != "acme.example" {
				t.Fatalf("set: %+v", p)
			}
			// An empty secret keeps the stored one; the operator may change it.
			upd := acmeProvider()
			upd.ClientSecret, upd.AllowedDomains = "", []string{"acme.example", "acme-labs.example"}
			if _, err := a.SetOIDCProvider(w.ctx, w.op, cust, upd); err != nil {
				t.Fatal(err)
			}
			got, err := a.OIDCProvider(w.ctx, w.cAdmin, cust)
			if err != nil || got.ClientSecret != "" || !got.SecretSet || len(got.AllowedDomains) != 2 {
				t.Fatalf("read: %+v %v", got, err)
			}
			_, _, _, full, err := a.StartOIDC(w.ctx, cust)
			if err != nil || full.ClientSecret != oidcSecret {
				t.Fatalf("the secret was not kept: %v", err)
			}
			es := w.auditAfter(seq)
			if got := strings.Join(actions(es), " "); got != "oidc_provider.set oidc_provider.set" {
				t.Fatalf("audit: %s", got)
			}
			for _, e := range es {
				if strings.Contains(string(e.Before)+string(e.After), oidcSecret) {
					t.Fatalf("the activity log holds the client secret: %s", e.After)
				}
			}
			if _, err := a.OIDCProvider(w.ctx, w.cOps, cust); domain.ErrorCode(err) != domain.EForbidden {
				t.Fatalf("an operations agent reads the set-up: %v", err)
			}
		})
	})
}

// TestOIDCState checks that a started sign-in finishes once, before it
// expires, and that unknown states are refused.
func TestOIDCState(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		a := w.app
		_, _, _, _, err := a.StartOIDC(w.ctx, w.customer.ID)
		wantCode(t, err, domain.ENotFound, "")
		must(t, of(a.SetOIDCProvider(w.ctx, w.cAdmin, w.customer.ID, acmeProvider())))

		state, nonce, verifier, _, err := a.StartOIDC(w.ctx, w.customer.ID)
		if err != nil || state == "" || nonce == "" || len(verifier) < 43 {
			t.Fatalf("start: %q %q %q %v", state, nonce, verifier, err)
		}
		org, n, v, cfg, err := a.FinishOIDC(w.ctx, state)
		if err != nil || org != w.customer.ID || n != nonce || v != verifier || cfg.ClientID != "provisio" {
			t.Fatalf("finish: %s %s %s %+v %v", org, n, v, cfg, err)
		}
		t.Run("ErrReused", func(t *testing.T) {
			_, _, _, _, err := a.FinishOIDC(w.ctx, state)
			wantCode(t, err, domain.EUnauthorized, "")
		})
		t.Run("ErrUnknown", func(t *testing.T) {
			for _, s := range []string{"", "ost_unknown", nonce} {
				_, _, _, _, err := a.FinishOIDC(w.ctx, s)
				wantCode(t, err, domain.EUnauthorized, "")
			}
		})
		t.Run("ErrExpired", func(t *testing.T) {
			late, _, _, _, err := a.StartOIDC(w.ctx, w.customer.ID)
			if err != nil {
				t.Fatal(err)
			}
			w.clock.Add(11 * time.Minute)
			_, _, _, _, err = a.FinishOIDC(w.ctx, late)
			wantCode(t, err, domain.EUnauthorized, "")
		})
	})
}

// TestOIDCSignIn checks who the identity provider may sign in: an invited
// user registers (R-USER-4), an active one signs in, and every refusal
// answers alike while the activity log keeps its reason.
func TestOIDCSignIn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		a, cust := w.app, w.customer.ID
		must(t, of(a.SetOIDCProvider(w.ctx, w.cAdmin, cust, acmeProvider())))
		must(t, of(a.VerifySSODomain(w.ctx, w.op, cust, "acme.example"))) // an operator proves the domain
		ivy := w.invite(w.cAdmin, cust, "ivy.invited@acme.example", domain.RoleCustomerUser)

		t.Run("OK", func(t *testing.T) {
			seq := auditHead(t, db)
			res, err := a.OIDCSignIn(w.ctx, cust, " Ivy.Invited@ACME.example", true, "127.0.0.1", "test")
			if err != nil {
				t.Fatal(err)
			}
			if res.User.ID != ivy.ID || res.Session.Via != "oidc" || !res.Session.MFAOK || res.EnrolMFA {
				t.Fatalf("session: %+v %+v", res.User, res.Session)
			}
			if got := w.user(ivy.ID); got.State != domain.UserActive || !got.InviteExpiresAt.IsZero() {
				t.Fatalf("not registered: %+v", got)
			}
			es := w.auditAfter(seq)
			if got := strings.Join(actions(es), " "); got != "user.register signin.success session.create" {
				t.Fatalf("audit: %s", got)
			}
			if !strings.Contains(string(es[0].After), `"via":"oidc"`) || es[0].ActorID != ivy.ID {
				t.Fatalf("register entry: %+v", es[0])
			}
			if _, _, err := a.SessionActor(w.ctx, res.Token, "127.0.0.1"); err != nil {
				t.Fatalf("the session does not work: %v", err)
			}
			// The invitation link no longer registers anyone.
			if _, err := a.AcceptInvitation(w.ctx, "127.0.0.1", w.lastLink(ivy.Email, "invitations"), testPassword); err == nil {
				t.Fatal("the invitation still works after registering at the provider")
			}
			// An active user signs in again.
			if _, err := a.OIDCSignIn(w.ctx, cust, ivy.Email, true, "127.0.0.1", "test"); err != nil {
				t.Fatal(err)
			}
		})

		locked := w.activeUser(w.cAdmin, cust, "lou.locked@acme.example", domain.RoleCustomerUser)
		must(t, of(a.LockUser(w.ctx, w.cAdmin, locked.ID)))
		late := w.invite(w.cAdmin, cust, "lee.late@acme.example", domain.RoleCustomerUser)
		t2 := w.secondTenant()
		w.invite(t2.cAdmin, t2.customer.ID, "cass@acme.example", domain.RoleCustomerUser) // another tenant's user at the domain
		w.clock.Add(8 * 24 * time.Hour)                                                   // lee's invitation expires
		pending := w.invite(w.cAdmin, cust, "pat.pending@acme.example", domain.RoleCustomerUser)
		for _, c := range []struct {
			name, org, email string
			verified         bool
			reason           string
		}{
			{"ErrUnverified", cust, pending.Email, false, "email not verified at the provider"},
			{"ErrDomain", cust, "pat.pending@elsewhere.example", true, "email domain not allowed for this provider"},
			{"ErrUnknown", cust, "nobody@acme.example", true, "unknown account"},
			{"ErrLocked", cust, locked.Email, true, "account locked"},
			{"ErrExpiredInvitation", cust, late.Email, true, "invitation expired"},
			{"ErrOtherTenant", cust, "cass@acme.example", true, "account belongs to another organisation"},
			{"ErrNoProvider", t2.customer.ID, t2.cUser.Email, true, "organisation has no identity provider"},
		} {
			t.Run(c.name, func(t *testing.T) {
				seq := auditHead(t, db)
				_, err := a.OIDCSignIn(w.ctx, c.org, c.email, c.verified, "127.0.0.1", "test")
				wantCode(t, err, domain.EUnauthorized, "")
				if !strings.Contains(err.Error(), "cannot sign in here through the identity provider") {
					t.Fatalf("message: %v", err)
				}
				es := w.auditAfter(seq)
				if len(es) != 1 || es[0].Action != "signin.failure" || !strings.Contains(string(es[0].After), c.reason) {
					t.Fatalf("audit: %+v", es)
				}
			})
		}
		for _, u := range []*domain.User{pending, late} {
			if got := w.user(u.ID); got.State != domain.UserInvited {
				t.Fatalf("%s: state %s after a refused sign-in", u.Email, got.State)
			}
		}
		if got := w.user(locked.ID); got.State != domain.UserLocked {
			t.Fatalf("locked user is %s", got.State)
		}
	})
}
