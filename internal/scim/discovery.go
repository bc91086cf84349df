package scim

import (
	"net/http"
	"strings"

	"github.com/provisio/provisio/internal/domain"
)

// Discovery (RFC 7644 section 4): what the service supports, its
// resource types and its schemas.

func (h *Handler) serviceProviderConfig() map[string]any {
	return map[string]any{
		"schemas":          []string{"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"},
		"documentationUri": h.base,
		"patch":            map[string]any{"supported": true},
		"bulk":             map[string]any{"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
		"filter":           map[string]any{"supported": true, "maxResults": maxCount},
		"changePassword":   map[string]any{"supported": false},
		"sort":             map[string]any{"supported": false},
		"etag":             map[string]any{"supported": true},
		"authenticationSchemes": []any{map[string]any{"type": "oauthbearertoken", "name": "Bearer token",
			"description": "A SCIM token created in Provisio for an organisation or a site", "primary": true}},
		"meta": map[string]any{"resourceType": "ServiceProviderConfig", "location": h.base + "/ServiceProviderConfig"},
	}
}

func (h *Handler) resourceTypeDocs() []map[string]any {
	return []map[string]any{
		{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:ResourceType"}, "id": "User", "name": "User",
			"endpoint": "/Users", "description": "User Account", "schema": schemaUser,
			"schemaExtensions": []any{map[string]any{"schema": schemaEnterprise, "required": false},
				map[string]any{"schema": schemaProvisio, "required": false}},
			"meta": map[string]any{"resourceType": "ResourceType", "location": h.base + "/ResourceTypes/User"}},
		{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:ResourceType"}, "id": "Group", "name": "Group",
			"endpoint": "/Groups", "description": "Group", "schema": schemaGroup,
			"meta": map[string]any{"resourceType": "ResourceType", "location": h.base + "/ResourceTypes/Group"}},
	}
}

func (h *Handler) resourceTypes(w http.ResponseWriter, r *http.Request, id string) {
	h.discovered(w, r, h.resourceTypeDocs(), "resource type", id)
}

// discovered answers a discovery list, or the one document of it with id.
func (h *Handler) discovered(w http.ResponseWriter, r *http.Request, docs []map[string]any, kind, id string) {
	if id == "" {
		listResponse(w, r, domain.SCIMQuery{StartIndex: 1}, len(docs), docs)
		return
	}
	for _, d := range docs {
		if strings.EqualFold(d["id"].(string), id) {
			write(w, http.StatusOK, d)
			return
		}
	}
	fail(w, r, h.log, domain.NotFound(kind))
}

func (h *Handler) schemaDocs() []map[string]any {
	return []map[string]any{
		schemaDoc(schemaUser, "User", "User Account", userAttrs, h.base),
		schemaDoc(schemaEnterprise, "EnterpriseUser", "Enterprise User", enterpriseAttrs, h.base),
		schemaDoc(schemaProvisio, "ProvisioUser", "What Provisio decided for the user: its email, state and roles,"+
			" or for a site's application its role, how it got access, the grant's expiry and its companies", []attr{
			{name: "email", mutable: "readOnly"}, {name: "state", mutable: "readOnly"}, {name: "roles", multi: true, mutable: "readOnly"},
			{name: "role", mutable: "readOnly"}, {name: "via", mutable: "readOnly"}, {name: "expiresAt", typ: "dateTime", mutable: "readOnly"},
			{name: "leftAt", typ: "dateTime", mutable: "readOnly"}, {name: "companies", multi: true, mutable: "readOnly"}}, h.base),
		schemaDoc(schemaGroup, "Group", "Group", groupAttrs, h.base),
	}
}

func schemaDoc(id, name, desc string, attrs []attr, base string) map[string]any {
	return map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:Schema"}, "id": id, "name": name,
		"description": desc, "attributes": attrDocs(attrs),
		"meta": map[string]any{"resourceType": "Schema", "location": base + "/Schemas/" + id}}
}

func attrDocs(attrs []attr) []any {
	out := make([]any, 0, len(attrs))
	for _, a := range attrs {
		d := map[string]any{"name": a.name, "type": or(a.typ, "string"), "multiValued": a.multi, "required": a.name == "userName",
			"caseExact": a.exact, "mutability": or(a.mutable, "readWrite"), "returned": or(a.returned, "default"),
			"uniqueness": or(a.unique, "none"), "description": or(a.desc, a.name)}
		if a.sub != nil {
			d["subAttributes"] = attrDocs(a.sub)
		}
		out = append(out, d)
	}
	return out
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func (h *Handler) schemas(w http.ResponseWriter, r *http.Request, id string) {
	h.discovered(w, r, h.schemaDocs(), "schema", id)
}
