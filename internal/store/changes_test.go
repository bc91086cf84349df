package store_test

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// told is what a DB told a cache: its version, and the users whose
// assignments alone changed.
type told struct {
	db    *store.DB
	mu    sync.Mutex
	users []string
}

func watch(db *store.DB) *told {
	w := &told{db: db}
	db.OnAssignments(func(users []string) {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.users = append(w.users, users...)
	})
	return w
}

// version waits for the DB to vouch for its version, and returns it.
func (w *told) version(t *testing.T) uint64 {
	t.Helper()
	for start := time.Now(); time.Since(start) < 5*time.Second; time.Sleep(time.Millisecond) {
		if v, ok := w.db.Version(); ok {
			return v
		}
	}
	t.Fatal("the version is never current")
	return 0
}

func (w *told) forgotten() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Sorted(slices.Values(w.users))
}

func (w *told) reset() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.users = nil
}

// within waits up to 100 ms for cond, the time DESIGN gives a change to
// reach every replica.
func within(t *testing.T, what string, cond func() bool) {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > 100*time.Millisecond {
			t.Fatalf("%s: not after %v", what, time.Since(start))
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// TestChanges_ToldByWhatTheyWrote: a write tells the caches what it
// changed (issue 15). One that wrote only tables or columns no cache
// keeps (a sign-in) tells nothing; one that wrote only some users' site or
// company assignments (the sweep's expiry, an approval's grant, an
// extension, a removal) names those users, without moving the version;
// any other write moves the version. This process is told at once,
// another (a second DB on the same database, as a replica) within 100 ms.
// R-PARTNER-2 R-PLUS-1 R-USER-5
func TestChanges_ToldByWhatTheyWrote(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newExpiryWorld(t, db)
		agents := []string{w.partnerUser(t), w.partnerUser(t)}
		bystander, member := w.partnerUser(t), w.partnerUser(t)
		var grants []*domain.Assignment
		for i, id := range append(slices.Clone(agents), bystander) {
			a := &domain.Assignment{ID: "asg_" + id, SiteID: w.site, UserID: id, Role: domain.RolePartnerAgent,
				Via: domain.ViaPartner, ExpiresAt: now.Add(time.Duration(i-1) * time.Hour), CreatedBy: "usr_admin", CreatedAt: now}
			w.write(t, func(tx *store.Tx) error { return tx.CreateAssignment(w.ctx, a) })
			grants = append(grants, a)
		}
		company := &domain.Company{ID: "cmp_1", SiteID: w.site, Name: "Company", CreatedAt: now}
		w.write(t, func(tx *store.Tx) error { return tx.CreateCompany(w.ctx, company) })
		here, there := watch(db), watch(storetest.Again(t, db))
		v, vThere := here.version(t), there.version(t)

		// step runs write and checks that it told the users want (none:
		// nothing) to forget and did not move the version.
		step := func(name string, write func(tx *store.Tx) error, want ...string) {
			t.Helper()
			here.reset()
			there.reset()
			w.write(t, write)
			slices.Sort(want)
			if got := here.forgotten(); !slices.Equal(got, want) {
				t.Errorf("%s: right after it, this DB told %v to forget, want %v", name, got, want)
			}
			if len(want) == 0 {
				time.Sleep(100 * time.Millisecond) // long enough for the other to have seen it
			}
			within(t, name+": the other DB tells whom to forget", func() bool { return slices.Equal(there.forgotten(), want) })
			if got, gotThere := here.version(t), there.version(t); got != v || gotThere != vThere {
				t.Errorf("%s moved the version: here %d → %d, there %d → %d", name, v, got, vThere, gotThere)
			}
		}
		step("a write to no table a cache keeps", func(tx *store.Tx) (err error) {
			_, err = tx.ForgetIdempotencyKeysBefore(w.ctx, now)
			return err
		})
		step("a sign-in (a session and the person's last activity)", func(tx *store.Tx) error {
			return tx.CreateSession(w.ctx, &domain.Session{ID: "ses_1", UserID: bystander, MFAOK: true, Via: "password",
				CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}, "hash-of-ses_1")
		})
		// The bystander's grant has not ended: only the agents' are removed.
		step("the expiry", func(tx *store.Tx) error {
			gone, err := tx.DeleteExpiredAssignments(w.ctx, grants, now)
			if len(gone) != 2 && err == nil {
				t.Errorf("removed %d grants, want the agents' 2", len(gone))
			}
			return err
		}, agents...)
		grant := &domain.Assignment{ID: "asg_member", SiteID: w.site, UserID: member, Role: domain.RolePartnerAgent,
			Via: domain.ViaPartner, ExpiresAt: now.Add(time.Hour), CreatedBy: "usr_admin", CreatedAt: now}
		ca := &domain.CompanyAssignment{CompanyID: company.ID, UserID: member, SiteID: w.site, CreatedAt: now}
		for _, s := range []struct {
			name  string
			write func(tx *store.Tx) error
		}{
			{"a grant", func(tx *store.Tx) error { return tx.CreateAssignment(w.ctx, grant) }},
			{"a company", func(tx *store.Tx) error { return tx.CreateCompanyAssignment(w.ctx, ca) }},
			{"an extension", func(tx *store.Tx) error { return tx.SetAssignmentExpiry(w.ctx, grant.ID, now.Add(2*time.Hour)) }},
			{"a reminder", func(tx *store.Tx) error { return tx.MarkReminded(w.ctx, grant.ID, now) }},
			{"a company's removal", func(tx *store.Tx) error { return tx.DeleteCompanyAssignment(w.ctx, company.ID, member) }},
			{"a removal", func(tx *store.Tx) error { return tx.DeleteAssignment(w.ctx, w.site, member, now) }},
			{"a grant again", func(tx *store.Tx) error { return tx.CreateAssignment(w.ctx, grant) }},
			{"the removal of all", func(tx *store.Tx) error {
				_, err := tx.DeleteUserAssignments(w.ctx, member, now)
				return err
			}},
		} {
			step(s.name, s.write, member)
		}

		here.reset()
		there.reset()
		u := mustRead(t, db, func(tx *store.Tx) (*domain.User, error) { return tx.User(w.ctx, domain.Everything, bystander) })
		u.State = domain.UserLocked
		w.write(t, func(tx *store.Tx) error { return tx.UpdateUser(w.ctx, u) })
		if got := here.version(t); got == v {
			t.Error("right after a lock, this DB's version has not moved")
		}
		within(t, "the other DB's version moves after a lock", func() bool { return there.version(t) != vThere })
		if got := there.forgotten(); len(got) != 0 {
			t.Errorf("the lock was told as a change of assignments of %v", got)
		}
	})
}

