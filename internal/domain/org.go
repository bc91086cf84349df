package domain

import "time"

// OrgKind is the kind of an organisation.
type OrgKind string

// The organisation kinds. There is exactly one vendor.
const (
	OrgVendor   OrgKind = "vendor"
	OrgPartner  OrgKind = "partner"
	OrgCustomer OrgKind = "customer"
)

// Org is an organisation: the vendor, a reseller partner or a customer.
type Org struct {
	ID            string  `json:"id"`
	Kind          OrgKind `json:"kind"`
	Name          string  `json:"name"`
	PartnerID     string  `json:"partner_id,omitzero"`      // customers only: the partner of record, "" for none
	Demo          bool    `json:"demo"`                     // customers only: the partner's own demo customer (R-ROLE-3 exception)
	MainContactID string  `json:"main_contact_id,omitzero"` // R-ORG-2; "" until its first user exists
	RequireMFA    bool    `json:"require_mfa"`              // R-PLUS-3: its users need a second factor
	LockDormant   bool    `json:"lock_dormant"`             // R-PLUS-4: lock users not signed in for the dormancy period
	// ReviewAutoRemove is what happens to access left unconfirmed when a
	// review is due (R-PLUS-5): "" nothing (the operators are told),
	// DecideLock or DecideUnassign.
	ReviewAutoRemove string    `json:"review_auto_remove,omitzero"`
	CreatedAt        time.Time `json:"created_at,omitzero"`
}

// OrgFilter narrows a list of organisations. Nil fields are not set.
type OrgFilter struct {
	Kind      *OrgKind
	PartnerID *string
	Search    *string // matches the name, case-insensitively
	Page
}

// OrgUpdate holds the fields of an organisation that may change.
type OrgUpdate struct {
	Name          *string
	MainContactID *string
	Demo          *bool
	RequireMFA    *bool
	LockDormant   *bool
	// ReviewAutoRemove: "", DecideLock or DecideUnassign (R-PLUS-5).
	ReviewAutoRemove *string
}

// Page asks for one page of a list ordered by id: the items after Cursor.
type Page struct {
	Cursor string
	Limit  int
	Count  bool // also count every match (List.Total)
}

// MaxPageSize bounds every list page.
const MaxPageSize = 200

// Normalize clamps the limit to 1…MaxPageSize, 50 by default.
func (p Page) Normalize() Page {
	if p.Limit <= 0 {
		p.Limit = 50
	}
	if p.Limit > MaxPageSize {
		p.Limit = MaxPageSize
	}
	return p
}

// List is one page of a list, with the cursor of the next page ("" when
// this is the last).
type List[T any] struct {
	Items      []T
	NextCursor string
	Total      int // every match, when the page asked for it (Page.Count)
}

// PartnerLinkRequest is a customer asking a partner to become its partner
// of record; the link is made when the partner's administrators accept.
type PartnerLinkRequest struct {
	CustomerID  string    `json:"customer_id"`
	PartnerID   string    `json:"partner_id"`
	RequestedBy string    `json:"requested_by"`
	CreatedAt   time.Time `json:"created_at,omitzero"`
}
