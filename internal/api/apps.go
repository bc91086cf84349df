package api

import (
	"context"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
)

// The applications of a site that sign people in through Provisio's
// OpenID provider (R-APP-2).

// AppClient is a registered application.
type AppClient struct {
	ID             string    `json:"client_id" doc:"the OAuth client_id"`
	SiteID         string    `json:"site_id"`
	Name           string    `json:"name" example:"acme-prod web portal"`
	Public         bool      `json:"public" doc:"no secret: PKCE (S256) is required; for desktop and single-page applications"`
	RedirectURIs   []string  `json:"redirect_uris" example:"[\"https://portal.acme.example/oidc/callback\"]"`
	PostLogoutURIs []string  `json:"post_logout_uris"`
	Secret         string    `json:"client_secret,omitempty" doc:"shown once, when created or rotated"`
	Issuer         string    `json:"issuer" doc:"the issuer the application discovers the provider at (/.well-known/openid-configuration)"`
	CreatedAt      time.Time `json:"created_at"`
}

func (s *Server) appClientOut(c *domain.AppClient, secret string) AppClient {
	uris := func(u []string) []string {
		if u == nil {
			return []string{}
		}
		return u
	}
	return AppClient{ID: c.ID, SiteID: c.SiteID, Name: c.Name, Public: c.Public, RedirectURIs: uris(c.RedirectURIs),
		PostLogoutURIs: uris(c.PostLogoutURIs), Secret: secret, Issuer: s.app.Config().BaseURL, CreatedAt: c.CreatedAt}
}

type createAppIn struct {
	ID   string `path:"id"`
	Body struct {
		Name           string   `json:"name" minLength:"1" maxLength:"200"`
		Public         bool     `json:"public,omitempty"`
		RedirectURIs   []string `json:"redirect_uris" minItems:"1" doc:"exact https URLs (http only on localhost)"`
		PostLogoutURIs []string `json:"post_logout_uris,omitempty"`
	}
}

func (s *Server) createApp(ctx context.Context, act app.Actor, in *createAppIn) (*body[AppClient], error) {
	secret, c, err := s.app.CreateAppClient(ctx, act, app.NewAppClient{SiteID: in.ID, Name: in.Body.Name, Public: in.Body.Public,
		RedirectURIs: in.Body.RedirectURIs, PostLogoutURIs: in.Body.PostLogoutURIs})
	if err != nil {
		return nil, err
	}
	return reply(s.appClientOut(c, secret)), nil
}

type appList struct {
	Items []AppClient `json:"items"`
}

func (s *Server) listApps(ctx context.Context, act app.Actor, in *idIn) (*body[appList], error) {
	cs, err := s.app.AppClients(ctx, act, in.ID)
	if err != nil {
		return nil, err
	}
	out := appList{Items: []AppClient{}}
	for _, c := range cs {
		out.Items = append(out.Items, s.appClientOut(c, ""))
	}
	return reply(out), nil
}

func (s *Server) rotateAppSecret(ctx context.Context, act app.Actor, in *idIn) (*body[AppClient], error) {
	secret, c, err := s.app.RotateAppClientSecret(ctx, act, in.ID)
	if err != nil {
		return nil, err
	}
	return reply(s.appClientOut(c, secret)), nil
}

func (s *Server) deleteApp(ctx context.Context, act app.Actor, in *idIn) (*struct{}, error) {
	return nil, s.app.DeleteAppClient(ctx, act, in.ID)
}
