package oidctest

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

const (
	idTokenLifetime     = 5 * time.Minute
	accessTokenLifetime = 5 * time.Minute
)

// errNotOffered answers the parts of op.Storage for grants and endpoints
// this provider does not offer: refresh tokens, the JWT profile and
// introspection.
var errNotOffered = errors.New("not offered by the test OpenID provider")

// storage is the provider's memory: the clients and people it knows, the
// authorization requests under way with their codes, and the access
// tokens it issued.
type storage struct {
	key      *signingKey
	clients  map[string]*client
	users    map[string]User // by username
	subjects map[string]User // by subject

	mu       sync.Mutex
	requests map[string]*authRequest // by id
	codes    map[string]string       // request id by code
	tokens   map[string]accessToken  // by id
}

var (
	_ op.Storage                   = (*storage)(nil)
	_ op.CanSetUserinfoFromRequest = (*storage)(nil)
)

type accessToken struct {
	subject string
	scopes  []string
	expires time.Time
}

func newStorage(cfg Config) (*storage, error) {
	key, err := newSigningKey()
	if err != nil {
		return nil, err
	}
	s := &storage{key: key, clients: map[string]*client{}, users: map[string]User{}, subjects: map[string]User{},
		requests: map[string]*authRequest{}, codes: map[string]string{}, tokens: map[string]accessToken{}}
	for _, c := range cfg.Clients {
		if c.ID == "" || c.Secret == "" || c.RedirectURI == "" {
			return nil, fmt.Errorf("test OpenID provider: client %q needs an id, a secret and a redirect URI", c.ID)
		}
		if s.clients[c.ID] != nil {
			return nil, fmt.Errorf("test OpenID provider: client %q twice", c.ID)
		}
		s.clients[c.ID] = &client{c}
	}
	for _, u := range cfg.Users {
		if u.Subject == "" {
			u.Subject = u.Username
		}
		// op's access tokens hold "token id:subject".
		if u.Username == "" || strings.Contains(u.Subject, ":") {
			return nil, fmt.Errorf("test OpenID provider: user %q needs a username and a subject without a colon", u.Username)
		}
		if _, ok := s.users[u.Username]; ok {
			return nil, fmt.Errorf("test OpenID provider: username %q twice", u.Username)
		}
		if _, ok := s.subjects[u.Subject]; ok {
			return nil, fmt.Errorf("test OpenID provider: subject %q twice", u.Subject)
		}
		s.users[u.Username], s.subjects[u.Subject] = u, u
	}
	return s, nil
}

// CreateAuthRequest keeps a validated authorization request until the
// login step. It refuses one without a nonce or without S256 PKCE.
func (s *storage) CreateAuthRequest(_ context.Context, req *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	if req.Nonce == "" {
		return nil, oidc.ErrInvalidRequest().WithDescription("nonce required")
	}
	if req.CodeChallenge == "" || req.CodeChallengeMethod != oidc.CodeChallengeMethodS256 {
		return nil, oidc.ErrInvalidRequest().WithDescription("PKCE with code_challenge_method S256 required")
	}
	a := &authRequest{id: rand.Text(), req: *req}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests[a.id] = a
	return *a, nil
}

// AuthRequestByID returns a copy, so op never reads a request while the
// login step changes it.
func (s *storage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.requests[id]
	if !ok {
		return nil, errors.New("unknown authorization request")
	}
	return *a, nil
}

func (s *storage) AuthRequestByCode(_ context.Context, code string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.requests[s.codes[code]]
	if !ok || !a.Done() {
		return nil, errors.New("unknown code")
	}
	return *a, nil
}

func (s *storage) SaveAuthCode(_ context.Context, id, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.requests[id]; !ok {
		return errors.New("unknown authorization request")
	}
	s.codes[code] = id
	return nil
}

// DeleteAuthRequest forgets a request and its codes once op has issued
// tokens for it, so a code is good once.
func (s *storage) DeleteAuthRequest(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.requests, id)
	for code, rid := range s.codes {
		if rid == id {
			delete(s.codes, code)
		}
	}
	return nil
}

