package server

import (
	"net/http"
	"strings"
)

// contentSecurityPolicy allows only the portal's own scripts, styles and
// images (and data: images, for the enrolment QR code), no framing, and
// forms posting back to the portal. Styles may be inline: htmx adds its
// indicator styles, and a few elements carry a width; scripts may not.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// secureHeaders sets the security headers of every answer (OWASP ASVS 4.0
// V14.4): the content policy, no sniffing, no referrer beyond the portal,
// no framing, HSTS when the portal is served over HTTPS, and no caching,
// which the static assets' own handler overrides for their hashed URLs.
func (s *Server) secureHeaders(next http.Handler) http.Handler {
	hsts := strings.HasPrefix(s.cfg.App.BaseURL, "https://")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cache-Control", "no-store")
		if hsts {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}
