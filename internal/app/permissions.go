package app

import (
	"context"
	"fmt"
	"time"

	"github.com/provisio/provisio/internal/domain"
)

// The permission policy (STYLE 3a). Who may do what is decided here, once:
// the use cases check these values before they change anything, and the
// pages read the same values to decide what to offer. Nothing outside app
// compares role names.

// PortalPermissions is what the actor may reach across the portal.
type PortalPermissions struct {
	SeeOrgs             bool // the organisations list
	CreateOrgs          bool // create partners and customers (operators)
	SeeUsers            bool // the users of its own organisation
	ManageUsers         bool // invite, change, lock and delete its organisation's users
	SeeRequests         bool // partner access requests (R-PARTNER-1)
	SeeAudit            bool // the activity log (R-AUDIT-1)
	VerifyAudit         bool // check the whole hash chain (operators)
	SeeMailbox          bool // the local mailbox (R-NOTE-2)
	CreateSites         bool // operators, and partner administrators for their customers (R-SITE-0)
	CreateStandardSites bool // standard edition sites: the vendor's operators only (R-SITE-0)
	FindAccountants     bool // look accountants up by email (R-ACCT-2)
	AnswerPartnerLinks  bool // accept or decline customers asking to be linked (partner administrators)
	SeeReviews          bool // user reviews: their own organisation's (administrators), or all (operators) (R-AUDIT-3)
	OpenCampaigns       bool // open a review campaign by hand, and act on overdue reviews (operators)
}

// Can returns what the actor may reach across the portal. The system
// actor may do everything.
func (act Actor) Can() PortalPermissions {
	if act.User == nil {
		return PortalPermissions{SeeOrgs: true, CreateOrgs: true, SeeUsers: true, ManageUsers: true, SeeRequests: true,
			SeeAudit: true, VerifyAudit: true, SeeMailbox: true, CreateSites: true, CreateStandardSites: true, FindAccountants: true,
			SeeReviews: true, OpenCampaigns: true}
	}
	op := act.IsOperator()
	partner := act.Org != nil && act.Org.Kind == domain.OrgPartner
	admin := act.User.IsAdmin()
	ownOrg := act.Org != nil && act.Org.ID != ""
	return PortalPermissions{
		SeeOrgs:             op || partner,
		CreateOrgs:          op,
		SeeUsers:            ownOrg,
		ManageUsers:         ownOrg && admin,
		SeeRequests:         op || partner || act.is(domain.RoleCustomerAdmin),
		SeeAudit:            admin,
		VerifyAudit:         op,
		SeeMailbox:          op,
		CreateSites:         op || act.is(domain.RolePartnerAdmin),
		CreateStandardSites: op,
		FindAccountants:     op || act.is(domain.RoleCustomerAdmin),
		AnswerPartnerLinks:  partner && act.is(domain.RolePartnerAdmin),
		SeeReviews:          admin,
		OpenCampaigns:       op,
	}
}

// MFAPending reports whether the actor signed in with a password only and
// must enrol a second factor before anything else (R-PLUS-3). Only the
// enrolment, its own sessions and signing out are open to it.
func (act Actor) MFAPending() bool { return act.mfaPending }

// mayAct refuses an actor whose session still owes a second factor, and
// a SCIM client outside the SCIM use cases (which use readEnrolling and
// writeEnrolling): its actor has no user, which the policy would otherwise
// take for the system.
func (act Actor) mayAct() error {
	if act.client != nil {
		return domain.RuleError(domain.EForbidden, "R-APP-4", "a SCIM token reaches the SCIM service only")
	}
	if act.mfaPending {
		return domain.RuleError(domain.EForbidden, "R-PLUS-3",
			"your account needs multi-factor sign-in: enrol an authenticator on your account page first")
	}
	return nil
}

