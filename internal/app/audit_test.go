package app_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/identity"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestAudit_EveryChangeRecorded walks through every kind of change and
// checks that each writes an entry saying who, acting for which
// organisation, what, on which object, before and after, from where and
// when (R-AUDIT-1).
func TestAudit_EveryChangeRecorded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		var (
			org     *domain.Org
			newbie  *domain.User
			company *domain.Company
			tokenID string
			site    *domain.Site
		)
		newbieEmail := "nora.newcomer@acme.example"
		steps := []struct {
			action       string
			act          app.Actor // the actor expected in the entry
			org          func() string
			object       func() string
			before, afte bool // whether before and after hold a snapshot
			do           func() error
		}{
			{"org.create", w.op, func() string { return org.ID }, func() string { return org.ID }, false, true, func() (err error) {
				org, err = w.app.CreateOrg(w.ctx, w.op, app.NewOrg{Kind: domain.OrgCustomer, Name: "Globex", PartnerID: w.partner.ID})
				return err
			}},
			{"org.update", w.op, func() string { return org.ID }, func() string { return org.ID }, true, true, func() error {
				_, err := w.app.UpdateOrg(w.ctx, w.op, org.ID, domain.OrgUpdate{Name: str("Globex Corp")})
				return err
			}},
			{"org.unlink_partner", w.pAdmin, func() string { return org.ID }, func() string { return org.ID }, true, true, func() error {
				_, err := w.app.SetPartner(w.ctx, w.pAdmin, org.ID, "")
				return err
			}},
			{"org.link_partner", w.op, func() string { return org.ID }, func() string { return org.ID }, true, true, func() error {
				_, err := w.app.SetPartner(w.ctx, w.op, org.ID, w.partner.ID)
				return err
			}},
			{"user.create", w.cAdmin, func() string { return w.customer.ID }, func() string { return newbie.ID }, false, true, func() (err error) {
				newbie, _, err = w.app.CreateUser(w.ctx, w.cAdmin, app.NewUser{OrgID: w.customer.ID, Email: newbieEmail,
					Name: "Nora Newcomer", Roles: []domain.Role{domain.RoleCustomerUser}})
				return err
			}},
			{"user.invite_resent", w.cAdmin, func() string { return w.customer.ID }, func() string { return newbie.ID }, true, true, func() error {
				_, err := w.app.ResendInvitation(w.ctx, w.cAdmin, newbie.ID)
				return err
			}},
			{"user.register", app.Actor{}, func() string { return w.customer.ID }, func() string { return newbie.ID }, true, true, func() error {
				_, err := w.app.AcceptInvitation(w.ctx, "127.0.0.1", w.lastInvitation(newbieEmail), testPassword)
				return err
			}},
			{"token.create", app.Actor{}, func() string { return w.customer.ID }, func() string { return tokenID }, false, true, func() error {
				_, tok, err := w.app.IssueToken(w.ctx, "127.0.0.1", newbieEmail, testPassword, "laptop")
				if err == nil {
					tokenID = tok.ID
				}
				return err
			}},
			{"token.revoke", app.Actor{}, func() string { return w.customer.ID }, func() string { return tokenID }, false, true, func() error {
				return w.app.RevokeToken(w.ctx, w.actor(newbie.ID), tokenID)
			}},
			{"user.update", w.cAdmin, func() string { return w.customer.ID }, func() string { return newbie.ID }, true, true, func() error {
				_, _, err := w.app.UpdateUser(w.ctx, w.cAdmin, newbie.ID, domain.UserUpdate{Name: str("Nora N. Newcomer")})
				return err
			}},
			{"user.lock", w.cAdmin, func() string { return w.customer.ID }, func() string { return newbie.ID }, true, true, func() error {
				_, err := w.app.LockUser(w.ctx, w.cAdmin, newbie.ID)
				return err
			}},
			{"user.unlock", w.cAdmin, func() string { return w.customer.ID }, func() string { return newbie.ID }, true, true, func() error {
				_, err := w.app.UnlockUser(w.ctx, w.cAdmin, newbie.ID)
				return err
			}},
			{"site.ready", w.op, func() string { return w.customer.ID }, func() string { return site.ID }, true, true, func() (err error) {
				site, err = w.app.CreateSite(w.ctx, w.op, app.NewSite{CustomerID: w.customer.ID, Name: "acme-test", Edition: domain.EditionStandard})
				return err
			}},
			{"assignment.create", w.cAdmin, func() string { return w.customer.ID }, nil, false, true, func() error {
				_, err := w.app.AssignUser(w.ctx, w.cAdmin, w.site.ID, w.cOps.User.ID, "")
				return err
			}},
			{"company.create", w.cOps, func() string { return w.customer.ID }, func() string { return company.ID }, false, true, func() (err error) {
				company, err = w.app.CreateCompany(w.ctx, w.cOps, w.site.ID, "Acme Two")
				return err
			}},
			{"company.rename", w.cOps, func() string { return w.customer.ID }, func() string { return company.ID }, true, true, func() error {
				_, err := w.app.RenameCompany(w.ctx, w.cOps, company.ID, "Acme Holding")
				return err
			}},
			{"company_assignment.create", w.cOps, func() string { return w.customer.ID }, func() string { return company.ID }, false, true, func() error {
				if _, err := w.app.AssignUser(w.ctx, w.cAdmin, w.site.ID, w.cUser.ID, ""); err != nil {
					return err
				}
				return w.app.AssignCompany(w.ctx, w.cOps, company.ID, w.cUser.ID)
			}},
			{"company_assignment.delete", w.cOps, func() string { return w.customer.ID }, func() string { return company.ID }, true, false, func() error {
				return w.app.UnassignCompany(w.ctx, w.cOps, company.ID, w.cUser.ID)
			}},
			{"assignment.delete", w.cAdmin, func() string { return w.customer.ID }, nil, true, false, func() error {
				return w.app.UnassignUser(w.ctx, w.cAdmin, w.site.ID, w.cUser.ID, "")
			}},
			{"site.suspend", w.op, func() string { return w.customer.ID }, func() string { return site.ID }, true, true, func() error {
				_, err := w.app.SuspendSite(w.ctx, w.op, site.ID, "maintenance", w.clock.Now().Add(time.Hour))
				return err
			}},
			{"site.resume", w.op, func() string { return w.customer.ID }, func() string { return site.ID }, true, true, func() error {
				_, err := w.app.ResumeSite(w.ctx, w.op, site.ID)
				return err
			}},
			{"site.cancel", w.op, func() string { return w.customer.ID }, func() string { return site.ID }, true, true, func() error {
				_, err := w.app.CancelSite(w.ctx, w.op, site.ID, "")
				return err
			}},
			{"site.restore", w.op, func() string { return w.customer.ID }, func() string { return site.ID }, true, true, func() error {
				_, err := w.app.RestoreSite(w.ctx, w.op, site.ID)
				return err
			}},
			{"user.email_change_requested", w.cAdmin, func() string { return w.customer.ID }, func() string { return newbie.ID }, false, true, func() error {
				_, _, err := w.app.UpdateUser(w.ctx, w.cAdmin, newbie.ID, domain.UserUpdate{Email: str("nora.n@acme.example")})
				return err
			}},
			{"user.email_confirmed", app.Actor{}, func() string { return w.customer.ID }, func() string { return newbie.ID }, true, true, func() error {
				_, err := w.app.ConfirmEmailChange(w.ctx, app.Actor{RemoteAddr: "127.0.0.1"}, w.newLink("nora.n@acme.example", "email-changes", nil))
				return err
			}},
			{"user.delete", w.cAdmin, func() string { return w.customer.ID }, func() string { return newbie.ID }, true, true, func() error {
				_, err := w.app.DeleteUser(w.ctx, w.cAdmin, newbie.ID, "")
				return err
			}},
		}
		for _, st := range steps {
			w.clock.Add(time.Minute)
			seq := auditHead(t, db)
			if err := st.do(); err != nil {
				t.Fatalf("%s: %v", st.action, err)
			}
			es := w.auditAfter(seq)
			var e *domain.AuditEntry
			for _, x := range es {
				if x.Action == st.action {
					e = x
				}
			}
			if e == nil {
				t.Errorf("%s: no entry among %v", st.action, actions(es))
				continue
			}
			wantActor, wantActorOrg := st.act.User, st.act.Org
			if wantActor == nil { // the person itself: registration, its own token, its confirmation
				wantActor, wantActorOrg = newbie, w.customer
			}
			if e.ActorID != wantActor.ID || e.ActorOrgID != wantActorOrg.ID {
				t.Errorf("%s: actor %q for %q, want %q for %q", st.action, e.ActorID, e.ActorOrgID, wantActor.ID, wantActorOrg.ID)
			}
			if e.OrgID != st.org() {
				t.Errorf("%s: org %q, want %q", st.action, e.OrgID, st.org())
			}
			if st.object != nil && e.ObjectID != st.object() {
				t.Errorf("%s: object %q, want %q", st.action, e.ObjectID, st.object())
			}
			if e.ObjectID == "" || e.ObjectType == "" {
				t.Errorf("%s: no object: %+v", st.action, *e)
			}
			if !e.At.Equal(w.clock.Now()) {
				t.Errorf("%s: at %v, want %v", st.action, e.At, w.clock.Now())
			}
			if e.RemoteAddr != "127.0.0.1" {
				t.Errorf("%s: from %q", st.action, e.RemoteAddr)
			}
			for what, c := range map[string]struct {
				raw  json.RawMessage
				want bool
			}{"before": {e.Before, st.before}, "after": {e.After, st.afte}} {
				if has := string(c.raw) != "null"; has != c.want || !json.Valid(c.raw) {
					t.Errorf("%s: %s = %s", st.action, what, c.raw)
				}
			}
		}
		v := must(t, of(w.app.VerifyAudit(w.ctx, w.op)))
		if !v.Intact || v.Entries != auditHead(t, db) {
			t.Errorf("verdict %+v", v)
		}
	})
}

