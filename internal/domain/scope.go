package domain

// Scope is the part of the portal's tenant data an actor may read
// (R-ORG-1). The store filters every read of tenant data by id on it, in
// SQL, so that one slip in a use case cannot cross tenants. The zero
// Scope reads nothing; Everything reads all.
type Scope struct {
	All   bool   // operators and Provisio itself
	OrgID string // the actor's own organisation
	// Partner is set when OrgID is a partner: its linked customers and
	// their sites are in scope too.
	Partner bool
	// DemoUsers is set for a partner administrator: the users of its demo
	// customers are in scope (R-ROLE-3).
	DemoUsers bool
	// UserID is the actor itself, always in scope; an accountant (no
	// organisation) also sees the sites it is assigned to.
	UserID     string
	Accountant bool
	// DeletedSites is set for operators, who still see deleted sites.
	DeletedSites bool
}

// Everything is the scope of operators and of Provisio itself.
var Everything = Scope{All: true, DeletedSites: true}
