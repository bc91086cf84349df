// Package server wires Provisio together: the database, the use cases and
// the HTTP surfaces, with health checks, metrics, logs and a graceful stop.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/provisio/provisio/internal/api"
	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/httperr"
	"github.com/provisio/provisio/internal/jobs"
	"github.com/provisio/provisio/internal/mail"
	"github.com/provisio/provisio/internal/oidcop"
	"github.com/provisio/provisio/internal/outbound"
	"github.com/provisio/provisio/internal/scim"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/web"
)

// Config holds the server's settings.
type Config struct {
	Addr                  string
	DatabaseURL           string
	DisposableDomainsFile string // extra disposable domains, one per line
	ShutdownTimeout       time.Duration
	App                   app.Config
	SMTP                  mail.SMTPConfig // no Host: notices stay in the local mailbox
	Jobs                  jobs.Config
	WebhookClient         *http.Client // nil: an outbound client (internal/outbound)
	// SecretKeys seals the stored secrets (webhook keys, OIDC client
	// secrets, TOTP secrets): "id:base64key[,id2:base64key2…]", the first
	// sealing, all opening. Empty: a key kept in the database.
	SecretKeys string
	// OutboundLoopback lets webhooks and identity providers be reached on
	// loopback addresses: for tests and development only. Private,
	// link-local and metadata addresses are refused regardless.
	OutboundLoopback bool
}

// Server is a wired Provisio instance.
type Server struct {
	cfg   Config
	DB    *store.DB
	App   *app.App
	Queue *jobs.Queue
	log   *slog.Logger
	mux   *http.ServeMux
	web   *web.Handler
	// provider is the OpenID provider for the sites' applications.
	provider *oidcop.Provider
	// serving counts the requests being served and lastServed holds when
	// the last one began, in nanoseconds since serverStart (observe), for
	// the background work that gives way to them (busy).
	serving    atomic.Int64
	lastServed atomic.Int64
	// oidcHTTP calls organisations' identity providers.
	oidcHTTP *http.Client
}

// Open connects to the database, applies migrations and wires the app.
// now is the clock (nil for the real one).
func Open(ctx context.Context, cfg Config, log *slog.Logger, now func() time.Time) (*Server, error) {
	if err := checkAppSettings(cfg.App); err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := sealSecrets(ctx, db, cfg.SecretKeys, log); err != nil {
		db.Close()
		return nil, err
	}
	emails, err := EmailPolicy(cfg.DisposableDomainsFile)
	if err != nil {
		db.Close()
		return nil, err
	}
	var send jobs.Sender
	if cfg.SMTP.Host != "" {
		smtp, err := mail.NewSMTP(cfg.SMTP)
		if err != nil {
			db.Close()
			return nil, err
		}
		send = func(ctx context.Context, n *domain.Notice) error {
			return smtp.Send(ctx, mail.Envelope{ID: n.ID, To: n.ToEmail, Subject: n.Subject, Text: n.Body, HTML: n.BodyHTML})
		}
	}
	cfg.App.MailLocal = send == nil
	s := &Server{cfg: cfg, DB: db, log: log}
	cfg.App.Busy = s.busy
	s.App = app.New(AppStore(db), cfg.App, emails, now, log)
	hooks := cfg.WebhookClient
	if hooks == nil {
		hooks = outbound.Client(15*time.Second, cfg.OutboundLoopback)
	}
	s.oidcHTTP = outbound.Client(10*time.Second, cfg.OutboundLoopback)
	if s.Queue, err = jobs.New(jobs.Conn{Pool: db.Pool(), SQL: db.SQL()}, s.App, cfg.Jobs, send,
		jobs.Posters{Webhooks: jobs.HTTPPoster(hooks), Provisioner: jobs.HTTPPoster(nil)}, log); err != nil {
		db.Close()
		return nil, err
	}
	s.App.SetJobs(s.Queue)
	if s.web, err = web.New(s.App, log); err != nil {
		db.Close()
		return nil, err
	}
	// The OpenID provider for the sites' applications needs an https
	// issuer; plain http only on this machine (development).
	if base := cfg.App.BaseURL; strings.HasPrefix(base, "https://") || isLoopbackURL(base) {
		if s.provider, err = oidcop.New(ctx, s.App, s.web, base, !strings.HasPrefix(base, "https://"), log); err != nil {
			db.Close()
			return nil, err
		}
	} else {
		log.Warn("the portal's base URL is not https: sites' applications cannot sign in through it (OpenID Connect needs https)",
			"base_url", base)
	}
	s.routes()
	return s, nil
}

