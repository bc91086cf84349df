package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// now is on a whole microsecond, as the app's clock is.
var now = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// expiryWorld is a partner's users with access to one customer site.
type expiryWorld struct {
	ctx      context.Context
	db       *store.DB
	customer string
	site     string
	n        int
}

func newExpiryWorld(t *testing.T, db *store.DB) *expiryWorld {
	t.Helper()
	w := &expiryWorld{ctx: context.Background(), db: db, customer: "org_customer", site: "sit_1"}
	w.write(t, func(tx *store.Tx) error {
		if err := tx.CreateOrg(w.ctx, &domain.Org{ID: "org_partner", Kind: domain.OrgPartner, Name: "Partner", CreatedAt: now}); err != nil {
			return err
		}
		if err := tx.CreateOrg(w.ctx, &domain.Org{ID: w.customer, Kind: domain.OrgCustomer, Name: "Customer",
			PartnerID: "org_partner", CreatedAt: now}); err != nil {
			return err
		}
		return tx.CreateSite(w.ctx, &domain.Site{ID: w.site, CustomerID: w.customer, Name: "site", Edition: domain.EditionStandard,
			State: domain.SiteReady, CreatedAt: now, UpdatedAt: now})
	})
	return w
}

func (w *expiryWorld) write(t *testing.T, fn func(tx *store.Tx) error) {
	t.Helper()
	if err := w.db.Write(w.ctx, fn); err != nil {
		t.Fatal(err)
	}
}

// partnerUser adds an active partner agent and returns its id.
func (w *expiryWorld) partnerUser(t *testing.T) string {
	t.Helper()
	w.n++
	u := &domain.User{ID: fmt.Sprintf("usr_%d", w.n), OrgID: "org_partner", Type: domain.TypePartner,
		Email: fmt.Sprintf("agent%d@partner.example", w.n), Name: "Agent", Roles: []domain.Role{domain.RolePartnerAgent},
		State: domain.UserActive, CreatedAt: now, UpdatedAt: now}
	w.write(t, func(tx *store.Tx) error { return tx.CreateUser(w.ctx, u) })
	return u.ID
}

