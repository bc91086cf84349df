package app

import (
	"context"

	"github.com/provisio/provisio/internal/domain"
)

// memo keeps what a batch of system work reads again and again (the
// sites, organisations and administrators its items share) for the
// length of one transaction. A unit without one reads each time.
type memo struct {
	sites  map[string]*domain.Site
	orgs   map[string]*domain.Org
	admins map[string][]*domain.User
}

func newMemo() *memo {
	return &memo{sites: map[string]*domain.Site{}, orgs: map[string]*domain.Org{}, admins: map[string][]*domain.User{}}
}

// anySite reads a site whatever its tenant, through the memo if any.
func (u *unit) anySite(ctx context.Context, id string) (*domain.Site, error) {
	if u.memo == nil {
		return u.tx.Site(ctx, domain.Everything, id)
	}
	if s, ok := u.memo.sites[id]; ok {
		return s, nil
	}
	s, err := u.tx.Site(ctx, domain.Everything, id)
	if err == nil {
		u.memo.sites[id] = s
	}
	return s, err
}

// anyOrg reads an organisation whatever its tenant, through the memo if
// any.
func (u *unit) anyOrg(ctx context.Context, id string) (*domain.Org, error) {
	if u.memo == nil {
		return u.tx.Org(ctx, domain.Everything, id)
	}
	if o, ok := u.memo.orgs[id]; ok {
		return o, nil
	}
	o, err := u.tx.Org(ctx, domain.Everything, id)
	if err == nil {
		u.memo.orgs[id] = o
	}
	return o, err
}

// customerAdmins lists a customer's administrators, through the memo if
// any.
func (u *unit) customerAdmins(ctx context.Context, orgID string) ([]*domain.User, error) {
	if u.memo == nil {
		return u.tx.OrgAdmins(ctx, orgID, domain.RoleCustomerAdmin)
	}
	if as, ok := u.memo.admins[orgID]; ok {
		return as, nil
	}
	as, err := u.tx.OrgAdmins(ctx, orgID, domain.RoleCustomerAdmin)
	if err == nil {
		u.memo.admins[orgID] = as
	}
	return as, err
}
