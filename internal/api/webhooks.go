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
	ID        string    `json:"id" doc:"the webhook's id" example:"whk_01kmtcrnn0ewh0e7d7rz4ge2xd"`
	OrgID     string    `json:"org_id" doc:"the organisation whose events it receives" example:"org_01kjyvahs0jdypew7da395kjeb"`
	URL       string    `json:"url" doc:"where events are posted" example:"https://hooks.harbour-dental.example/provisio"`
	Secret    string    `json:"secret,omitempty" doc:"HMAC-SHA256 key for the Provisio-Signature header; shown once" example:"whsec_OtPOOuZAdruk5Dafb_tlqcZ3-spFVaHSVioBex0TqX0"`
	CreatedAt time.Time `json:"created_at" doc:"when the webhook was registered" example:"2026-03-02T09:15:00Z"`
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
	ID          string     `json:"id" doc:"the event's id, also in the payload" example:"evt_01kmybsks0chzrx38fc7348bq4"`
	Event       string     `json:"event" doc:"the kind of event: the kind of notice it goes with" example:"access_requested"`
	Payload     string     `json:"payload" doc:"the JSON body posted" example:"{\"id\":\"evt_01kmybsks0chzrx38fc7348bq4\",\"type\":\"access_requested\",\"org_id\":\"org_01kjyvahs0jdypew7da395kjeb\",\"at\":\"2026-03-02T09:15:00.000000Z\",\"data\":{\"user_name\":\"Paul Becker\"}}"`
	State       string     `json:"state" enum:"pending,sent,failed" doc:"pending: still being tried; sent: the endpoint answered 2xx; failed: given up" example:"sent"`
	Attempts    int        `json:"attempts" doc:"how many times posting was tried" example:"1"`
	LastStatus  int        `json:"last_status" doc:"the endpoint's HTTP status on the last attempt; 0: no answer" example:"200"`
	LastError   string     `json:"last_error,omitempty" doc:"why the last attempt failed" example:"Post \"https://hooks.harbour-dental.example/provisio\": dial tcp: lookup hooks.harbour-dental.example: no such host"`
	CreatedAt   time.Time  `json:"created_at" doc:"when the event happened" example:"2026-03-02T09:15:00Z"`
	DeliveredAt *time.Time `json:"delivered_at,omitempty" doc:"when the endpoint took it" example:"2026-03-02T09:15:01Z"`
}

type createWebhookIn struct {
	Body struct {
		OrgID string `json:"org_id" doc:"the organisation whose events it receives; you administer it (R-PLUS-2)" example:"org_01kjyvahs0jdypew7da395kjeb"`
		URL   string `json:"url" doc:"https://…, or http:// on a loopback address" example:"https://hooks.harbour-dental.example/provisio"`
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
	OrgID string `query:"org_id" required:"true" doc:"the organisation whose webhooks to list" example:"org_01kjyvahs0jdypew7da395kjeb"`
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
