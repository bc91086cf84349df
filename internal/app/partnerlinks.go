package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/mail"
)

// A customer chooses its partner of record, and the partner accepts
// (SPEC section 2): a customer's administrators cannot attach themselves
// to a partner that did not agree, nor learn from the answer which ids
// are partners.

// askPartner records the customer's request to partnerID and tells the
// partner's administrators; an id that names no partner, or the current
// partner, changes nothing, and the answer is the same.
func (u *unit) askPartner(ctx context.Context, c *domain.Org, partnerID string) error {
	p, err := u.tx.Org(ctx, domain.Everything, partnerID)
	switch {
	case errors.Is(err, domain.ErrNotFound):
		return nil
	case err != nil:
		return fmt.Errorf("partner %s: %w", partnerID, err)
	case p.Kind != domain.OrgPartner || p.ID == c.PartnerID:
		return nil
	}
	l := &domain.PartnerLinkRequest{CustomerID: c.ID, PartnerID: p.ID, RequestedBy: u.act.userID(), CreatedAt: u.now}
	if err := u.tx.RequestPartnerLink(ctx, l); err != nil {
		return err
	}
	if err := u.record(ctx, "org.partner_link_requested", "org", c.ID, c.ID, nil, l); err != nil {
		return err
	}
	admins, err := u.tx.OrgAdmins(ctx, p.ID, domain.RolePartnerAdmin)
	if err != nil {
		return fmt.Errorf("administrators of %s: %w", p.ID, err)
	}
	return u.announce(ctx, domain.NoticePartnerLinkRequested, []string{p.ID, c.ID},
		mail.Data{OrgName: c.Name, Link: u.app.cfg.BaseURL + "/orgs#link-requests"}, admins...)
}

// PartnerLinkView is a customer's request as its partner reads it.
type PartnerLinkView struct {
	CustomerID   string
	CustomerName string
	AskedBy      string // the customer administrator's name
	At           time.Time
}

// PartnerLinkRequests lists the customers asking the actor's partner to
// become their partner of record. Its administrators may. Codes:
// forbidden.
func (a *App) PartnerLinkRequests(ctx context.Context, act Actor) (out []PartnerLinkView, err error) {
	err = a.read(ctx, act, func(u *unit) error {
		if !act.Can().AnswerPartnerLinks {
			return forbidden("R-ORG-1", "only a partner's administrators answer link requests")
		}
		ls, err := u.tx.PartnerLinkRequests(ctx, act.Org.ID)
		if err != nil {
			return err
		}
		for _, l := range ls {
			// A customer asking to be linked is known to the partner it asks.
			c, err := u.tx.Org(ctx, domain.Everything, l.CustomerID)
			if err != nil {
				return fmt.Errorf("customer of link request: %w", err)
			}
			v := PartnerLinkView{CustomerID: c.ID, CustomerName: c.Name, At: l.CreatedAt}
			if by, err := u.tx.User(ctx, domain.Everything, l.RequestedBy); err == nil {
				v.AskedBy = by.Name
			}
			out = append(out, v)
		}
		return nil
	})
	return out, err
}

// AnswerPartnerLink accepts or declines a customer's request to become its
// partner of record; accepting links the customer (ending what a previous
// partner had on its sites). The customer's administrators are told. The
// partner's administrators may; any other customer id is not found.
// Codes: not_found, forbidden.
func (a *App) AnswerPartnerLink(ctx context.Context, act Actor, customerID string, accept bool) (c *domain.Org, err error) {
	err = a.write(ctx, act, func(u *unit) error {
		notFound := domain.NotFound("link request of customer")
		if act.Org == nil || act.Org.Kind != domain.OrgPartner {
			return notFound
		}
		if _, err := u.tx.PartnerLinkRequest(ctx, customerID, act.Org.ID); errors.Is(err, domain.ErrNotFound) {
			return notFound
		} else if err != nil {
			return err
		}
		if !act.Can().AnswerPartnerLinks {
			return forbidden("R-ORG-1", "only the partner's administrators answer link requests")
		}
		if c, err = u.tx.Org(ctx, domain.Everything, customerID); err != nil {
			return fmt.Errorf("customer %s: %w", customerID, err)
		}
		answer := "declined"
		if accept {
			answer = "accepted"
			if err := u.setPartnerOf(ctx, c, act.Org.ID); err != nil {
				return err
			}
		} else {
			if err := u.tx.DeletePartnerLinkRequest(ctx, c.ID); err != nil {
				return err
			}
			if err := u.record(ctx, "org.partner_link_declined", "org", c.ID, c.ID, nil, map[string]string{"partner_id": act.Org.ID}); err != nil {
				return err
			}
		}
		admins, err := u.tx.OrgAdmins(ctx, c.ID, domain.RoleCustomerAdmin)
		if err != nil {
			return fmt.Errorf("administrators of %s: %w", c.ID, err)
		}
		return u.announce(ctx, domain.NoticePartnerLinkAnswered, []string{c.ID, act.Org.ID},
			mail.Data{OrgName: act.Org.Name, Reason: answer}, admins...)
	})
	return c, err
}

// partners lists every partner, by name.
func (u *unit) partners(ctx context.Context) ([]*domain.Org, error) {
	kind := domain.OrgPartner
	var out []*domain.Org
	for pg := (domain.Page{Limit: domain.MaxPageSize}); ; {
		l, err := u.tx.Orgs(ctx, domain.OrgFilter{Kind: &kind, Page: pg})
		if err != nil {
			return nil, fmt.Errorf("partners: %w", err)
		}
		out = append(out, l.Items...)
		if pg.Cursor = l.NextCursor; pg.Cursor == "" {
			break
		}
	}
	slices.SortFunc(out, func(a, b *domain.Org) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	return out, nil
}

// AskPartner asks the partner named name (as the partner spells it, in
// any case) to become customer customerID's partner of record; its
// administrators are told and the link is made when they accept. The
// customer's administrators may. The answer is the same whether or not a
// partner has that name, so that asking does not tell a customer who the
// vendor's partners are. Codes: not_found, forbidden, invalid.
func (a *App) AskPartner(ctx context.Context, act Actor, customerID, name string) error {
	name = strings.TrimSpace(name)
	if name == "" {
		return &domain.Error{Code: domain.EInvalid, Field: "partner", Message: "say the partner's name, as they spell it"}
	}
	return a.write(ctx, act, func(u *unit) error {
		c, err := u.loadOrg(ctx, customerID)
		if err != nil {
			return err
		}
		if _, ask, _ := act.partnerOfRecord(c); !ask {
			return forbidden("R-ORG-1", "only the customer's administrators ask a partner to be its partner of record")
		}
		ps, err := u.partners(ctx)
		if err != nil {
			return err
		}
		for _, p := range ps {
			if strings.EqualFold(p.Name, name) {
				return u.askPartner(ctx, c, p.ID)
			}
		}
		return nil
	})
}
