package app

import (
	"context"

	"github.com/provisio/provisio/internal/domain"
)

// notificationsShown is how many of a person's notices their page shows.
const notificationsShown = 100

// Notifications lists the notices addressed to the actor, newest first:
// the same notices as the email, so that a portal with no mail server
// still tells everyone what concerns them (R-NOTE-2).
func (a *App) Notifications(ctx context.Context, act Actor) (out []*domain.Notice, err error) {
	if act.User == nil {
		return nil, nil
	}
	err = a.read(ctx, act, func(u *unit) error {
		out, err = u.tx.UserNotices(ctx, act.User.ID, notificationsShown)
		return err
	})
	return out, err
}
