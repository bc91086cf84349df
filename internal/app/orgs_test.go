package app_test

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestCreateOrg_OnlyOperators checks that only the vendor's operators
// create organisations (SPEC section 1, R-ORG-1), and that the input is
// checked.
func TestCreateOrg_OnlyOperators(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		for name, act := range map[string]app.Actor{"partner admin": w.pAdmin, "customer admin": w.cAdmin, "ops agent": w.cOps} {
			t.Run(name, func(t *testing.T) {
				err := unchanged(t, db, func() error {
					_, err := w.app.CreateOrg(w.ctx, act, app.NewOrg{Kind: domain.OrgCustomer, Name: "Sneaky"})
					return err
				})
				wantCode(t, err, domain.EForbidden, "")
			})
		}

		bad := []struct {
			name string
			in   app.NewOrg
			code string
		}{
			{"NoName", app.NewOrg{Kind: domain.OrgCustomer, Name: "  "}, domain.EInvalid},
			{"VendorKind", app.NewOrg{Kind: domain.OrgVendor, Name: "Second vendor"}, domain.EInvalid},
			{"PartnerWithPartner", app.NewOrg{Kind: domain.OrgPartner, Name: "P", PartnerID: w.partner.ID}, domain.EInvalid},
			{"DemoWithoutPartner", app.NewOrg{Kind: domain.OrgCustomer, Name: "D", Demo: true}, domain.EInvalid},
			{"PartnerIsACustomer", app.NewOrg{Kind: domain.OrgCustomer, Name: "C", PartnerID: w.customer.ID}, domain.EInvalid},
			{"UnknownPartner", app.NewOrg{Kind: domain.OrgCustomer, Name: "C", PartnerID: "org_nope"}, domain.ENotFound},
		}
		for _, tc := range bad {
			t.Run(tc.name, func(t *testing.T) {
				err := unchanged(t, db, func() error { _, err := w.app.CreateOrg(w.ctx, w.op, tc.in); return err })
				wantCode(t, err, tc.code, "")
			})
		}

		t.Run("OK", func(t *testing.T) {
			seq := auditHead(t, db)
			o, err := w.app.CreateOrg(w.ctx, w.op, app.NewOrg{Kind: domain.OrgCustomer, Name: "  Globex  ", PartnerID: w.partner.ID})
			if err != nil {
				t.Fatal(err)
			}
			if o.Name != "Globex" || o.Kind != domain.OrgCustomer || o.PartnerID != w.partner.ID || o.MainContactID != "" {
				t.Errorf("created %+v", o)
			}
			es := w.auditAfter(seq)
			if len(es) != 1 || es[0].Action != "org.create" || es[0].ObjectID != o.ID || es[0].OrgID != o.ID ||
				es[0].ActorID != w.op.User.ID {
				t.Errorf("audit: %v", actions(es))
			}
		})
	})
}

// crossTenantCalls are the use cases that take an id of someone else's
// data. Each must answer not_found when the id is outside the actor's
// tenancy or unknown (R-ORG-1).
type targets struct{ partnerID, customerID, userID, siteID, companyID string }

