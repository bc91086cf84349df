package scim

import (
	"net/http"
	"strings"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
)

func eqFold(a, b string) bool { return strings.EqualFold(a, b) }

// groups serves /Groups for an organisation's identity provider (R-APP-4).
// A site's application has none.
func (h *Handler) groups(w http.ResponseWriter, r *http.Request, c app.SCIMClient, id string) {
	ctx := r.Context()
	switch {
	case id == "" && r.Method == http.MethodGet:
		q, err := listQuery(r)
		if err != nil {
			fail(w, r, h.log, err)
			return
		}
		list, total, err := h.app.SCIMGroups(ctx, c, q)
		if err != nil {
			fail(w, r, h.log, err)
			return
		}
		docs := make([]map[string]any, len(list))
		for i, g := range list {
			docs[i] = groupDoc(g, h.base)
		}
		listResponse(w, r, q, total, docs)
	case id == "" && r.Method == http.MethodPost:
		g, err := readGroup(r)
		if err != nil {
			fail(w, r, h.log, err)
			return
		}
		out, err := h.app.SCIMCreateGroup(ctx, c, g)
		if err != nil {
			fail(w, r, h.log, err)
			return
		}
		one(w, r, http.StatusCreated, groupDoc(out, h.base))
	case id == "":
		methodNotAllowed(w, r, h.log, "GET, POST")
	case r.Method == http.MethodGet:
		g, err := h.app.SCIMGroup(ctx, c, id)
		if err != nil {
			fail(w, r, h.log, err)
			return
		}
		one(w, r, http.StatusOK, groupDoc(g, h.base))
	case r.Method == http.MethodPut:
		version, err := ifMatch(r)
		if err != nil {
			fail(w, r, h.log, err)
			return
		}
		g, err := readGroup(r)
		if err != nil {
			fail(w, r, h.log, err)
			return
		}
		out, err := h.app.SCIMReplaceGroup(ctx, c, id, version, g)
		if err != nil {
			fail(w, r, h.log, err)
			return
		}
		one(w, r, http.StatusOK, groupDoc(out, h.base))
	case r.Method == http.MethodPatch:
		h.patchGroup(w, r, c, id)
	case r.Method == http.MethodDelete:
		version, err := ifMatch(r)
		if err == nil {
			err = h.app.SCIMDeleteGroup(ctx, c, id, version)
		}
		if err != nil {
			fail(w, r, h.log, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		methodNotAllowed(w, r, h.log, "GET, PUT, PATCH, DELETE")
	}
}

func readGroup(r *http.Request) (domain.SCIMGroup, error) {
	doc, err := readDoc(r)
	if err != nil {
		return domain.SCIMGroup{}, err
	}
	return groupInput(canon(doc, groupAttrs, false))
}

func (h *Handler) patchGroup(w http.ResponseWriter, r *http.Request, c app.SCIMClient, id string) {
	ctx := r.Context()
	ops, err := readPatch(r)
	if err != nil {
		fail(w, r, h.log, err)
		return
	}
	version, err := ifMatch(r)
	if err != nil {
		fail(w, r, h.log, err)
		return
	}
	cur, err := h.app.SCIMGroup(ctx, c, id)
	if err != nil {
		fail(w, r, h.log, err)
		return
	}
	if version != 0 && version != cur.Version {
		fail(w, r, h.log, &domain.Error{Code: domain.EPrecondition, Message: "the group changed since it was read; read it again"})
		return
	}
	doc := canon(groupDoc(cur, h.base), groupAttrs, false)
	if err := applyPatch(doc, ops, groupAttrs, false); err != nil {
		fail(w, r, h.log, err)
		return
	}
	g, err := groupInput(doc)
	if err != nil {
		fail(w, r, h.log, err)
		return
	}
	out, err := h.app.SCIMReplaceGroup(ctx, c, id, cur.Version, g)
	if err != nil {
		fail(w, r, h.log, err)
		return
	}
	patched(w, r, groupDoc(out, h.base))
}
