package scim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	filter "github.com/scim2/filter-parser/v2"
)

// PATCH (RFC 7644 section 3.5.2) is applied to the resource's document,
// which is then stored like a PUT: one path for both, so every rule runs
// the same way. Op names are case-insensitive ("Replace" from Entra ID);
// an op without a path takes an object of attributes (as Okta sends).

type patchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value"`
}

type patchRequest struct {
	Schemas    []string  `json:"schemas"`
	Operations []patchOp `json:"Operations"`
}

// applyPatch applies ops to doc, whose attributes are attrs.
func applyPatch(doc map[string]any, ops []patchOp, attrs []attr, ext bool) error {
	if len(ops) == 0 {
		return invalid("Operations", "a PATCH needs at least one operation in Operations")
	}
	for _, op := range ops {
		kind := strings.ToLower(strings.TrimSpace(op.Op))
		if kind != "add" && kind != "replace" && kind != "remove" {
			return invalid("op", fmt.Sprintf("op is add, replace or remove, not %q", op.Op))
		}
		if strings.TrimSpace(op.Path) == "" {
			if kind == "remove" {
				return &scimTypeErr{"noTarget", "remove needs a path"}
			}
			m, ok := op.Value.(map[string]any)
			if !ok {
				return invalid("value", "an operation without a path takes an object of attributes as its value")
			}
			for k, v := range canon(m, attrs, ext) {
				if err := set(doc, k, "", v, kind, attrs); err != nil {
					return err
				}
			}
			continue
		}
		if err := applyPath(doc, op, kind, attrs, ext); err != nil {
			return err
		}
	}
	return nil
}

// scimTypeErr is an invalid request with a particular scimType.
type scimTypeErr struct{ typ, msg string }

func (e *scimTypeErr) Error() string { return e.msg }

func applyPath(doc map[string]any, op patchOp, kind string, attrs []attr, ext bool) error {
	p, err := filter.ParsePath([]byte(op.Path))
	if err != nil {
		return &scimTypeErr{"invalidPath", fmt.Sprintf("cannot read the path %q", op.Path)}
	}
	target, scope := attrs, doc
	if uri := p.AttributePath.URI(); uri != "" && !strings.EqualFold(uri, schemaUser) && !strings.EqualFold(uri, schemaGroup) {
		if !ext || !strings.EqualFold(uri, schemaEnterprise) {
			return &scimTypeErr{"invalidPath", fmt.Sprintf("unknown schema %q in path", uri)}
		}
		sub, _ := doc[schemaEnterprise].(map[string]any)
		if sub == nil {
			sub = map[string]any{}
			doc[schemaEnterprise] = sub
		}
		target, scope = enterpriseAttrs, sub
	}
	a, ok := find(target, p.AttributePath.AttributeName)
	if !ok {
		return &scimTypeErr{"invalidPath", fmt.Sprintf("no attribute %q", p.AttributePath.AttributeName)}
	}
	if a.mutable == "readOnly" {
		return &scimTypeErr{"mutability", a.name + " cannot be changed"}
	}
	sub := p.AttributePath.SubAttributeName()
	if p.ValueExpression != nil {
		return applyFiltered(scope, a, p, op.Value, kind)
	}
	if kind == "remove" {
		if sub != "" {
			if m, ok := scope[a.name].(map[string]any); ok {
				if s, ok := find(a.sub, sub); ok {
					delete(m, s.name)
				}
			}
			return nil
		}
		if a.multi && op.Value != nil { // remove listed values: members by value list
			return removeValues(scope, a, op.Value)
		}
		delete(scope, a.name)
		return nil
	}
	return set(scope, a.name, sub, canonValue(a, op.Value), kind, target)
}

// set adds or replaces attribute name (sub-attribute sub) of doc.
func set(doc map[string]any, name, sub string, v any, kind string, attrs []attr) error {
	a, _ := find(attrs, name)
	if a.mutable == "readOnly" {
		return nil // read-only attributes in a value object are ignored (RFC 7644 section 3.5.2)
	}
	if sub != "" {
		if a.multi {
			return &scimTypeErr{"invalidPath", fmt.Sprintf(`%s has several values: say which, e.g. %s[type eq "work"].%s`, name, name, sub)}
		}
		s, ok := find(a.sub, sub)
		if !ok {
			return &scimTypeErr{"invalidPath", fmt.Sprintf("%s has no %q", name, sub)}
		}
		m, _ := doc[name].(map[string]any)
		if m == nil {
			m = map[string]any{}
		}
		m[s.name] = v
		doc[name] = m
		return nil
	}
	if a.multi {
		var items []any
		switch x := v.(type) {
		case []any:
			items = x
		case nil:
		default:
			items = []any{x}
		}
		for i, it := range items {
			if _, ok := it.(map[string]any); !ok {
				if name == "members" {
					return invalid("members", fmt.Sprintf("a member is an object whose value is a user's id, not %v", it))
				}
				items[i] = map[string]any{"value": it}
			}
		}
		if kind == "add" {
			old, _ := doc[name].([]any)
			items = mergeValues(old, items)
		}
		doc[name] = items
		return nil
	}
	// A complex value's sub-attributes are set one by one: those it does
	// not name stay (RFC 7644 section 3.5.2.1 and 3.5.2.3).
	if m, ok := v.(map[string]any); ok && a.typ == "complex" {
		old, _ := doc[name].(map[string]any)
		if old != nil {
			for k, x := range m {
				old[k] = x
			}
			return nil
		}
	}
	doc[name] = v
	return nil
}

// valueKey is a comparable form of a value of a multi-valued attribute
// (any JSON: a string, a number, or something stranger).
func valueKey(v any) string { return fmt.Sprintf("%T:%v", v, v) }

