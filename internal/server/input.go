package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"sort"
	"strings"
	"unicode/utf8"
)

// maxBody bounds every request body: nothing the portal takes is larger.
const maxBody = 1 << 20

// refuseHostileInput answers 400 before any handler runs when a request
// carries a NUL character (U+0000) in its path, query, form or JSON body,
// or bytes that are not UTF-8 in its path, query or form, naming the
// field: PostgreSQL cannot store either, and no person types them.
// Bodies are bounded to maxBody (413 beyond).
func (s *Server) refuseHostileInput(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		field, err := nulField(w, r)
		var tooLarge *http.MaxBytesError
		switch {
		case errors.As(err, &tooLarge):
			s.refuse(w, r, http.StatusRequestEntityTooLarge, "body", fmt.Sprintf("the request body is larger than %d bytes", maxBody))
		case err != nil:
			s.refuse(w, r, http.StatusBadRequest, "body", "the request body cannot be read")
		case field != "":
			s.refuse(w, r, http.StatusBadRequest, field, field+" contains a NUL character (U+0000) or bytes that are not UTF-8, which no text may hold")
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// nulField returns the name of the first input of r that holds a NUL
// character, or "". It reads a JSON or form body, bounded, and leaves it
// readable for the handler.
func nulField(w http.ResponseWriter, r *http.Request) (string, error) {
	if badText(r.URL.Path) {
		return "path", nil
	}
	for _, k := range sortedKeys(r.URL.Query()) {
		if badText(k) || badText(strings.Join(r.URL.Query()[k], "")) {
			return k, nil
		}
	}
	if r.Body == nil || r.Body == http.NoBody {
		return "", nil
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case ct == "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return "", err
		}
		for _, k := range sortedKeys(r.PostForm) {
			if badText(k) || badText(strings.Join(r.PostForm[k], "")) {
				return k, nil
			}
		}
	case ct == "application/json" || strings.HasSuffix(ct, "+json"):
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return "", err
		}
		r.Body = io.NopCloser(bytes.NewReader(b))
		if bytes.IndexByte(b, 0) >= 0 {
			return "body", nil
		}
		if bytes.Contains(bytes.ToLower(b), []byte(`\u0000`)) {
			var v any
			if json.Unmarshal(b, &v) == nil {
				if f := nulIn(v, ""); f != "" {
					return f, nil
				}
			}
		}
	}
	return "", nil
}

// badText reports text no input may hold: a NUL character, or bytes that
// are not UTF-8 (PostgreSQL refuses both; JSON decoding already replaces
// the latter).
func badText(s string) bool { return strings.ContainsRune(s, 0) || !utf8.ValidString(s) }

// nulIn finds a NUL character in a decoded JSON value and returns where:
// "email", "roles[1]", "body".
func nulIn(v any, at string) string {
	name := func(k string) string {
		if at == "" {
			return k
		}
		return at + "." + k
	}
	switch x := v.(type) {
	case string:
		if strings.ContainsRune(x, 0) {
			return cmpOr(at, "body")
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if strings.ContainsRune(k, 0) {
				return cmpOr(at, "body")
			}
			if f := nulIn(x[k], name(k)); f != "" {
				return f
			}
		}
	case []any:
		for i, e := range x {
			if f := nulIn(e, fmt.Sprintf("%s[%d]", cmpOr(at, "body"), i)); f != "" {
				return f
			}
		}
	}
	return ""
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func sortedKeys(v map[string][]string) []string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// refuse answers a request the portal will not read: a problem document
// on the API, a page elsewhere.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, status int, field, msg string) {
	if !strings.HasPrefix(r.URL.Path, "/api/") {
		s.web.Refuse(w, r, status, msg)
		return
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"type": "urn:provisio:problem:invalid", "title": http.StatusText(status),
		"status": status, "detail": msg, "code": "invalid", "field": field})
}
