package server_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/server"
)

// open opens a server over cfg with its logs discarded, closed when the
// test ends.
func open(t *testing.T, cfg server.Config) *server.Server {
	t.Helper()
	s, err := server.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// serve runs s on a loopback port, with its background jobs, until the
// test ends; it returns the context that ends with it.
func serve(t *testing.T, s *server.Server) context.Context {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return serveOn(t, s, ln)
}

// serveOn is serve on a listener of the test's, whose address the test
// already gave the server as its base URL.
func serveOn(t *testing.T, s *server.Server, ln net.Listener) context.Context {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-done })
	return ctx
}

// operator bootstraps the vendor with its first operator, Olivia, who
// accepts her invitation; it returns her as an actor, with an API token.
func operator(t *testing.T, ctx context.Context, a *app.App) (app.Actor, string) {
	t.Helper()
	_, link, err := a.Bootstrap(ctx, "Vendor", "olivia@vendor.example", "Olivia Operator")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.AcceptInvitation(ctx, "", link[strings.LastIndex(link, "/")+1:], "a long enough password"); err != nil {
		t.Fatal(err)
	}
	token, _, err := a.IssueToken(ctx, "", "olivia@vendor.example", "a long enough password", "test")
	if err != nil {
		t.Fatal(err)
	}
	op, err := a.Authenticate(ctx, token, "")
	if err != nil {
		t.Fatal(err)
	}
	return op, token
}