// SitePermissions is what the actor may do with one site.
type SitePermissions struct {
	SeeUsers             bool // the site's users (R-SITE-4)
	AssignUsers          bool // assign and remove the customer's users (R-ASSIGN-1…3)
	AssignAccountants    bool // R-ACCT-2
	AnswerRequests       bool // approve or deny partner access (R-PARTNER-1)
	RevokePartnerAccess  bool // R-PARTNER-4
	RequestPartnerAccess bool // ask for partner access (R-PARTNER-1, R-PARTNER-6)
	RequestForOthers     bool // … for any user of its partner, not only itself
	ManageCompanies      bool // create and staff companies (R-SITE-3)
	ChangeState          bool // suspend, resume, cancel and restore it (operators)
	Suspend              bool // R-SITE-1
	Resume               bool
	Cancel               bool // R-SITE-2
	Restore              bool
	ManageAppTokens      bool // the site application's SCIM tokens and its link view (R-APP-1)
	RetryProvisioning    bool // ask the provisioner again after a failure (R-SITE-0)
	SeeProvisioning      bool // the events sent to the provisioner about the site
	ManageDirectory      bool // set and test the site's directory (R-APP-3)
	SeeDirectory         bool // its settings
	SeeDirectoryAccounts bool // the people's accounts there and those still pending
}

// sitePermissions is the policy for one site of customer cust. What
// depends on the actor's own assignment (companies) is added by
// siteView.
func (act Actor) sitePermissions(s *domain.Site, cust *domain.Org) SitePermissions {
	if act.User == nil {
		return SitePermissions{SeeUsers: true, AssignUsers: true, AssignAccountants: true, AnswerRequests: true,
			RevokePartnerAccess: true, ManageCompanies: true, ChangeState: true, Suspend: true, Resume: true, Cancel: true, Restore: true,
			ManageAppTokens: true, RetryProvisioning: s.State == domain.SiteFailed, SeeProvisioning: true,
			ManageDirectory: true, SeeDirectory: true, SeeDirectoryAccounts: true}
	}
	custAdmin := act.Org != nil && act.Org.ID == cust.ID && act.is(domain.RoleCustomerAdmin)
	linkedPartner := act.Org != nil && act.Org.Kind == domain.OrgPartner && cust.PartnerID == act.Org.ID
	op := act.IsOperator()
	moves := func(to domain.SiteState) bool { return op && domain.CheckSiteTransition(s.State, to) == nil }
	return SitePermissions{
		SeeUsers:             act.seesUsersOf(cust),
		AssignUsers:          custAdmin,
		AssignAccountants:    custAdmin,
		AnswerRequests:       custAdmin,
		RevokePartnerAccess:  custAdmin,
		RequestPartnerAccess: linkedPartner,
		RequestForOthers:     linkedPartner && act.is(domain.RolePartnerAdmin),
		ChangeState:          op,
		Suspend:              moves(domain.SiteSuspended),
		Resume:               s.State == domain.SiteSuspended && moves(domain.SiteReady),
		Cancel:               moves(domain.SiteCancelled),
		Restore:              s.State == domain.SiteCancelled && moves(domain.SiteReady),
		ManageAppTokens:      op || custAdmin,
		RetryProvisioning:    s.State == domain.SiteFailed && (op || linkedPartner && act.is(domain.RolePartnerAdmin)),
		SeeProvisioning:      op || linkedPartner,
		ManageDirectory:      op && s.Edition == domain.EditionProfessional,
		SeeDirectory:         op,
		SeeDirectoryAccounts: op || custAdmin || linkedPartner,
	}
}

// SiteView is a site as the actor sees it: the site, its customer, what
// the actor may do with it, and the limits the pages must show.
type SiteView struct {
	Site     *domain.Site
	Customer *domain.Org
	Can      SitePermissions
	// MaxGrant is the longest partner access on this site's edition
	// (R-PARTNER-2); zero means access does not expire (R-PARTNER-3).
	MaxGrant time.Duration
	// Stasis is how long a cancelled site can still be restored (R-SITE-2).
	Stasis time.Duration
	// Told are the customer's administrators, who are told of every
	// assignment (R-ASSIGN-2); set for those who assign.
	Told []*domain.User
	// PartnerUsers are those the actor may ask partner access for: any
	// active user of its partner for a partner administrator, itself for
	// an agent; set when it may ask at all.
	PartnerUsers []*domain.User
	// SiteRoles and PartnerRoles are the roles offered on the site's forms.
	SiteRoles, PartnerRoles []domain.Role
}

