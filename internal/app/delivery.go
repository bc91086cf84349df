package app

import (
	"context"
	"errors"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/mail"
)

// DeliverNotice sends one pending notice with send and records the result.
// A notice that is no longer pending (sent, failed, kept locally) is left
// alone, which makes delivery exactly-once per notice even when a job runs
// twice. On a failed attempt the error is kept and returned so the queue
// retries with backoff; final marks the last attempt, after which the
// notice is failed for good (R-NOTE-1). A permanent refusal by the mail
// server (mail.Permanent) fails the notice at once; the error returned
// then still satisfies mail.Permanent, so the queue need not retry. A
// notice that cannot be rendered fails at once too, with the cause logged.
func (a *App) DeliverNotice(ctx context.Context, id string, final bool, send func(context.Context, *domain.Notice) error) error {
	var n *domain.Notice
	err := a.read(ctx, System, func(u *unit) (err error) {
		n, err = u.tx.Notice(ctx, id)
		return err
	})
	if errors.Is(err, domain.ErrNotFound) || err == nil && n.State != domain.NoticePending {
		return nil
	} else if err != nil {
		return err
	}
	stored := *n // as kept: the link secrets are forgotten from that
	if err := renderNotice(n); err != nil {
		// Another attempt would fail alike: the notice fails for good.
		a.log.ErrorContext(ctx, "notice cannot be rendered; it fails for good", "notice", id, "kind", n.Kind, "err", err)
		return a.db.Write(ctx, func(tx Tx) error {
			return tx.MarkNotice(ctx, id, domain.NoticeFailed, "cannot be rendered: "+err.Error(), a.now())
		})
	}
	sendErr := send(ctx, n)
	state, msg := domain.NoticeSent, ""
	if sendErr != nil {
		state, msg = domain.NoticePending, sendErr.Error()
		if final || mail.Permanent(sendErr) {
			state = domain.NoticeFailed
		}
	}
	if err := a.db.Write(ctx, func(tx Tx) error {
		if err := tx.MarkNotice(ctx, id, state, msg, a.now()); err != nil || state != domain.NoticeSent {
			return err
		}
		return tx.ForgetLinkSecrets(ctx, &stored)
	}); err != nil {
		return err
	}
	if state == domain.NoticeFailed {
		a.log.WarnContext(ctx, "notice failed for good", "notice", id, "kind", n.Kind,
			"permanent", mail.Permanent(sendErr), "err", sendErr)
	}
	return sendErr
}

// DeliverWebhook posts one pending webhook delivery with post, which
// returns the HTTP status, and records the attempt. Like DeliverNotice it
// skips deliveries that are done and returns the error for a retry.
func (a *App) DeliverWebhook(ctx context.Context, id string, final bool, post poster) error {
	var d *domain.WebhookDelivery
	var h *domain.Webhook
	err := a.read(ctx, System, func(u *unit) (err error) {
		if d, err = u.tx.Delivery(ctx, id); err != nil || d.State != domain.DeliveryPending {
			return err
		}
		h, err = u.tx.Webhook(ctx, domain.Everything, d.WebhookID)
		return err
	})
	switch {
	case errors.Is(err, domain.ErrNotFound): // the webhook was deleted
		return a.db.Write(ctx, func(tx Tx) error {
			return tx.MarkDelivery(ctx, id, domain.DeliveryFailed, 0, "webhook deleted", a.now())
		})
	case err != nil:
		return err
	case d.State != domain.DeliveryPending:
		return nil
	}
	state, status, msg, postErr := postOnce(ctx, post, h.URL, h.Secret, d, final)
	if err := a.db.Write(ctx, func(tx Tx) error { return tx.MarkDelivery(ctx, id, state, status, msg, a.now()) }); err != nil {
		return err
	}
	return postErr
}

// poster sends one signed event over HTTP and returns the status.
type poster = func(ctx context.Context, url, secret string, d *domain.WebhookDelivery) (int, error)

// postOnce makes one attempt to post d and says what to record: the state
// after it (sent; pending for a retry; failed after the final attempt),
// the HTTP status, the error in words, and the error itself.
func postOnce(ctx context.Context, post poster, url, secret string, d *domain.WebhookDelivery, final bool) (string, int, string, error) {
	status, err := post(ctx, url, secret, d)
	switch {
	case err == nil:
		return domain.DeliverySent, status, "", nil
	case final:
		return domain.DeliveryFailed, status, err.Error(), err
	}
	return domain.DeliveryPending, status, err.Error(), err
}

// PendingWork lists notices, webhook deliveries and provisioner calls
// still waiting, for the sweep to hand to the queue again (after a crash
// between a commit and its enqueue, say).
func (a *App) PendingWork(ctx context.Context, limit int) (notices, deliveries, calls []string, err error) {
	err = a.read(ctx, System, func(u *unit) error {
		ns, err := u.tx.PendingNotices(ctx, limit)
		if err != nil {
			return err
		}
		for _, n := range ns {
			notices = append(notices, n.ID)
		}
		ds, err := u.tx.PendingDeliveries(ctx, limit)
		if err != nil {
			return err
		}
		for _, d := range ds {
			deliveries = append(deliveries, d.ID)
		}
		cs, err := u.tx.PendingProvisionerCalls(ctx, limit)
		for _, c := range cs {
			calls = append(calls, c.ID)
		}
		return err
	})
	return notices, deliveries, calls, err
}
