package app_test

import (
	"testing"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestSCIM_DeactivationEndsAccessAtOnce: the identity provider takes over
// a person added by hand, then deactivates it: its session and API token
// stop working and its site access ends at once (R-USER-5). The last
// administrator cannot be deactivated (R-ROLE-5); what the provider owns
// cannot be changed by hand; mapped groups give roles. R-APP-4
func TestSCIM_DeactivationEndsAccessAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		must(t, of(w.app.AssignUser(w.ctx, w.cAdmin, w.site.ID, w.cUser.ID, domain.RoleCustomerUser)))
		sess := must(t, of(w.app.SignIn(w.ctx, app.Credentials{Email: w.cUser.Email, Password: testPassword})))
		apiToken, _ := must2(t, of2(w.app.IssueToken(w.ctx, "", w.cUser.Email, testPassword, "laptop")))

		secret, _ := must2(t, of2(w.app.CreateSCIMToken(w.ctx, w.cAdmin, app.NewSCIMToken{OrgID: w.customer.ID, Name: "Entra ID"})))
		c := must(t, of(w.app.SCIMAuthenticate(w.ctx, secret, "")))
		in := app.SCIMUserInput{SCIMUser: domain.SCIMUser{UserName: w.cUser.Email, DisplayName: "Uma User", Active: true}}
		v := must(t, of(w.app.SCIMCreateUser(w.ctx, c, in)))
		if v.User.ID != w.cUser.ID || v.User.State != domain.UserActive {
			t.Fatalf("the provider did not take over the person: %+v", v.User)
		}

		// Deactivated: locked at once, nothing of it works any more.
		in.Active = false
		v = must(t, of(w.app.SCIMReplaceUser(w.ctx, c, w.cUser.ID, v.Version, in)))
		if v.User.State != domain.UserLocked {
			t.Fatalf("deactivated user is %s", v.User.State)
		}
		if _, _, err := w.app.SessionActor(w.ctx, sess.Token, ""); err == nil {
			t.Fatal("the deactivated user's session still works")
		}
		if _, err := w.app.Authenticate(w.ctx, apiToken, ""); err == nil {
			t.Fatal("the deactivated user's API token still works")
		}
		if d := must(t, of(w.app.Access(w.ctx, w.cAdmin, w.site.ID, w.cUser.ID, ""))); d.Allowed {
			t.Fatal("the deactivated user still reaches the site")
		}
		// A stale version is refused.
		if _, err := w.app.SCIMReplaceUser(w.ctx, c, w.cUser.ID, 1, in); domain.ErrorCode(err) != domain.EPrecondition {
			t.Fatalf("a stale version: %v", err)
		}

		// What the provider owns cannot be changed by hand.
		name := "Someone Else"
		if _, _, err := w.app.UpdateUser(w.ctx, w.cAdmin, w.cUser.ID, domain.UserUpdate{Name: &name}); domain.ErrorRule(err) != "R-APP-4" {
			t.Fatalf("a hand change of a provisioned name: %v", err)
		}
		if mv := must(t, of(w.app.UserView(w.ctx, w.cAdmin, w.cUser.ID))); !mv.Managed.Details || mv.Managed.Roles {
			t.Fatalf("managed: %+v", mv.Managed)
		}

		// The last administrator stays (R-ROLE-5).
		must(t, of(w.app.SCIMCreateUser(w.ctx, c, app.SCIMUserInput{SCIMUser: domain.SCIMUser{UserName: w.cAdmin2.Email, Active: true}})))
		lock := app.SCIMUserInput{SCIMUser: domain.SCIMUser{UserName: w.cAdmin2.Email, Active: false}}
		must(t, of(w.app.SCIMReplaceUser(w.ctx, c, w.cAdmin2.ID, 0, lock)))
		must(t, of(w.app.SCIMCreateUser(w.ctx, c, app.SCIMUserInput{SCIMUser: domain.SCIMUser{UserName: w.cAdmin.User.Email, Active: true}})))
		lock.UserName = w.cAdmin.User.Email
		if _, err := w.app.SCIMReplaceUser(w.ctx, c, w.cAdmin.User.ID, 0, lock); domain.ErrorRule(err) != "R-ROLE-5" {
			t.Fatalf("deactivating the last administrator: %v", err)
		}

		// Mapped groups give roles; the role goes with the membership.
		// A mapping that leaves the last administrator in no admin group
		// would demote it: refused (R-ROLE-5).
		if _, err := w.app.SetGroupRoles(w.ctx, w.cAdmin, w.customer.ID, []domain.GroupRole{{Group: "Ops", Role: domain.RoleCustomerOps}}); domain.ErrorRule(err) != "R-ROLE-5" {
			t.Fatalf("a mapping that demotes the last administrator: %v", err)
		}
		must(t, of(w.app.SCIMCreateGroup(w.ctx, c, domain.SCIMGroup{DisplayName: "IT admins", Members: []domain.SCIMMember{{UserID: w.cAdmin.User.ID}}})))
		must(t, of(w.app.SetGroupRoles(w.ctx, w.cAdmin, w.customer.ID, []domain.GroupRole{
			{Group: "Ops", Role: domain.RoleCustomerOps}, {Group: "it admins", Role: domain.RoleCustomerAdmin}})))
		in.Active = true
		must(t, of(w.app.SCIMReplaceUser(w.ctx, c, w.cUser.ID, 0, in)))
		g := must(t, of(w.app.SCIMCreateGroup(w.ctx, c, domain.SCIMGroup{DisplayName: "ops", Members: []domain.SCIMMember{{UserID: w.cUser.ID}}})))
		if u := must(t, of(w.app.User(w.ctx, w.cAdmin, w.cUser.ID))); len(u.Roles) != 1 || u.Roles[0] != domain.RoleCustomerOps {
			t.Fatalf("the group's role: %v", u.Roles)
		}
		g.Members = nil
		must(t, of(w.app.SCIMReplaceGroup(w.ctx, c, g.ID, 0, *g)))
		if u := must(t, of(w.app.User(w.ctx, w.cAdmin, w.cUser.ID))); len(u.Roles) != 1 || u.Roles[0] != domain.RoleCustomerUser {
			t.Fatalf("after leaving the group: %v", u.Roles)
		}
		// The activity log names the token as the actor.
		entries := must(t, of(w.app.Audit(w.ctx, w.cAdmin, domain.AuditFilter{ObjectID: &w.cUser.ID})))
		found := false
		for _, e := range entries {
			if e.Action == "scim_user.update" && e.ActorID == c.Token.ID {
				found = true
			}
		}
		if !found {
			t.Fatal("the activity log does not name the SCIM token")
		}
		if names := must(t, of(w.app.ActorNames(w.ctx, w.cAdmin, entries))); names[c.Token.ID] != "Entra ID (SCIM token)" {
			t.Fatalf("the log's name for the token: %v", names)
		}
	})
}

