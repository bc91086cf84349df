package domain

import "time"

// Edition is a site's product edition.
type Edition string

// The editions (SPEC section 4).
const (
	EditionStandard     Edition = "standard"
	EditionProfessional Edition = "professional"
)

// ValidEdition reports whether e is a known edition.
func ValidEdition(e Edition) bool { return e == EditionStandard || e == EditionProfessional }

// SiteState is where a site is in its life.
type SiteState string

// The site states. Cancelled is "stasis" (R-SITE-2).
const (
	SiteProvisioning SiteState = "provisioning"
	SiteFailed       SiteState = "failed" // the provisioner reported a failure, or never answered (R-SITE-0)
	SiteReady        SiteState = "ready"
	SiteSuspended    SiteState = "suspended"
	SiteCancelled    SiteState = "cancelled"
	SiteDeleted      SiteState = "deleted"
)

// siteTransitions lists the legal moves: provisioning → ready or failed,
// failed → provisioning again (a retry); ready ↔ suspended;
// ready/suspended → cancelled → deleted; cancelled → ready is the
// operator's restore during stasis.
var siteTransitions = map[SiteState][]SiteState{
	SiteProvisioning: {SiteReady, SiteFailed},
	SiteFailed:       {SiteProvisioning},
	SiteReady:        {SiteSuspended, SiteCancelled},
	SiteSuspended:    {SiteReady, SiteCancelled},
	SiteCancelled:    {SiteReady, SiteDeleted},
}

// CheckSiteTransition returns a rule error unless from → to is legal.
func CheckSiteTransition(from, to SiteState) error {
	for _, s := range siteTransitions[from] {
		if s == to {
			return nil
		}
	}
	return RuleError(ERule, "R-SITE-2", "a site cannot go from %s to %s", from, to)
}

// Site is one hosted instance of the product, owned by a customer.
type Site struct {
	ID             string    `json:"id"`
	CustomerID     string    `json:"customer_id"`
	Name           string    `json:"name"`
	Edition        Edition   `json:"edition"`
	State          SiteState `json:"state"`
	SuspendReason  string    `json:"suspend_reason,omitzero"`
	SuspendUntil   time.Time `json:"suspend_until,omitzero"` // expected end of a suspension
	PurgeAt        time.Time `json:"purge_at,omitzero"`      // end of stasis; zero unless cancelled
	ProvisionError string    `json:"provision_error,omitzero"`
	CreatedAt      time.Time `json:"created_at,omitzero"`
	UpdatedAt      time.Time `json:"updated_at,omitzero"`
}

// SiteFilter narrows a list of sites. Nil fields are not set.
type SiteFilter struct {
	CustomerID *string
	PartnerID  *string // sites of the partner's linked customers
	// AssignedUserID narrows to the sites the user is assigned to (an
	// accountant's sites).
	AssignedUserID *string
	State          *SiteState
	Search         *string // matches the name, case-insensitively
	Page
}

// Company is one of a site's legal entities (R-SITE-3).
type Company struct {
	ID        string    `json:"id"`
	SiteID    string    `json:"site_id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at,omitzero"`
}