func crossTenantCalls(w *world) []struct {
	name string
	call func(act app.Actor, x targets) error
} {
	ctx, a := w.ctx, w.app
	err := func(_ any, err error) error { return err }
	err3 := func(_, _ any, err error) error { return err }
	until := w.clock.Now().Add(48 * time.Hour)
	return []struct {
		name string
		call func(act app.Actor, x targets) error
	}{
		{"Org(partner)", func(act app.Actor, x targets) error { return err(a.Org(ctx, act, x.partnerID)) }},
		{"Org(customer)", func(act app.Actor, x targets) error { return err(a.Org(ctx, act, x.customerID)) }},
		{"UpdateOrg", func(act app.Actor, x targets) error {
			return err(a.UpdateOrg(ctx, act, x.customerID, domain.OrgUpdate{Name: str("Taken over")}))
		}},
		{"SetPartner", func(act app.Actor, x targets) error { return err(a.SetPartner(ctx, act, x.customerID, "")) }},
		{"Users", func(act app.Actor, x targets) error {
			return err(a.Users(ctx, act, domain.UserFilter{OrgID: &x.customerID}))
		}},
		{"User", func(act app.Actor, x targets) error { return err(a.User(ctx, act, x.userID)) }},
		{"CreateUser", func(act app.Actor, x targets) error {
			return err3(a.CreateUser(ctx, act, app.NewUser{OrgID: x.customerID, Email: "mole@elsewhere.example",
				Name: "Mole", Roles: []domain.Role{domain.RoleCustomerAdmin}}))
		}},
		{"UpdateUser", func(act app.Actor, x targets) error {
			return err3(a.UpdateUser(ctx, act, x.userID, domain.UserUpdate{Name: str("Renamed")}))
		}},
		{"LockUser", func(act app.Actor, x targets) error { return err(a.LockUser(ctx, act, x.userID)) }},
		{"UnlockUser", func(act app.Actor, x targets) error { return err(a.UnlockUser(ctx, act, x.userID)) }},
		{"DeleteUser", func(act app.Actor, x targets) error { return err(a.DeleteUser(ctx, act, x.userID, "")) }},
		{"ResendInvitation", func(act app.Actor, x targets) error { return err(a.ResendInvitation(ctx, act, x.userID)) }},
		{"Site", func(act app.Actor, x targets) error { return err(a.Site(ctx, act, x.siteID)) }},
		{"Sites", func(act app.Actor, x targets) error {
			return err(a.Sites(ctx, act, domain.SiteFilter{CustomerID: &x.customerID}))
		}},
		{"CreateSite", func(act app.Actor, x targets) error {
			return err(a.CreateSite(ctx, act, app.NewSite{CustomerID: x.customerID, Name: "rogue", Edition: domain.EditionProfessional}))
		}},
		{"SuspendSite", func(act app.Actor, x targets) error { return err(a.SuspendSite(ctx, act, x.siteID, "why", until)) }},
		{"ResumeSite", func(act app.Actor, x targets) error { return err(a.ResumeSite(ctx, act, x.siteID)) }},
		{"CancelSite", func(act app.Actor, x targets) error { return err(a.CancelSite(ctx, act, x.siteID, "")) }},
		{"RestoreSite", func(act app.Actor, x targets) error { return err(a.RestoreSite(ctx, act, x.siteID)) }},
		{"Companies", func(act app.Actor, x targets) error { return err(a.Companies(ctx, act, x.siteID, domain.Page{})) }},
		{"CreateCompany", func(act app.Actor, x targets) error { return err(a.CreateCompany(ctx, act, x.siteID, "Shell Co")) }},
		{"RenameCompany", func(act app.Actor, x targets) error { return err(a.RenameCompany(ctx, act, x.companyID, "Renamed")) }},
		{"AssignCompany", func(act app.Actor, x targets) error { return a.AssignCompany(ctx, act, x.companyID, x.userID) }},
		{"UnassignCompany", func(act app.Actor, x targets) error { return a.UnassignCompany(ctx, act, x.companyID, x.userID) }},
		{"AssignUser", func(act app.Actor, x targets) error { return err(a.AssignUser(ctx, act, x.siteID, x.userID, "")) }},
		{"UnassignUser", func(act app.Actor, x targets) error { return a.UnassignUser(ctx, act, x.siteID, x.userID, "") }},
		{"SiteUsers", func(act app.Actor, x targets) error { return err(a.SiteUsers(ctx, act, x.siteID, domain.Page{})) }},
		{"Access", func(act app.Actor, x targets) error { return err(a.Access(ctx, act, x.siteID, x.userID, "")) }},
	}
}

