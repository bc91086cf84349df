package api

import (
	"context"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
)

// Webhook is an organisation's endpoint for events (R-PLUS-2). Secret is
// shown only when the webhook is created.
type Webhook struct {
	ID        string    `json:"id"`
	OrgID     string    `json:"org_id"`
	URL       string    `json:"url"`
	Secret    string    `json:"secret,omitempty" doc:"HMAC-SHA256 key for the Provisio-Signature header; shown once"`
	CreatedAt time.Time `json:"created_at"`
}

func webhookOut(h *domain.Webhook, secret bool) Webhook {
	w := Webhook{ID: h.ID, OrgID: h.OrgID, URL: h.URL, CreatedAt: h.CreatedAt}
	if secret {
		w.Secret = h.Secret
	}
	return w
}

// Delivery is one attempt log entry of a webhook.
type Delivery struct {
	ID          string     `json:"id"`
	Event       string     `json:"event"`
	Payload     string     `json:"payload"`
	State       string     `json:"state" enum:"pending,sent,failed"`
	Attempts    int        `json:"attempts"`
	LastStatus  int        `json:"last_status"`
	LastError   string     `json:"last_error,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	DeliveredAt *time.Time `json:"delivered_at,omitempty"`
}

type createWebhookIn struct {
	Body struct {
		OrgID string `json:"org_id"`
		URL   string `json:"url" doc:"https://…, or http:// on a loopback address"`
	}
}

func (s *Server) createWebhook(ctx context.Context, act app.Actor, in *createWebhookIn) (*body[Webhook], error) {
	h, err := s.app.CreateWebhook(ctx, act, in.Body.OrgID, in.Body.URL)
	if err != nil {
		return nil, err
	}
	return reply(webhookOut(h, true)), nil
}

type listWebhooksIn struct {
	OrgID string `query:"org_id" required:"true"`
}

func (s *Server) listWebhooks(ctx context.Context, act app.Actor, in *listWebhooksIn) (*body[Page[Webhook]], error) {
	hs, err := s.app.Webhooks(ctx, act, in.OrgID)
	if err != nil {
		return nil, err
	}
	out := Page[Webhook]{Items: []Webhook{}}
	for _, h := range hs {
		out.Items = append(out.Items, webhookOut(h, false))
	}
	return reply(out), nil
}

func (s *Server) deleteWebhook(ctx context.Context, act app.Actor, in *idIn) (*struct{}, error) {
	return nil, s.app.DeleteWebhook(ctx, act, in.ID)
}

type deliveriesIn struct {
	ID string `path:"id"`
	PageParams
}

func (s *Server) listDeliveries(ctx context.Context, act app.Actor, in *deliveriesIn) (*body[Page[Delivery]], error) {
	l, err := s.app.Deliveries(ctx, act, in.ID, in.page())
	if err != nil {
		return nil, err
	}
	return reply(pageOut(l, func(d *domain.WebhookDelivery) Delivery {
		return Delivery{ID: d.ID, Event: d.Event, Payload: d.Payload, State: d.State, Attempts: d.Attempts,
			LastStatus: d.LastStatus, LastError: d.LastError, CreatedAt: d.CreatedAt, DeliveredAt: timePtr(d.DeliveredAt)}
	})), nil
}
