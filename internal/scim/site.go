package scim

import (
	"net/http"
	"strings"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
)

// siteUsers serves /Users for a site's application (R-APP-1): the site's
// users, read-only but for externalId, which links a user to the
// application's own account.
func (h *Handler) siteUsers(w http.ResponseWriter, r *http.Request, c app.SCIMClient, id string) {
	ctx := r.Context()
	switch {
	case id == "" && r.Method == http.MethodGet:
		q, err := listQuery(r)
		if err != nil {
			fail(w, r, h.log, err)
			return
		}
		list, total, err := h.app.SCIMSiteMembers(ctx, c, q)
		if err != nil {
			fail(w, r, h.log, err)
			return
		}
		docs := make([]map[string]any, len(list))
		for i, m := range list {
			docs[i] = memberDoc(m, h.base)
		}
		listResponse(w, r, q, total, docs)
	case id == "" && r.Method == http.MethodPost, id != "" && r.Method == http.MethodDelete:
		fail(w, r, h.log, errSiteReads)
	case id == "":
		methodNotAllowed(w, r, h.log, "GET")
	case r.Method == http.MethodGet:
		m, err := h.app.SCIMSiteMember(ctx, c, id)
		if err != nil {
			fail(w, r, h.log, err)
			return
		}
		one(w, r, http.StatusOK, memberDoc(m, h.base))
	case r.Method == http.MethodPut || r.Method == http.MethodPatch:
		h.linkSiteUser(w, r, c, id)
	default:
		methodNotAllowed(w, r, h.log, "GET, PUT, PATCH")
	}
}

// errSiteReads refuses a site's application what only the customer's
// administrators do.
var errSiteReads = domain.RuleError(domain.EForbidden, "R-APP-1",
	"a site token reads the site's users and links them (externalId); users are added and removed in the portal")

// linkSiteUser applies a PUT or PATCH from the site's application: only
// externalId may differ from what the list says.
func (h *Handler) linkSiteUser(w http.ResponseWriter, r *http.Request, c app.SCIMClient, id string) {
	ctx := r.Context()
	cur, err := h.app.SCIMSiteMember(ctx, c, id)
	if err != nil {
		fail(w, r, h.log, err)
		return
	}
	curDoc := memberDoc(cur, h.base)
	var doc map[string]any
	if r.Method == http.MethodPatch {
		ops, err := readPatch(r)
		if err != nil {
			fail(w, r, h.log, err)
			return
		}
		doc = canon(curDoc, userAttrs, false)
		if err := applyPatch(doc, ops, userAttrs, false); err != nil {
			fail(w, r, h.log, err)
			return
		}
	} else {
		body, err := readDoc(r)
		if err != nil {
			fail(w, r, h.log, err)
			return
		}
		doc = canon(body, userAttrs, false)
	}
	ext, err := str(doc, "externalId")
	if err != nil {
		fail(w, r, h.log, err)
		return
	}
	if changedBesidesExternalID(canon(curDoc, userAttrs, false), doc, r.Method == http.MethodPut) {
		fail(w, r, h.log, &domain.Error{Code: domain.EForbidden, Rule: "R-APP-1", Field: "externalId",
			Message: "a site token may set externalId only; the site's users are managed in the portal"})
		return
	}
	m, err := h.app.SCIMLinkSiteUser(ctx, c, id, ext, r.Header.Get("If-Match"))
	if err != nil {
		fail(w, r, h.log, err)
		return
	}
	if r.Method == http.MethodPatch {
		patched(w, r, memberDoc(m, h.base))
		return
	}
	one(w, r, http.StatusOK, memberDoc(m, h.base))
}

// changedBesidesExternalID reports whether doc asks to change anything
// of cur but externalId. A PUT may leave attributes out.
func changedBesidesExternalID(cur, doc map[string]any, put bool) bool {
	for _, k := range []string{"userName", "displayName", "active"} {
		v, ok := doc[k]
		if !ok {
			if put {
				continue
			}
			return true
		}
		if k == "active" {
			b, err := boolean(k, v)
			if err != nil || b != cur[k] {
				return true
			}
			continue
		}
		s, _ := v.(string)
		if !strings.EqualFold(s, cur[k].(string)) {
			return true
		}
	}
	return false
}
