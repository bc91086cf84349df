package app

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/mail"
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
	if err != nil {
		return nil, err
	}
	return out, renderNotices(out...)
}

// renderNotices fills in the bodies of notices kept as data (notify), as
// they read when they were written: the data holds the recipient's name
// and time zone and the portal's settings of then.
func renderNotices(ns ...*domain.Notice) error {
	for _, n := range ns {
		if n.Data == "" {
			continue
		}
		var d mail.Data
		if err := json.Unmarshal([]byte(n.Data), &d); err != nil {
			return fmt.Errorf("notice %s: read its data: %w", n.ID, err)
		}
		m, err := mail.Render(n.Kind, d)
		if err != nil {
			return fmt.Errorf("notice %s: %w", n.ID, err)
		}
		n.Body, n.BodyHTML = m.Text, m.HTML
	}
	return nil
}