// lastInvitation returns the only invitation link mailed to email.
func (w *world) lastInvitation(email string) string {
	w.t.Helper()
	ls := w.links(email, "invitations")
	return ls[len(ls)-1]
}

// tamperedWorld returns a world whose log has at least a dozen entries.
func tamperedWorld(t *testing.T, db *store.DB) *world {
	w := newWorld(t, db)
	w.assign(w.cUser.ID, "")
	v := must(t, of(w.app.VerifyAudit(w.ctx, w.op)))
	if !v.Intact || v.Entries < 12 || v.BrokenAt != 0 {
		t.Fatalf("fresh log: %+v", v)
	}
	return w
}

// TestVerifyAudit_DetectsTampering checks that editing an entry, or
// deleting one in the middle or at the end, is found, at the right place
// (R-AUDIT-1).
func TestVerifyAudit_DetectsTampering(t *testing.T) {
	cases := []struct {
		name    string
		tamper  func(t *testing.T, db *store.DB, last int64) // last: the newest seq
		brokeAt func(last int64) int64
		problem string
	}{
		{"EditedEntry", func(t *testing.T, db *store.DB, _ int64) {
			exec(t, db, `UPDATE audit_log SET after_json = '{}' WHERE seq = 3`)
		}, func(int64) int64 { return 3 }, "changed"},
		{"EditedActor", func(t *testing.T, db *store.DB, _ int64) {
			exec(t, db, `UPDATE audit_log SET actor_id = 'usr_someone_else' WHERE seq = 5`)
		}, func(int64) int64 { return 5 }, "changed"},
		{"EditedTime", func(t *testing.T, db *store.DB, _ int64) {
			exec(t, db, `UPDATE audit_log SET at = at + 1000000 WHERE seq = 6`)
		}, func(int64) int64 { return 6 }, "changed"},
		{"EditedLastEntry", func(t *testing.T, db *store.DB, last int64) {
			exec(t, db, `UPDATE audit_log SET action = 'nothing.happened' WHERE seq = $1`, last)
		}, func(last int64) int64 { return last }, "changed"},
		{"EditedAndRehashed", func(t *testing.T, db *store.DB, _ int64) {
			// A forger who recomputes the edited entry's own hash still
			// breaks the link to the next entry.
			e := readEntry(t, db, 3)
			e.After = json.RawMessage(`{}`)
			exec(t, db, `UPDATE audit_log SET after_json = '{}', hash = $1 WHERE seq = 3`, e.ComputeHash())
		}, func(int64) int64 { return 4 }, "link"},
		{"DeletedMiddleEntry", func(t *testing.T, db *store.DB, _ int64) {
			exec(t, db, `DELETE FROM audit_log WHERE seq = 4`)
		}, func(int64) int64 { return 4 }, "missing"},
		{"DeletedFirstEntry", func(t *testing.T, db *store.DB, _ int64) {
			exec(t, db, `DELETE FROM audit_log WHERE seq = 1`)
		}, func(int64) int64 { return 1 }, "missing"},
		{"DeletedLastEntry", func(t *testing.T, db *store.DB, last int64) {
			exec(t, db, `DELETE FROM audit_log WHERE seq = $1`, last)
		}, func(last int64) int64 { return last }, "ends at"},
		{"DeletedLastEntries", func(t *testing.T, db *store.DB, last int64) {
			exec(t, db, `DELETE FROM audit_log WHERE seq > $1`, last-3)
		}, func(last int64) int64 { return last - 2 }, "ends at"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				w := tamperedWorld(t, db)
				last := auditHead(t, db)
				tc.tamper(t, db, last)
				v, err := w.app.VerifyAudit(w.ctx, w.op)
				if err != nil {
					t.Fatal(err)
				}
				if v.Intact || v.BrokenAt != tc.brokeAt(last) {
					t.Fatalf("verdict %+v, want broken at %d", v, tc.brokeAt(last))
				}
				wantContains(t, "problem", v.Problem, tc.problem)
				// Later changes do not mend the chain.
				w.assign(w.cOps.User.ID, "")
				if v := must(t, of(w.app.VerifyAudit(w.ctx, w.op))); v.Intact || v.BrokenAt != tc.brokeAt(last) {
					t.Errorf("after a new entry: %+v", v)
				}
			})
		})
	}
}

