package domain_test

import (
	"testing"
	"time"

	"github.com/provisio/provisio/internal/domain"
)

// TestDecideAccess checks every branch of the access decision, in the
// order the conditions apply.
func TestDecideAccess(t *testing.T) {
	const site, otherSite, company = "sit_1", "sit_2", "com_1"
	// member is an active customer user on a ready site, without expiry.
	member := func(role domain.Role) domain.AccessFacts {
		return domain.AccessFacts{SiteState: domain.SiteReady, CustomerID: "org_c", Assigned: true,
			UserState: domain.UserActive, Role: role, Via: domain.ViaMember}
	}
	// partner is a partner agent's grant ending at expiresAt.
	partner := func(expiresAt time.Time) domain.AccessFacts {
		f := member(domain.RolePartnerAgent)
		f.Via, f.ExpiresAt = domain.ViaPartner, expiresAt
		return f
	}
	// inCompany adds the company asked about, of site companySite, and
	// whether the user is assigned to it.
	inCompany := func(f domain.AccessFacts, companySite string, assigned bool) domain.AccessFacts {
		f.CompanySiteID, f.InCompany = companySite, assigned
		return f
	}
	with := func(f domain.AccessFacts, change func(*domain.AccessFacts)) domain.AccessFacts {
		change(&f)
		return f
	}
	accountant := with(member(domain.RoleAccountant), func(f *domain.AccessFacts) { f.Via = domain.ViaAccountant })
	tests := []struct {
		name    string
		facts   domain.AccessFacts
		company string
		allowed bool
		reason  string
	}{
		// R-APP-2: only a user assigned to the site.
		{"NoFacts", domain.AccessFacts{}, "", false, "the user is not assigned to the site"},
		{"NotAssignedToReadySite", domain.AccessFacts{SiteState: domain.SiteReady, CustomerID: "org_c"}, "",
			false, "the user is not assigned to the site"},
		{"NotAssignedAskingForCompany", inCompany(domain.AccessFacts{SiteState: domain.SiteReady}, site, true), company,
			false, "the user is not assigned to the site"},

		// R-USER-5, R-APP-2: only an active user; R-ASSIGN-1 keeps others
		// from being assigned, but a lock keeps the assignment.
		{"UserInvited", with(member(domain.RoleCustomerUser), func(f *domain.AccessFacts) { f.UserState = domain.UserInvited }), "",
			false, "the user is invited"},
		{"UserLocked", with(member(domain.RoleCustomerUser), func(f *domain.AccessFacts) { f.UserState = domain.UserLocked }), "",
			false, "the user is locked"},
		{"UserDeleted", with(member(domain.RoleCustomerUser), func(f *domain.AccessFacts) { f.UserState = domain.UserDeleted }), "",
			false, "the user is deleted"},
		{"UserLockedOnSuspendedSite", with(member(domain.RoleCustomerUser), func(f *domain.AccessFacts) {
			f.UserState, f.SiteState = domain.UserLocked, domain.SiteSuspended
		}), "", false, "the user is locked"},

		// R-SITE-0, R-SITE-1, R-SITE-2: only a ready site.
		{"SiteProvisioning", with(member(domain.RoleCustomerUser), func(f *domain.AccessFacts) { f.SiteState = domain.SiteProvisioning }), "",
			false, "the site is provisioning"},
		{"SiteSuspended", with(member(domain.RoleCustomerUser), func(f *domain.AccessFacts) { f.SiteState = domain.SiteSuspended }), "",
			false, "the site is suspended"},
		{"SiteCancelled", with(member(domain.RoleCustomerUser), func(f *domain.AccessFacts) { f.SiteState = domain.SiteCancelled }), "",
			false, "the site is cancelled"},
		{"SiteDeleted", with(member(domain.RoleCustomerUser), func(f *domain.AccessFacts) { f.SiteState = domain.SiteDeleted }), "",
			false, "the site is deleted"},
		{"SiteSuspendedAfterGrantExpired", with(partner(now.Add(-time.Hour)), func(f *domain.AccessFacts) { f.SiteState = domain.SiteSuspended }), "",
			false, "the site is suspended"},

		// R-PARTNER-2, R-APP-2: a grant ends at its expiry exactly;
		// R-PARTNER-3: professional-edition access does not expire.
		{"PartnerGrantEndsOneMicrosecondLater", partner(now.Add(time.Microsecond)), "",
			true, "assigned to the site as partner_agent"},
		{"PartnerGrantExpiredExactlyNow", partner(now), "",
			false, "the access expired at 2025-03-01T12:00:00Z"},
		{"PartnerGrantExpiredOneMicrosecondAgo", partner(now.Add(-time.Microsecond)), "",
			false, "the access expired at 2025-03-01T11:59:59Z"},
		{"PartnerGrantWithoutExpiry", partner(time.Time{}), "", true, "assigned to the site as partner_agent"},
		{"PartnerGrantExpiredAskingForCompany", inCompany(partner(now), site, true), company,
			false, "the access expired at 2025-03-01T12:00:00Z"},

		// R-SITE-4: every way of reaching a site.
		{"Member", member(domain.RoleCustomerUser), "", true, "assigned to the site as customer_user"},
		{"CustomerAdministratorOnSite", member(domain.RoleCustomerAdmin), "", true, "assigned to the site as customer_admin"},
		{"Accountant", accountant, "", true, "assigned to the site as accountant"},

		// R-SITE-3: a company of the site only.
		{"CompanyOfAnotherSite", inCompany(member(domain.RoleCustomerUser), otherSite, true), company,
			false, "the company is not part of the site"},
		{"UnknownCompany", inCompany(member(domain.RoleCustomerUser), "", false), company,
			false, "the company is not part of the site"},
		{"OperationsAgentCompanyOfAnotherSite", inCompany(member(domain.RoleCustomerOps), otherSite, false), company,
			false, "the company is not part of the site"},

		// R-SITE-3: operations agents reach every company of their sites.
		{"OperationsAgentWithoutCompanyAssignment", inCompany(member(domain.RoleCustomerOps), site, false), company,
			true, "operations agents reach every company of their sites"},
		{"OperationsAgentWithCompanyAssignment", inCompany(member(domain.RoleCustomerOps), site, true), company,
			true, "operations agents reach every company of their sites"},

		// R-ROLE-2, R-ASSIGN-4: customer administrators reach no company,
		// even with a stray company assignment.
		{"CustomerAdministratorAskingForCompany", inCompany(member(domain.RoleCustomerAdmin), site, false), company,
			false, "customer administrators are not assigned to companies (R-ROLE-2)"},
		{"CustomerAdministratorAssignedToCompany", inCompany(member(domain.RoleCustomerAdmin), site, true), company,
			false, "customer administrators are not assigned to companies (R-ROLE-2)"},

		// R-SITE-3, R-APP-2: anyone else reaches the companies assigned to
		// them.
		{"CustomerUserAssignedToCompany", inCompany(member(domain.RoleCustomerUser), site, true), company,
			true, "assigned to the company"},
		{"CustomerUserNotAssignedToCompany", inCompany(member(domain.RoleCustomerUser), site, false), company,
			false, "the user is not assigned to the company"},
		{"AccountantAssignedToCompany", inCompany(accountant, site, true), company,
			true, "assigned to the company"},
		{"AccountantNotAssignedToCompany", inCompany(accountant, site, false), company,
			false, "the user is not assigned to the company"},
		{"PartnerGrantAssignedToCompany", inCompany(partner(now.Add(time.Hour)), site, true), company,
			true, "assigned to the company"},
		{"PartnerGrantNotAssignedToCompany", inCompany(partner(now.Add(time.Hour)), site, false), company,
			false, "the user is not assigned to the company"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := domain.DecideAccess(tt.facts, site, tt.company, now)
			if d.Allowed != tt.allowed || d.Reason != tt.reason {
				t.Errorf("DecideAccess = allowed %v, %q; want allowed %v, %q", d.Allowed, d.Reason, tt.allowed, tt.reason)
			}
			want := domain.AccessDecision{Allowed: d.Allowed, Reason: d.Reason, Role: tt.facts.Role, Via: tt.facts.Via,
				ExpiresAt: tt.facts.ExpiresAt}
			if !tt.facts.Assigned {
				want = domain.AccessDecision{Reason: d.Reason} // nothing to tell about an assignment
			}
			if d.Role != want.Role || d.Via != want.Via || !d.ExpiresAt.Equal(want.ExpiresAt) || d.Companies != nil {
				t.Errorf("DecideAccess = %+v, want %+v", d, want)
			}
		})
	}
}
