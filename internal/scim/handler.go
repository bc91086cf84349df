// Package scim serves SCIM 2.0 (RFC 7643, RFC 7644) under /scim/v2, one
// implementation for both of its uses: an organisation's identity
// provider manages the organisation's users and groups (R-APP-4), and a
// site's application reads the site's users and links them to its own
// accounts (R-APP-1). Which one a caller is follows from its token.
package scim

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	filter "github.com/scim2/filter-parser/v2"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
)

// Prefix is where the service is mounted.
const Prefix = "/scim/v2"

// maxCount bounds a page.
const maxCount = 1000

// Handler serves SCIM.
type Handler struct {
	app  *app.App
	log  *slog.Logger
	base string // the service's absolute URL, for meta.location
}

// New returns the SCIM handler; baseURL is the portal's.
func New(a *app.App, log *slog.Logger, baseURL string) *Handler {
	return &Handler{app: a, log: log, base: strings.TrimRight(baseURL, "/") + Prefix}
}

// ServeHTTP routes a request. Resource paths match case-insensitively
// (/Users and /users).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if p := recover(); p != nil { // a bug: logged with its cause, answered as a SCIM error
			fail(w, r, h.log, fmt.Errorf("scim %s %s: panic: %v", r.Method, r.URL.Path, p))
		}
	}()
	rest := strings.Trim(strings.TrimPrefix(r.URL.Path, Prefix), "/")
	parts := strings.Split(rest, "/")
	kind := strings.ToLower(parts[0])
	id := ""
	if len(parts) > 1 {
		id = parts[1]
	}
	if len(parts) > 2 {
		fail(w, r, h.log, domain.NotFound("resource"))
		return
	}
	c, err := h.app.SCIMAuthenticate(r.Context(), bearer(r), r.RemoteAddr)
	if err != nil {
		fail(w, r, h.log, err)
		return
	}
	switch {
	case kind == "serviceproviderconfig" || kind == "serviceconfiguration":
		h.only(w, r, id == "", http.MethodGet, func() { write(w, http.StatusOK, h.serviceProviderConfig()) })
	case kind == "resourcetypes":
		h.only(w, r, true, http.MethodGet, func() { h.resourceTypes(w, r, id) })
	case kind == "schemas":
		h.only(w, r, true, http.MethodGet, func() { h.schemas(w, r, id) })
	case kind == "users" && c.IsSite():
		h.siteUsers(w, r, c, id)
	case kind == "users":
		h.users(w, r, c, id)
	case kind == "groups":
		h.groups(w, r, c, id)
	default:
		fail(w, r, h.log, domain.NotFound("resource"))
	}
}

func (h *Handler) only(w http.ResponseWriter, r *http.Request, ok bool, method string, fn func()) {
	switch {
	case !ok:
		fail(w, r, h.log, domain.NotFound("resource"))
	case r.Method != method:
		methodNotAllowed(w, r, h.log, method)
	default:
		fn()
	}
}

func methodNotAllowed(w http.ResponseWriter, r *http.Request, log *slog.Logger, allow string) {
	w.Header().Set("Allow", allow)
	write(w, http.StatusMethodNotAllowed, scimError{Schemas: []string{schemaError}, Status: "405",
		Detail: r.Method + " is not supported here; use " + allow})
}

func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// write answers v as SCIM JSON.
func write(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/scim+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// readDoc reads a JSON object body.
func readDoc(r *http.Request) (map[string]any, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, invalid("", "the request body could not be read")
	}
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil || doc == nil {
		return nil, &scimTypeErr{"invalidSyntax", "the request body is not a JSON object"}
	}
	return doc, nil
}

// ifMatch reads the version an If-Match header asks for (W/"3"); 0 when
// there is none or it is "*".
func ifMatch(r *http.Request) (int64, error) {
	v := strings.TrimSpace(r.Header.Get("If-Match"))
	if v == "" || v == "*" {
		return 0, nil
	}
	n, err := strconv.ParseInt(strings.Trim(strings.TrimPrefix(v, "W/"), `"`), 10, 64)
	if err != nil || n <= 0 {
		return 0, &domain.Error{Code: domain.EPrecondition, Message: "If-Match holds an ETag this service did not give"}
	}
	return n, nil
}

