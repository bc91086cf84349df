package api

import (
	"context"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
)

// Directory is a site's directory settings, as operators see them (never
// the bind password).
type Directory struct {
	SiteID    string    `json:"site_id"`
	URL       string    `json:"url" example:"ldaps://ldap.acme.example"`
	StartTLS  bool      `json:"start_tls"`
	CAPEM     string    `json:"ca_pem,omitempty" doc:"certificates trusted besides the system's, PEM"`
	BindDN    string    `json:"bind_dn" example:"cn=provisio,ou=services,dc=acme,dc=example"`
	BaseDN    string    `json:"base_dn" example:"ou=people,dc=acme,dc=example"`
	Kind      string    `json:"kind" enum:"openldap,ad"`
	LoginAttr string    `json:"login_attribute,omitempty" doc:"the accounts' naming attribute (default uid, or sAMAccountName for AD)"`
	UpdatedAt time.Time `json:"updated_at"`
}

func directoryOut(d *domain.SiteDirectory) Directory {
	return Directory{SiteID: d.SiteID, URL: d.URL, StartTLS: d.StartTLS, CAPEM: d.CAPEM, BindDN: d.BindDN, BaseDN: d.BaseDN,
		Kind: d.Flavor, LoginAttr: d.LoginAttr, UpdatedAt: d.UpdatedAt}
}

type setDirectoryIn struct {
	ID   string `path:"id"`
	Body struct {
		URL          string `json:"url" maxLength:"500" doc:"ldap://host[:port] (with start_tls, or on this machine) or ldaps://host[:port]" example:"ldaps://ldap.acme.example"`
		StartTLS     bool   `json:"start_tls,omitempty"`
		CAPEM        string `json:"ca_pem,omitempty" maxLength:"20000"`
		BindDN       string `json:"bind_dn" maxLength:"500"`
		BindPassword string `json:"bind_password,omitempty" maxLength:"500" doc:"required the first time; leave out to keep the one set"`
		BaseDN       string `json:"base_dn" maxLength:"500"`
		Kind         string `json:"kind,omitempty" enum:"openldap,ad" doc:"default openldap"`
		LoginAttr    string `json:"login_attribute,omitempty" maxLength:"100"`
	}
}

func (s *Server) setDirectory(ctx context.Context, act app.Actor, in *setDirectoryIn) (*body[Directory], error) {
	b := in.Body
	d, err := s.app.SetSiteDirectory(ctx, act, in.ID, app.DirectorySettings{URL: b.URL, StartTLS: b.StartTLS, CAPEM: b.CAPEM,
		BindDN: b.BindDN, BindPassword: b.BindPassword, BaseDN: b.BaseDN, Kind: b.Kind, LoginAttr: b.LoginAttr})
	if err != nil {
		return nil, err
	}
	return reply(directoryOut(d)), nil
}

func (s *Server) getDirectory(ctx context.Context, act app.Actor, in *idIn) (*body[Directory], error) {
	d, err := s.app.SiteDirectory(ctx, act, in.ID)
	if err != nil {
		return nil, err
	}
	return reply(directoryOut(d)), nil
}

// DirectoryCheck is the outcome of a connection test, in plain words.
type DirectoryCheck struct {
	OK      bool   `json:"ok"`
	Message string `json:"message"`
}

func (s *Server) testDirectory(ctx context.Context, act app.Actor, in *idIn) (*body[DirectoryCheck], error) {
	c, err := s.app.TestSiteDirectory(ctx, act, in.ID)
	if err != nil {
		return nil, err
	}
	return reply(DirectoryCheck{OK: c.OK, Message: c.Message}), nil
}

// DirectoryAccount is a person's account in a site's directory.
type DirectoryAccount struct {
	SiteID    string    `json:"site_id"`
	SiteName  string    `json:"site_name"`
	UserID    string    `json:"user_id"`
	UserName  string    `json:"user_name"`
	UserEmail string    `json:"user_email" doc:"also the account's login"`
	DN        string    `json:"dn"`
	State     string    `json:"state" enum:"creating,active,disabling,disabled" doc:"creating and disabling: the directory has yet to be told"`
	Password  bool      `json:"password_to_show" doc:"the one-time password is waiting to be shown to its owner"`
	Attempts  int       `json:"attempts,omitempty" doc:"failed attempts to tell the directory"`
	LastError string    `json:"last_error,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

type accountList struct {
	Items []DirectoryAccount `json:"items"`
}

func accountsOut(as []*domain.DirectoryAccount) accountList {
	out := accountList{Items: []DirectoryAccount{}}
	for _, a := range as {
		out.Items = append(out.Items, DirectoryAccount{SiteID: a.SiteID, SiteName: a.SiteName, UserID: a.UserID, UserName: a.UserName,
			UserEmail: a.UserEmail, DN: a.DN, State: a.State, Password: a.Password != "", Attempts: a.Attempts,
			LastError: a.LastError, UpdatedAt: a.UpdatedAt})
	}
	return out
}

func (s *Server) siteAccounts(ctx context.Context, act app.Actor, in *idIn) (*body[accountList], error) {
	as, err := s.app.SiteDirectoryAccounts(ctx, act, in.ID)
	if err != nil {
		return nil, err
	}
	return reply(accountsOut(as)), nil
}

func (s *Server) myAccounts(ctx context.Context, act app.Actor, _ *struct{}) (*body[accountList], error) {
	as, err := s.app.MyDirectoryAccounts(ctx, act)
	if err != nil {
		return nil, err
	}
	return reply(accountsOut(as)), nil
}

// OneTimePassword is a directory account's one-time password, shown once.
type OneTimePassword struct {
	SiteName   string `json:"site_name"`
	Login      string `json:"login"`
	DN         string `json:"dn"`
	Password   string `json:"password"`
	MustChange bool   `json:"must_change" doc:"always true: the directory asks for a new password at first use"`
}

type passwordOut struct {
	CacheControl string `header:"Cache-Control"`
	Body         OneTimePassword
}

type siteIDIn struct {
	SiteID string `path:"site_id"`
}

func (s *Server) showPassword(ctx context.Context, act app.Actor, in *siteIDIn) (*passwordOut, error) {
	a, pw, err := s.app.ShowDirectoryPassword(ctx, act, in.SiteID)
	if err != nil {
		return nil, err
	}
	return &passwordOut{CacheControl: "no-store", Body: OneTimePassword{SiteName: a.SiteName, Login: act.User.Email, DN: a.DN,
		Password: pw, MustChange: true}}, nil
}
