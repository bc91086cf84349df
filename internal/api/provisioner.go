package api

import (
	"context"
	"time"

	"github.com/provisio/provisio/internal/app"
)

// ProvisionerCall is one event sent to the vendor's site provisioner.
type ProvisionerCall struct {
	ID          string     `json:"id"`
	Event       string     `json:"event" doc:"site.provision, or a later change: site.suspended, site.resumed, site.cancelled, site.restored, site.deleted"`
	State       string     `json:"state" enum:"pending,sent,failed"`
	Attempts    int        `json:"attempts"`
	LastStatus  int        `json:"last_status,omitempty" doc:"the provisioner's HTTP status on the last attempt"`
	LastError   string     `json:"last_error,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	DeliveredAt *time.Time `json:"delivered_at,omitempty"`
}

type callList struct {
	Items []ProvisionerCall `json:"items"`
}

func (s *Server) listProvisionerCalls(ctx context.Context, act app.Actor, in *idIn) (*body[callList], error) {
	cs, err := s.app.ProvisionerCalls(ctx, act, in.ID)
	if err != nil {
		return nil, err
	}
	out := callList{Items: []ProvisionerCall{}}
	for _, c := range cs {
		out.Items = append(out.Items, ProvisionerCall{ID: c.ID, Event: c.Event, State: c.State, Attempts: c.Attempts,
			LastStatus: c.LastStatus, LastError: c.LastError, CreatedAt: c.CreatedAt, DeliveredAt: timePtr(c.DeliveredAt)})
	}
	return reply(out), nil
}

func (s *Server) retryProvisioning(ctx context.Context, act app.Actor, in *idIn) (*body[Site], error) {
	return siteReply(s.app.RetryProvisioning(ctx, act, in.ID))
}

type callbackIn struct {
	Signature string `header:"Provisio-Signature" required:"true" doc:"t=<unix seconds>,v1=<hex HMAC-SHA256 of t + \".\" + body with the provisioner secret>"`
	Body      struct {
		SiteID string `json:"site_id" doc:"the site the report is about"`
		Status string `json:"status" enum:"ready,failed"`
		Error  string `json:"error,omitempty" maxLength:"2000" doc:"why provisioning failed, shown to operators"`
	}
	RawBody []byte // the signed bytes
}

// provisionerCallback takes the provisioner's signed report on a site.
func (s *Server) provisionerCallback(ctx context.Context, act app.Actor, in *callbackIn) (*body[Site], error) {
	return siteReply(s.app.ProvisionerCallback(ctx, act.RemoteAddr, in.Signature, in.RawBody))
}