// listQuery reads filter, startIndex and count (RFC 7644 section 3.4.2).
func listQuery(r *http.Request) (domain.SCIMQuery, error) {
	q := domain.SCIMQuery{StartIndex: 1, Count: 100}
	v := r.URL.Query()
	if s := v.Get("startIndex"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return q, invalid("startIndex", "startIndex is a number from 1")
		}
		q.StartIndex = max(n, 1)
	}
	if s := v.Get("count"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return q, invalid("count", "count is a number")
		}
		q.Count = min(max(n, 0), maxCount)
	}
	if s := strings.TrimSpace(v.Get("filter")); s != "" {
		if len(s) > maxFilter {
			return q, &domain.Error{Code: domain.EInvalid, Field: "filter", Message: fmt.Sprintf(
				"the filter is %d characters long; at most %d are accepted", len(s), maxFilter)}
		}
		e, err := filter.ParseFilter([]byte(quoteBare(s)))
		if err != nil {
			return q, &domain.Error{Code: domain.EInvalid, Field: "filter", Message: "cannot read the filter " + strconv.Quote(s) +
				`; write it as in RFC 7644, e.g. userName eq "ann@example.com"`}
		}
		if n, depth := size(e, 1); n > maxFilterTerms || depth > maxFilterDepth {
			return q, &domain.Error{Code: domain.EInvalid, Field: "filter", Message: fmt.Sprintf(
				"the filter has %d terms nested %d deep; at most %d terms and %d levels are accepted",
				n, depth, maxFilterTerms, maxFilterDepth)}
		}
		q.Filter = e
	}
	return q, nil
}

// The bounds of a filter: generous for any real query, and far below what
// would strain the database.
const (
	maxFilter      = 4096
	maxFilterTerms = 64
	maxFilterDepth = 16
)

// size counts a filter's terms and its depth.
func size(e filter.Expression, depth int) (terms, deepest int) {
	switch x := e.(type) {
	case *filter.LogicalExpression:
		lt, ld := size(x.Left, depth+1)
		rt, rd := size(x.Right, depth+1)
		return lt + rt, max(ld, rd)
	case *filter.NotExpression:
		return size(x.Expression, depth+1)
	case *filter.ValuePath:
		t, d := size(x.ValueFilter, depth+1)
		return t, d
	}
	return 1, depth
}

var compareOp = regexp.MustCompile(`(?i)^(eq|ne|co|sw|ew|gt|ge|lt|le)$`)
var literal = regexp.MustCompile(`(?i)^(true|false|null|-?\d+(\.\d+)?([eE][+-]?\d+)?)$`)

// quoteBare puts quotes around the bare words that some clients send as
// comparison values (userName sw O, meta.created gt 2015-10-10T14:38:21Z),
// so that the filter reads as RFC 7644 writes it.
func quoteBare(s string) string {
	var out strings.Builder
	prevOp := false
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"':
			j := i + 1
			for j < len(s) && s[j] != '"' {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			j = min(j+1, len(s))
			out.WriteString(s[i:j])
			i, prevOp = j, false
		case c == ' ' || c == '(' || c == ')' || c == '[' || c == ']':
			out.WriteByte(c)
			i++
			if c != ' ' {
				prevOp = false
			}
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(` ()[]"`, rune(s[j])) {
				j++
			}
			word := s[i:j]
			if prevOp && !literal.MatchString(word) {
				out.WriteString(strconv.Quote(word))
			} else {
				out.WriteString(word)
			}
			prevOp = compareOp.MatchString(word)
			i = j
		}
	}
	return out.String()
}

// listResponse answers a page of resources.
func listResponse(w http.ResponseWriter, r *http.Request, q domain.SCIMQuery, total int, docs []map[string]any) {
	p := projection(r)
	res := make([]any, 0, len(docs))
	for _, d := range docs {
		res = append(res, p.apply(d))
	}
	write(w, http.StatusOK, map[string]any{"schemas": []string{schemaList}, "totalResults": total,
		"startIndex": q.StartIndex, "itemsPerPage": len(res), "Resources": res})
}

// one answers a single resource with its ETag.
func one(w http.ResponseWriter, r *http.Request, status int, doc map[string]any) {
	p := projection(r)
	if m, ok := doc["meta"].(map[string]any); ok {
		if v, ok := m["version"].(string); ok {
			w.Header().Set("ETag", v)
		}
		if l, ok := m["location"].(string); ok && status == http.StatusCreated {
			w.Header().Set("Location", l)
		}
	}
	write(w, status, p.apply(doc))
}

// patched answers a PATCH: 204, or the resource when the request asked
// for attributes.
func patched(w http.ResponseWriter, r *http.Request, doc map[string]any) {
	if r.URL.Query().Has("attributes") || r.URL.Query().Has("excludedAttributes") {
		one(w, r, http.StatusOK, doc)
		return
	}
	if m, ok := doc["meta"].(map[string]any); ok {
		if v, ok := m["version"].(string); ok {
			w.Header().Set("ETag", v)
		}
	}
	w.WriteHeader(http.StatusNoContent)
}
