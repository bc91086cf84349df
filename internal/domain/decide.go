package domain

import "time"

// AccessFacts is what the access decision needs to know about a user, a
// site and perhaps a company, read together: the site with its customer
// (for the caller's tenancy check), and the user's assignment to the site,
// if any. The zero value means "not assigned".
type AccessFacts struct {
	SiteState     SiteState
	CustomerID    string
	PartnerID     string // the customer's partner of record, "" for none
	Assigned      bool   // the user has an assignment to the site, current or not
	UserState     UserState
	Role          Role // the user's role on the site
	Via           AccessVia
	ExpiresAt     time.Time // end of the assignment; zero: no expiry
	CompanySiteID string    // the site of the company asked about, "" if none or unknown
	InCompany     bool      // the user is assigned to that company
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

// DecideAccess is the access rule over facts: it allows the user to use
// site siteID (and, when companyID is set, that company) at now only if
// the user is assigned to the site (R-APP-2) and active (R-USER-5), the
// site is ready (R-SITE-1, R-SITE-2), the assignment has not expired
// (R-PARTNER-2, GrantExpired), and for a company, the company belongs to
// the site and the user reaches it: operations agents reach every company
// of their sites, customer administrators none, anyone else only the
// companies assigned to them (R-SITE-3, R-ROLE-2, R-ASSIGN-4). The first
// failing condition, in that order, is the Reason; an allowed decision
// says how. Role, Via and ExpiresAt come from the assignment either way.
func DecideAccess(f AccessFacts, siteID, companyID string, now time.Time) AccessDecision {
	d := AccessDecision{Role: f.Role, Via: f.Via, ExpiresAt: f.ExpiresAt}
	switch {
	case !f.Assigned:
		return AccessDecision{Reason: "the user is not assigned to the site"}
	case f.UserState != UserActive:
		d.Reason = "the user is " + string(f.UserState)
	case f.SiteState != SiteReady:
		d.Reason = "the site is " + string(f.SiteState)
	case GrantExpired(f.ExpiresAt, now):
		d.Reason = "the access expired at " + f.ExpiresAt.Format(time.RFC3339)
	case companyID == "":
		d.Allowed, d.Reason = true, "assigned to the site as "+string(f.Role)
	case f.CompanySiteID != siteID:
		d.Reason = "the company is not part of the site"
	case f.Role == RoleCustomerOps:
		d.Allowed, d.Reason = true, "operations agents reach every company of their sites"
	case f.Role == RoleCustomerAdmin:
		d.Reason = "customer administrators are not assigned to companies (R-ROLE-2)"
	case f.InCompany:
		d.Allowed, d.Reason = true, "assigned to the company"
	default:
		d.Reason = "the user is not assigned to the company"
	}
	return d
}
