package scim

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
)

// Conversions between SCIM documents (JSON objects with canonical names)
// and Provisio's records.

// docFields are the user attributes kept in their own columns rather than
// in the stored document.
var docFields = []string{"id", "userName", "externalId", "displayName", "active", "emails", "groups"}

// userInput reads a user document (already canonical).
func userInput(doc map[string]any) (app.SCIMUserInput, error) {
	var in app.SCIMUserInput
	su := &in.SCIMUser
	var err error
	if su.UserName, err = str(doc, "userName"); err != nil {
		return in, err
	}
	if su.ExternalID, err = str(doc, "externalId"); err != nil {
		return in, err
	}
	if su.DisplayName, err = str(doc, "displayName"); err != nil {
		return in, err
	}
	if name, ok := doc["name"].(map[string]any); ok {
		su.GivenName, _ = name["givenName"].(string)
		su.FamilyName, _ = name["familyName"].(string)
		su.Formatted, _ = name["formatted"].(string)
	}
	su.Active = true
	if v, ok := doc["active"]; ok && v != nil {
		if su.Active, err = boolean("active", v); err != nil {
			return in, err
		}
	}
	if list, ok := doc["emails"].([]any); ok {
		for _, e := range list {
			m, ok := e.(map[string]any)
			if !ok {
				return in, invalid("emails", "each email is an object with a value")
			}
			var em domain.SCIMEmail
			em.Value, _ = m["value"].(string)
			em.Type, _ = m["type"].(string)
			if p, ok := m["primary"]; ok && p != nil {
				if em.Primary, err = boolean("emails.primary", p); err != nil {
					return in, err
				}
			}
			if strings.TrimSpace(em.Value) != "" {
				su.Emails = append(su.Emails, em)
			}
		}
	} else if v, ok := doc["emails"]; ok && v != nil {
		return in, invalid("emails", "emails is a list")
	}
	rest := make(map[string]any, len(doc))
	for k, v := range doc {
		rest[k] = v
	}
	for _, k := range docFields {
		delete(rest, k)
	}
	if su.Doc, err = json.Marshal(rest); err != nil {
		return in, invalid("", "the user cannot be stored: "+err.Error())
	}
	return in, nil
}

// userDoc writes a provisioned user as a SCIM document.
func userDoc(v *app.SCIMUserView, base string) map[string]any {
	doc := map[string]any{}
	_ = json.Unmarshal(v.Doc, &doc)
	schemas := []any{schemaUser}
	if _, ok := doc[schemaEnterprise]; ok {
		schemas = append(schemas, schemaEnterprise)
	}
	doc["schemas"] = append(schemas, schemaProvisio)
	doc["id"] = v.UserID
	doc["userName"] = v.UserName
	doc["active"] = v.Active
	setIf(doc, "externalId", v.ExternalID)
	setIf(doc, "displayName", v.DisplayName)
	emails := make([]any, 0, len(v.Emails))
	for _, e := range v.Emails {
		m := map[string]any{"value": e.Value}
		setIf(m, "type", e.Type)
		if e.Primary {
			m["primary"] = true
		}
		emails = append(emails, m)
	}
	if len(emails) > 0 {
		doc["emails"] = emails
	}
	groups := make([]any, 0, len(v.Groups))
	for _, g := range v.Groups {
		groups = append(groups, map[string]any{"value": g.ID, "display": g.DisplayName, "$ref": base + "/Groups/" + g.ID})
	}
	if len(groups) > 0 {
		doc["groups"] = groups
	}
	if v.User != nil { // read one by one; lists leave it out
		doc[schemaProvisio] = map[string]any{"email": v.User.Email, "state": string(v.User.State), "roles": v.User.Roles}
	}
	doc["meta"] = meta("User", base+"/Users/"+v.UserID, v.CreatedAt, v.UpdatedAt, etag(v.Version))
	return doc
}

