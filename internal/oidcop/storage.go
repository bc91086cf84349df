package oidcop

import (
	"context"
	"errors"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
)

// storage is op's storage, every call answered by the app.
type storage struct {
	app    *app.App
	issuer string
}

var (
	errNotOffered = errors.New("not offered by Provisio")
	errInactive   = errors.New("token inactive")
)

func (s *storage) Health(context.Context) error { return nil }

// --- applications

func (s *storage) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	c, err := s.app.OPClient(ctx, id)
	if err != nil {
		return nil, oidc.ErrInvalidClient().WithDescription("unknown application").WithParent(err)
	}
	return client{c}, nil
}

func (s *storage) AuthorizeClientIDSecret(ctx context.Context, id, secret string) error {
	if err := s.app.OPCheckClientSecret(ctx, id, secret); err != nil {
		return oidc.ErrInvalidClient().WithDescription("unknown application or wrong secret")
	}
	return nil
}

// --- sign-ins

func (s *storage) CreateAuthRequest(ctx context.Context, req *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	c, err := s.app.OPClient(ctx, req.ClientID)
	if err != nil {
		return nil, oidc.ErrInvalidClient().WithDescription("unknown application")
	}
	if c.Public && (req.CodeChallenge == "" || req.CodeChallengeMethod != oidc.CodeChallengeMethodS256) {
		return nil, oidc.ErrInvalidRequest().WithDescription("a public application must use PKCE: send code_challenge with code_challenge_method S256")
	}
	co, err := company(req.Scopes)
	if err != nil {
		return nil, err
	}
	r, err := s.app.OPStartSignIn(ctx, domain.OIDCAuthRequest{ClientID: req.ClientID, RedirectURI: req.RedirectURI,
		Scopes: req.Scopes, State: req.State, Nonce: req.Nonce, ResponseType: string(req.ResponseType),
		ResponseMode: string(req.ResponseMode), Challenge: req.CodeChallenge, ChallengeAlgo: string(req.CodeChallengeMethod),
		Company: co, Prompt: strings.Join(req.Prompt, " "), MaxAge: maxAge(req.MaxAge)})
	if err != nil {
		return nil, err
	}
	return authRequest{r}, nil
}

func (s *storage) AuthRequestByID(ctx context.Context, id string) (op.AuthRequest, error) {
	r, err := s.app.OPSignIn(ctx, id)
	if err != nil {
		return nil, err
	}
	return authRequest{r}, nil
}

func (s *storage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	r, err := s.app.OPSignInByCode(ctx, code)
	if err != nil {
		return nil, oidc.ErrInvalidGrant().WithDescription("the code is unknown, used or expired")
	}
	return authRequest{r}, nil
}

func (s *storage) SaveAuthCode(ctx context.Context, id, code string) error {
	return s.app.OPSaveCode(ctx, id, code)
}

func (s *storage) DeleteAuthRequest(ctx context.Context, id string) error {
	return s.app.OPEndSignIn(ctx, id)
}

// --- tokens

func maxAge(m *uint) int64 {
	if m == nil {
		return -1
	}
	return int64(*m)
}

// grant is what a token request is for.
func grant(req op.TokenRequest) (app.OPGrant, bool) {
	switch r := req.(type) {
	case authRequest:
		return app.OPGrant{ClientID: r.ClientID, UserID: r.UserID, SiteID: r.SiteID, Company: r.Company,
			Scopes: r.Scopes, AuthTime: r.AuthTime, SignInID: r.ID}, true
	case *refreshRequest:
		return app.OPGrant{ClientID: r.ClientID, UserID: r.UserID, SiteID: r.SiteID, Company: r.Company,
			Scopes: r.GetScopes(), RefreshScopes: r.Scopes, AuthTime: r.AuthTime}, true
	}
	return app.OPGrant{}, false
}

func (s *storage) CreateAccessToken(ctx context.Context, req op.TokenRequest) (string, time.Time, error) {
	g, ok := grant(req)
	if !ok {
		return "", time.Time{}, oidc.ErrUnsupportedGrantType()
	}
	id, _, exp, err := s.app.OPIssueTokens(ctx, g, false, "")
	return id, exp, tokenError(err)
}

func (s *storage) CreateAccessAndRefreshTokens(ctx context.Context, req op.TokenRequest, current string) (string, string, time.Time, error) {
	g, ok := grant(req)
	if !ok {
		return "", "", time.Time{}, oidc.ErrUnsupportedGrantType()
	}
	id, refresh, exp, err := s.app.OPIssueTokens(ctx, g, true, current)
	return id, refresh, exp, tokenError(err)
}

// tokenError says a refusal as OAuth does: invalid_grant, with the plain
// reason (R-APP-2).
func tokenError(err error) error {
	var de *domain.Error
	if err == nil || !errors.As(err, &de) {
		return err
	}
	return oidc.ErrInvalidGrant().WithDescription("%s", de.Message)
}

func (s *storage) TokenRequestByRefreshToken(ctx context.Context, secret string) (op.RefreshTokenRequest, error) {
	t, err := s.app.OPRefreshGrant(ctx, secret)
	if err != nil {
		return nil, op.ErrInvalidRefreshToken
	}
	return &refreshRequest{OIDCToken: t, secret: secret}, nil
}