// MaxGrantDays is MaxGrant in whole days, at least one (0 when access
// does not expire), for a form's upper bound.
func (v SiteView) MaxGrantDays() int {
	if v.MaxGrant <= 0 {
		return 0
	}
	return max(1, int(v.MaxGrant/(24*time.Hour)))
}

// StasisText says Stasis in words.
func (v SiteView) StasisText() string { return durationText(v.Stasis) }

// MaxGrantText says MaxGrant in words: "7 days", "72 hours".
func (v SiteView) MaxGrantText() string { return durationText(v.MaxGrant) }

// durationText says d in whole days, or whole hours when it is not a
// number of days.
func durationText(d time.Duration) string {
	switch {
	case d <= 0:
		return "no limit"
	case d%(24*time.Hour) == 0:
		return plural(int(d/(24*time.Hour)), "day")
	case d%time.Hour == 0:
		return plural(int(d/time.Hour), "hour")
	}
	return d.String()
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// siteView loads a site the actor may see and computes its permissions.
func (u *unit) siteView(ctx context.Context, id string) (SiteView, error) {
	s, cust, err := u.loadSite(ctx, id)
	if err != nil {
		return SiteView{}, err
	}
	v := SiteView{Site: s, Customer: cust, Can: u.act.sitePermissions(s, cust), MaxGrant: u.app.cfg.PartnerAccess[s.Edition],
		Stasis: u.app.cfg.StasisPeriod}
	if v.Can.AssignUsers {
		v.SiteRoles = domain.RolesFor(domain.TypeCustomer)
		if v.Told, err = u.tx.OrgAdmins(ctx, cust.ID, domain.RoleCustomerAdmin); err != nil {
			return SiteView{}, fmt.Errorf("administrators of %s: %w", cust.ID, err)
		}
	}
	if v.Can.RequestPartnerAccess {
		v.PartnerRoles = domain.RolesFor(domain.TypePartner)
		v.PartnerUsers = []*domain.User{u.act.User}
		if v.Can.RequestForOthers {
			active := domain.UserActive
			l, err := u.tx.Users(ctx, domain.UserFilter{OrgID: &u.act.Org.ID, State: &active, Page: domain.Page{Limit: domain.MaxPageSize}})
			if err != nil {
				return SiteView{}, fmt.Errorf("users of %s: %w", u.act.Org.ID, err)
			}
			v.PartnerUsers = l.Items
		}
	}
	if u.act.User != nil {
		switch err := u.opsAgent(ctx, s); {
		case err == nil:
			v.Can.ManageCompanies = true
		case domain.ErrorCode(err) != domain.EForbidden:
			return SiteView{}, err
		}
	}
	return v, nil
}

// SiteView returns a site with what the actor may do with it. Codes:
// not_found.
func (a *App) SiteView(ctx context.Context, act Actor, id string) (v SiteView, err error) {
	err = a.read(ctx, act, func(u *unit) error {
		v, err = u.siteView(ctx, id)
		return err
	})
	return v, err
}

// OrgPermissions is what the actor may do with one organisation.
type OrgPermissions struct {
	SeeUsers    bool // its users (R-ORG-1; a partner's demo customer too, R-ROLE-3)
	InviteUsers bool // invite, change, lock and delete its users
	SeeSites    bool // its sites (customers)
	// ManageProvisioning: the tokens of the organisation's identity
	// provider and its group-to-role mapping (R-APP-4).
	ManageProvisioning bool
	// FlagDemo: mark a partner's own demo customer (operators, R-ROLE-3).
	FlagDemo bool
	// ManageWebhooks: the organisation's webhooks and their deliveries (R-PLUS-2).
	ManageWebhooks bool
	// ConfigureSignIn: its own identity provider (OpenID Connect) and the
	// email domains it claims for it.
	ConfigureSignIn bool
	// ChoosePartner: link a customer to a partner of record at once
	// (operators).
	ChoosePartner bool
	// AskPartner: ask a partner, by its name, to become the customer's
	// partner of record; the link is made when it accepts (the customer's
	// administrators).
	AskPartner bool
	// DropPartner: end the link to the partner of record (operators, the
	// customer's administrators, and the partner's).
	DropPartner bool
}

// partnerOfRecord is what the actor may do with customer o's partner of
// record (SPEC section 2).
func (act Actor) partnerOfRecord(o *domain.Org) (choose, ask, drop bool) {
	if o.Kind != domain.OrgCustomer {
		return false, false, false
	}
	operator := act.User == nil || act.IsOperator()
	ownAdmin := act.Org != nil && act.Org.ID == o.ID && act.is(domain.RoleCustomerAdmin)
	partnerAdmin := act.Org != nil && o.PartnerID != "" && act.Org.ID == o.PartnerID && act.is(domain.RolePartnerAdmin)
	return operator, ownAdmin, o.PartnerID != "" && (operator || ownAdmin || partnerAdmin)
}

// OrgView is an organisation as the actor sees it, with the names a
// person reads in place of ids.
type OrgView struct {
	Org         *domain.Org
	Partner     *domain.Org  // the partner of record, if any
	MainContact *domain.User // R-ORG-2, if set
	Can         OrgPermissions
	Roles       []domain.Role // the roles its users may hold (R-ROLE-3)
	// ProvisionedRole is the role of a user its identity provider
	// provisioned and no mapped group gives another (R-APP-4).
	ProvisionedRole domain.Role
	// Dormancy is how long without a sign-in makes a user dormant
	// (R-AUDIT-2, R-PLUS-4).
	Dormancy time.Duration
	// Partners are those the actor may choose from (Can.ChoosePartner),
	// by name.
	Partners []*domain.Org
}

// DormancyText says Dormancy in words.
func (v OrgView) DormancyText() string { return durationText(v.Dormancy) }

// OrgView returns an organisation the actor may see, with what the actor
// may do with it. Codes: not_found.
func (a *App) OrgView(ctx context.Context, act Actor, id string) (v OrgView, err error) {
	err = a.read(ctx, act, func(u *unit) error {
		o, err := u.loadOrg(ctx, id)
		if err != nil {
			return err
		}
		v = OrgView{Org: o, Roles: domain.RolesFor(domain.TypeForOrg(o.Kind)), ProvisionedRole: baseRole(o.Kind), Dormancy: u.app.cfg.Dormancy, Can: OrgPermissions{
			SeeUsers: act.seesUsersOf(o), InviteUsers: act.administers(o), SeeSites: o.Kind == domain.OrgCustomer,
			ManageProvisioning: act.managesProvisioning(o),
			FlagDemo:           act.IsOperator() && o.Kind == domain.OrgCustomer && o.PartnerID != "",
			ManageWebhooks:     act.managesWebhooksOf(o.ID),
			ConfigureSignIn:    act.configuresSignInOf(o.ID)}}
		v.Can.ChoosePartner, v.Can.AskPartner, v.Can.DropPartner = act.partnerOfRecord(o)
		if v.Can.ChoosePartner {
			if v.Partners, err = u.partners(ctx); err != nil {
				return err
			}
		}
		// The partner of record and the main contact of an organisation
		// the actor sees are shown on its page (R-ORG-2).
		if o.PartnerID != "" {
			if v.Partner, err = u.tx.Org(ctx, domain.Everything, o.PartnerID); err != nil {
				return fmt.Errorf("partner of %s: %w", o.ID, err)
			}
		}
		if o.MainContactID != "" {
			if v.MainContact, err = u.tx.User(ctx, domain.Everything, o.MainContactID); err != nil {
				return fmt.Errorf("main contact of %s: %w", o.ID, err)
			}
		}
		return nil
	})
	return v, err
}

// managesProvisioning reports whether the actor may connect org o's
// identity provider (R-APP-4): operators, and the organisation's own
// administrators. The vendor's operators are not provisioned.
func (act Actor) managesProvisioning(o *domain.Org) bool {
	if o.Kind == domain.OrgVendor {
		return false
	}
	return act.User == nil || act.IsOperator() || (act.Org != nil && act.Org.ID == o.ID && act.User.IsAdmin())
}