// pending reports whether the authorization request id waits for its
// login step.
func (s *storage) pending(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.requests[id]
	return ok && !a.Done()
}

// signIn completes the login step of request id for username.
func (s *storage) signIn(id, username string) error {
	u, ok := s.users[username]
	if !ok {
		return fmt.Errorf("unknown user %q", username)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.requests[id]
	if !ok || a.Done() {
		return errors.New("unknown or finished authorization request")
	}
	a.subject, a.authTime = u.Subject, time.Now()
	return nil
}

func (s *storage) CreateAccessToken(_ context.Context, req op.TokenRequest) (string, time.Time, error) {
	id, exp := rand.Text(), time.Now().Add(accessTokenLifetime)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[id] = accessToken{subject: req.GetSubject(), scopes: req.GetScopes(), expires: exp}
	return id, exp, nil
}

func (s *storage) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, errNotOffered
}

func (s *storage) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, errNotOffered
}

func (s *storage) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

// TerminateSession has nothing to end: the provider keeps no sessions,
// so every authorization request goes through the login step.
func (s *storage) TerminateSession(context.Context, string, string) error { return nil }

func (s *storage) RevokeToken(_ context.Context, tokenID, subject, _ string) *oidc.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.tokens[tokenID]; ok && t.subject == subject {
		delete(s.tokens, tokenID)
	}
	return nil
}

func (s *storage) SigningKey(context.Context) (op.SigningKey, error) { return s.key, nil }

func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{s.key.SignatureAlgorithm()}, nil
}

func (s *storage) KeySet(context.Context) ([]op.Key, error) {
	return []op.Key{s.key.public()}, nil
}

func (s *storage) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	c, ok := s.clients[id]
	if !ok {
		return nil, fmt.Errorf("unknown client %q", id)
	}
	return c, nil
}

func (s *storage) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	c, ok := s.clients[id]
	if !ok || subtle.ConstantTimeCompare([]byte(c.Secret), []byte(secret)) != 1 {
		return errors.New("unknown client or wrong secret")
	}
	return nil
}

// SetUserinfoFromScopes is deprecated in op, which calls
// SetUserinfoFromRequest right after it.
func (s *storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

// SetUserinfoFromRequest sets the claims of the ID token.
func (s *storage) SetUserinfoFromRequest(_ context.Context, info *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	u, ok := s.subjects[req.GetSubject()]
	if !ok {
		return fmt.Errorf("unknown subject %q", req.GetSubject())
	}
	setUserinfo(info, u, scopes)
	return nil
}

// SetUserinfoFromToken sets the claims the userinfo endpoint answers for
// an access token: those of the scopes it was issued for.
func (s *storage) SetUserinfoFromToken(_ context.Context, info *oidc.UserInfo, tokenID, subject, _ string) error {
	s.mu.Lock()
	t, ok := s.tokens[tokenID]
	s.mu.Unlock()
	if !ok || t.subject != subject || time.Now().After(t.expires) {
		return errors.New("access token unknown, expired or for another subject")
	}
	u, ok := s.subjects[subject]
	if !ok {
		return fmt.Errorf("unknown subject %q", subject)
	}
	setUserinfo(info, u, t.scopes)
	return nil
}

func setUserinfo(info *oidc.UserInfo, u User, scopes []string) {
	info.Subject = u.Subject
	for _, scope := range scopes {
		switch scope {
		case oidc.ScopeEmail:
			info.Email, info.EmailVerified = u.Email, oidc.Bool(u.EmailVerified)
		case oidc.ScopeProfile:
			info.Name, info.PreferredUsername = u.Name, u.Username
		}
	}
}

func (s *storage) SetIntrospectionFromToken(context.Context, *oidc.IntrospectionResponse, string, string, string) error {
	return errNotOffered
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

func (s *storage) Health(context.Context) error { return nil }