// TestTenancy_OtherTenantsAnswerNotFound checks that a second partner and
// its customer get "not found", never "forbidden", for every id of the
// first tenant, and the other way round, and that nothing changes
// (R-ORG-1).
func TestTenancy_OtherTenantsAnswerNotFound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		t2 := w.secondTenant()
		first := targets{w.partner.ID, w.customer.ID, w.cUser.ID, w.site.ID, w.company.ID}
		second := targets{t2.partner.ID, t2.customer.ID, t2.cUser.ID, t2.site.ID, t2.company.ID}
		cases := []struct {
			name string
			act  app.Actor
			x    targets
		}{
			{"OtherPartnerAdmin", t2.pAdmin, first},
			{"OtherCustomerAdmin", t2.cAdmin, first},
			{"PartnerAdminOnOtherTenant", w.pAdmin, second},
			{"CustomerAdminOnOtherTenant", w.cAdmin, second},
			{"OpsAgentOnOtherTenant", w.cOps, second},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				for _, c := range crossTenantCalls(w) {
					t.Run(c.name, func(t *testing.T) {
						err := unchanged(t, db, func() error { return c.call(tc.act, tc.x) })
						wantCode(t, err, domain.ENotFound, "R-ORG-1")
					})
				}
			})
		}
		// The first tenant's data is as it was.
		if c := w.org(w.customer.ID); c.Name != "Acme" || c.PartnerID != w.partner.ID {
			t.Errorf("customer changed: %+v", c)
		}
		if u := w.user(w.cUser.ID); u.State != domain.UserActive || u.Name != w.cUser.Name {
			t.Errorf("user changed: %+v", u)
		}
		if s := must(t, of(w.app.Site(w.ctx, w.op, w.site.ID))); s.State != domain.SiteReady {
			t.Errorf("site changed: %+v", s)
		}
	})
}

// TestTenancy_UnknownIDsAnswerNotFound checks that ids that exist nowhere
// answer not_found even for an operator, who sees everything (R-ORG-1).
func TestTenancy_UnknownIDsAnswerNotFound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		nowhere := targets{"org_nope", "org_nope2", "usr_nope", "site_nope", "co_nope"}
		for _, act := range []struct {
			name string
			act  app.Actor
		}{{"Operator", w.op}, {"CustomerAdmin", w.cAdmin}} {
			t.Run(act.name, func(t *testing.T) {
				for _, c := range crossTenantCalls(w) {
					t.Run(c.name, func(t *testing.T) {
						err := unchanged(t, db, func() error { return c.call(act.act, nowhere) })
						wantCode(t, err, domain.ENotFound, "R-ORG-1")
					})
				}
			})
		}
	})
}

// TestTenancy_Lists checks what each party's lists hold: a partner sees
// itself and its linked customers and their sites; a customer sees only
// itself and its sites (R-ORG-1).
func TestTenancy_Lists(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		t2 := w.secondTenant()
		direct := must(t, of(w.app.CreateOrg(w.ctx, w.op, app.NewOrg{Kind: domain.OrgCustomer, Name: "Direct"})))
		orgIDs := func(act app.Actor, f domain.OrgFilter) []string {
			t.Helper()
			var ids []string
			for _, o := range must(t, of(w.app.Orgs(w.ctx, act, f))).Items {
				ids = append(ids, o.ID)
			}
			slices.Sort(ids)
			return ids
		}
		siteIDs := func(act app.Actor) []string {
			t.Helper()
			var ids []string
			for _, s := range must(t, of(w.app.Sites(w.ctx, act, domain.SiteFilter{}))).Items {
				ids = append(ids, s.ID)
			}
			slices.Sort(ids)
			return ids
		}
		sorted := func(ids ...string) []string { slices.Sort(ids); return ids }
		customer := domain.OrgCustomer
		cases := []struct {
			name  string
			act   app.Actor
			f     domain.OrgFilter
			orgs  []string
			sites []string
		}{
			{"Partner", w.pAdmin, domain.OrgFilter{}, sorted(w.partner.ID, w.customer.ID), sorted(w.site.ID)},
			{"PartnerCustomersOnly", w.pAdmin, domain.OrgFilter{Kind: &customer}, sorted(w.customer.ID), sorted(w.site.ID)},
			{"OtherPartner", t2.pAdmin, domain.OrgFilter{}, sorted(t2.partner.ID, t2.customer.ID), sorted(t2.site.ID)},
			{"Customer", w.cAdmin, domain.OrgFilter{}, sorted(w.customer.ID), sorted(w.site.ID)},
			{"CustomerUser", w.cOps, domain.OrgFilter{}, sorted(w.customer.ID), sorted(w.site.ID)},
			{"Operator", w.op, domain.OrgFilter{Kind: &customer}, sorted(w.customer.ID, t2.customer.ID, direct.ID),
				sorted(w.site.ID, t2.site.ID)},
		}
		// A filter naming another partner is another tenant's id: not
		// found, not an empty list.
		_, err := w.app.Orgs(w.ctx, w.pAdmin, domain.OrgFilter{PartnerID: &t2.partner.ID})
		wantCode(t, err, domain.ENotFound, "R-ORG-1")
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				if got := orgIDs(tc.act, tc.f); !slices.Equal(got, tc.orgs) {
					t.Errorf("orgs = %v, want %v", got, tc.orgs)
				}
				if got := siteIDs(tc.act); !slices.Equal(got, tc.sites) {
					t.Errorf("sites = %v, want %v", got, tc.sites)
				}
			})
		}
	})
}

