package app_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/loadtest"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestSweep_GivesWayToRequests checks that a sweep run while requests are
// being served expires grants in paced batches and stops in time for the
// rest of its work, without error, and that the next sweep expires what
// is left (R-PARTNER-2: access already ended at its time; the sweep only
// removes it and tells both sides).
func TestSweep_GivesWayToRequests(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		var busy atomic.Bool
		a, c := newAppWith(t, db, &clock{now: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)},
			func(cfg *app.Config) { cfg.Busy = busy.Load })
		w := worldOn(t, db, a, c)
		const due = 4000
		if err := loadtest.SeedDueGrants(w.ctx, db, w.site.ID, w.partner.ID, due, w.clock.Now()); err != nil {
			t.Fatal(err)
		}
		// A sweep job's time: 1.5s, of which it expires grants for 1s.
		budgeted := func() app.SweepResult {
			ctx, cancel := context.WithTimeout(w.ctx, 1500*time.Millisecond)
			defer cancel()
			res, err := a.Sweep(ctx)
			if err != nil || res.Expired == 0 || busy.Load() && res.Expired >= due {
				t.Fatalf("sweep with a deadline (busy: %v): %d of %d expired, err %v; want some (not all while busy), and no error",
					busy.Load(), res.Expired, due, err)
			}
			return res
		}
		busy.Store(true)
		paced := budgeted()
		busy.Store(false)
		rest := must(t, of(a.Sweep(w.ctx)))
		if paced.Expired+rest.Expired != due {
			t.Fatalf("expired %d, then %d: want %d in all", paced.Expired, rest.Expired, due)
		}
		// The same budget with nobody to give way to does about four times
		// the work (a paced sweep waits three times each batch's time);
		// at least one and a half, whatever the machine's noise.
		if err := loadtest.SeedDueGrants(w.ctx, db, w.site.ID, w.partner.ID, due, w.clock.Now()); err != nil {
			t.Fatal(err)
		}
		unpaced := budgeted()
		if unpaced.Expired < 400 { // batches of 100: too few to compare (a race build, say)
			t.Logf("%s: %d expired in 1s with nobody to give way to: too slow here to compare", db.Dialect(), unpaced.Expired)
			return
		}
		if 2*unpaced.Expired < 3*paced.Expired {
			t.Fatalf("in the same time, %d expired while busy and %d while not: the busy sweep did not give way",
				paced.Expired, unpaced.Expired)
		}
		t.Logf("%s: in 1s, %d expired while busy, %d while not", db.Dialect(), paced.Expired, unpaced.Expired)
	})
}
