package scim

import (
	"encoding/json"
	"net/http"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
)

// users serves /Users for an organisation's identity provider (R-APP-4).
func (h *Handler) users(w http.ResponseWriter, r *http.Request, c app.SCIMClient, id string) {
	ctx := r.Context()
	switch {
	case id == "" && r.Method == http.MethodGet:
		q, err := listQuery(r)
		if err != nil {
			fail(w, r, h.log, err)
			return
		}
		list, total, err := h.app.SCIMUsers(ctx, c, q)
		if err != nil {
			fail(w, r, h.log, err)
			return
		}
		docs := make([]map[string]any, len(list))
		for i, su := range list {
			docs[i] = userDoc(&app.SCIMUserView{SCIMUser: su, User: &domain.User{}}, h.base)
			delete(docs[i], schemaProvisio)
		}
		listResponse(w, r, q, total, docs)
	case id == "" && r.Method == http.MethodPost:
		in, err := h.readUser(r)
		if err != nil {
			fail(w, r, h.log, err)
			return
		}
		v, err := h.app.SCIMCreateUser(ctx, c, in)
		if err != nil {
			fail(w, r, h.log, err)
			return
		}
		one(w, r, http.StatusCreated, userDoc(v, h.base))
	case id == "":
		methodNotAllowed(w, r, h.log, "GET, POST")
	case r.Method == http.MethodGet:
		v, err := h.app.SCIMUser(ctx, c, id)
		if err != nil {
			fail(w, r, h.log, err)
			return
		}
		one(w, r, http.StatusOK, userDoc(v, h.base))
	case r.Method == http.MethodPut:
		version, err := ifMatch(r)
		if err != nil {
			fail(w, r, h.log, err)
			return
		}
		in, err := h.readUser(r)
		if err != nil {
			fail(w, r, h.log, err)
			return
		}
		v, err := h.app.SCIMReplaceUser(ctx, c, id, version, in)
		if err != nil {
			fail(w, r, h.log, err)
			return
		}
		one(w, r, http.StatusOK, userDoc(v, h.base))
	case r.Method == http.MethodPatch:
		h.patchUser(w, r, c, id)
	case r.Method == http.MethodDelete:
		version, err := ifMatch(r)
		if err == nil {
			err = h.app.SCIMDeleteUser(ctx, c, id, version)
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

func (h *Handler) readUser(r *http.Request) (app.SCIMUserInput, error) {
	doc, err := readDoc(r)
	if err != nil {
		return app.SCIMUserInput{}, err
	}
	return userInput(canon(doc, userAttrs, true))
}

// patchUser applies a PATCH to the stored user and replaces it, so that
// the user rules run as for PUT; the version read guards the write.
func (h *Handler) patchUser(w http.ResponseWriter, r *http.Request, c app.SCIMClient, id string) {
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
	cur, err := h.app.SCIMUser(ctx, c, id)
	if err != nil {
		fail(w, r, h.log, err)
		return
	}
	if version != 0 && version != cur.Version {
		fail(w, r, h.log, &domain.Error{Code: domain.EPrecondition, Message: "the user changed since it was read; read it again"})
		return
	}
	doc := userDoc(cur, h.base)
	delete(doc, schemaProvisio)
	doc = canon(doc, userAttrs, true)
	if err := applyPatch(doc, ops, userAttrs, true); err != nil {
		fail(w, r, h.log, err)
		return
	}
	in, err := userInput(doc)
	if err != nil {
		fail(w, r, h.log, err)
		return
	}
	v, err := h.app.SCIMReplaceUser(ctx, c, id, cur.Version, in)
	if err != nil {
		fail(w, r, h.log, err)
		return
	}
	patched(w, r, userDoc(v, h.base))
}

func readPatch(r *http.Request) ([]patchOp, error) {
	doc, err := readDoc(r)
	if err != nil {
		return nil, err
	}
	b, _ := json.Marshal(doc)
	var p patchRequest
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, &scimTypeErr{"invalidSyntax", "a PATCH body is a PatchOp message with Operations"}
	}
	if len(p.Operations) == 0 { // "operations" in another case
		for k, v := range doc {
			if eqFold(k, "Operations") {
				b, _ := json.Marshal(v)
				_ = json.Unmarshal(b, &p.Operations)
			}
		}
	}
	if len(p.Operations) == 0 {
		return nil, &scimTypeErr{"invalidSyntax", "a PATCH body is a PatchOp message with Operations: " + errNoPatch.Error()}
	}
	return p.Operations, nil
}
