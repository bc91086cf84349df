package app_test

import (
	"slices"
	"testing"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestAssignUser_OK checks a plain assignment: the row, its activity-log
// entry and the dashboard (R-ASSIGN-2, R-AUDIT-1).
func TestAssignUser_OK(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		seq := auditHead(t, db)
		as, err := w.app.AssignUser(w.ctx, w.cAdmin, w.site.ID, w.cUser.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if as.SiteID != w.site.ID || as.UserID != w.cUser.ID || as.Role != domain.RoleCustomerUser ||
			as.Via != domain.ViaMember || !as.ExpiresAt.IsZero() || as.CreatedBy != w.cAdmin.User.ID {
			t.Errorf("assignment %+v", as)
		}
		es := w.auditAfter(seq)
		if len(es) != 1 || es[0].Action != "assignment.create" || es[0].ObjectID != as.ID || es[0].OrgID != w.customer.ID {
			t.Fatalf("audit = %v", actions(es))
		}
		if string(es[0].Before) != "null" {
			t.Errorf("before = %s", es[0].Before)
		}
		wantContains(t, "after", string(es[0].After), w.cUser.ID, w.site.ID)
		_, err = w.app.AssignUser(w.ctx, w.cAdmin, w.site.ID, w.cUser.ID, "")
		wantCode(t, err, domain.EConflict, "")
	})
}

// TestAssignUser_InactiveUserRefused checks that invited, locked and
// deleted users cannot be assigned, with an error saying why, and that
// nothing is written (R-ASSIGN-1, R-USER-4, R-NOTE-1).
func TestAssignUser_InactiveUserRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		invited := w.invite(w.cAdmin, w.customer.ID, "ivy.invited@acme.example", domain.RoleCustomerUser)
		locked := w.activeUser(w.cAdmin, w.customer.ID, "lou.locked@acme.example", domain.RoleCustomerUser)
		must(t, of(w.app.LockUser(w.ctx, w.cAdmin, locked.ID)))
		deleted := w.activeUser(w.cAdmin, w.customer.ID, "del.deleted@acme.example", domain.RoleCustomerUser)
		must(t, of(w.app.DeleteUser(w.ctx, w.cAdmin, deleted.ID, "")))
		for _, tc := range []struct {
			name string
			user *domain.User
			why  string
		}{
			{"InvitedUserRefused", invited, "has not registered yet (Inactive)"},
			{"LockedUserRefused", locked, "is locked"},
			{"DeletedUserRefused", deleted, "is deleted"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := unchanged(t, db, func() error {
					_, err := w.app.AssignUser(w.ctx, w.cAdmin, w.site.ID, tc.user.ID, "")
					return err
				})
				wantCode(t, err, domain.ERule, "R-ASSIGN-1")
				wantContains(t, "error", err.Error(), "R-ASSIGN-1", tc.user.Email, tc.why)
			})
		}
		if n := len(must(t, of(w.app.SiteUsers(w.ctx, w.cAdmin, w.site.ID, domain.Page{}))).Items); n != 0 {
			t.Errorf("%d users on the site", n)
		}
		// Once registered, the invited user can be assigned.
		must(t, of(w.app.AcceptInvitation(w.ctx, "", w.newLink(invited.Email, "invitations", nil), testPassword)))
		w.assign(invited.ID, "")
	})
}

// TestAssignUser_NotifiesEachCustomerAdministrator checks that every
// assignment emails each active administrator of the site's customer,
// and nobody else (R-ASSIGN-2).
func TestAssignUser_NotifiesEachCustomerAdministrator(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		// Neither an invited nor a locked administrator is told.
		w.invite(w.cAdmin, w.customer.ID, "ian.newadmin@acme.example", domain.RoleCustomerAdmin)
		lockedAdmin := w.activeUser(w.cAdmin, w.customer.ID, "lee.lockedadmin@acme.example", domain.RoleCustomerAdmin)
		must(t, of(w.app.LockUser(w.ctx, w.cAdmin, lockedAdmin.ID)))

		_, n0 := counts(t, db)
		w.assign(w.cUser.ID, "")
		ns := w.mailOfKind(domain.NoticeUserAdded)
		if _, n1 := counts(t, db); n1-n0 != 2 || len(ns) != 2 {
			t.Fatalf("%d notices written, %d of kind %s", n1-n0, len(ns), domain.NoticeUserAdded)
		}
		if got, want := emails(ns), []string{w.cAdmin.User.Email, w.cAdmin2.Email}; !slices.Equal(got, want) {
			t.Errorf("told %v, want %v", got, want)
		}
		for _, n := range ns {
			if n.OrgID != w.customer.ID || n.State != domain.NoticeLocal ||
				n.ToUserID == "" {
				t.Errorf("notice %+v", n)
			}
			// Who was added, where, with which role, and by whom.
			wantContains(t, "subject", n.Subject, w.cUser.Name, w.site.Name)
			wantContains(t, "body", n.Body, w.cUser.Email, w.site.Name, string(domain.RoleCustomerUser), w.cAdmin.User.Name)
		}
		// The next assignment tells them again.
		w.assign(w.cOps.User.ID, "")
		if ns := w.mailOfKind(domain.NoticeUserAdded); len(ns) != 4 {
			t.Errorf("%d notices after two assignments", len(ns))
		}
	})
}