// TestTenancy_PartnerSeesCustomerButNotItsPeople checks that a partner
// sees its linked customer and the customer's sites, but not the
// customer's users: those are the customer's own (R-ORG-1, R-ROLE-3).
func TestTenancy_PartnerSeesCustomerButNotItsPeople(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		if _, err := w.app.Org(w.ctx, w.pAdmin, w.customer.ID); err != nil {
			t.Errorf("partner reading its customer: %v", err)
		}
		if _, err := w.app.Site(w.ctx, w.pAdmin, w.site.ID); err != nil {
			t.Errorf("partner reading its customer's site: %v", err)
		}
		_, err := w.app.Users(w.ctx, w.pAdmin, domain.UserFilter{OrgID: &w.customer.ID})
		wantCode(t, err, domain.ENotFound, "R-ORG-1")
		_, err = w.app.User(w.ctx, w.pAdmin, w.cUser.ID)
		wantCode(t, err, domain.ENotFound, "R-ORG-1")
		// A customer does not see its partner.
		_, err = w.app.Org(w.ctx, w.cAdmin, w.partner.ID)
		wantCode(t, err, domain.ENotFound, "R-ORG-1")
		_, err = w.app.User(w.ctx, w.cAdmin, w.pAgent.ID)
		wantCode(t, err, domain.ENotFound, "R-ORG-1")
	})
}

// TestMainContact_SetOnFirstUser checks that a new organisation has no
// main contact until its first user, who becomes it (R-ORG-2).
func TestMainContact_SetOnFirstUser(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		// The world created the partner administrator and the first
		// customer administrator before anyone else in their orgs.
		for name, c := range map[string]struct{ org, first string }{
			"partner":  {w.partner.ID, w.pAdmin.User.ID},
			"customer": {w.customer.ID, w.cAdmin.User.ID},
		} {
			if got := w.org(c.org).MainContactID; got != c.first {
				t.Errorf("%s main contact = %q, want its first user %s", name, got, c.first)
			}
		}
		o := must(t, of(w.app.CreateOrg(w.ctx, w.op, app.NewOrg{Kind: domain.OrgCustomer, Name: "Initech"})))
		if o.MainContactID != "" {
			t.Fatalf("new org has contact %q", o.MainContactID)
		}
		seq := auditHead(t, db)
		first := w.invite(w.op, o.ID, "bill.lumbergh@initech.example", domain.RoleCustomerAdmin)
		if got := w.org(o.ID).MainContactID; got != first.ID {
			t.Errorf("main contact = %q, want %s", got, first.ID)
		}
		if got := actions(w.auditAfter(seq)); !slices.Equal(got, []string{"user.create", "org.update"}) {
			t.Errorf("audit = %v", got)
		}
		second := w.invite(w.op, o.ID, "peter.gibbons@initech.example", domain.RoleCustomerAdmin)
		if got := w.org(o.ID).MainContactID; got != first.ID {
			t.Errorf("second user %s took over the main contact: %q", second.ID, got)
		}
	})
}