// mergeValues appends the items whose value is not already there.
func mergeValues(old, add []any) []any {
	out := append([]any{}, old...)
	have := map[string]bool{}
	for _, o := range old {
		if m, ok := o.(map[string]any); ok && m["value"] != nil {
			have[valueKey(m["value"])] = true
		}
	}
	for _, it := range add {
		v := it.(map[string]any)["value"]
		if v != nil && have[valueKey(v)] {
			continue
		}
		if v != nil {
			have[valueKey(v)] = true
		}
		out = append(out, it)
	}
	return out
}

// removeValues removes the listed values of a multi-valued attribute.
func removeValues(doc map[string]any, a attr, v any) error {
	list, _ := v.([]any)
	if list == nil {
		list = []any{v}
	}
	gone := map[string]bool{}
	for _, it := range list {
		if m, ok := it.(map[string]any); ok {
			gone[valueKey(m["value"])] = true
		} else {
			gone[valueKey(it)] = true
		}
	}
	old, _ := doc[a.name].([]any)
	var keep []any
	for _, o := range old {
		if m, ok := o.(map[string]any); ok && gone[valueKey(m["value"])] {
			continue
		}
		keep = append(keep, o)
	}
	doc[a.name] = keep
	return nil
}

// applyFiltered applies an op to the values of a multi-valued attribute
// that match the path's filter: members[value eq "…"], or
// emails[type eq "work"].value.
func applyFiltered(doc map[string]any, a attr, p filter.Path, v any, kind string) error {
	if !a.multi {
		return &scimTypeErr{"invalidPath", a.name + " is not multi-valued"}
	}
	old, _ := doc[a.name].([]any)
	sub := ""
	if p.SubAttribute != nil {
		s, ok := find(a.sub, *p.SubAttribute)
		if !ok {
			return &scimTypeErr{"invalidPath", fmt.Sprintf("%s has no %q", a.name, *p.SubAttribute)}
		}
		sub = s.name
	}
	var out []any
	matched := false
	for _, o := range old {
		m, ok := o.(map[string]any)
		if !ok || !matches(m, p.ValueExpression, a.sub) {
			out = append(out, o)
			continue
		}
		matched = true
		switch {
		case kind == "remove" && sub == "":
			continue // the value goes
		case kind == "remove":
			delete(m, sub)
		case sub != "":
			m[sub] = v
		default:
			if nv, ok := v.(map[string]any); ok {
				for k, x := range canon(nv, a.sub, false) {
					m[k] = x
				}
			}
		}
		out = append(out, m)
	}
	if !matched && kind != "remove" {
		// Nothing matched: a new value made from the filter's equalities
		// (emails[type eq "work"].value -> {type: work, value: …}).
		nv := map[string]any{}
		collectEqualities(p.ValueExpression, a.sub, nv)
		if sub != "" {
			nv[sub] = v
		} else if m, ok := v.(map[string]any); ok {
			for k, x := range canon(m, a.sub, false) {
				nv[k] = x
			}
		}
		out = append(out, nv)
	}
	doc[a.name] = out
	return nil
}

// matches evaluates a value filter on one value of a multi-valued
// attribute.
func matches(m map[string]any, e filter.Expression, subs []attr) bool {
	switch x := e.(type) {
	case *filter.LogicalExpression:
		if strings.EqualFold(string(x.Operator), "or") {
			return matches(m, x.Left, subs) || matches(m, x.Right, subs)
		}
		return matches(m, x.Left, subs) && matches(m, x.Right, subs)
	case *filter.NotExpression:
		return !matches(m, x.Expression, subs)
	case *filter.AttributeExpression:
		s, ok := find(subs, x.AttributePath.AttributeName)
		if !ok {
			return false
		}
		have, present := m[s.name]
		op := strings.ToLower(string(x.Operator))
		if op == "pr" {
			return present && have != nil && have != ""
		}
		hs, ws := fmt.Sprint(have), fmt.Sprint(x.CompareValue)
		if b, ok := have.(bool); ok {
			hs = fmt.Sprint(b)
		}
		if !s.exact {
			hs, ws = strings.ToLower(hs), strings.ToLower(ws)
		}
		switch op {
		case "eq":
			return present && hs == ws
		case "ne":
			return !present || hs != ws
		case "co":
			return present && strings.Contains(hs, ws)
		case "sw":
			return present && strings.HasPrefix(hs, ws)
		case "ew":
			return present && strings.HasSuffix(hs, ws)
		case "gt":
			return present && hs > ws
		case "ge":
			return present && hs >= ws
		case "lt":
			return present && hs < ws
		case "le":
			return present && hs <= ws
		}
	}
	return false
}

func collectEqualities(e filter.Expression, subs []attr, into map[string]any) {
	switch x := e.(type) {
	case *filter.LogicalExpression:
		if strings.EqualFold(string(x.Operator), "and") {
			collectEqualities(x.Left, subs, into)
			collectEqualities(x.Right, subs, into)
		}
	case *filter.AttributeExpression:
		if s, ok := find(subs, x.AttributePath.AttributeName); ok && strings.EqualFold(string(x.Operator), "eq") {
			into[s.name] = x.CompareValue
		}
	}
}

// readPatch reads a PatchOp message; encoding/json matches
// "Operations" in any case.
func readPatch(r *http.Request) ([]patchOp, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, invalid("", "the request body could not be read")
	}
	var p patchRequest
	if err := json.Unmarshal(body, &p); err != nil || len(p.Operations) == 0 {
		return nil, &scimTypeErr{"invalidSyntax", `a PATCH body is a PatchOp message with a list of Operations, e.g. {"Operations":[{"op":"replace","path":"active","value":false}]}`}
	}
	return p.Operations, nil
}
