package app

import (
	"context"
	"encoding/json"
	"net"
	"net/url"
	"strings"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/identity"
	"github.com/provisio/provisio/internal/mail"
)

// Event is the JSON body POSTed to webhooks (R-PLUS-2).
type Event struct {
	ID    string    `json:"id"`
	Type  string    `json:"type"` // the notice kind, e.g. access_requested
	OrgID string    `json:"org_id"`
	At    string    `json:"at"`
	Data  eventData `json:"data"`
}

type eventData struct {
	ActorName string `json:"actor_name,omitempty"`
	UserName  string `json:"user_name,omitempty"`
	UserEmail string `json:"user_email,omitempty"`
	OrgName   string `json:"org_name,omitempty"`
	SiteID    string `json:"site_id,omitempty"`
	SiteName  string `json:"site_name,omitempty"`
	Role      string `json:"role,omitempty"`
	ExpiresAt string `json:"expires_at,omitempty"`
	Reason    string `json:"reason,omitempty"`
}

// event records a delivery of the change to every webhook of the
// organisations concerned, in the change's transaction.
func (u *unit) event(ctx context.Context, kind string, orgIDs []string, d mail.Data) error {
	if d.ActorName == "" {
		d.ActorName = u.act.name()
	}
	data := eventData{ActorName: d.ActorName, UserName: d.UserName, UserEmail: d.UserEmail, OrgName: d.OrgName,
		SiteID: d.SiteID, SiteName: d.SiteName, Role: d.Role, Reason: d.Reason}
	if !d.ExpiresAt.IsZero() {
		data.ExpiresAt = d.ExpiresAt.Format("2006-01-02T15:04:05Z07:00")
	}
	seen := map[string]bool{}
	for _, org := range orgIDs {
		if org == "" || seen[org] {
			continue
		}
		seen[org] = true
		hooks, err := u.webhooks(ctx, org)
		if err != nil {
			return err
		}
		for _, h := range hooks {
			ev := Event{ID: domain.NewID("evt", u.now), Type: kind, OrgID: org, At: u.now.Format("2006-01-02T15:04:05.000000Z07:00"), Data: data}
			payload, _ := json.Marshal(ev)
			dl := &domain.WebhookDelivery{ID: ev.ID, WebhookID: h.ID, Event: kind, Payload: string(payload),
				State: domain.DeliveryPending, CreatedAt: u.now}
			if err := u.tx.CreateDelivery(ctx, dl); err != nil {
				return err
			}
			u.deliveries = append(u.deliveries, dl.ID)
		}
	}
	return nil
}

// CreateWebhook registers an HTTPS endpoint for an organisation's events;
// plain HTTP is allowed on loopback only, for tests. The signing secret is
// returned once. The organisation's administrators and operators may.
// Codes: not_found, forbidden, invalid.
func (a *App) CreateWebhook(ctx context.Context, act Actor, orgID, rawURL string) (*domain.Webhook, error) {
	if err := checkWebhookURL(rawURL); err != nil {
		return nil, err
	}
	var h *domain.Webhook
	err := a.write(ctx, act, func(u *unit) error {
		o, err := u.loadOrg(ctx, orgID)
		if err != nil {
			return err
		}
		if !act.managesWebhooksOf(o.ID) {
			return forbidden("R-PLUS-2", "only the organisation's administrators manage its webhooks")
		}
		h = &domain.Webhook{ID: domain.NewID("whk", u.now), OrgID: o.ID, URL: rawURL,
			Secret: identity.NewSecret("whsec"), CreatedBy: act.userID(), CreatedAt: u.now}
		if err := u.tx.CreateWebhook(ctx, h); err != nil {
			return err
		}
		return u.record(ctx, "webhook.create", "webhook", h.ID, o.ID, nil, h)
	})
	return h, err
}

func checkWebhookURL(raw string) error {
	bad := &domain.Error{Code: domain.EInvalid, Rule: "R-PLUS-2", Field: "url",
		Message: "a webhook URL must be https://…, or http:// on a loopback address"}
	p, err := url.Parse(raw)
	if err != nil || p.Host == "" {
		return bad
	}
	switch p.Scheme {
	case "https":
		return nil
	case "http":
		host := p.Hostname()
		if ip := net.ParseIP(host); (ip != nil && ip.IsLoopback()) || strings.EqualFold(host, "localhost") {
			return nil
		}
	}
	return bad
}

// webhookOf loads a webhook of an organisation the actor administers.
func (u *unit) webhookOf(ctx context.Context, id string) (*domain.Webhook, error) {
	h, err := u.tx.Webhook(ctx, u.act.scope(), id)
	if err != nil {
		return nil, storeErr(err, "webhook", id)
	}
	if !u.act.managesWebhooksOf(h.OrgID) {
		return nil, domain.NotFound("webhook")
	}
	return h, nil
}

// Webhooks lists an organisation's webhooks. Codes: not_found.
func (a *App) Webhooks(ctx context.Context, act Actor, orgID string) (out []*domain.Webhook, err error) {
	err = a.read(ctx, act, func(u *unit) error {
		o, err := u.loadOrg(ctx, orgID)
		if err != nil {
			return err
		}
		if !act.managesWebhooksOf(o.ID) {
			return forbidden("R-PLUS-2", "only the organisation's administrators see its webhooks")
		}
		out, err = u.tx.Webhooks(ctx, o.ID)
		return err
	})
	return out, err
}

// DeleteWebhook stops deliveries to a webhook. Codes: not_found.
func (a *App) DeleteWebhook(ctx context.Context, act Actor, id string) error {
	return a.write(ctx, act, func(u *unit) error {
		h, err := u.webhookOf(ctx, id)
		if err != nil {
			return err
		}
		if err := u.tx.DeleteWebhook(ctx, id, u.now); err != nil {
			return err
		}
		return u.record(ctx, "webhook.delete", "webhook", id, h.OrgID, h, nil)
	})
}

// Deliveries lists a webhook's delivery log, newest last. Codes: not_found.
func (a *App) Deliveries(ctx context.Context, act Actor, webhookID string, p domain.Page) (out domain.List[*domain.WebhookDelivery], err error) {
	err = a.read(ctx, act, func(u *unit) error {
		if _, err := u.webhookOf(ctx, webhookID); err != nil {
			return err
		}
		out, err = u.tx.Deliveries(ctx, webhookID, p)
		return err
	})
	return out, err
}

// managesWebhooksOf reports whether the actor administers the webhooks of
// organisation orgID: its own administrators, operators and the system.
func (act Actor) managesWebhooksOf(orgID string) bool {
	return act.User == nil || act.IsOperator() || act.Org != nil && act.Org.ID == orgID && act.User.IsAdmin()
}
