package api

import (
	"context"
	"time"

	"github.com/provisio/provisio/internal/app"
)

// ProvisionerCall is one event sent to the vendor's site provisioner.
type ProvisionerCall struct {
	ID          string     `json:"id" doc:"the call's id" example:"pcall_01kne7xc90nvp3zan1kn0y3752"`
	Event       string     `json:"event" doc:"site.provision, or a later change: site.suspended, site.resumed, site.cancelled, site.restored, site.deleted" example:"site.provision"`
	State       string     `json:"state" enum:"pending,sent,failed" doc:"pending: still being tried; sent: the provisioner took it; failed: given up" example:"sent"`
	Attempts    int        `json:"attempts" doc:"how many times sending was tried" example:"1"`
	LastStatus  int        `json:"last_status,omitempty" doc:"the provisioner's HTTP status on the last attempt" example:"202"`
	LastError   string     `json:"last_error,omitempty" doc:"why the last attempt failed" example:"Post \"https://automation.vendor.example/provision\": context deadline exceeded"`
	CreatedAt   time.Time  `json:"created_at" doc:"when the event was queued" example:"2026-03-02T09:15:00Z"`
	DeliveredAt *time.Time `json:"delivered_at,omitempty" doc:"when the provisioner took it" example:"2026-03-02T09:15:02Z"`
}

type callList struct {
	Items []ProvisionerCall `json:"items" doc:"the latest calls, newest first"`
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
	Signature string `header:"Provisio-Signature" required:"true" doc:"t=<unix seconds>,v1=<hex HMAC-SHA256 of t + \".\" + body with the provisioner secret>" example:"t=1772442900,v1=5f0c8e2a9b14d37c6e81f2a4b90d5c3e7a16f28b4d90c5e3a7f1b26d84c09e3f"`
	Body      struct {
		SiteID string `json:"site_id" doc:"the site the report is about" example:"site_01kkpng6h0d3aqrf08caygs4pm"`
		Status string `json:"status" enum:"ready,failed" doc:"ready: the site can be used; failed: provisioning failed and may be retried" example:"ready"`
		Error  string `json:"error,omitempty" maxLength:"2000" doc:"why provisioning failed, shown to operators" example:"no capacity left in region eu-west"`
	}
	RawBody []byte // the signed bytes
}

// provisionerCallback takes the provisioner's signed report on a site.
func (s *Server) provisionerCallback(ctx context.Context, act app.Actor, in *callbackIn) (*body[Site], error) {
	return siteReply(s.app.ProvisionerCallback(ctx, act.RemoteAddr, in.Signature, in.RawBody))
}
