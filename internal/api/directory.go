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
	SiteID    string    `json:"site_id" doc:"the professional site the directory serves" example:"site_01kkpng6h0d3aqrf08caygs4pm"`
	URL       string    `json:"url" doc:"where Provisio reaches the directory" example:"ldaps://ldap.harbour-dental.example"`
	StartTLS  bool      `json:"start_tls" doc:"an ldap:// connection is upgraded with StartTLS" example:"false"`
	CAPEM     string    `json:"ca_pem,omitempty" doc:"certificates trusted besides the system's, PEM" example:"-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUZ3h...\n-----END CERTIFICATE-----\n"`
	BindDN    string    `json:"bind_dn" doc:"the account Provisio binds as" example:"cn=provisio,ou=services,dc=harbour-dental,dc=example"`
	BaseDN    string    `json:"base_dn" doc:"where Provisio creates the accounts" example:"ou=people,dc=harbour-dental,dc=example"`
	Kind      string    `json:"kind" enum:"openldap,ad" doc:"the kind of directory: OpenLDAP or Active Directory" example:"openldap"`
	LoginAttr string    `json:"login_attribute,omitempty" doc:"the accounts' naming attribute (default uid, or sAMAccountName for AD)" example:"uid"`
	UpdatedAt time.Time `json:"updated_at" doc:"when the settings last changed" example:"2026-03-02T09:15:00Z"`
}

func directoryOut(d *domain.SiteDirectory) Directory {
	return Directory{SiteID: d.SiteID, URL: d.URL, StartTLS: d.StartTLS, CAPEM: d.CAPEM, BindDN: d.BindDN, BaseDN: d.BaseDN,
		Kind: d.Flavor, LoginAttr: d.LoginAttr, UpdatedAt: d.UpdatedAt}
}

type setDirectoryIn struct {
	ID   string `path:"id"`
	Body struct {
		URL          string `json:"url" maxLength:"500" doc:"ldap://host[:port] (with start_tls, or on this machine) or ldaps://host[:port]" example:"ldaps://ldap.harbour-dental.example"`
		StartTLS     bool   `json:"start_tls,omitempty" doc:"upgrade an ldap:// connection with StartTLS" example:"false"`
		CAPEM        string `json:"ca_pem,omitempty" maxLength:"20000" doc:"certificates to trust besides the system's, PEM; for a directory with its own certificate authority" example:"-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUZ3h...\n-----END CERTIFICATE-----\n"`
		BindDN       string `json:"bind_dn" maxLength:"500" doc:"the account Provisio binds as, allowed to create and disable accounts under base_dn" example:"cn=provisio,ou=services,dc=harbour-dental,dc=example"`
		BindPassword string `json:"bind_password,omitempty" maxLength:"500" doc:"required the first time; leave out to keep the one set" example:"s3rvice-Acc0unt-pass"`
		BaseDN       string `json:"base_dn" maxLength:"500" doc:"where Provisio creates the accounts" example:"ou=people,dc=harbour-dental,dc=example"`
		Kind         string `json:"kind,omitempty" enum:"openldap,ad" doc:"default openldap" example:"openldap"`
		LoginAttr    string `json:"login_attribute,omitempty" maxLength:"100" doc:"the accounts' naming attribute (default uid, or sAMAccountName for AD)" example:"uid"`
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
	OK      bool   `json:"ok" doc:"Provisio connected, bound and found the base DN" example:"false"`
	Message string `json:"message" doc:"how it went, in plain words" example:"the directory refused the bind: check bind_dn and bind_password"`
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
	SiteID    string    `json:"site_id" doc:"the site whose directory holds the account" example:"site_01kkpng6h0d3aqrf08caygs4pm"`
	SiteName  string    `json:"site_name" doc:"the site's name" example:"harbour-dental-prod"`
	UserID    string    `json:"user_id" doc:"the user the account is for" example:"usr_01kk6sce10dyx9g1ercvp1yra5"`
	UserName  string    `json:"user_name" doc:"the user's name" example:"Tom Reed"`
	UserEmail string    `json:"user_email" doc:"also the account's login" example:"tom.reed@harbour-dental.example"`
	DN        string    `json:"dn" doc:"the account's distinguished name" example:"uid=tom.reed@harbour-dental.example,ou=people,dc=harbour-dental,dc=example"`
	State     string    `json:"state" enum:"creating,active,disabling,disabled" doc:"creating and disabling: the directory has yet to be told" example:"active"`
	Password  bool      `json:"password_to_show" doc:"the one-time password is waiting to be shown to its owner" example:"true"`
	Attempts  int       `json:"attempts,omitempty" doc:"failed attempts to tell the directory" example:"2"`
	LastError string    `json:"last_error,omitempty" doc:"why the last attempt to tell the directory failed" example:"LDAP Result Code 32 \"No Such Object\""`
	UpdatedAt time.Time `json:"updated_at" doc:"when the account last changed" example:"2026-03-02T09:15:00Z"`
}

type accountList struct {
	Items []DirectoryAccount `json:"items" doc:"the accounts, by person and site"`
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
	SiteName   string `json:"site_name" doc:"the site whose directory holds the account" example:"harbour-dental-prod"`
	Login      string `json:"login" doc:"the account's login: your email address" example:"tom.reed@harbour-dental.example"`
	DN         string `json:"dn" doc:"the account's distinguished name" example:"uid=tom.reed@harbour-dental.example,ou=people,dc=harbour-dental,dc=example"`
	Password   string `json:"password" doc:"the one-time password; it is not shown again" example:"Kx7.qR#m2Vt9@pLw4_Hz"`
	MustChange bool   `json:"must_change" doc:"always true: the directory asks for a new password at first use" example:"true"`
}

type passwordOut struct {
	CacheControl string `header:"Cache-Control" doc:"no-store: the password must not be kept by any cache" example:"no-store"`
	Body         OneTimePassword
}

type siteIDIn struct {
	SiteID string `path:"site_id" doc:"the site whose directory holds your account" example:"site_01kkpng6h0d3aqrf08caygs4pm"`
}

func (s *Server) showPassword(ctx context.Context, act app.Actor, in *siteIDIn) (*passwordOut, error) {
	a, pw, err := s.app.ShowDirectoryPassword(ctx, act, in.SiteID)
	if err != nil {
		return nil, err
	}
	return &passwordOut{CacheControl: "no-store", Body: OneTimePassword{SiteName: a.SiteName, Login: act.User.Email, DN: a.DN,
		Password: pw, MustChange: true}}, nil
}
