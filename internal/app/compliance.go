package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/provisio/provisio/internal/domain"
)

// The compliance report (R-AUDIT-2): what breaks the rules now, for an
// organisation (a partner: with its customers; operators: everyone). It
// reads current data, so a finding disappears the moment it is fixed.

// ComplianceReport is the report: its findings, and how many of each kind
// and in each organisation.
type ComplianceReport struct {
	At       time.Time
	Findings []domain.Finding
	ByKind   map[domain.FindingKind]int
	ByOrg    map[string]int // organisation name -> findings
}

// freeMail are mail providers anyone may use: sharing one with a partner
// says nothing about who a person works for.
var freeMail = map[string]bool{"gmail.com": true, "googlemail.com": true, "outlook.com": true, "hotmail.com": true,
	"live.com": true, "yahoo.com": true, "icloud.com": true, "me.com": true, "aol.com": true, "gmx.de": true, "gmx.net": true,
	"web.de": true, "proton.me": true, "protonmail.com": true, "mail.com": true}

// Compliance returns the report for an organisation the actor may audit,
// or with orgID "" for everything the actor may audit. Codes: not_found,
// forbidden.
func (a *App) Compliance(ctx context.Context, act Actor, orgID string) (r ComplianceReport, err error) {
	err = a.read(ctx, act, func(u *unit) error {
		scope, err := u.complianceScope(ctx, orgID)
		if err != nil {
			return err
		}
		r, err = u.compliance(ctx, scope)
		return err
	})
	return r, err
}

// complianceScope is the organisations the report covers (nil: all).
func (u *unit) complianceScope(ctx context.Context, orgID string) ([]string, error) {
	act := u.act
	var o *domain.Org
	if orgID != "" { // another tenant's organisation is not found, whoever asks (R-ORG-1)
		var err error
		if o, err = u.loadOrg(ctx, orgID); err != nil {
			return nil, err
		}
		own := act.User == nil || act.IsOperator() || act.Org.ID == o.ID
		partnerOf := act.Org != nil && act.Org.Kind == domain.OrgPartner && o.PartnerID == act.Org.ID
		if !own && !partnerOf {
			return nil, domain.NotFound("organisation")
		}
	}
	if !act.Can().SeeAudit {
		return nil, forbidden("R-AUDIT-2", "only administrators read the compliance report")
	}
	if o == nil {
		if act.User == nil || act.IsOperator() {
			return nil, nil
		}
		var err error
		if o, err = u.loadOrg(ctx, act.Org.ID); err != nil {
			return nil, err
		}
	}
	scope := []string{o.ID}
	if o.Kind == domain.OrgPartner {
		ids, err := u.tx.CustomerIDs(ctx, o.ID)
		if err != nil {
			return nil, fmt.Errorf("customers of %s: %w", o.ID, err)
		}
		scope = append(scope, ids...)
	}
	return scope, nil
}

