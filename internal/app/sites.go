package app

import (
	"context"
	"fmt"
	"time"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/mail"
)

// NewSite is what it takes to create a site.
type NewSite struct {
	CustomerID string
	Name       string
	Edition    domain.Edition
	Company    string // the site's first company, optional
}

// CreateSite creates a site for a customer (R-SITE-0): operators create
// either edition for any customer; partner administrators create
// professional sites for their linked customers. The built-in provisioner
// reports the site ready at once; the webhook one leaves it provisioning
// until its callback (provisioner.go). Codes: not_found, forbidden, invalid.
func (a *App) CreateSite(ctx context.Context, act Actor, in NewSite) (*domain.Site, error) {
	name := trimmed(in.Name)
	if name == "" {
		return nil, &domain.Error{Code: domain.EInvalid, Field: "name", Message: "a site needs a name"}
	}
	if !domain.ValidEdition(in.Edition) {
		return nil, &domain.Error{Code: domain.EInvalid, Field: "edition", Message: "edition must be standard or professional"}
	}
	var s *domain.Site
	err := a.write(ctx, act, func(u *unit) error {
		c, err := u.loadOrg(ctx, in.CustomerID)
		if err != nil {
			return err
		}
		if c.Kind != domain.OrgCustomer {
			return &domain.Error{Code: domain.EInvalid, Field: "customer_id", Message: "sites belong to customers; " + c.ID + " is a " + string(c.Kind)}
		}
		switch can := act.Can(); {
		case can.CreateStandardSites:
		case can.CreateSites && c.PartnerID == act.Org.ID:
			if in.Edition != domain.EditionProfessional {
				return forbidden("R-SITE-0", "partners create professional sites only; standard sites are created by the vendor")
			}
		default:
			return forbidden("R-SITE-0", "only operators, and partner administrators for their customers, create sites")
		}
		s = &domain.Site{ID: domain.NewID("site", u.now), CustomerID: c.ID, Name: name, Edition: in.Edition,
			State: domain.SiteProvisioning, CreatedAt: u.now, UpdatedAt: u.now}
		if err := u.tx.CreateSite(ctx, s); err != nil {
			return err
		}
		if err := u.record(ctx, "site.create", "site", s.ID, c.ID, nil, s); err != nil {
			return err
		}
		if err := u.startProvisioning(ctx, s); err != nil {
			return err
		}
		if in.Company != "" {
			_, err = u.createCompany(ctx, s, in.Company)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// errSiteMoved is the refusal of a state change that another change of
// the same site overtook (two operators at once, or two sweeps).
func errSiteMoved(s *domain.Site) error {
	return &domain.Error{Code: domain.EConflict, Rule: "R-SITE-2", Message: "site " + s.Name + " changed meanwhile; look at it again"}
}

// moveSite makes a legal state transition and records it.
func (u *unit) moveSite(ctx context.Context, s *domain.Site, to domain.SiteState, action string) error {
	return u.moveSiteFrom(ctx, *s, s, to, action)
}

// moveSiteFrom is moveSite for a site whose fields were already set for
// the move (a suspension's reason, a cancellation's purge date): before
// is the site as it was, so the activity log shows the real change.
func (u *unit) moveSiteFrom(ctx context.Context, before domain.Site, s *domain.Site, to domain.SiteState, action string) error {
	if err := domain.CheckSiteTransition(before.State, to); err != nil {
		return err
	}
	s.State, s.UpdatedAt = to, u.now
	if to != domain.SiteSuspended {
		s.SuspendReason, s.SuspendUntil = "", time.Time{}
	}
	if to != domain.SiteCancelled {
		s.PurgeAt = time.Time{}
	}
	if moved, err := u.tx.MoveSite(ctx, s, before.State); err != nil {
		return err
	} else if !moved {
		return errSiteMoved(s)
	}
	if err := u.tellProvisioner(ctx, s, action); err != nil {
		return err
	}
	return u.record(ctx, action, "site", s.ID, s.CustomerID, before, s)
}

// Site returns a site the actor may see. Codes: not_found.
func (a *App) Site(ctx context.Context, act Actor, id string) (s *domain.Site, err error) {
	err = a.read(ctx, act, func(u *unit) error {
		s, _, err = u.loadSite(ctx, id)
		return err
	})
	return s, err
}

// Sites lists the sites the actor may see (R-ORG-1).
func (a *App) Sites(ctx context.Context, act Actor, f domain.SiteFilter) (out domain.List[*domain.Site], err error) {
	err = a.read(ctx, act, func(u *unit) error {
		if f.CustomerID != nil {
			if _, err := u.loadOrg(ctx, *f.CustomerID); err != nil {
				return err
			}
		}
		switch {
		case act.IsOperator() || act.User == nil: // operators and the system see every site
		case act.Org.Kind == domain.OrgPartner:
			f.PartnerID = &act.Org.ID
		case act.isAccountant():
			f.AssignedUserID = &act.User.ID
		default:
			f.CustomerID = &act.Org.ID
		}
		if f.State != nil && *f.State == domain.SiteDeleted && !act.IsOperator() {
			return nil
		}
		out, err = u.tx.Sites(ctx, f)
		return err
	})
	return out, err
}

// SuspendSite suspends a ready site (R-SITE-1). A reason and an expected
// end date are required, and the vendor's operators are notified.
// Codes: not_found, forbidden, invalid, rule.
func (a *App) SuspendSite(ctx context.Context, act Actor, id, reason string, until time.Time) (*domain.Site, error) {
	reason = trimmed(reason)
	if reason == "" {
		return nil, &domain.Error{Code: domain.EInvalid, Rule: "R-SITE-1", Field: "reason", Message: "a suspension needs a reason"}
	}
	return a.operateSite(ctx, act, id, domain.SiteSuspended, "site.suspend", func(u *unit, s *domain.Site) error {
		if !until.After(u.now) {
			return &domain.Error{Code: domain.EInvalid, Rule: "R-SITE-1", Field: "until",
				Message: "a suspension needs an expected end date in the future"}
		}
		s.SuspendReason, s.SuspendUntil = reason, until.UTC()
		return u.notifySite(ctx, domain.NoticeSiteSuspended, s, mail.Data{Reason: reason, Until: s.SuspendUntil})
	})
}

// ResumeSite ends a suspension. Codes: not_found, forbidden, rule.
func (a *App) ResumeSite(ctx context.Context, act Actor, id string) (*domain.Site, error) {
	return a.operateSite(ctx, act, id, domain.SiteReady, "site.resume", func(u *unit, s *domain.Site) error {
		if s.State != domain.SiteSuspended {
			return domain.RuleError(domain.ERule, "R-SITE-1", "site %s is %s, not suspended", s.ID, s.State)
		}
		return u.notifySite(ctx, domain.NoticeSiteResumed, s, mail.Data{})
	})
}

// CancelSite puts a ready or suspended site into stasis for the stasis
// period, after which it is deleted (R-SITE-2). The reason, if given, goes
// in the notices and the activity log. Codes: not_found, forbidden, rule,
// invalid.
func (a *App) CancelSite(ctx context.Context, act Actor, id, reason string) (*domain.Site, error) {
	return a.operateSite(ctx, act, id, domain.SiteCancelled, "site.cancel", func(u *unit, s *domain.Site) error {
		if err := u.because(reason); err != nil {
			return err
		}
		s.PurgeAt = u.now.Add(u.app.cfg.StasisPeriod)
		return u.notifySite(ctx, domain.NoticeSiteCancelled, s, mail.Data{ExpiresAt: s.PurgeAt, Reason: u.reason})
	})
}

// RestoreSite brings a cancelled site back during its stasis (R-SITE-2).
// Codes: not_found, forbidden, rule.
func (a *App) RestoreSite(ctx context.Context, act Actor, id string) (*domain.Site, error) {
	return a.operateSite(ctx, act, id, domain.SiteReady, "site.restore", func(u *unit, s *domain.Site) error {
		if s.State != domain.SiteCancelled {
			return domain.RuleError(domain.ERule, "R-SITE-2", "site %s is %s; only a cancelled site can be restored", s.ID, s.State)
		}
		if !u.now.Before(s.PurgeAt) {
			return domain.RuleError(domain.ERule, "R-SITE-2", "the stasis of site %s ended on %s", s.ID, s.PurgeAt.Format(time.RFC3339))
		}
		return u.notifySite(ctx, domain.NoticeSiteRestored, s, mail.Data{})
	})
}

// operateSite runs an operator's state change of a site: prepare may
// refuse it or set fields, then the transition is checked and recorded.
func (a *App) operateSite(ctx context.Context, act Actor, id string, to domain.SiteState, action string,
	prepare func(*unit, *domain.Site) error) (*domain.Site, error) {
	var s *domain.Site
	err := a.write(ctx, act, func(u *unit) error {
		var err error
		var cust *domain.Org
		if s, cust, err = u.loadSite(ctx, id); err != nil {
			return err
		}
		if !act.sitePermissions(s, cust).ChangeState {
			return forbidden("R-SITE-1", "only the vendor's operators suspend, cancel or restore sites")
		}
		if err := domain.CheckSiteTransition(s.State, to); err != nil {
			return err
		}
		before := *s
		if err := prepare(u, s); err != nil {
			return err
		}
		return u.moveSiteFrom(ctx, before, s, to, action)
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// notifySite tells the vendor's operators and the site's customer
// administrators about a change of the site's state (R-SITE-1, R-SITE-2):
// the customer learns of its own site's suspension, cancellation,
// restoration and deletion as the vendor does.
func (u *unit) notifySite(ctx context.Context, kind string, s *domain.Site, d mail.Data) error {
	to, err := u.operators(ctx)
	if err != nil {
		return err
	}
	admins, err := u.tx.OrgAdmins(ctx, s.CustomerID, domain.RoleCustomerAdmin)
	if err != nil {
		return fmt.Errorf("administrators of %s: %w", s.CustomerID, err)
	}
	cust, err := u.tx.Org(ctx, domain.Everything, s.CustomerID)
	if err != nil {
		return fmt.Errorf("customer of %s: %w", s.ID, err)
	}
	d.SiteName, d.SiteID, d.OrgName = s.Name, s.ID, cust.Name
	if s.State != domain.SiteDeleted {
		d.Link = u.app.cfg.BaseURL + "/sites/" + s.ID
	}
	return u.announce(ctx, kind, []string{s.CustomerID}, d, append(to, admins...)...)
}
