package domain

import (
	"slices"
	"time"
)

// UserState is where a user is in its life (SPEC section 3).
type UserState string

// The user states. Invited users are shown as "Inactive".
const (
	UserInvited UserState = "invited"
	UserActive  UserState = "active"
	UserLocked  UserState = "locked"
	UserDeleted UserState = "deleted"
)

// User is a named person with a login.
type User struct {
	ID              string    `json:"id"`
	OrgID           string    `json:"org_id"` // fixed at creation (R-ORG-3)
	Type            UserType  `json:"type"`
	Email           string    `json:"email"` // normalised: trimmed and lower-case (R-USER-1)
	Name            string    `json:"name"`
	Roles           []Role    `json:"roles"`
	State           UserState `json:"state"`
	Generic         bool      `json:"generic"` // R-USER-3: looks like a shared account; reported by the audit
	InviteExpiresAt time.Time `json:"invite_expires_at,omitzero"`
	CreatedAt       time.Time `json:"created_at,omitzero"`
	UpdatedAt       time.Time `json:"updated_at,omitzero"`
	TimeZone        string    `json:"time_zone,omitzero"` // IANA zone the person reads dates in; "" for UTC
}

// HasRole reports whether the user holds r.
func (u *User) HasRole(r Role) bool { return slices.Contains(u.Roles, r) }

// IsAdmin reports whether the user administers its organisation.
func (u *User) IsAdmin() bool {
	return u.HasRole(RoleOperator) || u.HasRole(RolePartnerAdmin) || u.HasRole(RoleCustomerAdmin)
}

// UserFilter narrows a list of users. Nil fields are not set.
type UserFilter struct {
	OrgID  *string
	State  *UserState
	Role   *Role
	Search *string // matches name or email, case-insensitively
	Page
}

// UserUpdate holds the fields of a user that its administrators may change
// (R-USER-6). The organisation is never among them (R-ORG-3).
type UserUpdate struct {
	Name  *string
	Email *string
	Roles []Role // nil: unchanged
}
