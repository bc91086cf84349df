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
	Issuer          string    `json:"issuer"`
	ClientID        string    `json:"client_id"`
	ClientSecretSet bool      `json:"client_secret_set" doc:"a client secret is stored"`
	AllowedDomains  []string  `json:"allowed_domains" doc:"only users with an email at one of these domains may sign in there"`
	SignInURL       string    `json:"sign_in_url" doc:"where the organisation's users start signing in"`
	CreatedAt       time.Time `json:"created_at"`
}

func (s *Server) oidcOut(p *domain.OIDCProvider) OIDCProvider {
	return OIDCProvider{Issuer: p.Issuer, ClientID: p.ClientID, ClientSecretSet: p.SecretSet, AllowedDomains: p.AllowedDomains,
		SignInURL: strings.TrimSuffix(s.app.Config().BaseURL, "/") + "/auth/oidc/" + p.OrgID + "/start", CreatedAt: p.CreatedAt}
}

type setOIDCIn struct {
	ID   string `path:"id"`
	Body struct {
		Issuer         string   `json:"issuer" doc:"the provider's issuer URL (https://; http:// only on loopback)"`
		ClientID       string   `json:"client_id"`
		ClientSecret   string   `json:"client_secret,omitempty" doc:"empty keeps the stored secret; none for a public client"`
		AllowedDomains []string `json:"allowed_domains" doc:"email domains whose users may sign in there, e.g. example.com"`
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
	Domain     string    `json:"domain"`
	Verified   bool      `json:"verified" doc:"proven by DNS or by an operator; only proven domains sign in"`
	VerifiedBy string    `json:"verified_by,omitempty" doc:"dns, or the approving operator's id"`
	VerifiedAt time.Time `json:"verified_at,omitzero"`
	TXTName    string    `json:"txt_name" doc:"publish a TXT record at this name…"`
	TXTValue   string    `json:"txt_value" doc:"…with this value, then ask to verify"`
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
	Domain string `path:"domain"`
}

func (s *Server) verifySSODomain(ctx context.Context, act app.Actor, in *verifyDomainIn) (*body[SSODomain], error) {
	d, err := s.app.VerifySSODomain(ctx, act, in.ID, strings.ToLower(in.Domain))
	if err != nil {
		return nil, err
	}
	return reply(ssoDomainOut(d)), nil
}