// TestVerifyAudit_OperatorsOnly checks that only operators verify the
// whole log (R-AUDIT-1).
func TestVerifyAudit_OperatorsOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		for name, act := range map[string]app.Actor{"CustomerAdmin": w.cAdmin, "PartnerAdmin": w.pAdmin} {
			t.Run(name, func(t *testing.T) {
				_, err := w.app.VerifyAudit(w.ctx, act)
				wantCode(t, err, domain.EForbidden, "R-AUDIT-1")
			})
		}
	})
}

func exec(t *testing.T, db *store.DB, query string, args ...any) {
	t.Helper()
	res, err := db.SQL().ExecContext(t.Context(), query, args...)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		t.Fatalf("%s changed nothing", query)
	}
}

// readEntry reads one log entry straight from the table.
func readEntry(t *testing.T, db *store.DB, seq int64) *domain.AuditEntry {
	t.Helper()
	var e domain.AuditEntry
	var at int64
	var before, after string
	err := db.SQL().QueryRowContext(t.Context(), `SELECT seq, at, actor_id, actor_org_id, org_id, action, object_type,
		object_id, before_json, after_json, remote_addr, prev_hash, hash FROM audit_log WHERE seq = $1`, seq).
		Scan(&e.Seq, &at, &e.ActorID, &e.ActorOrgID, &e.OrgID, &e.Action, &e.ObjectType, &e.ObjectID, &before, &after,
			&e.RemoteAddr, &e.PrevHash, &e.Hash)
	if err != nil {
		t.Fatal(err)
	}
	e.At, e.Before, e.After = time.UnixMicro(at).UTC(), json.RawMessage(before), json.RawMessage(after)
	if e.ComputeHash() != e.Hash {
		t.Fatalf("entry %d read back with a different hash", seq)
	}
	return &e
}

