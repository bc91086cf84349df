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
	ID        string    `json:"id"`
	SiteID    string    `json:"site_id"`
	UserID    string    `json:"user_id"`
	Role      Role      `json:"role"`
	Via       AccessVia `json:"via"`
	ExpiresAt time.Time `json:"expires_at,omitzero"` // zero: no expiry
	CreatedBy string    `json:"created_by,omitzero"`
	CreatedAt time.Time `json:"created_at,omitzero"`
}

// GrantExpired reports whether access that ends at expiresAt has ended by
// now. A zero expiresAt never ends (R-PARTNER-3); otherwise access ends
// at expiresAt exactly, so it is gone at that instant (R-PARTNER-2,
// R-APP-2). This is the rule's one statement in Go; internal/store writes
// the same predicate once in SQL, for queries that filter in the database.
func GrantExpired(expiresAt, now time.Time) bool {
	return !expiresAt.IsZero() && !now.Before(expiresAt)
}

// Expired reports whether the assignment's access has ended by now
// (GrantExpired), whether or not the expiry job has removed it yet.
func (a *Assignment) Expired(now time.Time) bool { return GrantExpired(a.ExpiresAt, now) }

// Current reports whether the assignment grants access at now: it has not
// expired.
func (a *Assignment) Current(now time.Time) bool { return !a.Expired(now) }

// SiteUser is one row of a site's dashboard (R-SITE-4).
type SiteUser struct {
	Assignment
	UserName  string
	UserEmail string
	UserState UserState
	Companies []string // ids of the companies the user is assigned to
}

// ReachesAllCompanies reports whether the user reaches every company of
// the site through its role: operations agents do (R-SITE-3).
func (su *SiteUser) ReachesAllCompanies() bool { return su.Role == RoleCustomerOps }

// MayJoinCompanies reports whether the user may be assigned to a company
// of the site: a customer administrator may not (R-ASSIGN-4).
func (su *SiteUser) MayJoinCompanies() bool { return su.Role != RoleCustomerAdmin }

// CompanyAssignment gives a user access to one company of a site (R-SITE-3).
type CompanyAssignment struct {
	CompanyID string    `json:"company_id"`
	UserID    string    `json:"user_id"`
	SiteID    string    `json:"site_id"`
	CreatedAt time.Time `json:"created_at,omitzero"`
}

// GrantFate is what became of the access an approved request gave:
// the assignment its user has on the site now, if any, and when the user
// last left the site, if that is still known.
type GrantFate struct {
	Assignment *Assignment // only ID, Via and ExpiresAt are set
	LeftAt     time.Time
}
