package scim

import (
	"context"
	"net/http"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
)

// resource is how one kind of resource of an organisation's identity
// provider (Users, Groups) is read and written; serve gives both the same
// HTTP surface.
type resource[T any] struct {
	attrs   []attr
	ext     bool // the enterprise extension applies
	list    func(context.Context, app.SCIMClient, domain.SCIMQuery) ([]T, int, error)
	get     func(context.Context, app.SCIMClient, string) (T, error)
	create  func(context.Context, app.SCIMClient, map[string]any) (T, error)
	replace func(context.Context, app.SCIMClient, string, int64, map[string]any) (T, error)
	remove  func(context.Context, app.SCIMClient, string, int64) error
	version func(T) int64
	doc     func(T) map[string]any
}

// serve answers one request on a resource type: the collection when id is
// "", else one resource.
func serve[T any](h *Handler, w http.ResponseWriter, r *http.Request, c app.SCIMClient, id string, res resource[T]) {
	ctx := r.Context()
	if id == "" {
		switch r.Method {
		case http.MethodGet:
			q, err := listQuery(r)
			if err != nil {
				fail(w, r, h.log, err)
				return
			}
			items, total, err := res.list(ctx, c, q)
			if err != nil {
				fail(w, r, h.log, err)
				return
			}
			docs := make([]map[string]any, len(items))
			for i, it := range items {
				docs[i] = res.doc(it)
			}
			listResponse(w, r, q, total, docs)
		case http.MethodPost:
			doc, err := readDoc(r)
			if err != nil {
				fail(w, r, h.log, err)
				return
			}
			out, err := res.create(ctx, c, canon(doc, res.attrs, res.ext))
			if err != nil {
				fail(w, r, h.log, err)
				return
			}
			one(w, r, http.StatusCreated, res.doc(out))
		default:
			methodNotAllowed(w, r, h.log, "GET, POST")
		}
		return
	}
	var out T
	var err error
	switch r.Method {
	case http.MethodGet:
		if out, err = res.get(ctx, c, id); err == nil {
			one(w, r, http.StatusOK, res.doc(out))
		}
	case http.MethodPut:
		var version int64
		var doc map[string]any
		if version, err = ifMatch(r); err == nil {
			doc, err = readDoc(r)
		}
		if err == nil {
			out, err = res.replace(ctx, c, id, version, canon(doc, res.attrs, res.ext))
		}
		if err == nil {
			one(w, r, http.StatusOK, res.doc(out))
		}
	case http.MethodPatch:
		if out, err = patch(r, c, id, res); err == nil {
			patched(w, r, res.doc(out))
		}
	case http.MethodDelete:
		var version int64
		if version, err = ifMatch(r); err == nil {
			err = res.remove(ctx, c, id, version)
		}
		if err == nil {
			w.WriteHeader(http.StatusNoContent)
		}
	default:
		methodNotAllowed(w, r, h.log, "GET, PUT, PATCH, DELETE")
		return
	}
	if err != nil {
		fail(w, r, h.log, err)
	}
}

// patch applies a PATCH to the stored resource and replaces it, so that
// every rule runs as for PUT; the version read guards the write.
func patch[T any](r *http.Request, c app.SCIMClient, id string, res resource[T]) (T, error) {
	var zero T
	ops, err := readPatch(r)
	if err != nil {
		return zero, err
	}
	version, err := ifMatch(r)
	if err != nil {
		return zero, err
	}
	cur, err := res.get(r.Context(), c, id)
	if err != nil {
		return zero, err
	}
	if version != 0 && version != res.version(cur) {
		return zero, &domain.Error{Code: domain.EPrecondition, Message: "the resource changed since it was read; read it again"}
	}
	doc := res.doc(cur)
	delete(doc, schemaProvisio)
	doc = canon(doc, res.attrs, res.ext)
	if err := applyPatch(doc, ops, res.attrs, res.ext); err != nil {
		return zero, err
	}
	return res.replace(r.Context(), c, id, res.version(cur), doc)
}

// users is /Users for an organisation's identity provider (R-APP-4).
func (h *Handler) users(w http.ResponseWriter, r *http.Request, c app.SCIMClient, id string) {
	a := h.app
	serve(h, w, r, c, id, resource[*app.SCIMUserView]{attrs: userAttrs, ext: true,
		list: func(ctx context.Context, c app.SCIMClient, q domain.SCIMQuery) ([]*app.SCIMUserView, int, error) {
			list, total, err := a.SCIMUsers(ctx, c, q)
			views := make([]*app.SCIMUserView, len(list))
			for i, su := range list {
				views[i] = &app.SCIMUserView{SCIMUser: su}
			}
			return views, total, err
		},
		get: a.SCIMUser,
		create: func(ctx context.Context, c app.SCIMClient, doc map[string]any) (*app.SCIMUserView, error) {
			in, err := userInput(doc)
			if err != nil {
				return nil, err
			}
			return a.SCIMCreateUser(ctx, c, in)
		},
		replace: func(ctx context.Context, c app.SCIMClient, id string, version int64, doc map[string]any) (*app.SCIMUserView, error) {
			in, err := userInput(doc)
			if err != nil {
				return nil, err
			}
			return a.SCIMReplaceUser(ctx, c, id, version, in)
		},
		remove:  a.SCIMDeleteUser,
		version: func(v *app.SCIMUserView) int64 { return v.Version },
		doc:     func(v *app.SCIMUserView) map[string]any { return userDoc(v, h.base) },
	})
}

// groups is /Groups for an organisation's identity provider (R-APP-4); a
// site's application has none.
func (h *Handler) groups(w http.ResponseWriter, r *http.Request, c app.SCIMClient, id string) {
	a := h.app
	serve(h, w, r, c, id, resource[*domain.SCIMGroup]{attrs: groupAttrs,
		list: a.SCIMGroups,
		get:  a.SCIMGroup,
		create: func(ctx context.Context, c app.SCIMClient, doc map[string]any) (*domain.SCIMGroup, error) {
			g, err := groupInput(doc)
			if err != nil {
				return nil, err
			}
			return a.SCIMCreateGroup(ctx, c, g)
		},
		replace: func(ctx context.Context, c app.SCIMClient, id string, version int64, doc map[string]any) (*domain.SCIMGroup, error) {
			g, err := groupInput(doc)
			if err != nil {
				return nil, err
			}
			return a.SCIMReplaceGroup(ctx, c, id, version, g)
		},
		remove:  a.SCIMDeleteGroup,
		version: func(g *domain.SCIMGroup) int64 { return g.Version },
		doc:     func(g *domain.SCIMGroup) map[string]any { return groupDoc(g, h.base) },
	})
}