// TestUnassignUser_KeepsUser checks that removing a user from a site
// removes only the assignment (with the user's companies there); the
// user stays and can be assigned again (R-ASSIGN-3).
func TestUnassignUser_KeepsUser(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.assign(w.cOps.User.ID, "")
		as := w.assign(w.cUser.ID, "")
		if err := w.app.AssignCompany(w.ctx, w.cOps, w.company.ID, w.cUser.ID); err != nil {
			t.Fatal(err)
		}
		for name, act := range map[string]app.Actor{"OpsAgent": w.cOps, "PartnerAdmin": w.pAdmin, "Operator": w.op} {
			t.Run(name, func(t *testing.T) {
				err := unchanged(t, db, func() error { return w.app.UnassignUser(w.ctx, act, w.site.ID, w.cUser.ID, "") })
				wantCode(t, err, domain.EForbidden, "R-ASSIGN-3")
			})
		}
		seq := auditHead(t, db)
		if err := w.app.UnassignUser(w.ctx, w.cAdmin, w.site.ID, w.cUser.ID, ""); err != nil {
			t.Fatal(err)
		}
		es := w.auditAfter(seq)
		if len(es) != 1 || es[0].Action != "assignment.delete" || es[0].ObjectID != as.ID || string(es[0].After) != "null" {
			t.Fatalf("audit = %v", actions(es))
		}
		wantContains(t, "before", string(es[0].Before), w.cUser.ID)
		if u := w.user(w.cUser.ID); u.State != domain.UserActive || u.OrgID != w.customer.ID {
			t.Errorf("user after unassign: %+v", u)
		}
		listed := false
		for _, u := range must(t, of(w.app.Users(w.ctx, w.cAdmin, domain.UserFilter{}))).Items {
			listed = listed || u.ID == w.cUser.ID
		}
		if !listed {
			t.Errorf("user left the organisation's list")
		}
		for _, su := range must(t, of(w.app.SiteUsers(w.ctx, w.cAdmin, w.site.ID, domain.Page{}))).Items {
			if su.UserID == w.cUser.ID {
				t.Errorf("user still on the dashboard")
			}
		}
		if d := must(t, of(w.app.Access(w.ctx, w.cAdmin, w.site.ID, w.cUser.ID, ""))); d.Allowed {
			t.Errorf("access after unassign: %+v", d)
		}
		err := w.app.UnassignUser(w.ctx, w.cAdmin, w.site.ID, w.cUser.ID, "")
		wantCode(t, err, domain.ENotFound, "")

		again := w.assign(w.cUser.ID, "")
		if again.ID == as.ID {
			t.Errorf("reassignment reused the old row")
		}
		// The company assignment went with the site assignment.
		d := must(t, of(w.app.Access(w.ctx, w.cAdmin, w.site.ID, w.cUser.ID, w.company.ID)))
		if d.Allowed {
			t.Errorf("company access survived unassign: %+v", d)
		}
	})
}

// TestAssignUser_OperatorForbidden checks that operators never add users
// to a site (R-ROLE-1).
func TestAssignUser_OperatorForbidden(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		for name, id := range map[string]string{"CustomerUser": w.cUser.ID, "Operator": w.op.User.ID} {
			t.Run(name, func(t *testing.T) {
				err := unchanged(t, db, func() error { _, err := w.app.AssignUser(w.ctx, w.op, w.site.ID, id, ""); return err })
				wantCode(t, err, domain.EForbidden, "R-ROLE-1")
			})
		}
	})
}

// TestAssignUser_OnlyCustomerAdministrators checks that only the site's
// customer's administrators assign users, and only their own users
// (R-ASSIGN-2, R-ROLE-2, R-ROLE-3, R-PARTNER-1).
func TestAssignUser_OnlyCustomerAdministrators(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		for _, tc := range []struct {
			name       string
			act        app.Actor
			user       string
			code, rule string
		}{
			{"OpsAgent", w.cOps, w.cUser.ID, domain.EForbidden, ""},
			{"CustomerUser", w.actor(w.cUser.ID), w.cUser.ID, domain.EForbidden, ""},
			{"PartnerAdmin", w.pAdmin, w.cUser.ID, domain.EForbidden, ""},
			{"PartnerAgentByCustomer", w.cAdmin, w.pAgent.ID, domain.ENotFound, "R-ORG-1"},
			{"PartnerAgentBySystem", app.System, w.pAgent.ID, domain.ERule, "R-PARTNER-1"},
			{"OperatorBySystem", app.System, w.op.User.ID, domain.ERule, "R-ROLE-3"},
			{"UnknownUser", w.cAdmin, "usr_nope", domain.ENotFound, "R-ORG-1"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := unchanged(t, db, func() error { _, err := w.app.AssignUser(w.ctx, tc.act, w.site.ID, tc.user, ""); return err })
				wantCode(t, err, tc.code, tc.rule)
			})
		}
		// Customer administrators may be assigned to the site itself.
		if as := w.assign(w.cAdmin2.ID, ""); as.Role != domain.RoleCustomerAdmin {
			t.Errorf("admin assigned as %s", as.Role)
		}
	})
}

