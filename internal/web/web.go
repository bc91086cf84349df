// Package web serves Provisio's pages: server-rendered html/template with
// htmx for partial updates. Every page works as plain HTML forms without
// JavaScript; the use cases and their rules live in the app.
package web

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/identity"
)

//go:embed templates
var templateFS embed.FS

// SessionCookie is the browser session cookie (the API's too).
const SessionCookie = identity.SessionCookie

// Handler is the web UI.
type Handler struct {
	app    *app.App
	log    *slog.Logger
	assets *assets
	views  map[string]*template.Template
	mux    *http.ServeMux
}

// views lists every page; New checks that each one parses.
var views = []string{"signin", "dashboard", "orgs", "org", "users", "user", "sites", "site", "requests",
	"audit", "mailbox", "mail", "account", "error"}

// New parses the templates once and returns the UI's handler.
func New(a *app.App, log *slog.Logger) (*Handler, error) {
	as, err := loadAssets()
	if err != nil {
		return nil, err
	}
	h := &Handler{app: a, log: log, assets: as, views: map[string]*template.Template{}, mux: http.NewServeMux()}
	layout, err := template.New("layout.html").Funcs(h.funcs()).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("web: layout: %w", err)
	}
	for _, v := range views {
		t, err := template.Must(layout.Clone()).ParseFS(templateFS, "templates/"+v+".html")
		if err != nil {
			return nil, fmt.Errorf("web: view %s: %w", v, err)
		}
		h.views[v] = t
	}
	if matches, _ := fs.Glob(templateFS, "templates/*.html"); len(matches) != len(views)+1 {
		return nil, fmt.Errorf("web: %d template files for %d views and the layout", len(matches), len(views))
	}
	h.routes()
	return h, nil
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// Route names the pattern of the page that serves r, such as
// "GET /users/{id}", or "" when no page does. The server's metrics count
// requests by it.
func (h *Handler) Route(r *http.Request) string {
	_, p := h.mux.Handler(r)
	return p
}

// page is what every view gets.
type page struct {
	Title  string
	Nav    string
	Actor  app.Actor
	Flash  string // a success message
	Error  string // a refusal, shown next to the form named by Form
	Form   string
	Query  url.Values
	Data   any
	Status int
}

func (h *Handler) funcs() template.FuncMap {
	return template.FuncMap{
		"asset": func(name string) string { return h.assets.url(name) },
		"date": func(t time.Time) string {
			if t.IsZero() {
				return "–"
			}
			return t.UTC().Format("2 Jan 2006 15:04")
		},
		"day": func(t time.Time) string { return t.UTC().Format("2006-01-02") },
		"is":  func(act app.Actor, role string) bool { return act.User != nil && act.User.HasRole(domain.Role(role)) },
		"errorFor": func(p page, form string) string {
			if p.Form == form {
				return p.Error
			}
			return ""
		},
		"join": func(v any) string { return strings.Trim(strings.ReplaceAll(fmt.Sprint(v), " ", ", "), "[]") },
	}
}

// render writes a view inside the layout.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, view string, p page) {
	p.Query = r.URL.Query()
	if p.Flash == "" {
		p.Flash = p.Query.Get("ok")
	}
	if p.Error == "" {
		p.Error, p.Form = p.Query.Get("error"), p.Query.Get("form")
	}
	var buf bytes.Buffer
	if err := h.views[view].ExecuteTemplate(&buf, "layout.html", p); err != nil {
		h.log.Error("render", "view", view, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if p.Status != 0 {
		w.WriteHeader(p.Status)
	}
	_, _ = buf.WriteTo(w)
}

// fail shows an error page: not found for R-ORG-1, the message otherwise.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, act app.Actor, err error) {
	status := http.StatusBadRequest
	switch domain.ErrorCode(err) {
	case domain.ENotFound:
		status = http.StatusNotFound
	case domain.EForbidden:
		status = http.StatusForbidden
	case domain.EInternal:
		h.log.Error("page", "path", r.URL.Path, "err", err)
		err, status = errors.New("something went wrong on our side; please try again"), http.StatusInternalServerError
	}
	h.render(w, r, "error", page{Title: "Not possible", Actor: act, Error: err.Error(), Status: status})
}

// back redirects after a POST: to the form's page with the refusal next
// to the form, or with a success message.
func back(w http.ResponseWriter, r *http.Request, to, form string, err error, ok string) {
	q := url.Values{}
	if err != nil {
		msg := err.Error()
		if domain.ErrorCode(err) == domain.EInternal {
			msg = "something went wrong on our side; please try again"
		}
		q.Set("error", msg)
		q.Set("form", form)
	} else if ok != "" {
		q.Set("ok", ok)
	}
	sep := "?"
	if strings.Contains(to, "?") {
		sep = "&"
	}
	target := to
	if len(q) > 0 {
		target += sep + q.Encode()
	}
	if form != "" {
		target += "#" + form
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

type actorKey struct{}

// signedIn lets only signed-in people through; others go to sign-in. A
// session that must still enrol a second factor reaches only the account
// page (R-PLUS-3).
func (h *Handler) signedIn(next func(http.ResponseWriter, *http.Request, app.Actor)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(SessionCookie)
		if err != nil {
			http.Redirect(w, r, "/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		act, sid, restricted, err := h.app.SessionActor(r.Context(), c.Value, remoteHost(r))
		if err != nil {
			http.Redirect(w, r, "/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if restricted && !strings.HasPrefix(r.URL.Path, "/account") && r.URL.Path != "/signout" {
			http.Redirect(w, r, "/account?mfa=required", http.StatusSeeOther)
			return
		}
		ctx := context.WithValue(r.Context(), actorKey{}, sessionInfo{id: sid, restricted: restricted})
		next(w, r.WithContext(ctx), act)
	}
}

type sessionInfo struct {
	id         string
	restricted bool
}

func sessionOf(r *http.Request) sessionInfo {
	s, _ := r.Context().Value(actorKey{}).(sessionInfo)
	return s
}

func remoteHost(r *http.Request) string {
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return h
	}
	return r.RemoteAddr
}

func (h *Handler) cookie(value string, maxAge int) *http.Cookie {
	return identity.NewSessionCookie(value, maxAge, strings.HasPrefix(h.app.Config().BaseURL, "https://"))
}
