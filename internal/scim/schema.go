package scim

import "strings"

// The SCIM schema Provisio serves (RFC 7643): which attributes a user and
// a group have, under their canonical names. Attribute names arrive in any
// case (RFC 7643 section 2.1); canon gives each its canonical spelling,
// and attributes outside the schema are dropped.

const (
	schemaUser       = "urn:ietf:params:scim:schemas:core:2.0:User"
	schemaGroup      = "urn:ietf:params:scim:schemas:core:2.0:Group"
	schemaEnterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	schemaProvisio   = "urn:provisio:params:scim:schemas:extension:provisio:1.0:User"
	schemaList       = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	schemaPatch      = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	schemaError      = "urn:ietf:params:scim:api:messages:2.0:Error"
)

// attr is one attribute of the schema.
type attr struct {
	name     string
	multi    bool
	sub      []attr
	typ      string // "string" (default), "boolean", "complex", "dateTime", "reference"
	mutable  string // "readWrite" (default), "readOnly", "immutable"
	returned string // "default" (default), "always", "never"
	unique   string // "none" (default), "server"
	exact    bool
	desc     string
}

var multiSub = []attr{{name: "value"}, {name: "display"}, {name: "type"}, {name: "primary", typ: "boolean"}}

var userAttrs = []attr{
	{name: "id", mutable: "readOnly", returned: "always", unique: "server", exact: true, desc: "Provisio's id of the user."},
	{name: "externalId", exact: true, desc: "The identity provider's id of the user."},
	{name: "userName", unique: "server", desc: "The user's name at the identity provider; an email address becomes the user's email."},
	{name: "name", typ: "complex", sub: []attr{{name: "formatted"}, {name: "familyName"}, {name: "givenName"},
		{name: "middleName"}, {name: "honorificPrefix"}, {name: "honorificSuffix"}}, desc: "The person's name."},
	{name: "displayName", desc: "The name shown for the user."},
	{name: "nickName"}, {name: "profileUrl", typ: "reference"}, {name: "title"}, {name: "userType"},
	{name: "preferredLanguage"}, {name: "locale"}, {name: "timezone"},
	{name: "active", typ: "boolean", desc: "False locks the user at once: sessions end and site access ends (R-USER-5)."},
	{name: "emails", multi: true, typ: "complex", sub: multiSub, desc: "Email addresses; the primary one becomes the user's email unless userName is one."},
	{name: "phoneNumbers", multi: true, typ: "complex", sub: multiSub},
	{name: "ims", multi: true, typ: "complex", sub: multiSub},
	{name: "photos", multi: true, typ: "complex", sub: multiSub},
	{name: "addresses", multi: true, typ: "complex", sub: []attr{{name: "formatted"}, {name: "streetAddress"},
		{name: "locality"}, {name: "region"}, {name: "postalCode"}, {name: "country"}, {name: "type"}, {name: "primary", typ: "boolean"}}},
	{name: "groups", multi: true, typ: "complex", mutable: "readOnly", sub: multiSub, desc: "The groups the user belongs to."},
	{name: "entitlements", multi: true, typ: "complex", sub: multiSub},
	{name: "roles", multi: true, typ: "complex", sub: multiSub},
	{name: "x509Certificates", multi: true, typ: "complex", sub: multiSub},
}

var enterpriseAttrs = []attr{
	{name: "employeeNumber"}, {name: "costCenter"}, {name: "organization"}, {name: "division"}, {name: "department"},
	{name: "manager", typ: "complex", sub: []attr{{name: "value"}, {name: "$ref", typ: "reference"}, {name: "displayName"}}},
}

var groupAttrs = []attr{
	{name: "id", mutable: "readOnly", returned: "always", unique: "server", exact: true},
	{name: "externalId", exact: true},
	{name: "displayName", desc: "The group's name; the organisation's administrators may map it to a role."},
	{name: "members", multi: true, typ: "complex", sub: []attr{{name: "value", mutable: "immutable"}, {name: "display"},
		{name: "$ref", typ: "reference"}, {name: "type"}}},
}

// find returns the attribute of attrs named name, in any case.
func find(attrs []attr, name string) (attr, bool) {
	for _, a := range attrs {
		if strings.EqualFold(a.name, name) {
			return a, true
		}
	}
	return attr{}, false
}

// canon returns doc with every attribute under its canonical name, the
// attributes outside attrs dropped, and the enterprise extension (for
// users) canonicalised the same way.
func canon(doc map[string]any, attrs []attr, ext bool) map[string]any {
	out := make(map[string]any, len(doc))
	for k, v := range doc {
		if ext && strings.EqualFold(k, schemaEnterprise) {
			if m, ok := v.(map[string]any); ok {
				out[schemaEnterprise] = canon(m, enterpriseAttrs, false)
			}
			continue
		}
		if strings.EqualFold(k, "schemas") || strings.EqualFold(k, "meta") {
			continue
		}
		a, ok := find(attrs, k)
		if !ok {
			continue
		}
		out[a.name] = canonValue(a, v)
	}
	return out
}

func canonValue(a attr, v any) any {
	if a.sub == nil {
		return v
	}
	switch x := v.(type) {
	case map[string]any:
		return canon(x, a.sub, false)
	case []any:
		out := make([]any, 0, len(x))
		for _, e := range x {
			out = append(out, canonValue(a, e))
		}
		return out
	}
	return v
}