func (s *storage) GetRefreshTokenInfo(ctx context.Context, clientID, secret string) (string, string, error) {
	t, err := s.app.OPRefreshGrant(ctx, secret)
	if err != nil || t.ClientID != clientID {
		return "", "", op.ErrInvalidRefreshToken
	}
	return t.UserID, t.ID, nil
}

func (s *storage) TerminateSession(ctx context.Context, userID, clientID string) error {
	return s.app.OPEndSession(ctx, userID, clientID)
}

func (s *storage) RevokeToken(ctx context.Context, tokenOrID, _, clientID string) *oidc.Error {
	if err := s.app.OPRevoke(ctx, tokenOrID, clientID); err != nil {
		return oidc.ErrServerError().WithParent(err)
	}
	return nil
}

// --- claims

func (s *storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil // deprecated in op: SetUserinfoFromRequest follows
}

// SetUserinfoFromRequest sets the claims of an ID token.
func (s *storage) SetUserinfoFromRequest(ctx context.Context, info *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	g, ok := grant(req)
	if !ok {
		return errNotOffered
	}
	return s.setClaims(ctx, info, g.UserID, g.SiteID, scopes)
}

// SetUserinfoFromToken answers the userinfo endpoint: only for a token
// that works now (R-APP-2).
func (s *storage) SetUserinfoFromToken(ctx context.Context, info *oidc.UserInfo, tokenID, subject, _ string) error {
	t, err := s.app.OPActiveToken(ctx, tokenID)
	if err != nil || t.UserID != subject {
		return oidc.ErrAccessDenied().WithDescription("the token is no longer valid")
	}
	return s.setClaims(ctx, info, t.UserID, t.SiteID, t.Scopes)
}

// SetIntrospectionFromToken answers introspection: active only while the
// token works and the access decision says yes, asked by an application
// of the same site.
func (s *storage) SetIntrospectionFromToken(ctx context.Context, resp *oidc.IntrospectionResponse, tokenID, subject, clientID string) error {
	// An error makes op answer {"active": false}.
	t, err := s.app.OPActiveToken(ctx, tokenID)
	if err != nil || t.UserID != subject {
		return errInactive
	}
	asker, err := s.app.OPClient(ctx, clientID)
	if err != nil || asker.SiteID != t.SiteID {
		return errInactive
	}
	info := &oidc.UserInfo{}
	if err := s.setClaims(ctx, info, t.UserID, t.SiteID, t.Scopes); err != nil {
		return err
	}
	resp.SetUserInfo(info)
	resp.Active, resp.Scope, resp.ClientID, resp.TokenType = true, t.Scopes, t.ClientID, oidc.BearerToken
	resp.Expiration, resp.IssuedAt, resp.AuthTime = oidc.FromTime(t.ExpiresAt), oidc.FromTime(t.CreatedAt), oidc.FromTime(t.AuthTime)
	resp.Subject, resp.Audience, resp.Issuer, resp.JWTID = t.UserID, []string{t.ClientID}, s.issuer, t.ID
	resp.Claims = info.Claims
	return nil
}

// ClaimsKey is the one namespaced claim: the site, the role on it, how
// access was got, the grant's expiry, and the companies (R-APP-2).
const ClaimsKey = "provisio"

func (s *storage) setClaims(ctx context.Context, info *oidc.UserInfo, userID, siteID string, scopes []string) error {
	c, err := s.app.OPClaimsFor(ctx, userID, siteID)
	if err != nil {
		return err
	}
	info.Subject = c.User.ID
	for _, sc := range scopes {
		switch sc {
		case oidc.ScopeEmail:
			info.Email, info.EmailVerified = c.User.Email, oidc.Bool(true) // registered through the emailed link
		case oidc.ScopeProfile:
			info.Name = c.User.Name
		}
	}
	companies := make([]map[string]string, 0, len(c.Companies))
	for _, co := range c.Companies {
		companies = append(companies, map[string]string{"id": co.ID, "name": co.Name})
	}
	claim := map[string]any{"site": map[string]string{"id": c.Site.ID, "name": c.Site.Name}, "role": string(c.Role),
		"via": string(c.Via), "companies": companies}
	if !c.ExpiresAt.IsZero() {
		claim["expires_at"] = c.ExpiresAt.UTC().Format(time.RFC3339)
	}
	info.AppendClaims(ClaimsKey, claim)
	return nil
}

func (s *storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errNotOffered
}

func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errNotOffered
}

// --- keys

func (s *storage) SigningKey(ctx context.Context) (op.SigningKey, error) {
	k, err := s.app.OPSigningKey(ctx)
	if err != nil {
		return nil, err
	}
	return signingKey{k}, nil
}

func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

func (s *storage) KeySet(ctx context.Context) ([]op.Key, error) {
	keys, err := s.app.OPSigningKeys(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]op.Key, len(keys))
	for i, k := range keys {
		out[i] = publicKey{k}
	}
	return out, nil
}

type signingKey struct{ app.OPKey }

func (k signingKey) ID() string                                  { return k.OPKey.ID }
func (k signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k signingKey) Key() any                                    { return k.OPKey.Key }

type publicKey struct{ app.OPKey }

func (k publicKey) ID() string                         { return k.OPKey.ID }
func (k publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k publicKey) Use() string                        { return "sig" }
func (k publicKey) Key() any                           { return &k.OPKey.Key.PublicKey }
