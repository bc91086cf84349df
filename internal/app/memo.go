package app

import (
	"context"

	"github.com/provisio/provisio/internal/domain"
)

// memo keeps what a batch of system work reads again and again (the
// sites, organisations, administrators and webhooks its items share) for
// the length of one transaction. A unit's zero memo (nil maps) reads each
// time.
type memo struct {
	sites  map[string]*domain.Site
	orgs   map[string]*domain.Org
	admins map[string][]*domain.User
	hooks  map[string][]*domain.Webhook
}

func newMemo() memo {
	return memo{sites: map[string]*domain.Site{}, orgs: map[string]*domain.Org{}, admins: map[string][]*domain.User{},
		hooks: map[string][]*domain.Webhook{}}
}

// remembered reads key through m: the value kept there, or load's,
// which it then keeps (m nil: load each time).
func remembered[V any](m map[string]V, key string, load func() (V, error)) (V, error) {
	if v, ok := m[key]; ok {
		return v, nil
	}
	v, err := load()
	if err == nil && m != nil {
		m[key] = v
	}
	return v, err
}

// anySite reads a site whatever its tenant, through the memo if any.
func (u *unit) anySite(ctx context.Context, id string) (*domain.Site, error) {
	return remembered(u.memo.sites, id, func() (*domain.Site, error) { return u.tx.Site(ctx, domain.Everything, id) })
}

// anyOrg reads an organisation whatever its tenant, through the memo if
// any.
func (u *unit) anyOrg(ctx context.Context, id string) (*domain.Org, error) {
	return remembered(u.memo.orgs, id, func() (*domain.Org, error) { return u.tx.Org(ctx, domain.Everything, id) })
}

// customerAdmins lists a customer's administrators, through the memo if
// any.
func (u *unit) customerAdmins(ctx context.Context, orgID string) ([]*domain.User, error) {
	return remembered(u.memo.admins, orgID, func() ([]*domain.User, error) {
		return u.tx.OrgAdmins(ctx, orgID, domain.RoleCustomerAdmin)
	})
}

// webhooks lists an organisation's webhooks, through the memo if any.
func (u *unit) webhooks(ctx context.Context, orgID string) ([]*domain.Webhook, error) {
	return remembered(u.memo.hooks, orgID, func() ([]*domain.Webhook, error) { return u.tx.Webhooks(ctx, orgID) })
}