// TestMainContact_MustBeOwnUser checks that the main contact can be set
// only to one of the organisation's own live users (R-ORG-2).
func TestMainContact_MustBeOwnUser(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		gone := w.activeUser(w.cAdmin, w.customer.ID, "gone.soon@acme.example", domain.RoleCustomerUser)
		must(t, of(w.app.DeleteUser(w.ctx, w.cAdmin, gone.ID, "")))
		for name, id := range map[string]string{
			"OtherOrgsUser": w.pAgent.ID, "DeletedUser": gone.ID, "Unknown": "usr_nope", "OperatorUser": w.op.User.ID,
		} {
			t.Run(name, func(t *testing.T) {
				err := unchanged(t, db, func() error {
					_, err := w.app.UpdateOrg(w.ctx, w.cAdmin, w.customer.ID, domain.OrgUpdate{MainContactID: &id})
					return err
				})
				wantCode(t, err, domain.EInvalid, "R-ORG-2")
				if got := w.org(w.customer.ID).MainContactID; got != w.cAdmin.User.ID {
					t.Errorf("main contact = %q", got)
				}
			})
		}
		t.Run("OwnUser", func(t *testing.T) {
			seq := auditHead(t, db)
			o, err := w.app.UpdateOrg(w.ctx, w.cAdmin, w.customer.ID, domain.OrgUpdate{MainContactID: &w.cAdmin2.ID})
			if err != nil {
				t.Fatal(err)
			}
			if o.MainContactID != w.cAdmin2.ID || w.org(o.ID).MainContactID != w.cAdmin2.ID {
				t.Errorf("main contact = %q", o.MainContactID)
			}
			es := w.auditAfter(seq)
			if len(es) != 1 || es[0].Action != "org.update" {
				t.Fatalf("audit = %v", actions(es))
			}
			wantContains(t, "before", string(es[0].Before), w.cAdmin.User.ID)
			wantContains(t, "after", string(es[0].After), w.cAdmin2.ID)
		})
	})
}

// TestMainContact_ReassignedWhenContactDeleted checks that deleting the
// main contact hands the role on to another administrator (R-ORG-2).
func TestMainContact_ReassignedWhenContactDeleted(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		if got := w.org(w.customer.ID).MainContactID; got != w.cAdmin.User.ID {
			t.Fatalf("main contact = %q, want %s", got, w.cAdmin.User.ID)
		}
		cAdmin2 := w.actor(w.cAdmin2.ID)
		seq := auditHead(t, db)
		must(t, of(w.app.DeleteUser(w.ctx, cAdmin2, w.cAdmin.User.ID, "")))
		if got := w.org(w.customer.ID).MainContactID; got != w.cAdmin2.ID {
			t.Errorf("main contact = %q, want the remaining administrator %s", got, w.cAdmin2.ID)
		}
		var orgUpdate *domain.AuditEntry
		for _, e := range w.auditAfter(seq) {
			if e.Action == "org.update" && e.ObjectID == w.customer.ID {
				orgUpdate = e
			}
		}
		if orgUpdate == nil {
			t.Fatalf("no org.update entry for the new contact: %v", actions(w.auditAfter(seq)))
		}
		wantContains(t, "after", string(orgUpdate.After), w.cAdmin2.ID)
		// Deleting someone who is not the contact leaves it alone.
		must(t, of(w.app.DeleteUser(w.ctx, cAdmin2, w.cUser.ID, "")))
		if got := w.org(w.customer.ID).MainContactID; got != w.cAdmin2.ID {
			t.Errorf("main contact = %q after deleting a plain user", got)
		}
	})
}