func mustRead[T any](t *testing.T, db *store.DB, fn func(tx *store.Tx) (T, error)) T {
	t.Helper()
	var v T
	err := db.Read(context.Background(), func(tx *store.Tx) (err error) {
		v, err = fn(tx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func ids[T any](items []T, id func(T) string) []string {
	out := make([]string, len(items))
	for i, x := range items {
		out[i] = id(x)
	}
	return out
}

// listing is what one query listed, and whether the domain rule says it
// should list the item.
type listing struct {
	query string
	got   []string
	want  bool
}

func checkListings(t *testing.T, id string, ls []listing) {
	t.Helper()
	for _, l := range ls {
		if got := slices.Contains(l.got, id); got != l.want {
			t.Errorf("%s lists it: %v, want %v", l.query, got, l.want)
		}
	}
}

// TestGrantExpirySQL_AgreesWithDomain checks that every query filtering
// on a grant's expiry in SQL (the sweep, the reminders, the dashboards)
// agrees with domain.GrantExpired at the boundary: access ends at its
// expiry exactly (R-PARTNER-2), and access without one never ends
// (R-PARTNER-3).
func TestGrantExpirySQL_AgreesWithDomain(t *testing.T) {
	tests := []struct {
		name      string
		expiresAt time.Time
	}{
		{"NoExpiry", time.Time{}},
		{"EndsOneMicrosecondLater", now.Add(time.Microsecond)},
		{"EndsExactlyNow", now},
		{"EndedOneMicrosecondAgo", now.Add(-time.Microsecond)},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newExpiryWorld(t, db)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				a := &domain.Assignment{ID: "asg_" + tt.name, SiteID: w.site, UserID: w.partnerUser(t), Role: domain.RolePartnerAgent,
					Via: domain.ViaPartner, ExpiresAt: tt.expiresAt, CreatedBy: "usr_admin", CreatedAt: now.Add(-time.Hour)}
				w.write(t, func(tx *store.Tx) error { return tx.CreateAssignment(w.ctx, a) })
				stored := mustRead(t, db, func(tx *store.Tx) (*domain.Assignment, error) { return tx.AssignmentByID(w.ctx, a.ID) })
				if !stored.ExpiresAt.Equal(a.ExpiresAt) {
					t.Fatalf("stored expiry %v, want %v", stored.ExpiresAt, a.ExpiresAt)
				}
				siteUserID := func(su *domain.SiteUser) string { return su.ID }
				assignmentID := func(a *domain.Assignment) string { return a.ID }
				checkListings(t, a.ID, []listing{
					{"ExpiredAssignments", ids(mustRead(t, db, func(tx *store.Tx) ([]*domain.Assignment, error) {
						return tx.ExpiredAssignments(w.ctx, now, 100)
					}), assignmentID), stored.Expired(now)},
					{"SiteUsers", ids(mustRead(t, db, func(tx *store.Tx) (domain.List[*domain.SiteUser], error) {
						return tx.SiteUsers(w.ctx, w.site, now, domain.Page{Limit: domain.MaxPageSize})
					}).Items, siteUserID), stored.Current(now)},
					{"PartnerGrants", ids(mustRead(t, db, func(tx *store.Tx) ([]*domain.SiteUser, error) {
						return tx.PartnerGrants(w.ctx, "", w.customer, now)
					}), siteUserID), stored.Current(now)},
					{"DueRemindersFromNow", ids(mustRead(t, db, func(tx *store.Tx) ([]*domain.Assignment, error) {
						return tx.DueReminders(w.ctx, now, now.Add(time.Hour), 100)
					}), assignmentID), stored.Current(now) && stored.Expired(now.Add(time.Hour))},
					{"DueRemindersUntilNow", ids(mustRead(t, db, func(tx *store.Tx) ([]*domain.Assignment, error) {
						return tx.DueReminders(w.ctx, now.Add(-time.Hour), now, 100)
					}), assignmentID), stored.Current(now.Add(-time.Hour)) && stored.Expired(now)},
				})
				err := db.Write(w.ctx, func(tx *store.Tx) error { return tx.DeleteExpiredAssignment(w.ctx, stored, now) })
				switch {
				case stored.Expired(now) && err != nil:
					t.Errorf("DeleteExpiredAssignment: %v, want it deleted", err)
				case !stored.Expired(now) && !errors.Is(err, store.ErrNotFound):
					t.Errorf("DeleteExpiredAssignment: %v, want ErrNotFound", err)
				}
			})
		}
	})
}

// TestRequestLapseSQL_AgreesWithDomain checks that every query filtering
// on a request's lapse in SQL (the sweep, the lists by state) agrees with
// domain.AccessRequest.Lapsed and EffectiveState at the boundary: an
// unanswered request lapses at its answer time exactly, and an answered
// one never lapses (R-PARTNER-4).
func TestRequestLapseSQL_AgreesWithDomain(t *testing.T) {
	tests := []struct {
		name      string
		state     domain.RequestState
		expiresAt time.Time
	}{
		{"PendingOneMicrosecondLeft", domain.RequestPending, now.Add(time.Microsecond)},
		{"PendingDueExactlyNow", domain.RequestPending, now},
		{"PendingDueOneMicrosecondAgo", domain.RequestPending, now.Add(-time.Microsecond)},
		{"ApprovedBeforeItsAnswerTime", domain.RequestApproved, now.Add(-time.Microsecond)},
		{"SweptExpired", domain.RequestExpired, now.Add(-time.Microsecond)},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newExpiryWorld(t, db)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := &domain.AccessRequest{ID: "req_" + tt.name, SiteID: w.site, UserID: w.partnerUser(t), Role: domain.RolePartnerAgent,
					Kind: domain.RequestGrant, State: tt.state, RequestedBy: "usr_agent", ExpiresAt: tt.expiresAt,
					CreatedAt: now.Add(-time.Hour)}
				w.write(t, func(tx *store.Tx) error { return tx.CreateAccessRequest(w.ctx, r) })
				stored := mustRead(t, db, func(tx *store.Tx) (*domain.AccessRequest, error) {
					return tx.AccessRequest(w.ctx, domain.Everything, r.ID)
				})
				if !stored.ExpiresAt.Equal(r.ExpiresAt) {
					t.Fatalf("stored answer time %v, want %v", stored.ExpiresAt, r.ExpiresAt)
				}
				requestID := func(r *domain.AccessRequest) string { return r.ID }
				listed := func(state domain.RequestState) []string {
					return ids(mustRead(t, db, func(tx *store.Tx) (domain.List[*domain.AccessRequest], error) {
						return tx.AccessRequests(w.ctx, domain.AccessRequestFilter{SiteID: &w.site, State: &state,
							Page: domain.Page{Limit: domain.MaxPageSize}}, now)
					}).Items, requestID)
				}
				checks := []listing{
					{"DueRequests", ids(mustRead(t, db, func(tx *store.Tx) ([]*domain.AccessRequest, error) {
						return tx.DueRequests(w.ctx, now, 100)
					}), requestID), stored.Lapsed(now)},
				}
				for _, state := range []domain.RequestState{domain.RequestPending, domain.RequestExpired, domain.RequestApproved} {
					checks = append(checks, listing{"AccessRequests(" + string(state) + ")", listed(state),
						stored.EffectiveState(now) == state})
				}
				checkListings(t, r.ID, checks)
			})
		}
	})
}