// TestAudit_Filters checks that the log filters by action, object type,
// object, actor and time, returning exactly the matching entries
// (R-AUDIT-1).
func TestAudit_Filters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		start := w.clock.Now()
		w.clock.Add(time.Hour)
		mid := w.clock.Now()
		w.assign(w.cOps.User.ID, "")
		w.assign(w.cUser.ID, "")
		must(t, of(w.app.LockUser(w.ctx, w.cAdmin, w.cUser.ID)))
		w.clock.Add(time.Hour)
		must(t, of(w.app.UnlockUser(w.ctx, w.op, w.cUser.ID)))

		all := must(t, of(w.app.Audit(w.ctx, w.op, domain.AuditFilter{})))
		if int64(len(all)) != auditHead(t, db) {
			t.Fatalf("%d entries listed, %d written", len(all), auditHead(t, db))
		}
		for i, e := range all {
			if e.Seq != int64(i+1) {
				t.Fatalf("entry %d has seq %d", i, e.Seq)
			}
		}
		assignment, user := "assignment", "user"
		create, lock := "assignment.create", "user.lock"
		until := mid.Add(30 * time.Minute)
		for _, tc := range []struct {
			name  string
			f     domain.AuditFilter
			match func(e *domain.AuditEntry) bool
			n     int // exact count, when known
		}{
			{"Action", domain.AuditFilter{Action: &create}, func(e *domain.AuditEntry) bool { return e.Action == create }, 2},
			{"ObjectType", domain.AuditFilter{ObjectType: &assignment}, func(e *domain.AuditEntry) bool { return e.ObjectType == assignment }, 2},
			{"Object", domain.AuditFilter{ObjectID: &w.cUser.ID}, func(e *domain.AuditEntry) bool { return e.ObjectID == w.cUser.ID }, 0},
			{"ObjectAndAction", domain.AuditFilter{ObjectID: &w.cUser.ID, Action: &lock},
				func(e *domain.AuditEntry) bool { return e.ObjectID == w.cUser.ID && e.Action == lock }, 1},
			{"Actor", domain.AuditFilter{ActorID: &w.cAdmin.User.ID}, func(e *domain.AuditEntry) bool { return e.ActorID == w.cAdmin.User.ID }, 0},
			{"ActorAndType", domain.AuditFilter{ActorID: &w.op.User.ID, ObjectType: &user},
				func(e *domain.AuditEntry) bool { return e.ActorID == w.op.User.ID && e.ObjectType == user }, 0},
			{"Since", domain.AuditFilter{Since: &mid}, func(e *domain.AuditEntry) bool { return !e.At.Before(mid) }, 4},
			{"Until", domain.AuditFilter{Until: &mid}, func(e *domain.AuditEntry) bool { return e.At.Before(mid) }, 0},
			{"Window", domain.AuditFilter{Since: &mid, Until: &until}, func(e *domain.AuditEntry) bool {
				return !e.At.Before(mid) && e.At.Before(until)
			}, 3},
			{"AfterSeq", domain.AuditFilter{AfterSeq: 10}, func(e *domain.AuditEntry) bool { return e.Seq > 10 }, 0},
			{"Limit", domain.AuditFilter{Limit: 5}, func(e *domain.AuditEntry) bool { return e.Seq <= 5 }, 5},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got := must(t, of(w.app.Audit(w.ctx, w.op, tc.f)))
				var want []int64
				for _, e := range all {
					if tc.match(e) {
						want = append(want, e.Seq)
					}
				}
				var gotSeq []int64
				for _, e := range got {
					gotSeq = append(gotSeq, e.Seq)
				}
				if len(want) == 0 || !slices.Equal(gotSeq, want) {
					t.Errorf("got %v, want %v", gotSeq, want)
				}
				if tc.n != 0 && len(got) != tc.n {
					t.Errorf("got %d entries, want %d", len(got), tc.n)
				}
			})
		}
		if !start.Before(mid) {
			t.Fatal("clock did not move")
		}
	})
}