// TestChanges_LateCommitIsSeen: on PostgreSQL a transaction that began
// writing before another but commits after it (an older transaction id,
// committed later) still reaches the other replicas: the change log is
// read by what each poll's snapshot newly sees, not by a number that a
// late commit could fall behind. R-USER-5
func TestChanges_LateCommitIsSeen(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if db.Dialect() != store.Postgres {
			t.Skip("SQLite commits one write at a time: a later commit always has a later seq")
		}
		w := newExpiryWorld(t, db)
		early, late := w.partnerUser(t), w.partnerUser(t)
		company := &domain.Company{ID: "cmp_1", SiteID: w.site, Name: "Company", CreatedAt: now}
		w.write(t, func(tx *store.Tx) error { return tx.CreateCompany(w.ctx, company) })
		there := watch(storetest.Again(t, db))
		there.version(t)

		wrote, commit, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
		go func() {
			done <- db.Write(w.ctx, func(tx *store.Tx) error {
				err := tx.CreateCompanyAssignment(w.ctx, &domain.CompanyAssignment{CompanyID: company.ID, UserID: early,
					SiteID: w.site, CreatedAt: now})
				close(wrote)
				<-commit
				return err
			})
		}()
		<-wrote
		w.write(t, func(tx *store.Tx) error {
			return tx.CreateCompanyAssignment(w.ctx, &domain.CompanyAssignment{CompanyID: company.ID, UserID: late,
				SiteID: w.site, CreatedAt: now})
		})
		within(t, "the other DB tells the later-begun write's user to forget", func() bool {
			return slices.Equal(there.forgotten(), []string{late})
		})
		close(commit)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		within(t, "the other DB tells the earlier-begun, later-committed write's user to forget", func() bool {
			return slices.Contains(there.forgotten(), early)
		})
	})
}
