package domain

import (
	"net/url"
	"slices"
	"strings"
	"time"
)

// AppClient is an application of a site that signs people in through
// Provisio's OpenID provider (R-APP-2): its client id, where it may be
// sent back to, and whether it keeps a secret.
type AppClient struct {
	ID             string    `json:"id"` // the OAuth client_id
	SiteID         string    `json:"site_id"`
	Name           string    `json:"name"`
	Public         bool      `json:"public"` // no secret: PKCE is required (a desktop or single-page app)
	RedirectURIs   []string  `json:"redirect_uris"`
	PostLogoutURIs []string  `json:"post_logout_uris"`
	CreatedBy      string    `json:"created_by"`
	CreatedAt      time.Time `json:"created_at"`
}

// CheckAppClient normalises and checks a client's settings: a name, at
// least one redirect URI, every URI absolute, https unless on loopback,
// and without a fragment (RFC 6749 section 3.1.2).
func CheckAppClient(c AppClient) (AppClient, error) {
	c.Name = strings.TrimSpace(c.Name)
	if c.Name == "" {
		return c, &Error{Code: EInvalid, Rule: "R-APP-2", Field: "name", Message: "name the application, e.g. \"acme-prod web portal\""}
	}
	var err error
	if c.RedirectURIs, err = checkURIs("redirect_uris", c.RedirectURIs); err != nil {
		return c, err
	}
	if len(c.RedirectURIs) == 0 {
		return c, &Error{Code: EInvalid, Rule: "R-APP-2", Field: "redirect_uris", Message: "give at least one redirect URI, where the application receives sign-ins"}
	}
	if c.PostLogoutURIs, err = checkURIs("post_logout_uris", c.PostLogoutURIs); err != nil {
		return c, err
	}
	return c, nil
}

func checkURIs(field string, in []string) ([]string, error) {
	var out []string
	for _, s := range in {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		u, err := url.Parse(s)
		bad := err != nil || !u.IsAbs() || u.Host == "" || u.Fragment != ""
		if !bad && u.Scheme != "https" {
			host := u.Hostname()
			bad = u.Scheme != "http" || !(host == "localhost" || host == "127.0.0.1" || host == "::1")
		}
		if bad {
			return nil, &Error{Code: EInvalid, Rule: "R-APP-2", Field: field,
				Message: s + " is not a redirect URI Provisio accepts: an absolute https URL without #fragment (http only on localhost)"}
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out, nil
}

// OIDCAuthRequest is a sign-in an application started (R-APP-2): what it
// asked for, and once the person signed in, who and when.
type OIDCAuthRequest struct {
	ID            string
	ClientID      string
	SiteID        string
	RedirectURI   string
	Scopes        []string
	State         string
	Nonce         string
	ResponseType  string
	ResponseMode  string
	Challenge     string // PKCE code challenge
	ChallengeAlgo string // "S256" or "plain"
	Company       string // the company the application asked for, if any
	Prompt        string // the application's prompt ("none": no page may be shown; "login": sign in again)
	MaxAge        int64  // the longest time since the person signed in, in seconds; -1: any
	UserID        string // set once the person signed in and the access decision said yes
	AuthTime      time.Time
	CreatedAt     time.Time
	ExpiresAt     time.Time
}

// OIDCToken is an access or refresh token issued to an application
// (R-APP-2). Only a hash of a refresh token's secret is kept.
type OIDCToken struct {
	ID        string
	Refresh   bool
	ClientID  string
	UserID    string
	SiteID    string
	Company   string
	Family    string // the sign-in every token of a refresh chain descends from
	Scopes    []string
	AuthTime  time.Time
	CreatedAt time.Time
	ExpiresAt time.Time
	RevokedAt time.Time
}