// checkAppSettings refuses settings of the sites' applications that
// could not work.
func checkAppSettings(c app.Config) error {
	switch {
	case c.AppAccessTTL <= 0 || c.AppAccessTTL > time.Hour:
		return fmt.Errorf("--app-access-ttl must be more than 0 and at most 1h (a refresh re-runs the access decision), not %s", c.AppAccessTTL)
	case c.AppRefreshTTL < c.AppAccessTTL:
		return fmt.Errorf("--app-refresh-ttl (%s) must be at least --app-access-ttl (%s)", c.AppRefreshTTL, c.AppAccessTTL)
	case c.AppKeyRotation < time.Hour:
		return fmt.Errorf("--app-key-rotation must be at least 1h, not %s", c.AppKeyRotation)
	case c.AppRetention < 0:
		return fmt.Errorf("--app-retention cannot be negative")
	}
	if err := c.Reviews.Validate(); err != nil {
		return fmt.Errorf("--review-*: %w", err)
	}
	return c.Provisioner.Validate()
}

// isLoopbackURL reports whether u names this machine (development).
func isLoopbackURL(u string) bool {
	p, err := url.Parse(u)
	if err != nil {
		return false
	}
	h := p.Hostname()
	return h == "localhost" || h == "127.0.0.1" || h == "::1"
}

// EmailPolicy returns the embedded disposable-domain list plus the domains
// in file, if one is named.
func EmailPolicy(file string) (*domain.EmailPolicy, error) {
	if file == "" {
		return domain.NewEmailPolicy()
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("disposable domains: %w", err)
	}
	var extra []string
	for _, line := range strings.Split(string(b), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			extra = append(extra, line)
		}
	}
	return domain.NewEmailPolicy(extra...)
}

// Close releases the database.
func (s *Server) Close() error { return s.DB.Close() }

// Handler is the whole HTTP surface.
func (s *Server) Handler() http.Handler {
	return httperr.WithRequestID(s.observe(s.secureHeaders(http.NewCrossOriginProtection().Handler(s.refuseHostileInput(s.mux)))))
}

func (s *Server) routes() {
	s.mux = http.NewServeMux()
	s.mux.Handle("/api/v1/", api.New(s.App, s.log))
	if s.provider != nil {
		s.mux.Handle(oidcop.Prefix, s.provider) // R-APP-2
		s.mux.Handle("GET "+oidcop.Discovery, s.provider)
	}
	scimHandler := scim.New(s.App, s.log, s.App.Config().BaseURL)
	s.mux.Handle(scim.Prefix+"/", scimHandler) // R-APP-1, R-APP-4
	s.mux.Handle(scim.Prefix, scimHandler)
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	s.mux.HandleFunc("GET /readyz", s.ready)
	s.mux.Handle("GET /metrics", metricsHandler())
	s.mux.HandleFunc("GET /auth/oidc/{org}/start", s.startOIDC)
	s.mux.HandleFunc("GET "+oidcCallbackPath, s.oidcCallback)
	s.mux.Handle("/", s.web) // the pages of the web UI
}

// ready answers 200 when the database answers and its schema is current.
func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.DB.Ping(ctx); err != nil {
		s.log.WarnContext(ctx, "not ready", "err", err)
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	if err := s.DB.CheckSchema(ctx); errors.Is(err, store.ErrSchemaNotCurrent) {
		s.log.WarnContext(ctx, "not ready", "err", err)
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	} else if err != nil {
		s.log.WarnContext(ctx, "not ready", "err", err)
		http.Error(w, "database schema unknown", http.StatusServiceUnavailable)
		return
	}
	_, _ = w.Write([]byte("ready\n"))
}

// Serve runs the background queue and answers on ln until ctx ends, then
// stops gracefully: it stops accepting, lets requests and jobs in flight
// finish (up to ShutdownTimeout).
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	if err := s.Queue.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("start background queue: %w", err)
	}
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	timeout := s.cfg.ShutdownTimeout
	if timeout <= 0 {
		timeout = 15 * time.Second
	}
	s.log.Info("shutting down", "timeout", timeout)
	sctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if e := <-errc; !errors.Is(e, http.ErrServerClosed) && err == nil {
		err = e
	}
	if e := s.Queue.Stop(sctx); e != nil && err == nil {
		err = fmt.Errorf("stop background queue: %w", e)
	}
	return err
}

func remoteHost(r *http.Request) string {
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return h
	}
	return r.RemoteAddr
}

// AppStore is db as app reads and writes it.
func AppStore(db *store.DB) app.Store {
	return store.Bind(db, func(tx *store.Tx) app.Tx { return tx })
}
