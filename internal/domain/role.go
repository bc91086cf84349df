package domain

import "slices"

// Role is what a user may do inside its organisation (SPEC section 1).
type Role string

// The roles of SPEC section 1.
const (
	RoleOperator      Role = "operator"
	RolePartnerAdmin  Role = "partner_admin"
	RolePartnerAgent  Role = "partner_agent"
	RoleCustomerAdmin Role = "customer_admin"
	RoleCustomerOps   Role = "customer_ops"
	RoleCustomerUser  Role = "customer_user"
	RoleAccountant    Role = "accountant"
)

// UserType is the kind of login a user holds (R-ROLE-3). Exactly one.
type UserType string

// The user types.
const (
	TypeOperator   UserType = "operator"
	TypePartner    UserType = "partner"
	TypeCustomer   UserType = "customer"
	TypeAccountant UserType = "accountant"
)

// TypeOfRole tells which user type may hold a role.
func TypeOfRole(r Role) (UserType, bool) {
	switch r {
	case RoleOperator:
		return TypeOperator, true
	case RolePartnerAdmin, RolePartnerAgent:
		return TypePartner, true
	case RoleCustomerAdmin, RoleCustomerOps, RoleCustomerUser:
		return TypeCustomer, true
	case RoleAccountant:
		return TypeAccountant, true
	}
	return "", false
}

// allRoles lists every role, in the order people read them.
var allRoles = []Role{RoleOperator, RolePartnerAdmin, RolePartnerAgent, RoleCustomerAdmin, RoleCustomerOps,
	RoleCustomerUser, RoleAccountant}

// RolesFor lists the roles a user of type t may hold (R-ROLE-3), as
// TypeOfRole decides.
func RolesFor(t UserType) []Role {
	var out []Role
	for _, r := range allRoles {
		if rt, _ := TypeOfRole(r); rt == t {
			out = append(out, r)
		}
	}
	return out
}

// TypeForOrg is the only user type an organisation of kind k can hold.
func TypeForOrg(k OrgKind) UserType {
	switch k {
	case OrgVendor:
		return TypeOperator
	case OrgPartner:
		return TypePartner
	default:
		return TypeCustomer
	}
}

// AdminRole is the administrator role for users of type t ("" for none).
func AdminRole(t UserType) Role {
	switch t {
	case TypeOperator:
		return RoleOperator
	case TypePartner:
		return RolePartnerAdmin
	case TypeCustomer:
		return RoleCustomerAdmin
	}
	return ""
}

// ValidateRoles checks that roles is a non-empty set of roles that users of
// type t may hold (R-ROLE-3, R-ROLE-4). It returns the roles sorted and
// without repeats.
func ValidateRoles(t UserType, roles []Role) ([]Role, error) {
	if len(roles) == 0 {
		return nil, &Error{Code: EInvalid, Rule: "R-ROLE-4", Field: "roles", Message: "a user needs at least one role"}
	}
	out := slices.Clone(roles)
	slices.Sort(out)
	out = slices.Compact(out)
	for _, r := range out {
		rt, ok := TypeOfRole(r)
		if !ok {
			return nil, &Error{Code: EInvalid, Field: "roles", Message: "unknown role " + string(r)}
		}
		if rt != t {
			return nil, &Error{Code: ERule, Rule: "R-ROLE-3", Field: "roles",
				Message: "a " + string(t) + "-type user cannot hold the role " + string(r)}
		}
	}
	return out, nil
}