// memberDoc writes a row of a site's user list (R-APP-1) as a SCIM user.
func memberDoc(m *domain.SiteMember, base string) map[string]any {
	u := m.User
	ext := map[string]any{"role": string(m.Role), "via": string(m.Via), "state": string(u.State)}
	if !m.ExpiresAt.IsZero() {
		ext["expiresAt"] = m.ExpiresAt.Format(time.RFC3339)
	}
	if !m.LeftAt.IsZero() {
		ext["leftAt"] = m.LeftAt.Format(time.RFC3339)
		ext["role"], ext["via"] = "", ""
	}
	if len(m.Companies) > 0 {
		ext["companies"] = m.Companies
	}
	doc := map[string]any{
		"schemas":      []any{schemaUser, schemaProvisio},
		"id":           u.ID,
		"userName":     u.Email,
		"displayName":  u.Name,
		"name":         map[string]any{"formatted": u.Name},
		"emails":       []any{map[string]any{"value": u.Email, "type": "work", "primary": true}},
		"active":       m.Active,
		schemaProvisio: ext,
	}
	setIf(doc, "externalId", m.ExternalID)
	last := u.UpdatedAt
	if m.LeftAt.After(last) {
		last = m.LeftAt
	}
	doc["meta"] = meta("User", base+"/Users/"+u.ID, u.CreatedAt, last, m.ETag())
	return doc
}

// groupInput reads a group document (already canonical).
func groupInput(doc map[string]any) (domain.SCIMGroup, error) {
	var g domain.SCIMGroup
	var err error
	if g.DisplayName, err = str(doc, "displayName"); err != nil {
		return g, err
	}
	if g.ExternalID, err = str(doc, "externalId"); err != nil {
		return g, err
	}
	switch list := doc["members"].(type) {
	case nil:
	case []any:
		for _, e := range list {
			m, ok := e.(map[string]any)
			if !ok {
				return g, invalid("members", "each member is an object whose value is a user's id")
			}
			id, _ := m["value"].(string)
			display, _ := m["display"].(string)
			g.Members = append(g.Members, domain.SCIMMember{UserID: id, Display: display})
		}
	default:
		return g, invalid("members", "members is a list of objects whose value is a user's id")
	}
	return g, nil
}

// groupDoc writes a group as a SCIM document.
func groupDoc(g *domain.SCIMGroup, base string) map[string]any {
	members := make([]any, 0, len(g.Members))
	for _, m := range g.Members {
		e := map[string]any{"value": m.UserID, "type": "User", "$ref": base + "/Users/" + m.UserID}
		setIf(e, "display", m.Display)
		members = append(members, e)
	}
	doc := map[string]any{
		"schemas":     []any{schemaGroup},
		"id":          g.ID,
		"displayName": g.DisplayName,
		"members":     members,
		"meta":        meta("Group", base+"/Groups/"+g.ID, g.CreatedAt, g.UpdatedAt, etag(g.Version)),
	}
	setIf(doc, "externalId", g.ExternalID)
	return doc
}

func meta(kind, location string, created, modified time.Time, version string) map[string]any {
	return map[string]any{"resourceType": kind, "location": location, "version": version,
		"created": created.Format(time.RFC3339Nano), "lastModified": modified.Format(time.RFC3339Nano)}
}

func etag(version int64) string { return `W/"` + strconv.FormatInt(version, 10) + `"` }

func setIf(m map[string]any, k, v string) {
	if v != "" {
		m[k] = v
	}
}

func str(doc map[string]any, k string) (string, error) {
	switch v := doc[k].(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	default:
		return "", invalid(k, fmt.Sprintf("%s is a string", k))
	}
}

// boolean reads a boolean, also as the strings "True" and "False" that
// Entra ID sends.
func boolean(name string, v any) (bool, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		if b, err := strconv.ParseBool(strings.ToLower(strings.TrimSpace(x))); err == nil {
			return b, nil
		}
	}
	return false, invalid(name, fmt.Sprintf("%s is true or false, not %v", name, v))
}
