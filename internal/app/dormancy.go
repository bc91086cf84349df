package app

import (
	"context"
	"fmt"
	"time"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/mail"
)

// Dormant users (R-PLUS-4): where an organisation turns it on, a user who
// has not signed in (any way in) for the dormancy period is locked, after
// a warning a week before; named break-glass accounts are exempt. Each
// lock is audited.

// dormancyWarning is how long before the lock the person is warned.
const dormancyWarning = 7 * 24 * time.Hour

// SetBreakGlass exempts a user from the dormancy lock (a named break-glass
// account), with the reason, or ends the exemption. Codes: not_found,
// forbidden, invalid.
func (a *App) SetBreakGlass(ctx context.Context, act Actor, userID string, exempt bool, reason string) error {
	reason = trimmed(reason)
	if exempt && reason == "" {
		return &domain.Error{Code: domain.EInvalid, Rule: "R-PLUS-4", Field: "reason",
			Message: "say why this account is never locked for dormancy (e.g. \"emergency access for the on-call desk\")"}
	}
	return a.write(ctx, act, func(u *unit) error {
		usr, _, err := u.adminUser(ctx, userID)
		if err != nil {
			return err
		}
		if err := u.tx.SetDormancyExempt(ctx, usr.ID, exempt, reason, act.userID(), u.now); err != nil {
			return err
		}
		return u.record(ctx, "user.break_glass", "user", usr.ID, usr.OrgID, nil,
			map[string]any{"exempt": exempt, "reason": reason})
	})
}

// lockDormant warns and locks the dormant users of the organisations that
// lock them, a batch at a time; each commits on its own.
func (a *App) lockDormant(ctx context.Context) (warned, locked int, err error) {
	now := a.now()
	due, err := a.dormantUsers(ctx, now.Add(-a.cfg.Dormancy+dormancyWarning))
	if err != nil {
		return 0, 0, err
	}
	for _, d := range due {
		lockAt := d.Since.Add(a.cfg.Dormancy)
		switch {
		case !now.Before(lockAt):
			err := a.write(ctx, System, func(u *unit) error {
				usr, err := u.tx.User(ctx, domain.Everything, d.ID)
				if err != nil || usr.State != domain.UserActive {
					return err // signed in or changed meanwhile
				}
				before := *usr
				if err := u.lock(ctx, usr); err != nil {
					return err
				}
				usr.UpdatedAt = u.now
				if err := u.tx.UpdateUser(ctx, usr); err != nil {
					return err
				}
				return u.record(ctx, "user.lock_dormant", "user", usr.ID, usr.OrgID, before, usr)
			})
			if domain.ErrorRule(err) == "R-ROLE-5" { // the last administrator stays; the report names it
				a.log.Info("dormant last administrator not locked", "user", d.ID)
				continue
			}
			if err != nil {
				return warned, locked, fmt.Errorf("lock dormant %s: %w", d.ID, err)
			}
			locked++
		case d.WarnedAt.Before(d.Since) || d.WarnedAt.IsZero():
			err := a.write(ctx, System, func(u *unit) error {
				usr := d.User
				if err := u.notify(ctx, domain.NoticeDormancyWarning, usr.OrgID, &usr, mail.Data{UserName: usr.Name,
					OrgName: d.OrgName, Link: a.cfg.BaseURL + "/signin", ExpiresAt: lockAt}); err != nil {
					return err
				}
				return u.tx.WarnDormant(ctx, usr.ID, u.now)
			})
			if err != nil {
				return warned, locked, fmt.Errorf("warn dormant %s: %w", d.ID, err)
			}
			warned++
		}
	}
	return warned, locked, nil
}

func (a *App) dormantUsers(ctx context.Context, quietSince time.Time) (out []*domain.DormantUser, err error) {
	err = a.db.Read(ctx, func(tx Tx) error {
		out, err = tx.DormantUsers(ctx, quietSince, sweepBatch*10)
		return err
	})
	return out, err
}