// TestDeleteExpiredAssignments_OnlyThoseStillDue: a batch removes the
// grants whose time is still up, with their company assignments, and
// records their departures, in a few statements; a grant extended or
// removed meanwhile is left alone, and a second run removes nothing
// (issue 15: the sweep's batches are idempotent). R-PARTNER-2
func TestDeleteExpiredAssignments_OnlyThoseStillDue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newExpiryWorld(t, db)
		co := &domain.Company{ID: "co_1", SiteID: w.site, Name: "Company", CreatedAt: now}
		w.write(t, func(tx *store.Tx) error { return tx.CreateCompany(w.ctx, co) })
		var due []*domain.Assignment
		for i := range 5 {
			user := w.partnerUser(t)
			a := &domain.Assignment{ID: fmt.Sprintf("asg_%d", i), SiteID: w.site, UserID: user, Role: domain.RolePartnerAgent,
				Via: domain.ViaPartner, ExpiresAt: now.Add(-time.Minute), CreatedAt: now.Add(-time.Hour)}
			w.write(t, func(tx *store.Tx) error {
				if err := tx.CreateAssignment(w.ctx, a); err != nil {
					return err
				}
				return tx.CreateCompanyAssignment(w.ctx, &domain.CompanyAssignment{CompanyID: co.ID, UserID: user, SiteID: w.site, CreatedAt: now})
			})
			due = append(due, a)
		}
		// Meanwhile one was extended and one removed by hand.
		w.write(t, func(tx *store.Tx) error {
			if err := tx.SetAssignmentExpiry(w.ctx, due[1].ID, now.Add(time.Hour)); err != nil {
				return err
			}
			return tx.DeleteAssignment(w.ctx, w.site, due[3].UserID, now)
		})
		before := db.Statements()
		var gone []*domain.Assignment
		w.write(t, func(tx *store.Tx) (err error) {
			gone, err = tx.DeleteExpiredAssignments(w.ctx, due, now)
			return err
		})
		if got := ids(gone, func(a *domain.Assignment) string { return a.ID }); !slices.Equal(got, []string{"asg_0", "asg_2", "asg_4"}) {
			t.Fatalf("removed %v", got)
		}
		if n := db.Statements() - before; n > 3+3 {
			t.Errorf("%d statements for a batch of 5", n)
		}
		count := func(query string, args ...any) (n int) {
			t.Helper()
			if err := db.SQL().QueryRowContext(w.ctx, query, args...).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := count(`SELECT COUNT(*) FROM company_assignments`); n != 1 { // the extended grant's
			t.Errorf("%d company assignments left, want 1", n)
		}
		if n := count(`SELECT COUNT(*) FROM site_departures`); n != 4 { // three expired, one removed by hand
			t.Errorf("%d departures, want 4", n)
		}
		w.write(t, func(tx *store.Tx) (err error) {
			gone, err = tx.DeleteExpiredAssignments(w.ctx, due, now)
			return err
		})
		if len(gone) != 0 {
			t.Errorf("a second run removed %d", len(gone))
		}
	})
}