// TestAudit_TenantScope checks what each party reads from the log: a
// customer administrator only its own organisation's entries, a partner
// administrator also its linked customers', never another tenant's; other
// users nothing (R-AUDIT-1, R-ORG-1).
func TestAudit_TenantScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		t2 := w.secondTenant()
		w.assign(w.cUser.ID, "")
		must(t, of(w.app.AssignUser(w.ctx, t2.cAdmin, t2.site.ID, t2.cUser.ID, "")))
		orgsOf := func(es []*domain.AuditEntry) []string {
			seen := map[string]bool{}
			var out []string
			for _, e := range es {
				if !seen[e.OrgID] {
					seen[e.OrgID] = true
					out = append(out, e.OrgID)
				}
			}
			slices.Sort(out)
			return out
		}
		for _, tc := range []struct {
			name string
			act  app.Actor
			f    domain.AuditFilter
			orgs []string
		}{
			{"CustomerAdmin", w.cAdmin, domain.AuditFilter{}, []string{w.customer.ID}},
			{"PartnerAdmin", w.pAdmin, domain.AuditFilter{}, sortedIDs(w.partner.ID, w.customer.ID)},
			{"OtherCustomerAdmin", t2.cAdmin, domain.AuditFilter{}, []string{t2.customer.ID}},
			{"OtherPartnerAdmin", t2.pAdmin, domain.AuditFilter{}, sortedIDs(t2.partner.ID, t2.customer.ID)},
			{"PartnerNarrowsToCustomer", w.pAdmin, domain.AuditFilter{OrgIDs: []string{w.customer.ID}}, []string{w.customer.ID}},

			{"Operator", w.op, domain.AuditFilter{}, sortedIDs(w.op.Org.ID, w.partner.ID, w.customer.ID, t2.partner.ID, t2.customer.ID)},
		} {
			t.Run(tc.name, func(t *testing.T) {
				es := must(t, of(w.app.Audit(w.ctx, tc.act, tc.f)))
				if got := orgsOf(es); !slices.Equal(got, tc.orgs) {
					t.Errorf("entries of orgs %v, want %v", got, tc.orgs)
				}
			})
		}
		// R-ORG-1: a filter naming an organisation the actor cannot see
		// answers "not found", like any other id of another tenant.
		for name, tc := range map[string]struct {
			act  app.Actor
			orgs []string
		}{
			"PartnerAsksForOtherTenant": {w.pAdmin, []string{t2.customer.ID, t2.partner.ID}},
			"CustomerAsksForItsPartner": {w.cAdmin, []string{w.partner.ID}},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := w.app.Audit(w.ctx, tc.act, domain.AuditFilter{OrgIDs: tc.orgs})
				wantCode(t, err, domain.ENotFound, "R-ORG-1")
			})
		}
		// The customer's own entries include its assignment and its users.
		var sawAssign bool
		for _, e := range must(t, of(w.app.Audit(w.ctx, w.cAdmin, domain.AuditFilter{}))) {
			sawAssign = sawAssign || e.Action == "assignment.create"
		}
		if !sawAssign {
			t.Errorf("customer admin does not see its own assignment")
		}
		for name, act := range map[string]app.Actor{"OpsAgent": w.cOps, "PartnerAgent": w.actor(w.pAgent.ID)} {
			t.Run(name, func(t *testing.T) {
				_, err := w.app.Audit(w.ctx, act, domain.AuditFilter{})
				wantCode(t, err, domain.EForbidden, "R-AUDIT-1")
			})
		}
	})
}

