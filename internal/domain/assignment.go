package domain

import "time"

// AccessVia tells how a user got access to a site (R-SITE-4).
type AccessVia string

// The ways to reach a site.
const (
	ViaMember     AccessVia = "member"     // a user of the site's own customer
	ViaPartner    AccessVia = "partner"    // a partner grant, possibly with expiry
	ViaAccountant AccessVia = "accountant" // an external accountant
)

// Assignment gives a user access to a site with one role.
type Assignment struct {
	ID        string
	SiteID    string
	UserID    string
	Role      Role
	Via       AccessVia
	ExpiresAt time.Time // zero: no expiry
	CreatedBy string
	CreatedAt time.Time
}

// Current reports whether the assignment grants access at now.
func (a *Assignment) Current(now time.Time) bool {
	return a.ExpiresAt.IsZero() || now.Before(a.ExpiresAt)
}

// SiteUser is one row of a site's dashboard (R-SITE-4).
type SiteUser struct {
	Assignment
	UserName  string
	UserEmail string
	UserState UserState
	Companies []string // ids of the companies the user is assigned to
}

// CompanyAssignment gives a user access to one company of a site (R-SITE-3).
type CompanyAssignment struct {
	CompanyID string
	UserID    string
	SiteID    string
	CreatedAt time.Time
}

// AccessDecision answers "may this user use this site (and company) now?".
type AccessDecision struct {
	Allowed   bool
	Reason    string // why not, or how
	Role      Role
	Via       AccessVia
	ExpiresAt time.Time
	Companies []string // for a granted site, the companies reachable ("*" for all)
}
