package oidctest

import (
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// authRequest is an authorization request op validated, signed in once
// the login step has set its subject.
type authRequest struct {
	id       string
	req      oidc.AuthRequest
	subject  string
	authTime time.Time
}

var _ op.AuthRequest = authRequest{}

func (a authRequest) GetID() string          { return a.id }
func (a authRequest) GetACR() string         { return "" }
func (a authRequest) GetAMR() []string       { return nil }
func (a authRequest) GetAudience() []string  { return []string{a.req.ClientID} }
func (a authRequest) GetAuthTime() time.Time { return a.authTime }
func (a authRequest) GetClientID() string    { return a.req.ClientID }
func (a authRequest) GetNonce() string       { return a.req.Nonce }
func (a authRequest) GetRedirectURI() string { return a.req.RedirectURI }
func (a authRequest) GetScopes() []string    { return a.req.Scopes }
func (a authRequest) GetState() string       { return a.req.State }
func (a authRequest) GetSubject() string     { return a.subject }
func (a authRequest) Done() bool             { return a.subject != "" }
func (a authRequest) GetResponseMode() oidc.ResponseMode {
	return a.req.ResponseMode
}
func (a authRequest) GetResponseType() oidc.ResponseType {
	return a.req.ResponseType
}
func (a authRequest) GetCodeChallenge() *oidc.CodeChallenge {
	return &oidc.CodeChallenge{Challenge: a.req.CodeChallenge, Method: a.req.CodeChallengeMethod}
}