// TestOutbox_FailedChangeLeavesNothing checks that a change that fails,
// even after it has written part of its work, leaves neither notice nor
// activity-log entry behind (R-NOTE-1).
func TestOutbox_FailedChangeLeavesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		invited := w.invite(w.cAdmin, w.customer.ID, "ivy.invited@acme.example", domain.RoleCustomerUser)
		w.assign(w.cOps.User.ID, "")
		sitesBefore := len(must(t, of(w.app.Sites(w.ctx, w.op, domain.SiteFilter{}))).Items)
		for _, tc := range []struct {
			name       string
			do         func() error
			code, rule string
		}{
			{"RefusedAssignment", func() error {
				_, err := w.app.AssignUser(w.ctx, w.cAdmin, w.site.ID, invited.ID, "")
				return err
			}, domain.ERule, "R-ASSIGN-1"},
			{"DuplicateAssignment", func() error {
				_, err := w.app.AssignUser(w.ctx, w.cAdmin, w.site.ID, w.cOps.User.ID, "")
				return err
			}, domain.EConflict, ""},
			{"DuplicateEmail", func() error {
				_, _, err := w.app.CreateUser(w.ctx, w.cAdmin, app.NewUser{OrgID: w.customer.ID, Email: " UMA.USER@acme.example",
					Name: "Uma Twin", Roles: []domain.Role{domain.RoleCustomerUser}})
				return err
			}, domain.EConflict, "R-USER-1"},
			{"LastAdministrator", func() error { _, err := w.app.DeleteUser(w.ctx, w.op, w.pAdmin.User.ID, ""); return err }, domain.ERule, "R-ROLE-5"},
			{"SiteWithBadCompany", func() error {
				// The site, its two entries and its move to ready are
				// written before the company name is refused.
				_, err := w.app.CreateSite(w.ctx, w.op, app.NewSite{CustomerID: w.customer.ID, Name: "half-made",
					Edition: domain.EditionStandard, Company: "   "})
				return err
			}, domain.EInvalid, ""},
			{"SuspendWithoutEnd", func() error {
				_, err := w.app.SuspendSite(w.ctx, w.op, w.site.ID, "maintenance", w.clock.Now())
				return err
			}, domain.EInvalid, "R-SITE-1"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				wantCode(t, unchanged(t, db, tc.do), tc.code, tc.rule)
			})
		}
		if n := len(must(t, of(w.app.Sites(w.ctx, w.op, domain.SiteFilter{}))).Items); n != sitesBefore {
			t.Errorf("%d sites, want %d: a failed creation left its site", n, sitesBefore)
		}
		if v := must(t, of(w.app.VerifyAudit(w.ctx, w.op))); !v.Intact {
			t.Errorf("log after rollbacks: %+v", v)
		}
	})
}

