// Package web serves Provisio's pages: server-rendered html/template with
// htmx for partial updates. Every page works as plain HTML forms without
// JavaScript; the use cases and their rules live in the app.
package web

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/httperr"
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
	// zoned are the views never executed, to copy for a person who reads
	// dates in their own time zone (html/template copies only those);
	// byZone keeps each copy made, by view and zone, so each is made once.
	zoned  map[string]*template.Template
	byZone sync.Map
	// zones caches the time zones loaded, by name (zone.go).
	zones sync.Map
	mux   *http.ServeMux
}

// views lists every page; New checks that each one parses.
var views = []string{"signin", "dashboard", "orgs", "org", "users", "user", "sites", "site", "requests",
	"audit", "compliance", "history", "timeline", "confirm", "notifications", "accounts", "reviews", "review", "mailbox", "mail", "account", "error", "invitation", "email", "access", "reset", "forgot"}

// New parses the templates once and returns the UI's handler.
func New(a *app.App, log *slog.Logger) (*Handler, error) {
	as, err := loadAssets()
	if err != nil {
		return nil, err
	}
	h := &Handler{app: a, log: log, assets: as, views: map[string]*template.Template{}, zoned: map[string]*template.Template{},
		mux: http.NewServeMux()}
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
		h.zoned[v] = template.Must(t.Clone())
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
	Typed  map[string]string // what the person typed in the refused form
	Query  url.Values
	Data   any
	Status int
	// Back, on an error page, leads back where the person came from (a
	// site's application) in place of the dashboard.
	Back, BackText string
}

// zonedView is the view showing dates in loc: a copy made once per view
// and zone.
func (h *Handler) zonedView(view string, loc *time.Location) *template.Template {
	key := view + "|" + loc.String()
	if t, ok := h.byZone.Load(key); ok {
		return t.(*template.Template)
	}
	c, err := h.zoned[view].Clone()
	if err != nil {
		return h.views[view]
	}
	t, _ := h.byZone.LoadOrStore(key, c.Funcs(template.FuncMap{"date": func(v time.Time) string { return showDate(v, loc) }}))
	return t.(*template.Template)
}

// showDate is a time as people read it, in loc, with the zone named.
func showDate(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "–"
	}
	return t.In(loc).Format("2 Jan 2006 15:04 MST")
}

func (h *Handler) funcs() template.FuncMap {
	return template.FuncMap{
		"asset": func(name string) string { return h.assets.url(name) },
		"date":  func(t time.Time) string { return showDate(t, time.UTC) },
		"day":   func(t time.Time) string { return t.UTC().Format("2006-01-02") },
		"typed": func(p page, form, field string) string {
			if p.Form == form {
				return p.Typed[field]
			}
			return ""
		},
		"errorFor": func(p page, form string) string {
			if p.Form == form {
				return p.Error
			}
			return ""
		},
		"dict": func(kv ...any) map[string]any {
			m := make(map[string]any, len(kv)/2)
			for i := 0; i+1 < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return m
		},
		"join":    func(v any) string { return strings.Trim(strings.ReplaceAll(fmt.Sprint(v), " ", ", "), "[]") },
		"linkify": h.linkify,
	}
}

// ownLink finds the portal's own links in a notice's text.
var ownLink = regexp.MustCompile(`https?://[^\s<>"]+`)

// linkify is a notice's plain text for a page: escaped, with the links to
// the portal itself (and only those) made links a person can follow.
func (h *Handler) linkify(text string) template.HTML {
	base := strings.TrimSuffix(h.app.Config().BaseURL, "/") + "/"
	var b strings.Builder
	last := 0
	for _, m := range ownLink.FindAllStringIndex(text, -1) {
		u := text[m[0]:m[1]]
		if base == "/" || !strings.HasPrefix(u, base) {
			continue
		}
		b.WriteString(template.HTMLEscapeString(text[last:m[0]]))
		fmt.Fprintf(&b, `<a href="%s">%s</a>`, template.HTMLEscapeString(u), template.HTMLEscapeString(u))
		last = m[1]
	}
	b.WriteString(template.HTMLEscapeString(text[last:]))
	return template.HTML(b.String()) // every part escaped above
}

// render writes a view inside the layout, with the flash message left by
// the POST that redirected here, if any.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, view string, p page) {
	p.Query = r.URL.Query()
	if f, ok := takeFlash(w, r); ok && p.Flash == "" && p.Error == "" {
		p.Flash, p.Error, p.Form, p.Typed = f.OK, f.Error, f.Form, f.Typed
	}
	t := h.views[view]
	if loc := h.location(r, p.Actor.User); loc != time.UTC {
		t = h.zonedView(view, loc)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		a := httperr.Report(r.Context(), h.log, fmt.Errorf("render view %s: %w", view, err))
		http.Error(w, a.Message, a.Status)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if p.Status != 0 {
		w.WriteHeader(p.Status)
	}
	_, _ = buf.WriteTo(w)
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
		act, sid, err := h.app.SessionActor(r.Context(), c.Value, remoteHost(r))
		if err != nil {
			http.Redirect(w, r, "/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		ctx := context.WithValue(r.Context(), actorKey{}, sessionInfo{id: sid})
		next(w, r.WithContext(ctx), act)
	}
}

// SessionActor returns the person signed in to the portal in this
// browser, if any, for the server's own browser flows (the OpenID
// provider's sign-in step).
func (h *Handler) SessionActor(r *http.Request) (app.Actor, string, bool) {
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return app.Actor{}, "", false
	}
	act, sid, err := h.app.SessionActor(r.Context(), c.Value, remoteHost(r))
	return act, sid, err == nil
}

type sessionInfo struct {
	id string
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
	return identity.NewSessionCookie(value, maxAge, h.secure())
}

// secure reports whether the portal is served over HTTPS, so cookies are
// sent over HTTPS only.
func (h *Handler) secure() bool { return strings.HasPrefix(h.app.Config().BaseURL, "https://") }
