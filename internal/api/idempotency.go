package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/provisio/provisio/internal/app"
)

// secretAnswers are the operations whose answers hold a secret shown once
// (a token, an authenticator's secret, recovery codes, a webhook's key):
// their answers are never stored, so they take no Idempotency-Key.
var secretAnswers = map[string]bool{
	"/api/v1/tokens": true, "/api/v1/session": true, "/api/v1/mfa/totp": true, "/api/v1/mfa/totp/confirm": true,
	"/api/v1/webhooks": true,
}

// idempotent honours Idempotency-Key on POST (DESIGN.md): the first
// request with a key runs and its answer is kept for a day; a retry with
// the same key from the same caller gets the same answer without running
// again (marked Idempotent-Replayed: true). The same key with another
// request is refused, and so is a retry while the first still runs.
type idempotent struct {
	app  *app.App
	log  *slog.Logger
	next http.Handler
}

func (h idempotent) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get("Idempotency-Key")
	if r.Method != http.MethodPost || key == "" {
		h.next.ServeHTTP(w, r)
		return
	}
	if secretAnswers[r.URL.Path] || strings.HasSuffix(r.URL.Path, "/scim-tokens") || strings.HasPrefix(r.URL.Path, "/api/v1/scim-tokens/") ||
		strings.HasSuffix(r.URL.Path, "/apps") || strings.HasSuffix(r.URL.Path, "/rotate-secret") {
		writeProblem(w, http.StatusBadRequest, "invalid", "Idempotency-Key is not accepted on POST "+r.URL.Path+
			": its answer holds a secret, which is never stored for replay; send the request without the header")
		return
	}
	if len(key) > 255 {
		writeProblem(w, http.StatusBadRequest, "invalid", "Idempotency-Key must be at most 255 characters")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeProblem(w, http.StatusBadRequest, "invalid", "could not read the request body")
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	scope := "anon:" + remoteHost(r.RemoteAddr)
	if a := r.Header.Get("Authorization"); a != "" {
		scope = "auth:" + a
	} else if c, err := r.Cookie(SessionCookie); err == nil {
		scope = "cookie:" + c.Value
	}
	request := r.URL.Path + "\x00" + string(body)
	first, replay, err := h.app.ClaimIdempotencyKey(r.Context(), scope, key, request)
	switch {
	case err != nil:
		h.log.ErrorContext(r.Context(), "idempotency key", "err", err)
		writeProblem(w, http.StatusInternalServerError, "internal", "internal error")
		return
	case !first && !app.RequestMatches(replay, request):
		writeProblem(w, http.StatusUnprocessableEntity, "invalid", "this Idempotency-Key was used for a different request")
		return
	case !first && replay.Status == 0:
		writeProblem(w, http.StatusConflict, "conflict", "a request with this Idempotency-Key is still running; try again shortly")
		return
	case !first:
		if replay.ContentType != "" {
			w.Header().Set("Content-Type", replay.ContentType)
		}
		w.Header().Set("Idempotent-Replayed", "true")
		w.WriteHeader(replay.Status)
		_, _ = io.WriteString(w, replay.Body)
		return
	}
	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	h.next.ServeHTTP(rec, r)
	// The work is done even if the client has gone; its retry must get
	// this answer, not "still running" until the lease ends.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), completeTimeout)
	defer cancel()
	if err := h.app.CompleteIdempotencyKey(ctx, scope, key, rec.status, rec.Header().Get("Content-Type"), rec.body.String()); err != nil {
		h.log.ErrorContext(ctx, "idempotency key", "err", err)
	}
}

// completeTimeout bounds storing the answer once the client may be gone.
const completeTimeout = 10 * time.Second

// recorder passes a response through and keeps a copy.
type recorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (r *recorder) WriteHeader(code int) { r.status = code; r.ResponseWriter.WriteHeader(code) }

func (r *recorder) Write(b []byte) (int, error) {
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}

// writeProblem answers with a problem document, outside huma.
func writeProblem(w http.ResponseWriter, status int, code, detail string) {
	b, _ := json.Marshal(&Problem{Type: "urn:provisio:problem:" + code, Title: http.StatusText(status), Status: status,
		Code: code, Detail: detail})
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