// TestSCIM_HandChangesAndTheProvider: a lock made by hand stays through
// the provider's later updates; a user deleted by hand can be provisioned
// again and leaves its groups; a new address is asked to be confirmed
// once, not at every update. R-APP-4 R-USER-5 R-USER-6
func TestSCIM_HandChangesAndTheProvider(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		secret, _ := must2(t, of2(w.app.CreateSCIMToken(w.ctx, w.cAdmin, app.NewSCIMToken{OrgID: w.customer.ID, Name: "Okta"})))
		c := must(t, of(w.app.SCIMAuthenticate(w.ctx, secret, "")))
		in := app.SCIMUserInput{SCIMUser: domain.SCIMUser{UserName: w.cUser.Email, DisplayName: "Uma User", Active: true}}
		must(t, of(w.app.SCIMCreateUser(w.ctx, c, in)))
		g := must(t, of(w.app.SCIMCreateGroup(w.ctx, c, domain.SCIMGroup{DisplayName: "Staff", Members: []domain.SCIMMember{{UserID: w.cUser.ID}}})))

		// Locked by hand; the provider then changes the display name.
		must(t, of(w.app.LockUser(w.ctx, w.cAdmin, w.cUser.ID)))
		in.DisplayName = "Uma U. User"
		v := must(t, of(w.app.SCIMReplaceUser(w.ctx, c, w.cUser.ID, 0, in)))
		if v.User.State != domain.UserLocked {
			t.Fatalf("the provider's update undid a hand lock: %s", v.User.State)
		}

		// A new address: one confirmation, however many updates follow.
		in.UserName = "uma.new@acme.example"
		for range 3 {
			must(t, of(w.app.SCIMReplaceUser(w.ctx, c, w.cUser.ID, 0, in)))
		}
		if n := len(w.mailed("uma.new@acme.example", domain.NoticeEmailChange)); n != 1 {
			t.Fatalf("%d confirmations asked for one new address", n)
		}

		// Deleted by hand: the group no longer lists the user, and the
		// provider may create the person again.
		must(t, of(w.app.DeleteUser(w.ctx, w.cAdmin, w.cUser.ID, "")))
		if got := must(t, of(w.app.SCIMGroup(w.ctx, c, g.ID))); len(got.Members) != 0 || got.Version == g.Version {
			t.Fatalf("the group after the member's deletion: %+v", got)
		}
		in.UserName, in.Active = "uma.back@acme.example", true
		if _, err := w.app.SCIMCreateUser(w.ctx, c, in); err != nil {
			t.Fatalf("provisioning again after a hand deletion: %v", err)
		}
	})
}

// TestSCIM_SingleSignOnUsersActiveAtOnce: where the organisation signs in
// through its own OpenID provider, a provisioned person in a domain it
// proved is active at once, with no invitation; anyone else is invited
// (R-USER-4). R-APP-4
func TestSCIM_SingleSignOnUsersActiveAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		must(t, of(w.app.SetOIDCProvider(w.ctx, w.cAdmin, w.customer.ID, acmeProvider())))
		must(t, of(w.app.VerifySSODomain(w.ctx, w.op, w.customer.ID, "acme.example")))
		secret, _ := must2(t, of2(w.app.CreateSCIMToken(w.ctx, w.cAdmin, app.NewSCIMToken{OrgID: w.customer.ID, Name: "Entra ID"})))
		c := must(t, of(w.app.SCIMAuthenticate(w.ctx, secret, "")))
		sso := must(t, of(w.app.SCIMCreateUser(w.ctx, c, app.SCIMUserInput{SCIMUser: domain.SCIMUser{
			UserName: "nina.new@acme.example", DisplayName: "Nina New", Active: true}})))
		if sso.User.State != domain.UserActive || len(w.mailed("nina.new@acme.example", domain.NoticeInvitation)) != 0 {
			t.Fatalf("a person of the proven domain: %s, invited %d times", sso.User.State,
				len(w.mailed("nina.new@acme.example", domain.NoticeInvitation)))
		}
		other := must(t, of(w.app.SCIMCreateUser(w.ctx, c, app.SCIMUserInput{SCIMUser: domain.SCIMUser{
			UserName: "olga@contractor.example", DisplayName: "Olga Other", Active: true}})))
		if other.User.State != domain.UserInvited || len(w.mailed("olga@contractor.example", domain.NoticeInvitation)) != 1 {
			t.Fatalf("a person outside the proven domain: %s", other.User.State)
		}
	})
}