// TestAssignUser_SeveralRolesNeedExplicitRole checks that a user holding
// several site roles is assigned only with an explicit one, which it must
// hold (R-ROLE-4).
func TestAssignUser_SeveralRolesNeedExplicitRole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		multi := w.activeUser(w.cAdmin, w.customer.ID, "max.multi@acme.example", domain.RoleCustomerOps, domain.RoleCustomerUser)
		for _, tc := range []struct {
			name string
			role domain.Role
			msg  string
		}{
			{"NoRole", "", "choose the role"},
			{"RoleNotHeld", domain.RoleCustomerAdmin, "does not hold the role customer_admin"},
			{"NotASiteRole", domain.RolePartnerAgent, "does not hold the role partner_agent"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := unchanged(t, db, func() error {
					_, err := w.app.AssignUser(w.ctx, w.cAdmin, w.site.ID, multi.ID, tc.role)
					return err
				})
				wantCode(t, err, domain.EInvalid, "R-ROLE-4")
				wantContains(t, "error", err.Error(), tc.msg)
			})
		}
		as := w.assign(multi.ID, domain.RoleCustomerUser)
		if as.Role != domain.RoleCustomerUser {
			t.Errorf("assigned as %s", as.Role)
		}
		d := must(t, of(w.app.Access(w.ctx, w.cAdmin, w.site.ID, multi.ID, "")))
		if !d.Allowed || d.Role != domain.RoleCustomerUser {
			t.Errorf("access %+v", d)
		}
		// A single-role user needs no choice, but a wrong one is refused.
		_, err := w.app.AssignUser(w.ctx, w.cAdmin, w.site.ID, w.cUser.ID, domain.RoleCustomerOps)
		wantCode(t, err, domain.EInvalid, "R-ROLE-4")
		if as := w.assign(w.cUser.ID, ""); as.Role != domain.RoleCustomerUser {
			t.Errorf("single role assigned as %s", as.Role)
		}
	})
}

// TestAssignCompany_CustomerAdminRefused checks that a customer
// administrator can neither be assigned to a company nor assign others,
// even when it also holds the operations role (R-ROLE-2, R-ASSIGN-4).
func TestAssignCompany_CustomerAdminRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.assign(w.cOps.User.ID, "")
		w.assign(w.cUser.ID, "")
		w.assign(w.cAdmin2.ID, "")
		hybrid := w.activeUser(w.cAdmin, w.customer.ID, "hal.hybrid@acme.example", domain.RoleCustomerAdmin, domain.RoleCustomerOps)
		w.assign(hybrid.ID, domain.RoleCustomerOps)
		hybridAct := w.actor(hybrid.ID)

		t.Run("AdminAsTarget", func(t *testing.T) {
			for name, id := range map[string]string{"Admin": w.cAdmin2.ID, "AdminWithOpsRole": hybrid.ID} {
				t.Run(name, func(t *testing.T) {
					err := unchanged(t, db, func() error { return w.app.AssignCompany(w.ctx, w.cOps, w.company.ID, id) })
					wantCode(t, err, domain.ERule, "R-ASSIGN-4")
				})
			}
		})
		t.Run("AdminAssigns", func(t *testing.T) {
			for name, act := range map[string]app.Actor{"Admin": w.cAdmin, "AdminWithOpsRole": hybridAct} {
				t.Run(name, func(t *testing.T) {
					err := unchanged(t, db, func() error { return w.app.AssignCompany(w.ctx, act, w.company.ID, w.cUser.ID) })
					wantCode(t, err, domain.EForbidden, "R-ROLE-2")
					err = unchanged(t, db, func() error { _, err := w.app.CreateCompany(w.ctx, act, w.site.ID, "Admin Co"); return err })
					wantCode(t, err, domain.EForbidden, "R-ROLE-2")
				})
			}
		})
		// An administrator on the site reaches no company (R-ROLE-2).
		d := must(t, of(w.app.Access(w.ctx, w.cAdmin, w.site.ID, w.cAdmin2.ID, w.company.ID)))
		if d.Allowed {
			t.Errorf("admin reaches a company: %+v", d)
		}
		wantContains(t, "reason", d.Reason, "R-ROLE-2")
		if d := must(t, of(w.app.Access(w.ctx, w.cAdmin, w.site.ID, w.cAdmin2.ID, ""))); !d.Allowed {
			t.Errorf("admin cannot use its site: %+v", d)
		}
		// The operations agent staffs a plain user.
		if err := w.app.AssignCompany(w.ctx, w.cOps, w.company.ID, w.cUser.ID); err != nil {
			t.Fatal(err)
		}
	})
}
