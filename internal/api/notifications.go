package api

import (
	"context"

	"github.com/provisio/provisio/internal/app"
)

type noticeList struct {
	Items []Notice `json:"items" doc:"your notices, newest first"`
}

// notifications lists the caller's own notices, newest first.
func (s *Server) notifications(ctx context.Context, act app.Actor, _ *struct{}) (*body[noticeList], error) {
	ns, err := s.app.Notifications(ctx, act)
	if err != nil {
		return nil, err
	}
	out := noticeList{Items: []Notice{}}
	for _, n := range ns {
		out.Items = append(out.Items, noticeOut(n))
	}
	return reply(out), nil
}