// TestUpdateOrg_WhoMayChangeWhat checks that an organisation's own
// administrators and operators change its details, that only operators
// flag a demo customer, and only a customer linked to a partner (R-ORG-1,
// R-ROLE-3).
func TestUpdateOrg_WhoMayChangeWhat(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		yes := true
		direct := must(t, of(w.app.CreateOrg(w.ctx, w.op, app.NewOrg{Kind: domain.OrgCustomer, Name: "Direct"})))
		refused := []struct {
			name       string
			act        app.Actor
			id         string
			upd        domain.OrgUpdate
			code, rule string
		}{
			{"OpsAgentRenamesOwnOrg", w.cOps, w.customer.ID, domain.OrgUpdate{Name: str("X")}, domain.EForbidden, ""},
			{"PartnerRenamesItsCustomer", w.pAdmin, w.customer.ID, domain.OrgUpdate{Name: str("X")}, domain.EForbidden, ""},
			{"CustomerFlagsItselfDemo", w.cAdmin, w.customer.ID, domain.OrgUpdate{Demo: &yes}, domain.EForbidden, "R-ROLE-3"},
			{"PartnerFlagsCustomerDemo", w.pAdmin, w.customer.ID, domain.OrgUpdate{Demo: &yes}, domain.EForbidden, ""},
			{"DemoPartner", w.op, w.partner.ID, domain.OrgUpdate{Demo: &yes}, domain.EInvalid, "R-ROLE-3"},
			{"DemoWithoutPartner", w.op, direct.ID, domain.OrgUpdate{Demo: &yes}, domain.EInvalid, "R-ROLE-3"},
			{"BlankName", w.cAdmin, w.customer.ID, domain.OrgUpdate{Name: str("   ")}, domain.EInvalid, ""},
		}
		for _, tc := range refused {
			t.Run(tc.name, func(t *testing.T) {
				err := unchanged(t, db, func() error { _, err := w.app.UpdateOrg(w.ctx, tc.act, tc.id, tc.upd); return err })
				wantCode(t, err, tc.code, tc.rule)
			})
		}
		if c := w.org(w.customer.ID); c.Name != "Acme" || c.Demo {
			t.Errorf("customer changed: %+v", c)
		}
		t.Run("OwnAdminRenames", func(t *testing.T) {
			o, err := w.app.UpdateOrg(w.ctx, w.cAdmin, w.customer.ID, domain.OrgUpdate{Name: str(" Acme Corp ")})
			if err != nil || o.Name != "Acme Corp" || w.org(o.ID).Name != "Acme Corp" {
				t.Fatalf("rename: %+v %v", o, err)
			}
		})
		t.Run("OperatorFlagsDemo", func(t *testing.T) {
			o, err := w.app.UpdateOrg(w.ctx, w.op, w.customer.ID, domain.OrgUpdate{Demo: &yes})
			if err != nil || !o.Demo || !w.org(o.ID).Demo {
				t.Fatalf("demo: %+v %v", o, err)
			}
		})
	})
}

// TestUserOrg_FixedAtCreation checks that a user's organisation is set
// when it is created and that no update can move it (R-ORG-3).
func TestUserOrg_FixedAtCreation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		// UserUpdate has no field that names an organisation.
		typ := reflect.TypeOf(domain.UserUpdate{})
		for i := range typ.NumField() {
			if f := typ.Field(i); f.Name == "OrgID" || f.Name == "Org" || f.Name == "Type" {
				t.Errorf("domain.UserUpdate has a field %s (R-ORG-3)", f.Name)
			}
		}
		u, _, err := w.app.UpdateUser(w.ctx, w.op, w.cUser.ID, domain.UserUpdate{
			Name: str("Uma Renamed"), Roles: []domain.Role{domain.RoleCustomerUser, domain.RoleCustomerOps},
			Email: str("uma.new@acme.example"),
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, got := range []*domain.User{u, w.user(w.cUser.ID)} {
			if got.OrgID != w.customer.ID || got.Type != domain.TypeCustomer {
				t.Errorf("user moved to org %q type %q", got.OrgID, got.Type)
			}
		}
		// The user still lists under its own organisation only.
		list := must(t, of(w.app.Users(w.ctx, w.op, domain.UserFilter{OrgID: &w.partner.ID})))
		for _, x := range list.Items {
			if x.ID == w.cUser.ID {
				t.Errorf("user listed under the partner")
			}
		}
	})
}