// TestOutbox_SuccessfulChangeHasNoticeAndEntry checks that a change that
// calls for notices commits them together with its entry (R-NOTE-1).
func TestOutbox_SuccessfulChangeHasNoticeAndEntry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		for _, tc := range []struct {
			name             string
			do               func() error
			entries, notices int
		}{
			{"Assignment", func() error { _, err := w.app.AssignUser(w.ctx, w.cAdmin, w.site.ID, w.cUser.ID, ""); return err }, 1, 2},
			{"NewUser", func() error {
				_, _, err := w.app.CreateUser(w.ctx, w.cAdmin, app.NewUser{OrgID: w.customer.ID, Email: "nora.newcomer@acme.example",
					Name: "Nora Newcomer", Roles: []domain.Role{domain.RoleCustomerUser}})
				return err
			}, 1, 2}, // the invitation, and its link for the inviter to pass on: no mail server here (R-USER-4)
			{"Suspension", func() error {
				_, err := w.app.SuspendSite(w.ctx, w.op, w.site.ID, "maintenance", w.clock.Now().Add(time.Hour))
				return err
			}, 1, 3}, // the operator and the customer's two administrators
			{"EmailChange", func() error {
				_, _, err := w.app.UpdateUser(w.ctx, w.cAdmin, w.cOps.User.ID, domain.UserUpdate{Email: str("oscar.o@acme.example")})
				return err
			}, 2, 1},
		} {
			t.Run(tc.name, func(t *testing.T) {
				a0, n0 := counts(t, db)
				if err := tc.do(); err != nil {
					t.Fatal(err)
				}
				a1, n1 := counts(t, db)
				if a1-a0 != tc.entries || n1-n0 != tc.notices {
					t.Errorf("%d entries and %d notices, want %d and %d", a1-a0, n1-n0, tc.entries, tc.notices)
				}
			})
		}
	})
}

