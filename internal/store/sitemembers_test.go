package store_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	filter "github.com/scim2/filter-parser/v2"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestSiteMembers_Paging: the site's user list pages the same way however
// it is read: page after page, a page picked at random, or with a filter
// (which counts and pages in SQL), with departures interleaved among the
// assigned; the total follows assignments and departures at once, and a
// departure older than the retention period drops out. R-APP-1
func TestSiteMembers_Paging(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newExpiryWorld(t, db)
		var want []string
		for i := range 57 {
			id := w.partnerUser(t)
			want = append(want, id)
			w.write(t, func(tx *store.Tx) error {
				return tx.CreateAssignment(w.ctx, &domain.Assignment{ID: fmt.Sprint("asg_", i), SiteID: w.site, UserID: id,
					Role: domain.RolePartnerAgent, Via: domain.ViaPartner, CreatedAt: now})
			})
		}
		// Every fifth user leaves: still listed, inactive.
		for i := 0; i < len(want); i += 5 {
			w.write(t, func(tx *store.Tx) error { return tx.DeleteAssignment(w.ctx, w.site, want[i], now) })
		}
		slices.Sort(want)
		q := store.SiteMemberQuery{SiteID: w.site, Ready: true, Now: now, Since: now.Add(-time.Hour)}
		list := func(start, count int, f filter.Expression) ([]string, int) {
			q.SCIMQuery = domain.SCIMQuery{StartIndex: start, Count: count, Filter: f}
			var ids []string
			var total int
			mustRead(t, db, func(tx *store.Tx) (struct{}, error) {
				ms, n, err := tx.SiteMembers(w.ctx, q)
				for _, m := range ms {
					ids = append(ids, m.User.ID)
				}
				total = n
				return struct{}{}, err
			})
			return ids, total
		}
		var seq []string
		for start := 1; start <= len(want); start += 10 {
			ids, total := list(start, 10, nil)
			if total != len(want) {
				t.Fatalf("total %d, want %d", total, len(want))
			}
			seq = append(seq, ids...)
		}
		if !slices.Equal(seq, want) {
			t.Fatalf("page after page:\n%v\nwant\n%v", seq, want)
		}
		for _, start := range []int{31, 7, 50, 1, 56} {
			ids, _ := list(start, 7, nil)
			if !slices.Equal(ids, want[start-1:min(start-1+7, len(want))]) {
				t.Fatalf("the page at %d: %v", start, ids)
			}
			// The same page through the filtered path.
			pr := &filter.AttributeExpression{AttributePath: filter.AttributePath{AttributeName: "userName"}, Operator: filter.PR}
			fids, ftotal := list(start, 7, pr)
			if !slices.Equal(fids, ids) || ftotal != len(want) {
				t.Fatalf("filtered page at %d: %v (%d)", start, fids, ftotal)
			}
		}
		if ids, total := list(60, 10, nil); len(ids) != 0 || total != len(want) {
			t.Fatalf("past the end: %v %d", ids, total)
		}
		// A departure older than the retention period drops out.
		q.Since = now.Add(time.Second)
		if _, total := list(1, 100, nil); total != len(want)-12 {
			t.Fatalf("after the retention period: %d, want %d", total, len(want)-12)
		}
	})
}

// TestSiteMembers_RememberedPagesFollowChanges: a page start remembered
// from reading page after page is not used once the list changed, even
// when its size did not (one user assigned while a departure aged out).
// R-APP-1
func TestSiteMembers_RememberedPagesFollowChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newExpiryWorld(t, db)
		var ids []string
		for i := range 20 {
			id := w.partnerUser(t)
			ids = append(ids, id)
			w.write(t, func(tx *store.Tx) error {
				return tx.CreateAssignment(w.ctx, &domain.Assignment{ID: fmt.Sprint("asg_", i), SiteID: w.site, UserID: id,
					Role: domain.RolePartnerAgent, Via: domain.ViaPartner, CreatedAt: now})
			})
		}
		w.write(t, func(tx *store.Tx) error { return tx.DeleteAssignment(w.ctx, w.site, ids[19], now.Add(-time.Hour)) })
		q := store.SiteMemberQuery{SiteID: w.site, Ready: true, Now: now, Since: now.Add(-2 * time.Hour)}
		page := func(start int) []string {
			q.SCIMQuery = domain.SCIMQuery{StartIndex: start, Count: 10}
			return mustRead(t, db, func(tx *store.Tx) ([]string, error) {
				ms, _, err := tx.SiteMembers(w.ctx, q)
				var out []string
				for _, m := range ms {
					out = append(out, m.User.ID)
				}
				return out, err
			})
		}
		page(1) // remembers where page 2 starts
		// One more user (an id that sorts first), and the departure ages out.
		w.write(t, func(tx *store.Tx) error {
			if err := tx.CreateUser(w.ctx, &domain.User{ID: "usr_0", OrgID: "org_partner", Type: domain.TypePartner,
				Email: "first@partner.example", Name: "First", Roles: []domain.Role{domain.RolePartnerAgent},
				State: domain.UserActive, CreatedAt: now, UpdatedAt: now}); err != nil {
				return err
			}
			return tx.CreateAssignment(w.ctx, &domain.Assignment{ID: "asg_x", SiteID: w.site, UserID: "usr_0",
				Role: domain.RolePartnerAgent, Via: domain.ViaPartner, CreatedAt: now})
		})
		q.Since = now.Add(-time.Minute)
		all := append([]string{"usr_0"}, ids[:19]...)
		slices.Sort(all)
		if got := page(11); !slices.Equal(got, all[10:]) {
			t.Fatalf("page 2 after the change: %v, want %v", got, all[10:])
		}
	})
}