// TestLists_SystemSeesEverything checks that the system actor, used by
// background jobs and the command line, lists every organisation, user
// and site like an operator, as it reads every single one (R-ORG-1).
func TestLists_SystemSeesEverything(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		t2 := w.secondTenant()
		count := func(act app.Actor) (orgs, users, sites int) {
			t.Helper()
			orgs = len(must(t, of(w.app.Orgs(w.ctx, act, domain.OrgFilter{Page: domain.Page{Limit: domain.MaxPageSize}}))).Items)
			users = len(must(t, of(w.app.Users(w.ctx, act, domain.UserFilter{Page: domain.Page{Limit: domain.MaxPageSize}}))).Items)
			sites = len(must(t, of(w.app.Sites(w.ctx, act, domain.SiteFilter{Page: domain.Page{Limit: domain.MaxPageSize}}))).Items)
			return
		}
		o1, u1, s1 := count(w.op)
		o2, u2, s2 := count(app.System)
		if o1 != 5 || s1 != 2 || u1 < 10 {
			t.Errorf("operator lists %d orgs, %d users, %d sites", o1, u1, s1)
		}
		if o2 != o1 || u2 != u1 || s2 != s1 {
			t.Errorf("system lists %d orgs, %d users, %d sites; operator %d, %d, %d", o2, u2, s2, o1, u1, s1)
		}
		if _, err := w.app.Site(w.ctx, app.System, t2.site.ID); err != nil {
			t.Errorf("system reads a site: %v", err)
		}
	})
}