func (u *unit) compliance(ctx context.Context, scope []string) (ComplianceReport, error) {
	r := ComplianceReport{At: u.now, ByKind: map[domain.FindingKind]int{}, ByOrg: map[string]int{}}
	add := func(f domain.Finding) {
		f.Rule = domain.FindingRules[f.Kind]
		r.Findings = append(r.Findings, f)
	}
	users, err := u.tx.ComplianceUsers(ctx, scope)
	if err != nil {
		return r, err
	}
	var partners []string
	for _, cu := range users {
		if cu.OrgKind == domain.OrgCustomer && !cu.OrgDemo && cu.PartnerID != "" && !slices.Contains(partners, cu.PartnerID) {
			partners = append(partners, cu.PartnerID)
		}
	}
	partnerDomains, err := u.tx.PartnerDomains(ctx, partners)
	if err != nil {
		return r, err
	}
	dormantBefore := u.now.Add(-u.app.cfg.Dormancy)
	for _, cu := range users {
		f := domain.Finding{OrgID: cu.OrgID, OrgName: cu.OrgName, UserID: cu.ID, UserName: cu.Name, UserEmail: cu.Email,
			FixLink: "/users/" + cu.ID}
		dom := cu.Email[strings.LastIndexByte(cu.Email, '@')+1:]
		if cu.Generic {
			g := f
			g.Kind, g.Since = domain.FindGeneric, cu.CreatedAt
			g.Detail = cu.Email + " looks like a shared mailbox, not a person's"
			g.Fix = "give the account to one named person (rename it and change its email), or delete it"
			add(g)
		}
		if u.app.emails.IsDisposable(dom) {
			g := f
			g.Kind, g.Since = domain.FindDisposable, cu.CreatedAt
			g.Detail = dom + " is a disposable mail provider"
			g.Fix = "change the email to the person's own work address, or delete the user"
			add(g)
		}
		if cu.OrgKind == domain.OrgCustomer && !cu.OrgDemo && partnerDomains[cu.PartnerID][dom] && !freeMail[dom] {
			g := f
			g.Kind, g.Since = domain.FindPartnerLogin, cu.CreatedAt
			g.Detail = cu.Email + " is at a domain of the customer's partner: partner staff must not hold customer logins"
			g.Fix = "delete this login; the partner asks for partner access instead"
			add(g)
		}
		if cu.State == domain.UserInvited && !cu.InviteExpiresAt.IsZero() && !cu.InviteExpiresAt.After(u.now) {
			g := f
			g.Kind, g.Since = domain.FindInviteUnused, cu.InviteExpiresAt
			g.Detail = "the invitation was never accepted and ended " + cu.InviteExpiresAt.Format("2 Jan 2006")
			g.Fix = "send the invitation again, or delete the user"
			add(g)
		}
		if cu.State == domain.UserActive {
			switch {
			case cu.LastActiveAt.IsZero() && cu.CreatedAt.Before(dormantBefore):
				g := f
				g.Kind, g.Since = domain.FindNeverSignedIn, cu.CreatedAt
				g.Detail = "registered but never signed in"
				g.Fix = "lock or delete the user if nobody needs the account"
				add(g)
			case !cu.LastActiveAt.IsZero() && cu.LastActiveAt.Before(dormantBefore):
				g := f
				g.Kind, g.Since = domain.FindDormant, cu.LastActiveAt
				g.Detail = "not signed in since " + cu.LastActiveAt.Format("2 Jan 2006")
				if cu.Exempt != "" {
					g.Detail += " (a break-glass account, never locked: " + cu.Exempt + ")"
				}
				g.Fix = "lock or delete the user if nobody needs the account"
				add(g)
			}
		}
	}
	orgs, admins, err := u.tx.ComplianceOrgs(ctx, scope)
	if err != nil {
		return r, err
	}
	for i, o := range orgs {
		if o.Kind != domain.OrgVendor && admins[i] == 1 {
			add(domain.Finding{Kind: domain.FindSingleAdmin, OrgID: o.ID, OrgName: o.Name, Since: o.CreatedAt,
				Detail: o.Name + " has a single administrator", Fix: "add a second administrator", FixLink: "/orgs/" + o.ID})
		}
	}
	as, err := u.tx.ComplianceAssignments(ctx, scope)
	if err != nil {
		return r, err
	}
	for _, ca := range as {
		f := domain.Finding{OrgID: ca.CustomerID, OrgName: ca.CustomerName, UserID: ca.UserID, UserName: ca.UserName,
			UserEmail: ca.UserEmail, SiteID: ca.SiteID, SiteName: ca.SiteName, FixLink: "/sites/" + ca.SiteID}
		if period := u.app.cfg.PartnerAccess[ca.Edition]; ca.Via == domain.ViaPartner && period > 0 && u.now.Sub(ca.CreatedAt) > period {
			g := f
			g.Kind, g.Since = domain.FindPartnerTooLong, ca.CreatedAt.Add(period)
			g.Detail = fmt.Sprintf("%s has been attached to %s since %s, longer than the %s access period",
				ca.UserName, ca.SiteName, ca.CreatedAt.Format("2 Jan 2006"), durationText(period))
			g.Fix = "revoke the partner access; the partner asks again when it needs to"
			add(g)
		}
		if ca.UserState == domain.UserLocked {
			g := f
			g.Kind, g.Since = domain.FindLockedAssigned, ca.UserUpdatedAt
			g.Detail = ca.UserName + " is locked but still assigned to " + ca.SiteName
			g.Fix = "remove the assignment, or unlock the user if it was a mistake"
			add(g)
		}
	}
	sites, err := u.tx.ComplianceSites(ctx, scope)
	if err != nil {
		return r, err
	}
	for _, cs := range sites {
		f := domain.Finding{OrgID: cs.CustomerID, OrgName: cs.CustomerName, SiteID: cs.ID, SiteName: cs.Name, FixLink: "/sites/" + cs.ID}
		if cs.State == domain.SiteFailed {
			g := f
			g.Kind, g.Since = domain.FindProvisioning, cs.UpdatedAt
			g.Detail = cs.Name + " could not be provisioned: " + cs.ProvisionError
			g.Fix = "fix the cause with the hosting team, then retry the provisioning on the site page"
			add(g)
		}
		if cs.PendingAccounts > 0 {
			g := f
			g.Kind, g.Since = domain.FindDirectory, cs.PendingSince
			g.Detail = fmt.Sprintf("%d directory accounts of %s are waiting for its directory: %s", cs.PendingAccounts, cs.Name, cs.LastAccountError)
			g.Fix = "test the site's directory on its page and fix its settings or the directory; accounts follow on their own"
			add(g)
		}
	}
	order := strings.Fields(domain.FindingKindsInOrder)
	slices.SortStableFunc(r.Findings, func(x, y domain.Finding) int {
		if c := slices.Index(order, string(x.Kind)) - slices.Index(order, string(y.Kind)); c != 0 {
			return c
		}
		return strings.Compare(x.OrgName+x.UserEmail+x.SiteName, y.OrgName+y.UserEmail+y.SiteName)
	})
	for _, f := range r.Findings {
		r.ByKind[f.Kind]++
		r.ByOrg[f.OrgName]++
	}
	return r, nil
}
