package app

import (
	"context"
	"fmt"
	"time"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/mail"
)

// SweepResult counts what one sweep did.
type SweepResult struct {
	Expired   int // assignments whose access ended
	Lapsed    int // requests nobody answered
	Reminders int // reminders sent before access ends
	Purged    int // cancelled sites deleted after their stasis
	// DormantWarned and DormantLocked count users warned of, and locked
	// for, dormancy (R-PLUS-4).
	DormantWarned, DormantLocked int
	// ProvisionTimedOut counts sites failed because the provisioner did
	// not answer in time (R-SITE-0).
	ProvisionTimedOut int
	Reviews           ReviewSweep // R-AUDIT-3, R-PLUS-5
}

// sweepBatch bounds each pass so one sweep never holds a long transaction.
const sweepBatch = 100

// Expiring grants is housekeeping: access ends at its time whatever the
// sweep does (the access decision compares with the clock, R-PARTNER-2),
// so the sweep gives way to the people using the portal. While requests
// are being served it waits sweepYield times a batch's own time after
// each batch, taking at most a quarter of a processor from them; and it
// stops expiring before only a third of its job's time is left (a batch
// is not begun unless twice the last one's time fits), for the rest of the
// sweep, leaving the remaining grants to the next sweep.
const sweepYield = 3

// Sweep removes expired access and tells both sides (R-PARTNER-2), lapses
// unanswered requests (R-PARTNER-4) and sends reminders before access ends
// (R-PLUS-1). Each item commits on its own, so a crash mid-sweep loses
// nothing and the next sweep finishes the job; so does the next sweep
// when this one gave way to requests (sweepYield). The background queue
// runs it periodically; it catches up on anything missed during downtime.
func (a *App) Sweep(ctx context.Context) (SweepResult, error) {
	var res SweepResult
	var err error
	if res.Expired, err = a.expireDue(ctx); err != nil {
		return res, err
	}
	var reqs []*domain.AccessRequest
	var reminders []*domain.Assignment
	if err := a.read(ctx, System, func(u *unit) (err error) {
		if reqs, err = u.tx.DueRequests(ctx, u.now, sweepBatch); err != nil {
			return err
		}
		reminders, err = u.tx.DueReminders(ctx, u.now, u.now.Add(a.cfg.ReminderLead), sweepBatch)
		return err
	}); err != nil {
		return res, err
	}
	for _, r := range reqs {
		if err := a.write(ctx, System, func(u *unit) error { return u.lapseRequest(ctx, r) }); err != nil {
			return res, fmt.Errorf("lapse request %s: %w", r.ID, err)
		}
		res.Lapsed++
	}
	for _, as := range reminders {
		if err := a.write(ctx, System, func(u *unit) error { return u.remind(ctx, as) }); err != nil {
			return res, fmt.Errorf("remind %s: %w", as.ID, err)
		}
		res.Reminders++
	}
	var purge []*domain.Site
	if err := a.read(ctx, System, func(u *unit) (err error) {
		purge, err = u.tx.SitesToPurge(ctx, u.now, sweepBatch)
		return err
	}); err != nil {
		return res, err
	}
	if err := a.db.Write(ctx, func(tx Tx) error {
		if _, err := tx.ForgetIdempotencyKeysBefore(ctx, a.now().Add(-IdempotencyTTL)); err != nil {
			return err
		}
		// Departures past the retention period no longer show (R-APP-1).
		if err := tx.ForgetDeparturesBefore(ctx, a.now().Add(-a.cfg.AppRetention)); err != nil {
			return err
		}
		// Sign-ins, tokens and keys the OpenID provider no longer needs (R-APP-2).
		if err := tx.PruneOIDC(ctx, a.now()); err != nil {
			return err
		}
		// The change log's rows every replica has read.
		return tx.PruneChanges(ctx)
	}); err != nil {
		return res, err
	}
	for _, s := range purge {
		if err := a.write(ctx, System, func(u *unit) error { return u.purgeSite(ctx, s) }); err != nil {
			return res, fmt.Errorf("purge site %s: %w", s.ID, err)
		}
		res.Purged++
	}
	if res.ProvisionTimedOut, err = a.sweepProvisioning(ctx); err != nil {
		return res, err
	}
	if res.Reviews, err = a.sweepReviews(ctx); err != nil {
		return res, err
	}
	res.DormantWarned, res.DormantLocked, err = a.lockDormant(ctx)
	return res, err
}

