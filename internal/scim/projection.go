package scim

import (
	"net/http"
	"strings"
)

// proj is the attributes and excludedAttributes of a request (RFC 7644
// section 3.4.2.5). id, schemas and meta are always returned.
type proj struct {
	only    map[string]bool // lower-case names; nil: all
	exclude map[string]bool
}

func projection(r *http.Request) proj {
	var p proj
	q := r.URL.Query()
	if s := q.Get("attributes"); s != "" {
		p.only = names(s)
	}
	if s := q.Get("excludedAttributes"); s != "" {
		p.exclude = names(s)
	}
	return p
}

// names reads a comma-separated list of attribute paths; a value filter
// (emails[type eq "work"]) and sub-attributes select their attribute, and
// a schema URI prefix is dropped.
func names(s string) map[string]bool {
	out := map[string]bool{}
	for _, n := range strings.Split(s, ",") {
		n = strings.TrimSpace(n)
		if i := strings.IndexByte(n, '['); i >= 0 {
			n = n[:i]
		}
		if i := strings.LastIndexByte(n, ':'); i >= 0 {
			n = n[i+1:]
		}
		if i := strings.IndexByte(n, '.'); i >= 0 {
			n = n[:i]
		}
		if n != "" {
			out[strings.ToLower(n)] = true
		}
	}
	return out
}

func (p proj) apply(doc map[string]any) map[string]any {
	if p.only == nil && p.exclude == nil {
		return doc
	}
	out := make(map[string]any, len(doc))
	for k, v := range doc {
		lk := strings.ToLower(k)
		switch {
		case lk == "id" || lk == "schemas" || lk == "meta":
			out[k] = v
		case p.only != nil && !p.only[lk]:
		case p.exclude[lk]:
		default:
			out[k] = v
		}
	}
	return out
}
