package server

import (
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/httperr"
)

var (
	registry = prometheus.NewRegistry()
	requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "provisio_http_requests_total", Help: "HTTP requests by method, route and status.",
	}, []string{"method", "route", "status"})
	latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "provisio_http_request_duration_seconds", Help: "HTTP request latency by route.",
		Buckets: prometheus.DefBuckets,
	}, []string{"method", "route"})
)

func init() {
	registry.MustRegister(requests, latency, collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
}

func metricsHandler() http.Handler { return promhttp.HandlerFor(registry, promhttp.HandlerOpts{}) }

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe logs each request and counts it by route pattern, so that ids
// in paths do not explode the metrics' label sets.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		s.serving.Add(1)
		defer s.serving.Add(-1)
		// Written at most once a millisecond, not by every request on
		// every core: busy needs no finer time.
		if t := int64(time.Since(serverStart)); t-s.lastServed.Load() > int64(time.Millisecond) {
			s.lastServed.Store(t)
		}
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		route := s.route(r)
		d := time.Since(start)
		requests.WithLabelValues(r.Method, route, strconv.Itoa(sw.status)).Inc()
		latency.WithLabelValues(r.Method, route).Observe(d.Seconds())
		level := slog.LevelInfo
		if sw.status >= 500 {
			level = slog.LevelError
		}
		s.log.Log(r.Context(), level, "request", "method", r.Method, "path", domain.RedactLinkSecrets(r.URL.Path), "route", route,
			"status", sw.status, "duration_ms", float64(d.Microseconds())/1000, "remote", r.RemoteAddr,
			"request_id", httperr.RequestID(r.Context()))
	})
}

// serverStart is the origin of lastServed, on the monotonic clock.
var serverStart = time.Now()

// busyWithin is how recently a request must have begun for the server to
// count as busy between requests: a client that sends one request after
// another leaves gaps shorter than this.
const busyWithin = 50 * time.Millisecond

// busy reports whether people's requests are being served, or one began
// within busyWithin.
func (s *Server) busy() bool {
	return s.serving.Load() > 0 || time.Since(serverStart)-time.Duration(s.lastServed.Load()) < busyWithin
}

// unmatched is the route label of requests that no route serves.
const unmatched = "unmatched"

// router is a handler with routes of its own: the API, the web UI.
type router interface {
	// Route names the pattern that serves r, or "" when none does.
	Route(r *http.Request) string
}

// route names the pattern that serves r, for the metrics' labels: the
// innermost router's, without the method (a label of its own). Requests
// that no route serves share one label, so that whatever paths clients
// try, the label set stays bounded.
func (s *Server) route(r *http.Request) string {
	h, p := s.mux.Handler(r)
	if sub, ok := h.(router); ok {
		p = sub.Route(r)
	}
	// A pattern is "[METHOD ][HOST]/PATH"; keep the path.
	if i := strings.IndexByte(p, '/'); i >= 0 {
		return p[i:]
	}
	return unmatched
}