// purgeSite deletes a cancelled site whose stasis ended, with all its
// assignments, and tells the operators (R-SITE-2). The site row stays as a
// tombstone for the activity log.
func (u *unit) purgeSite(ctx context.Context, s *domain.Site) error {
	fresh, err := u.tx.Site(ctx, domain.Everything, s.ID)
	if err != nil || fresh.State != domain.SiteCancelled || u.now.Before(fresh.PurgeAt) {
		return err // restored meanwhile, or already purged
	}
	removed, err := u.tx.DeleteSiteAssignments(ctx, s.ID)
	if err != nil {
		return err
	}
	for _, as := range removed {
		if err := u.record(ctx, "assignment.delete", "assignment", as.ID, s.CustomerID, as, nil); err != nil {
			return err
		}
	}
	if err := u.moveSite(ctx, fresh, domain.SiteDeleted, "site.delete"); err != nil {
		return err
	}
	return u.notifySite(ctx, domain.NoticeSiteDeleted, fresh, mail.Data{})
}

// expireDue removes the grants whose access has ended, in batches of
// sweepBatch, each with its notices and activity entries, giving way to
// requests (sweepYield). It returns how many it removed.
func (a *App) expireDue(ctx context.Context) (int, error) {
	expired := 0
	var stopAt time.Time // when expiring stops, for the rest of the sweep
	if dl, ok := ctx.Deadline(); ok {
		stopAt = dl.Add(-time.Until(dl) / 3)
	}
	var took time.Duration // by the last batch: the next must end before stopAt
	for stopAt.IsZero() || time.Now().Add(2*took).Before(stopAt) {
		started := time.Now()
		var due []*domain.Assignment
		if err := a.read(ctx, System, func(u *unit) (err error) {
			due, err = u.tx.ExpiredAssignments(ctx, u.now, sweepBatch)
			return err
		}); err != nil {
			return expired, err
		}
		n, err := a.expireBatch(ctx, due)
		if err != nil {
			return expired, err
		}
		expired += n
		took = time.Since(started)
		if len(due) < sweepBatch {
			break
		}
		if a.cfg.Busy != nil && a.cfg.Busy() {
			wait := sweepYield * took
			if !stopAt.IsZero() {
				wait = min(wait, time.Until(stopAt))
			}
			select {
			case <-ctx.Done():
				return expired, ctx.Err()
			case <-time.After(wait):
			}
		}
	}
	return expired, nil
}

// expireBatch removes the grants of due whose access has still ended, in
// one transaction: each batch is idempotent (a grant extended or gone
// meanwhile is left alone), far under the job's timeout, and commits what
// it did. Both sides are told of each (R-PARTNER-2).
func (a *App) expireBatch(ctx context.Context, due []*domain.Assignment) (n int, err error) {
	err = a.write(ctx, System, func(u *unit) error {
		u.memo = newMemo()
		gone, err := u.tx.DeleteExpiredAssignments(ctx, due, u.now)
		if err != nil {
			return fmt.Errorf("expire %d grants: %w", len(due), err)
		}
		ids := make([]string, len(gone))
		for i, as := range gone {
			ids[i] = as.UserID
		}
		users, err := u.tx.UsersByID(ctx, ids)
		if err != nil {
			return fmt.Errorf("users of %d expired grants: %w", len(gone), err)
		}
		for _, as := range gone {
			usr, ok := users[as.UserID]
			if !ok {
				return fmt.Errorf("expire %s: user %s: %w", as.ID, as.UserID, domain.ErrNotFound)
			}
			if err := u.announceExpiry(ctx, as, usr); err != nil {
				return fmt.Errorf("expire %s: %w", as.ID, err)
			}
		}
		n = len(gone)
		return nil
	})
	return n, err
}
