package oidcop

import (
	"net/url"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/provisio/provisio/internal/domain"
)

// CompanyScope prefixes the scope with which an application asks to sign
// a person in to one company of the site: "company:<company id>".
const CompanyScope = "company:"

// client is a registered application as op sees it.
type client struct {
	*domain.AppClient
}

func (c client) GetID() string                    { return c.ID }
func (c client) RedirectURIs() []string           { return c.AppClient.RedirectURIs }
func (c client) PostLogoutRedirectURIs() []string { return c.PostLogoutURIs }
func (c client) ApplicationType() op.ApplicationType {
	if c.Public {
		return op.ApplicationTypeNative
	}
	return op.ApplicationTypeWeb
}

func (c client) AuthMethod() oidc.AuthMethod {
	if c.Public {
		return oidc.AuthMethodNone
	}
	return oidc.AuthMethodBasic
}

func (c client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c client) GrantTypes() []oidc.GrantType {
	return []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeRefreshToken}
}
func (c client) LoginURL(id string) string           { return LoginPath + "?id=" + url.QueryEscape(id) }
func (c client) AccessTokenType() op.AccessTokenType { return op.AccessTokenTypeBearer }
func (c client) IDTokenLifetime() time.Duration      { return time.Hour }
func (c client) DevMode() bool                       { return false }
func (c client) IsScopeAllowed(s string) bool        { return strings.HasPrefix(s, CompanyScope) }
func (c client) IDTokenUserinfoClaimsAssertion() bool {
	return true // the claims go in the ID token itself
}
func (c client) ClockSkew() time.Duration { return 0 }
func (c client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

// company is the company a request's scopes ask for, "" for none. One
// company at most, named by its id.
func company(scopes []string) (string, error) {
	var out []string
	for _, s := range scopes {
		if strings.HasPrefix(s, CompanyScope) {
			out = append(out, strings.TrimPrefix(s, CompanyScope))
		}
	}
	switch {
	case len(out) == 0:
		return "", nil
	case len(out) > 1:
		return "", oidc.ErrInvalidScope().WithDescription("ask for one company at most (one company:<id> scope)")
	case out[0] == "":
		return "", oidc.ErrInvalidScope().WithDescription("the company scope names no company: company:<company id>")
	}
	return out[0], nil
}
