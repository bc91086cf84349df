package app

import (
	"context"
	"errors"

	"github.com/provisio/provisio/internal/domain"
)

// Companies are the ERP's legal entities inside a site (R-SITE-3). The
// customer's operations agents assigned to the site create, rename and
// staff them; customer administrators do not (R-ROLE-2).

// opsAgent refuses anyone but an operations agent currently assigned to
// the site with that role, who is not also an administrator (R-ROLE-2).
func (u *unit) opsAgent(ctx context.Context, s *domain.Site) error {
	if u.act.User == nil {
		return nil
	}
	if u.act.is(domain.RoleCustomerAdmin) && !u.act.is(domain.RoleCustomerOps) {
		return forbidden("R-ROLE-2", "customer administrators manage portal users, not companies; ask an operations agent")
	}
	if u.act.is(domain.RoleCustomerAdmin) {
		return forbidden("R-ROLE-2", "a customer administrator cannot assign users to companies, even with the operations role")
	}
	as, err := u.tx.Assignment(ctx, s.ID, u.act.User.ID)
	if errors.Is(err, domain.ErrNotFound) || err == nil && (as.Role != domain.RoleCustomerOps || !as.Current(u.now)) {
		return forbidden("R-SITE-3", "only operations agents assigned to site %s manage its companies", s.Name)
	} else if err != nil {
		return err
	}
	return nil
}

// CreateCompany adds a company to a site. Codes: not_found, forbidden,
// invalid, conflict.
func (a *App) CreateCompany(ctx context.Context, act Actor, siteID, name string) (c *domain.Company, err error) {
	err = a.write(ctx, act, func(u *unit) error {
		s, _, err := u.loadSite(ctx, siteID)
		if err != nil {
			return err
		}
		if err := u.opsAgent(ctx, s); err != nil {
			return err
		}
		c, err = u.createCompany(ctx, s, name)
		return err
	})
	return c, err
}

func (u *unit) createCompany(ctx context.Context, s *domain.Site, name string) (*domain.Company, error) {
	if name = trimmed(name); name == "" {
		return nil, &domain.Error{Code: domain.EInvalid, Field: "name", Message: "a company needs a name"}
	}
	c := &domain.Company{ID: domain.NewID("co", u.now), SiteID: s.ID, Name: name, CreatedAt: u.now}
	if err := u.tx.CreateCompany(ctx, c); err != nil {
		if errors.Is(err, domain.ErrUnique) {
			return nil, &domain.Error{Code: domain.EConflict, Field: "name", Message: "site " + s.ID + " already has a company named " + name}
		}
		return nil, err
	}
	return c, u.record(ctx, "company.create", "company", c.ID, s.CustomerID, nil, c)
}

// RenameCompany renames a company. Codes: not_found, forbidden, invalid,
// conflict.
func (a *App) RenameCompany(ctx context.Context, act Actor, id, name string) (c *domain.Company, err error) {
	if name = trimmed(name); name == "" {
		return nil, &domain.Error{Code: domain.EInvalid, Field: "name", Message: "a company needs a name"}
	}
	err = a.write(ctx, act, func(u *unit) error {
		var s *domain.Site
		if c, s, err = u.loadCompany(ctx, id); err != nil {
			return err
		}
		if err := u.opsAgent(ctx, s); err != nil {
			return err
		}
		before := *c
		c.Name = name
		if err := u.tx.RenameCompany(ctx, c.ID, name); err != nil {
			if errors.Is(err, domain.ErrUnique) {
				return &domain.Error{Code: domain.EConflict, Field: "name", Message: "the site already has a company named " + name}
			}
			return err
		}
		return u.record(ctx, "company.rename", "company", c.ID, s.CustomerID, before, c)
	})
	return c, err
}

func (u *unit) loadCompany(ctx context.Context, id string) (*domain.Company, *domain.Site, error) {
	c, err := u.tx.Company(ctx, u.act.scope(), id)
	if err != nil {
		return nil, nil, storeErr(err, "company", id)
	}
	s, _, err := u.loadSite(ctx, c.SiteID)
	if err != nil {
		return nil, nil, hideAs(err, "company", id)
	}
	return c, s, nil
}

// Companies lists a site's companies. Codes: not_found.
func (a *App) Companies(ctx context.Context, act Actor, siteID string, p domain.Page) (out domain.List[*domain.Company], err error) {
	err = a.read(ctx, act, func(u *unit) error {
		if _, _, err := u.loadSite(ctx, siteID); err != nil {
			return err
		}
		out, err = u.tx.Companies(ctx, siteID, p)
		return err
	})
	return out, err
}

// AssignCompany gives a user of the site access to one of its companies
// (R-SITE-3). Customer administrators can be neither the target
// (R-ASSIGN-4) nor the one assigning (R-ROLE-2). Codes: not_found,
// forbidden, rule, conflict.
func (a *App) AssignCompany(ctx context.Context, act Actor, companyID, userID string) error {
	return a.write(ctx, act, func(u *unit) error {
		c, s, err := u.loadCompany(ctx, companyID)
		if err != nil {
			return err
		}
		usr, err := u.siteUser(ctx, s, userID)
		if err != nil {
			return err
		}
		if err := u.opsAgent(ctx, s); err != nil {
			return err
		}
		if usr.HasRole(domain.RoleCustomerAdmin) {
			return domain.RuleError(domain.ERule, "R-ASSIGN-4", "%s is a customer administrator and cannot be assigned to a company", usr.Email)
		}
		if err := assignable(usr); err != nil {
			return err
		}
		if _, err := u.tx.Assignment(ctx, s.ID, usr.ID); errors.Is(err, domain.ErrNotFound) {
			return domain.RuleError(domain.ERule, "R-SITE-3", "%s is not assigned to site %s; assign the user to the site first", usr.Email, s.Name)
		} else if err != nil {
			return err
		}
		ca := &domain.CompanyAssignment{CompanyID: c.ID, UserID: usr.ID, SiteID: s.ID, CreatedAt: u.now}
		if err := u.tx.CreateCompanyAssignment(ctx, ca); err != nil {
			if errors.Is(err, domain.ErrUnique) {
				return &domain.Error{Code: domain.EConflict, Message: usr.Email + " is already assigned to company " + c.Name}
			}
			return err
		}
		return u.record(ctx, "company_assignment.create", "company", c.ID, s.CustomerID, nil, ca)
	})
}

// UnassignCompany removes a user from a company. Codes: not_found,
// forbidden.
func (a *App) UnassignCompany(ctx context.Context, act Actor, companyID, userID string) error {
	return a.write(ctx, act, func(u *unit) error {
		c, s, err := u.loadCompany(ctx, companyID)
		if err != nil {
			return err
		}
		if _, err := u.siteUser(ctx, s, userID); err != nil {
			return err
		}
		if err := u.opsAgent(ctx, s); err != nil {
			return err
		}
		if err := u.tx.DeleteCompanyAssignment(ctx, c.ID, userID); err != nil {
			return storeErr(err, "company assignment", userID)
		}
		return u.record(ctx, "company_assignment.delete", "company", c.ID, s.CustomerID,
			map[string]string{"company_id": c.ID, "user_id": userID}, nil)
	})
}
