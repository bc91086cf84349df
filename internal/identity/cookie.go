package identity

import "net/http"

// SessionCookie names the browser session cookie, shared by the web UI,
// the API and external sign-in.
const SessionCookie = "provisio_session"

// NewSessionCookie returns the session cookie: HttpOnly, SameSite=Lax,
// site-wide, and Secure when the portal is served over TLS. A negative
// maxAge deletes it.
func NewSessionCookie(value string, maxAge int, secure bool) *http.Cookie {
	return &http.Cookie{Name: SessionCookie, Value: value, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: secure, MaxAge: maxAge}
}
