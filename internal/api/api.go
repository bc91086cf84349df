// Package api serves Provisio's JSON REST API under /api/v1, with its
// OpenAPI 3.1 document at /api/v1/openapi.json. Handlers parse, call the
// app and render; every rule lives in the app.
package api

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/identity"
)

// Version is the API's version in the OpenAPI document.
const Version = "1.0.0"

// Server is the REST API over an App.
type Server struct {
	app *app.App
	log *slog.Logger
	api huma.API
}

// New returns the API's handler. Mount it at "/api/v1/".
func New(a *app.App, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	cfg := huma.DefaultConfig("Provisio API", Version)
	cfg.Info.Description = "Provisioning portal for hosted business software: organisations, users, sites, " +
		"assignments and the activity log. Errors are RFC 9457 problem documents naming the rule that refused the request."
	cfg.OpenAPIPath = "/api/v1/openapi"
	cfg.DocsPath = "" // served by docs.go, with nothing from elsewhere
	cfg.SchemasPath = "/api/v1/schemas"
	cfg.CreateHooks = nil // no $schema links in bodies
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer": {Type: "http", Scheme: "bearer", Description: "a personal API token from POST /api/v1/tokens"},
	}
	s := &Server{app: a, log: log, api: humago.New(mux, cfg)}
	s.api.UseMiddleware(s.authenticate)
	s.routes()
	mux.HandleFunc("GET /api/v1/docs", s.docs)
	mux.HandleFunc(notFoundPattern, func(w http.ResponseWriter, r *http.Request) {
		if allowed := allowedMethods(mux, r); len(allowed) > 0 {
			w.Header().Set("Allow", strings.Join(allowed, ", "))
			writeProblem(w, http.StatusMethodNotAllowed, "invalid",
				r.Method+" is not an operation of "+r.URL.Path+"; it takes "+strings.Join(allowed, ", "))
			return
		}
		writeProblem(w, http.StatusNotFound, "not_found", "no such API endpoint")
	})
	return handler{idempotent: idempotent{app: a, log: log, next: mux}, mux: mux}
}

// allowedMethods lists the methods that have an operation at r's path,
// for a 405 that says which to use.
func allowedMethods(mux *http.ServeMux, r *http.Request) []string {
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, p := mux.Handler(probe); p != notFoundPattern && p != "" {
			out = append(out, m)
		}
	}
	return out
}

// notFoundPattern catches the paths under /api/v1/ that no operation has.
const notFoundPattern = "/api/v1/"

// handler is the API: its operations behind the Idempotency-Key layer.
type handler struct {
	idempotent
	mux *http.ServeMux
}

// Route names the pattern of the operation that serves r, such as
// "GET /api/v1/users/{id}", or "" when no operation does. The server's
// metrics count requests by it.
func (h handler) Route(r *http.Request) string {
	if _, p := h.mux.Handler(r); p != notFoundPattern {
		return p
	}
	return ""
}

type actorKey struct{}

// actorOf returns the actor the middleware authenticated.
func actorOf(ctx context.Context) app.Actor {
	act, _ := ctx.Value(actorKey{}).(app.Actor)
	return act
}

// SessionCookie is the name of the browser session cookie.
const SessionCookie = identity.SessionCookie

type sessionKey struct{}

// sessionOf returns the id of the session the request came with, if any.
func sessionOf(ctx context.Context) string {
	id, _ := ctx.Value(sessionKey{}).(string)
	return id
}

// authenticate resolves the credentials of operations that need them: a
// bearer API token ("pvt_…"), a bearer session token ("pvs_…", what the
// CLI gets from POST /session), or the session cookie. A session that
// still has to enrol a second factor reaches only the MFA operations.
func (s *Server) authenticate(ctx huma.Context, next func(huma.Context)) {
	remote := remoteHost(ctx.RemoteAddr())
	op := ctx.Operation()
	if op == nil || len(op.Security) == 0 {
		next(huma.WithValue(ctx, actorKey{}, app.Actor{RemoteAddr: remote}))
		return
	}
	token, bearer := strings.CutPrefix(ctx.Header("Authorization"), "Bearer ")
	token = strings.TrimSpace(token)
	if !bearer {
		if cs, err := http.ParseCookie(ctx.Header("Cookie")); err == nil {
			for _, c := range cs {
				if c.Name == SessionCookie {
					token = c.Value
				}
			}
		}
	}
	if token == "" {
		ctx.SetHeader("WWW-Authenticate", `Bearer realm="provisio"`)
		_ = huma.WriteErr(s.api, ctx, http.StatusUnauthorized, "sign in first: send an API token as Authorization: Bearer <token>, or a session")
		return
	}
	var act app.Actor
	var sessionID string
	var err error
	if strings.HasPrefix(token, "pvs_") {
		act, sessionID, err = s.app.SessionActor(ctx.Context(), token, remote)
	} else {
		act, err = s.app.Authenticate(ctx.Context(), token, remote)
	}
	if err != nil {
		ctx.SetHeader("WWW-Authenticate", `Bearer realm="provisio", error="invalid_token"`)
		p := problemOf(ctx.Context(), s.log, err).(*Problem)
		_ = huma.WriteErr(s.api, ctx, p.Status, p.Detail)
		return
	}
	ctx = huma.WithValue(ctx, actorKey{}, act)
	next(huma.WithValue(ctx, sessionKey{}, sessionID))
}

func remoteHost(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return addr
}

var bearer = []map[string][]string{{"bearer": {}}}

// handle registers one operation. Unless public, it needs a bearer token.
// Errors from the app become problem documents.
func handle[I, O any](s *Server, public bool, op huma.Operation, h func(context.Context, app.Actor, *I) (*O, error)) {
	if !public {
		op.Security = bearer
	}
	op.Errors = append(op.Errors, 400, 401, 403, 404, 409, 422)
	huma.Register(s.api, op, func(ctx context.Context, in *I) (*O, error) {
		out, err := h(ctx, actorOf(ctx), in)
		if err != nil {
			return nil, problemOf(ctx, s.log, err)
		}
		return out, nil
	})
}

// body wraps a response body.
type body[T any] struct {
	Body T
}

func reply[T any](v T) *body[T] { return &body[T]{Body: v} }