// TestSetPartner_CustomerChoosesItsPartner checks that a customer is
// linked to at most one partner, which its administrators choose; that
// the partner's view follows the link (R-PARTNER-6: only the linked
// partner reaches the sites); that the partner accepts before it is
// linked; and that a partner can drop the link but never take a customer
// (SPEC section 2, R-ORG-1).
func TestSetPartner_CustomerChoosesItsPartner(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		t2 := w.secondTenant()
		direct := must(t, of(w.app.CreateOrg(w.ctx, w.op, app.NewOrg{Kind: domain.OrgCustomer, Name: "Direct"})))
		for _, tc := range []struct {
			name, customer, partner string
			act                     app.Actor
			code                    string
		}{
			{"PartnerTakesUnlinkedCustomer", direct.ID, w.partner.ID, w.pAdmin, domain.ENotFound},
			{"PartnerRelinksItsCustomer", w.customer.ID, t2.partner.ID, w.pAdmin, domain.EForbidden},
			{"OpsAgentChooses", w.customer.ID, t2.partner.ID, w.cOps, domain.EForbidden},
			{"PartnerIsNotACustomer", w.partner.ID, "", w.op, domain.EInvalid},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := unchanged(t, db, func() error { _, err := w.app.SetPartner(w.ctx, tc.act, tc.customer, tc.partner); return err })
				wantCode(t, err, tc.code, "")
			})
		}

		// Asking an id that is no partner answers like asking a partner,
		// and changes nothing (R-ORG-1).
		for _, id := range []string{"org_nope", t2.customer.ID} {
			err := unchanged(t, db, func() error { _, err := w.app.SetPartner(w.ctx, w.cAdmin, w.customer.ID, id); return err })
			if err != nil {
				t.Fatalf("asking %s: %v", id, err)
			}
		}

		// The customer's administrator asks the other partner; nothing
		// changes until its administrators accept.
		seq := auditHead(t, db)
		c, err := w.app.SetPartner(w.ctx, w.cAdmin, w.customer.ID, t2.partner.ID)
		if err != nil || c.PartnerID != w.partner.ID || w.org(w.customer.ID).PartnerID != w.partner.ID {
			t.Fatalf("asking linked at once: %+v %v", c, err)
		}
		if len(w.mailed(t2.pAdmin.User.Email, domain.NoticePartnerLinkRequested)) != 1 {
			t.Fatal("the partner's administrators are not asked")
		}
		reqs := must(t, of(w.app.PartnerLinkRequests(w.ctx, t2.pAdmin)))
		if len(reqs) != 1 || reqs[0].CustomerName != w.customer.Name || reqs[0].AskedBy != w.cAdmin.User.Name {
			t.Fatalf("link requests: %+v", reqs)
		}
		_, err = w.app.AnswerPartnerLink(w.ctx, w.pAdmin, w.customer.ID, true) // another partner cannot take it
		wantCode(t, err, domain.ENotFound, "R-ORG-1")
		c = must(t, of(w.app.AnswerPartnerLink(w.ctx, t2.pAdmin, w.customer.ID, true)))
		if c.PartnerID != t2.partner.ID || w.org(w.customer.ID).PartnerID != t2.partner.ID {
			t.Fatalf("accepted: %+v", c)
		}
		if es := w.auditAfter(seq); len(es) != 2 || es[0].Action != "org.partner_link_requested" || es[0].ActorID != w.cAdmin.User.ID ||
			es[1].Action != "org.link_partner" || es[1].ActorID != t2.pAdmin.User.ID {
			t.Errorf("audit = %v", actions(es))
		}
		if len(w.mailed(w.cAdmin.User.Email, domain.NoticePartnerLinkAnswered)) != 1 {
			t.Error("the customer's administrators are not told of the answer")
		}
		_, err = w.app.Org(w.ctx, w.pAdmin, w.customer.ID)
		wantCode(t, err, domain.ENotFound, "R-ORG-1")
		_, err = w.app.Site(w.ctx, w.pAdmin, w.site.ID)
		wantCode(t, err, domain.ENotFound, "R-ORG-1")
		if _, err := w.app.Site(w.ctx, t2.pAdmin, w.site.ID); err != nil {
			t.Errorf("new partner cannot see the site: %v", err)
		}

		// The new partner drops the link; the customer is then directly
		// supported and no partner sees it.
		yes := true
		must(t, of(w.app.UpdateOrg(w.ctx, w.op, w.customer.ID, domain.OrgUpdate{Demo: &yes})))
		c, err = w.app.SetPartner(w.ctx, t2.pAdmin, w.customer.ID, "")
		if err != nil || c.PartnerID != "" || c.Demo {
			t.Fatalf("unlink: %+v %v", c, err)
		}
		if got := w.org(w.customer.ID); got.PartnerID != "" || got.Demo {
			t.Errorf("after unlink: %+v", got)
		}
		_, err = w.app.Org(w.ctx, t2.pAdmin, w.customer.ID)
		wantCode(t, err, domain.ENotFound, "R-ORG-1")
		if _, err := w.app.Org(w.ctx, w.cAdmin, w.customer.ID); err != nil {
			t.Errorf("customer lost sight of itself: %v", err)
		}
	})
}

// TestOrgView_NamesAndPermissions: an organisation's page shows its main
// contact and its partner of record by name (R-ORG-2), and offers the
// invitation form only to those who administer its users (R-ORG-1).
func TestOrgView_NamesAndPermissions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		must(t, of(w.app.UpdateOrg(w.ctx, w.cAdmin, w.customer.ID, domain.OrgUpdate{MainContactID: &w.cAdmin2.ID})))
		v := must(t, of(w.app.OrgView(w.ctx, w.cAdmin, w.customer.ID)))
		if v.MainContact == nil || v.MainContact.Name != w.cAdmin2.Name || v.Partner == nil || v.Partner.Name != w.partner.Name {
			t.Fatalf("names: contact %+v, partner %+v", v.MainContact, v.Partner)
		}
		if !v.Can.InviteUsers || !v.Can.SeeUsers {
			t.Errorf("the customer's administrator: %+v", v.Can)
		}
		pv := must(t, of(w.app.OrgView(w.ctx, w.pAdmin, w.customer.ID)))
		if pv.Can.InviteUsers || pv.Can.SeeUsers || !pv.Can.SeeSites {
			t.Errorf("the partner's administrator on its customer: %+v", pv.Can)
		}
	})
}
