package api

import (
	"context"
	"strings"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
)

// OIDCProvider is an organisation's OpenID Connect identity provider. Its
// client secret is write-only: never returned.
type OIDCProvider struct {
	Issuer          string    `json:"issuer" doc:"the provider's issuer URL" example:"https://login.microsoftonline.com/4f1c9a7e-2b3d-4e5f-8a9b-0c1d2e3f4a5b/v2.0"`
	ClientID        string    `json:"client_id" doc:"Provisio's client id at the provider" example:"7d2e9c41-5b8a-4f36-a1e0-3c9b8d7f6e25"`
	ClientSecretSet bool      `json:"client_secret_set" doc:"a client secret is stored" example:"true"`
	AllowedDomains  []string  `json:"allowed_domains" doc:"only users with an email at one of these domains may sign in there" example:"[\"harbour-dental.example\"]"`
	SignInURL       string    `json:"sign_in_url" doc:"where the organisation's users start signing in" example:"https://provisio.example/auth/oidc/org_01kjyvahs0jdypew7da395kjeb/start"`
	CreatedAt       time.Time `json:"created_at" doc:"when the provider was first set up" example:"2026-03-02T09:15:00Z"`
}

func (s *Server) oidcOut(p *domain.OIDCProvider) OIDCProvider {
	return OIDCProvider{Issuer: p.Issuer, ClientID: p.ClientID, ClientSecretSet: p.SecretSet, AllowedDomains: p.AllowedDomains,
		SignInURL: strings.TrimSuffix(s.app.Config().BaseURL, "/") + "/auth/oidc/" + p.OrgID + "/start", CreatedAt: p.CreatedAt}
}

type setOIDCIn struct {
	ID   string `path:"id"`
	Body struct {
		Issuer         string   `json:"issuer" doc:"the provider's issuer URL (https://; http:// only on loopback)" example:"https://login.microsoftonline.com/4f1c9a7e-2b3d-4e5f-8a9b-0c1d2e3f4a5b/v2.0"`
		ClientID       string   `json:"client_id" doc:"the client id the provider gave Provisio" example:"7d2e9c41-5b8a-4f36-a1e0-3c9b8d7f6e25"`
		ClientSecret   string   `json:"client_secret,omitempty" doc:"empty keeps the stored secret; none for a public client" example:"Qx8~kT2.vN5-rW9_mZ3bL7pH1sD4fG6jC0aY"`
		AllowedDomains []string `json:"allowed_domains" doc:"email domains whose users may sign in there, e.g. example.com" example:"[\"harbour-dental.example\"]"`
	}
}

func (s *Server) setOIDCProvider(ctx context.Context, act app.Actor, in *setOIDCIn) (*body[OIDCProvider], error) {
	p, err := s.app.SetOIDCProvider(ctx, act, in.ID, domain.OIDCProvider{Issuer: in.Body.Issuer, ClientID: in.Body.ClientID,
		ClientSecret: in.Body.ClientSecret, AllowedDomains: in.Body.AllowedDomains})
	if err != nil {
		return nil, err
	}
	return reply(s.oidcOut(p)), nil
}

func (s *Server) getOIDCProvider(ctx context.Context, act app.Actor, in *idIn) (*body[OIDCProvider], error) {
	p, err := s.app.OIDCProvider(ctx, act, in.ID)
	if err != nil {
		return nil, err
	}
	return reply(s.oidcOut(p)), nil
}

// SSODomain is an email domain an organisation claims for its single
// sign-on, with the DNS record that proves it.
type SSODomain struct {
	Domain     string    `json:"domain" doc:"the email domain claimed" example:"harbour-dental.example"`
	Verified   bool      `json:"verified" doc:"proven by DNS or by an operator; only proven domains sign in" example:"true"`
	VerifiedBy string    `json:"verified_by,omitempty" doc:"dns, or the approving operator's id" example:"dns"`
	VerifiedAt time.Time `json:"verified_at,omitzero" doc:"when the claim was proven; absent until then" example:"2026-03-02T09:40:00Z"`
	TXTName    string    `json:"txt_name" doc:"publish a TXT record at this name…" example:"_provisio-challenge.harbour-dental.example"`
	TXTValue   string    `json:"txt_value" doc:"…with this value, then ask to verify" example:"provisio-domain-verification=dom_o-MP5HPdsBEfojOoBXSVLOw8HpFs5K50pFyDXzxNZg4"`
}

func ssoDomainOut(d *domain.SSODomain) SSODomain {
	return SSODomain{Domain: d.Domain, Verified: d.Verified(), VerifiedBy: d.VerifiedBy, VerifiedAt: d.VerifiedAt,
		TXTName: d.TXTName(), TXTValue: d.TXTValue()}
}

func (s *Server) listSSODomains(ctx context.Context, act app.Actor, in *idIn) (*body[Page[SSODomain]], error) {
	ds, err := s.app.SSODomains(ctx, act, in.ID)
	if err != nil {
		return nil, err
	}
	out := Page[SSODomain]{Items: make([]SSODomain, len(ds))}
	for i, d := range ds {
		out.Items[i] = ssoDomainOut(d)
	}
	return reply(out), nil
}

type verifyDomainIn struct {
	ID     string `path:"id"`
	Domain string `path:"domain" doc:"the claimed email domain" example:"harbour-dental.example"`
}

func (s *Server) verifySSODomain(ctx context.Context, act app.Actor, in *verifyDomainIn) (*body[SSODomain], error) {
	d, err := s.app.VerifySSODomain(ctx, act, in.ID, strings.ToLower(in.Domain))
	if err != nil {
		return nil, err
	}
	return reply(ssoDomainOut(d)), nil
}
