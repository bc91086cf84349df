package app

import (
	"context"
	"encoding/json"
	"fmt"
	"html"

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
	a.renderNotices(ctx, out...)
	return out, err
}

// unrenderable stands for the body of a notice that cannot be rendered.
const unrenderable = "This notice cannot be shown: its content could not be rendered. The server's log says why."

// renderNotices fills in the bodies of notices kept as template data
// (notify). A notice that cannot be rendered (its data damaged, its kind
// unknown to this version) says so instead, and the cause is logged: one
// such notice never hides the others.
func (a *App) renderNotices(ctx context.Context, ns ...*domain.Notice) {
	for _, n := range ns {
		if err := renderNotice(n); err != nil {
			a.log.ErrorContext(ctx, "notice cannot be rendered", "notice", n.ID, "kind", n.Kind, "err", err)
			n.Body, n.BodyHTML = unrenderable, "<p>"+html.EscapeString(unrenderable)+"</p>"
		}
	}
}

// renderNotice renders n's bodies from its template data, with the
// templates of this version and the recipient's name and time zone and
// the portal's settings as they were when n was written. A notice stored
// with its bodies rendered is left as it is.
func renderNotice(n *domain.Notice) error {
	if n.TemplateData == "" {
		return nil
	}
	var d mail.Data
	if err := json.Unmarshal([]byte(n.TemplateData), &d); err != nil {
		return fmt.Errorf("read the template data: %w", err)
	}
	m, err := mail.Render(n.Kind, d)
	if err != nil {
		return err
	}
	n.Body, n.BodyHTML = m.Text, m.HTML
	return nil
}
