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
	ID             string    `json:"client_id" doc:"the OAuth client_id" example:"app_01kna8we500fhqkha8agdabr1x"`
	SiteID         string    `json:"site_id" doc:"the site whose users the application signs in" example:"site_01kkpng6h0d3aqrf08caygs4pm"`
	Name           string    `json:"name" doc:"the application's name, shown to people signing in" example:"harbour-dental-prod web portal"`
	Public         bool      `json:"public" doc:"no secret: PKCE (S256) is required; for desktop and single-page applications" example:"false"`
	RedirectURIs   []string  `json:"redirect_uris" doc:"where Provisio may send people back after signing in" example:"[\"https://portal.harbour-dental.example/oidc/callback\"]"`
	PostLogoutURIs []string  `json:"post_logout_uris" doc:"where Provisio may send people after signing out" example:"[\"https://portal.harbour-dental.example/\"]"`
	Secret         string    `json:"client_secret,omitempty" doc:"shown once, when created or rotated" example:"aps_6fmYH4AMwbVcQcsth1FEHZ99g_WJSE-hz9l0hMxLOK8"`
	Issuer         string    `json:"issuer" doc:"the issuer the application discovers the provider at (/.well-known/openid-configuration)" example:"https://provisio.example"`
	CreatedAt      time.Time `json:"created_at" doc:"when the application was registered" example:"2026-03-02T09:15:00Z"`
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
		Name           string   `json:"name" minLength:"1" maxLength:"200" doc:"the application's name, shown to people signing in" example:"harbour-dental-prod web portal"`
		Public         bool     `json:"public,omitempty" doc:"a desktop or single-page application that cannot keep a secret: it gets none and must use PKCE" example:"false"`
		RedirectURIs   []string `json:"redirect_uris" minItems:"1" doc:"exact https URLs (http only on localhost)" example:"[\"https://portal.harbour-dental.example/oidc/callback\"]"`
		PostLogoutURIs []string `json:"post_logout_uris,omitempty" doc:"where people may be sent after signing out, exact URLs as for redirect_uris" example:"[\"https://portal.harbour-dental.example/\"]"`
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
	Items []AppClient `json:"items" doc:"the site's applications, oldest first"`
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
