package oidcop

import (
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/provisio/provisio/internal/domain"
)

// authRequest is a sign-in in progress as op sees it.
type authRequest struct {
	*domain.OIDCAuthRequest
}

func (a authRequest) GetID() string          { return a.ID }
func (a authRequest) GetACR() string         { return "" }
func (a authRequest) GetAMR() []string       { return []string{"pwd"} }
func (a authRequest) GetAudience() []string  { return []string{a.ClientID} }
func (a authRequest) GetAuthTime() time.Time { return a.AuthTime }
func (a authRequest) GetClientID() string    { return a.ClientID }
func (a authRequest) GetNonce() string       { return a.Nonce }
func (a authRequest) GetRedirectURI() string { return a.RedirectURI }
func (a authRequest) GetScopes() []string    { return a.Scopes }
func (a authRequest) GetState() string       { return a.State }
func (a authRequest) GetSubject() string     { return a.UserID }
func (a authRequest) Done() bool             { return a.UserID != "" }
func (a authRequest) GetResponseMode() oidc.ResponseMode {
	return oidc.ResponseMode(a.ResponseMode)
}
func (a authRequest) GetResponseType() oidc.ResponseType {
	return oidc.ResponseType(a.ResponseType)
}
func (a authRequest) GetCodeChallenge() *oidc.CodeChallenge {
	if a.Challenge == "" {
		return nil
	}
	return &oidc.CodeChallenge{Challenge: a.Challenge, Method: oidc.CodeChallengeMethod(a.ChallengeAlgo)}
}

// refreshRequest is what a refresh token was issued for, as op sees it.
type refreshRequest struct {
	*domain.OIDCToken
	secret  string
	current []string // the scopes asked for now; the refresh token keeps its own (RFC 6749 section 6)
}

func (r *refreshRequest) GetAMR() []string       { return []string{"pwd"} }
func (r *refreshRequest) GetAudience() []string  { return []string{r.ClientID} }
func (r *refreshRequest) GetAuthTime() time.Time { return r.AuthTime }
func (r *refreshRequest) GetClientID() string    { return r.ClientID }
func (r *refreshRequest) GetScopes() []string {
	if len(r.current) > 0 {
		return r.current
	}
	return r.Scopes
}
func (r *refreshRequest) GetSubject() string          { return r.UserID }
func (r *refreshRequest) SetCurrentScopes(s []string) { r.current = s }
