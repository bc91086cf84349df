package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/provisio/provisio/internal/domain"
)

// NewOrg is what it takes to create an organisation.
type NewOrg struct {
	Kind      domain.OrgKind
	Name      string
	PartnerID string // customers: the partner of record, optional
	Demo      bool   // customers: the partner's own demo customer
}

// CreateOrg creates a partner or customer organisation. Only operators may
// (SPEC section 1). Codes: forbidden, invalid, not_found (partner).
func (a *App) CreateOrg(ctx context.Context, act Actor, in NewOrg) (*domain.Org, error) {
	if !act.Can().CreateOrgs {
		return nil, forbidden("R-ORG-1", "only the vendor's operators create organisations")
	}
	in.Name = strings.TrimSpace(in.Name)
	switch {
	case in.Name == "":
		return nil, &domain.Error{Code: domain.EInvalid, Field: "name", Message: "an organisation needs a name"}
	case in.Kind != domain.OrgPartner && in.Kind != domain.OrgCustomer:
		return nil, &domain.Error{Code: domain.EInvalid, Field: "kind", Message: "kind must be partner or customer"}
	case in.Kind == domain.OrgPartner && (in.PartnerID != "" || in.Demo):
		return nil, &domain.Error{Code: domain.EInvalid, Field: "partner_id", Message: "only customers have a partner or a demo flag"}
	case in.Demo && in.PartnerID == "":
		return nil, domain.RuleError(domain.EInvalid, "R-ROLE-3", "a demo customer belongs to a partner: give partner_id")
	}
	o := &domain.Org{Kind: in.Kind, Name: in.Name, PartnerID: in.PartnerID, Demo: in.Demo}
	err := a.write(ctx, act, func(u *unit) error {
		if in.PartnerID != "" {
			if err := u.checkPartner(ctx, in.PartnerID); err != nil {
				return err
			}
		}
		o.ID, o.CreatedAt = domain.NewID("org", u.now), u.now
		if err := u.tx.CreateOrg(ctx, o); err != nil {
			return err
		}
		return u.record(ctx, "org.create", "org", o.ID, o.ID, nil, o)
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

func (u *unit) checkPartner(ctx context.Context, id string) error {
	p, err := u.loadOrg(ctx, id)
	if err != nil {
		return err
	}
	if p.Kind != domain.OrgPartner {
		return &domain.Error{Code: domain.EInvalid, Field: "partner_id", Message: "organisation " + id + " is not a partner"}
	}
	return nil
}

// Org returns an organisation the actor may see. Codes: not_found.
func (a *App) Org(ctx context.Context, act Actor, id string) (o *domain.Org, err error) {
	err = a.read(ctx, act, func(u *unit) error {
		o, err = u.loadOrg(ctx, id)
		return err
	})
	return o, err
}

// Orgs lists the organisations the actor may see (R-ORG-1): everything for
// operators, the partner and its linked customers for a partner, and the
// customer itself for a customer.
func (a *App) Orgs(ctx context.Context, act Actor, f domain.OrgFilter) (domain.List[*domain.Org], error) {
	var out domain.List[*domain.Org]
	err := a.read(ctx, act, func(u *unit) error {
		if f.PartnerID != nil {
			if _, err := u.loadOrg(ctx, *f.PartnerID); err != nil {
				return err
			}
		}
		var err error
		switch {
		case act.IsOperator() || act.User == nil: // operators and the system see every organisation
			out, err = u.tx.Orgs(ctx, f)
		case act.Org != nil && act.Org.Kind == domain.OrgPartner:
			if f.PartnerID != nil && *f.PartnerID != act.Org.ID {
				return nil // another partner's customers: none visible
			}
			if f.Kind != nil && *f.Kind == domain.OrgCustomer || f.PartnerID != nil {
				f.PartnerID = &act.Org.ID
				out, err = u.tx.Orgs(ctx, f)
				break
			}
			// The partner itself first, then its customers.
			self := f.Kind == nil && nameMatches(act.Org, f.Search)
			if self && f.Cursor == "" {
				out.Items = append(out.Items, act.Org)
			}
			f.PartnerID = &act.Org.ID
			var more domain.List[*domain.Org]
			more, err = u.tx.Orgs(ctx, f)
			out.Items, out.NextCursor, out.Total = append(out.Items, more.Items...), more.NextCursor, more.Total
			if self && f.Count {
				out.Total++
			}
		case act.Org != nil:
			if (f.Kind == nil || *f.Kind == act.Org.Kind) && nameMatches(act.Org, f.Search) {
				if f.Cursor == "" {
					out.Items = []*domain.Org{act.Org}
				}
				if f.Count {
					out.Total = 1
				}
			}
		}
		return err
	})
	return out, err
}

// nameMatches reports whether o's name holds search (nil or "": every
// name), as the store's search matches.
func nameMatches(o *domain.Org, search *string) bool {
	return search == nil || strings.Contains(strings.ToLower(o.Name), strings.ToLower(*search))
}

// UpdateOrg changes an organisation's name, main contact (R-ORG-2) or demo
// flag. The organisation's administrators and operators may change name
// and contact; only operators flag a demo customer. Codes: not_found,
// forbidden, invalid.
func (a *App) UpdateOrg(ctx context.Context, act Actor, id string, upd domain.OrgUpdate) (*domain.Org, error) {
	var o *domain.Org
	err := a.write(ctx, act, func(u *unit) error {
		var err error
		if o, err = u.loadOrg(ctx, id); err != nil {
			return err
		}
		if act.Org == nil || (act.Org.ID != o.ID || !act.User.IsAdmin()) && !act.IsOperator() {
			return forbidden("R-ORG-1", "only the organisation's administrators change its details")
		}
		before := *o
		if upd.Name != nil {
			if o.Name = strings.TrimSpace(*upd.Name); o.Name == "" {
				return &domain.Error{Code: domain.EInvalid, Field: "name", Message: "an organisation needs a name"}
			}
		}
		if upd.Demo != nil {
			if !act.IsOperator() {
				return forbidden("R-ROLE-3", "only operators flag a partner's demo customer")
			}
			if *upd.Demo && (o.Kind != domain.OrgCustomer || o.PartnerID == "") {
				return domain.RuleError(domain.EInvalid, "R-ROLE-3", "only a customer linked to a partner can be its demo customer")
			}
			o.Demo = *upd.Demo
		}
		if upd.LockDormant != nil {
			o.LockDormant = *upd.LockDormant // R-PLUS-4: the organisation's administrators decide
		}
		if upd.ReviewAutoRemove != nil {
			switch *upd.ReviewAutoRemove { // R-PLUS-5: the organisation's administrators decide
			case "", domain.DecideLock, domain.DecideUnassign:
				o.ReviewAutoRemove = *upd.ReviewAutoRemove
			default:
				return &domain.Error{Code: domain.EInvalid, Rule: "R-PLUS-5", Field: "review_auto_remove",
					Message: `review_auto_remove must be "" (off), "lock" or "unassign"`}
			}
		}
		if upd.RequireMFA != nil {
			o.RequireMFA = *upd.RequireMFA // R-PLUS-3: the organisation's administrators decide
		}
		if upd.MainContactID != nil {
			c, err := u.tx.User(ctx, domain.Everything, *upd.MainContactID)
			if err != nil && !errors.Is(err, domain.ErrNotFound) {
				return fmt.Errorf("main contact %s: %w", *upd.MainContactID, err)
			}
			if err != nil || c.OrgID != o.ID || c.State == domain.UserDeleted {
				return domain.RuleError(domain.EInvalid, "R-ORG-2", "the main contact must be one of the organisation's own users")
			}
			o.MainContactID = c.ID
		}
		if err := u.tx.UpdateOrg(ctx, o); err != nil {
			return err
		}
		return u.record(ctx, "org.update", "org", o.ID, o.ID, before, o)
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// SetPartner links a customer to a partner of record, or unlinks it when
// partnerID is "". Operators link at once. The customer's administrators
// ask: the partner's administrators are told, and the link is made when
// they accept (AnswerPartnerLink). An id that names no partner is answered
// alike, so the answer tells nothing of which ids are partners (R-ORG-1).
// The customer's administrators, and the current partner's, drop the link
// at once. It returns the customer as it is now. Codes: not_found,
// forbidden, invalid.
func (a *App) SetPartner(ctx context.Context, act Actor, customerID, partnerID string) (*domain.Org, error) {
	return a.setPartner(ctx, act, customerID, partnerID, "")
}

// DropPartner ends customer customerID's link to its partner of record,
// and with it what the partner's users had on its sites, saying why
// (optional, in the activity log). Operators, the customer's
// administrators and the partner's may. Codes: not_found, forbidden.
func (a *App) DropPartner(ctx context.Context, act Actor, customerID, reason string) (*domain.Org, error) {
	return a.setPartner(ctx, act, customerID, "", reason)
}

func (a *App) setPartner(ctx context.Context, act Actor, customerID, partnerID, reason string) (*domain.Org, error) {
	var c *domain.Org
	err := a.write(ctx, act, func(u *unit) error {
		if err := u.because(reason); err != nil {
			return err
		}
		var err error
		if c, err = u.loadOrg(ctx, customerID); err != nil {
			return err
		}
		if c.Kind != domain.OrgCustomer {
			return &domain.Error{Code: domain.EInvalid, Field: "id", Message: "only customers have a partner of record"}
		}
		choose, ask, drop := act.partnerOfRecord(c)
		switch {
		case partnerID == "" && drop, partnerID == "" && c.PartnerID == "" && (choose || ask):
		case partnerID != "" && !choose && ask:
			return u.askPartner(ctx, c, partnerID)
		case partnerID == "" || !choose:
			return forbidden("R-ORG-1", "only the customer's administrators or an operator choose its partner")
		}
		if partnerID != "" {
			p, err := u.tx.Org(ctx, domain.Everything, partnerID)
			if err != nil {
				return storeErr(err, "partner", partnerID)
			}
			if p.Kind != domain.OrgPartner {
				return domain.NotFound("partner")
			}
		}
		return u.setPartnerOf(ctx, c, partnerID)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// setPartnerOf makes partnerID the customer's partner of record ("": none),
// ending what the previous partner had on its sites, and records it.
func (u *unit) setPartnerOf(ctx context.Context, c *domain.Org, partnerID string) error {
	before := *c
	if before.PartnerID != "" && before.PartnerID != partnerID {
		if err := u.endPartnerAccess(ctx, c, before.PartnerID); err != nil {
			return err
		}
	}
	c.PartnerID = partnerID
	if partnerID == "" {
		c.Demo = false
	}
	if err := u.tx.UpdateOrg(ctx, c); err != nil {
		return err
	}
	if err := u.tx.DeletePartnerLinkRequest(ctx, c.ID); err != nil {
		return err
	}
	action := "org.link_partner"
	if partnerID == "" {
		action = "org.unlink_partner"
	}
	return u.record(ctx, action, "org", c.ID, c.ID, before, c)
}