// TestMailbox_LocalWithoutMailServer checks that with no mail server the
// notices stay in a local mailbox that operators, and only they, read
// (R-NOTE-2).
func TestMailbox_LocalWithoutMailServer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.assign(w.cUser.ID, "")
		all := must(t, of(w.app.Mailbox(w.ctx, w.op, domain.NoticeFilter{Page: domain.Page{Limit: domain.MaxPageSize}}))).Items
		_, total := counts(t, db)
		if len(all) != total || total == 0 {
			t.Fatalf("mailbox lists %d of %d notices", len(all), total)
		}
		for _, n := range all {
			if n.State != domain.NoticeLocal || n.ToEmail == "" || n.Subject == "" || n.Body == "" || n.Attempts != 0 {
				t.Errorf("notice %+v", n)
			}
		}
		kind := domain.NoticeUserAdded
		added := must(t, of(w.app.Mailbox(w.ctx, w.op, domain.NoticeFilter{Kind: &kind, ToEmail: &w.cAdmin2.Email}))).Items
		if len(added) != 1 || added[0].ToUserID != w.cAdmin2.ID {
			t.Fatalf("filtered mailbox %+v", added)
		}
		one, err := w.app.Notice(w.ctx, w.op, added[0].ID)
		if err != nil || one.Body != added[0].Body || one.Kind != kind {
			t.Errorf("notice by id: %+v %v", one, err)
		}
		_, err = w.app.Notice(w.ctx, w.op, "ntc_nope")
		wantCode(t, err, domain.ENotFound, "")
		for name, act := range map[string]app.Actor{"CustomerAdmin": w.cAdmin, "PartnerAdmin": w.pAdmin, "OpsAgent": w.cOps} {
			t.Run(name, func(t *testing.T) {
				_, err := w.app.Mailbox(w.ctx, act, domain.NoticeFilter{})
				wantCode(t, err, domain.EForbidden, "R-NOTE-2")
				// Notices are in no tenant they see: not found (R-ORG-1).
				_, err = w.app.Notice(w.ctx, act, added[0].ID)
				wantCode(t, err, domain.ENotFound, "R-ORG-1")
			})
		}
		t.Run("Paged", func(t *testing.T) {
			p1 := must(t, of(w.app.Mailbox(w.ctx, w.op, domain.NoticeFilter{Page: domain.Page{Limit: 3}})))
			p2 := must(t, of(w.app.Mailbox(w.ctx, w.op, domain.NoticeFilter{Page: domain.Page{Limit: 3, Cursor: p1.NextCursor}})))
			if len(p1.Items) != 3 || p1.NextCursor == "" || len(p2.Items) == 0 || p2.Items[0].ID <= p1.Items[2].ID {
				t.Errorf("pages %d then %d", len(p1.Items), len(p2.Items))
			}
		})
	})
}

// TestMailbox_PendingWithMailServer checks that with a mail server
// configured, notices wait in the outbox for delivery instead
// (R-NOTE-1, R-NOTE-2).
func TestMailbox_PendingWithMailServer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		cfg := app.DefaultConfig()
		cfg.MailLocal = false
		cfg.Argon2 = identity.Argon2Params{Time: 1, Memory: 1024, Threads: 1}
		emails, err := domain.NewEmailPolicy()
		if err != nil {
			t.Fatal(err)
		}
		c := &clock{now: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
		a := app.New(bound(db), cfg, emails, c.Now, nil)
		usr, _, err := a.Bootstrap(t.Context(), "Vendor", "olivia.operator@vendor.example", "Olivia Operator")
		if err != nil {
			t.Fatal(err)
		}
		ns := must(t, of(a.Mailbox(t.Context(), app.System, domain.NoticeFilter{ToEmail: &usr.Email}))).Items
		if len(ns) != 1 || ns[0].State != domain.NoticePending || ns[0].Kind != domain.NoticeInvitation {
			t.Fatalf("notices %+v", ns)
		}
	})
}

// TestAudit_PartnerReadsNoCustomerPeople: a partner's administrators read
// in the activity log what they may read elsewhere: their customers' sites
// and their own access to them, never the customers' people (emails,
// sign-ins, sessions, tokens), which the users list refuses them (R-ORG-1).
func TestAudit_PartnerReadsNoCustomerPeople(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		must(t, of(w.app.SignIn(w.ctx, creds(w.cUser.Email, testPassword))))
		must(t, of(w.app.RequestAccess(w.ctx, w.pAdmin, w.site.ID, w.pAdmin.User.ID, "")))
		var sawSite, sawRequest bool
		for _, e := range must(t, of(w.app.Audit(w.ctx, w.pAdmin, domain.AuditFilter{}))) {
			if e.OrgID != w.customer.ID {
				continue
			}
			switch {
			case strings.HasPrefix(e.Action, "site."):
				sawSite = true
			case strings.HasPrefix(e.Action, "access_request."):
				sawRequest = true
			case strings.HasPrefix(e.Action, "user.") || strings.HasPrefix(e.Action, "signin.") ||
				strings.HasPrefix(e.Action, "session.") || strings.HasPrefix(e.Action, "token.") || strings.HasPrefix(e.Action, "assignment."):
				t.Fatalf("the partner reads the customer's %s entry", e.Action)
			}
		}
		if !sawSite || !sawRequest {
			t.Fatalf("the partner misses its customer's site (%v) or its own request (%v)", sawSite, sawRequest)
		}
	})
}
