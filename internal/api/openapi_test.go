package api_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/mail"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/provisio/provisio/internal/api"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestOpenAPI_Described reads the served document and names every gap:
// an operation without a description or an example, a property of a
// request or response body without a description, or a scalar one
// without an example that its schema accepts; likewise every parameter
// and response header.
// issue 14: every OpenAPI operation has a description and an example.
func TestOpenAPI_Described(t *testing.T) {
	e := newEnv(t, storetest.SQLite) // the document is the same on every database
	resp, err := http.Get(e.url + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc openAPIDoc
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	ops := 0
	for _, item := range doc.Paths {
		ops += len(item)
	}
	if ops < 100 {
		t.Fatalf("the document has %d operations; it should have them all", ops)
	}
	for _, gap := range doc.gaps() {
		t.Error(gap)
	}
	for id := range api.Descriptions {
		if doc.op(id) == nil {
			t.Errorf("%s is described, but no operation has that id", id)
		}
	}

	// The export answers CSV or JSON as format asks (R-AUDIT-1): both are
	// declared, the JSON as an array of entries.
	export := doc.Paths["/api/v1/audit/export"]["get"]
	if export == nil || export.Responses["200"] == nil {
		t.Fatal("no 200 answer of GET /api/v1/audit/export")
	}
	content := export.Responses["200"].Content
	if content["text/csv"] == nil {
		t.Error("export-audit: text/csv is not declared")
	}
	if j := content["application/json"]; j == nil || j.Schema == nil || j.Schema.Items == nil ||
		j.Schema.Items.Ref != "#/components/schemas/AuditEntry" {
		t.Errorf("export-audit: application/json is not declared as an array of AuditEntry: %+v", j)
	}
}

// TestOpenAPI_Gaps checks the checker on small documents: each case
// breaks one thing, and the checker must name it.
func TestOpenAPI_Gaps(t *testing.T) {
	good := func() openAPIDoc {
		return mustDoc(t, `{"paths": {"/api/v1/users/{id}": {"get": {"operationId": "get-user", "summary": "Get a user",
			"description": "Any administrator of the user's organisation reads it (R-ORG-1).",
			"parameters": [{"name": "id", "in": "path", "description": "the user's id", "schema": {"type": "string", "examples": ["usr_01"]}},
				{"name": "limit", "in": "query", "description": "page size", "example": 50, "schema": {"type": "integer", "maximum": 200}}],
			"responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/User"}}},
				"headers": {"Cache-Control": {"schema": {"type": "string", "description": "no caching", "examples": ["no-store"]}}}},
				"204": {"description": "No content"}}}}},
			"components": {"schemas": {"User": {"type": "object", "properties": {
				"id": {"type": "string", "description": "the user's id", "examples": ["usr_01"]},
				"state": {"type": "string", "enum": ["invited", "active"], "description": "where the user is", "examples": ["active"]},
				"roles": {"type": "array", "items": {"type": "string"}, "description": "roles", "examples": [["customer_user"]]},
				"created_at": {"type": "string", "format": "date-time", "description": "when", "examples": ["2026-03-02T09:15:00Z"]},
				"by_kind": {"type": "object", "additionalProperties": {"type": "integer"}, "description": "counts", "examples": [{"a": 1}]},
				"org": {"$ref": "#/components/schemas/Org", "description": "the organisation"}}},
				"Org": {"type": "object", "properties": {"name": {"type": "string", "description": "its name", "examples": ["Harbour Dental"]}}}}}}`)
	}
	if gaps := good().gaps(); len(gaps) != 0 {
		t.Fatalf("a described document has gaps: %q", gaps)
	}
	cases := []struct {
		name  string
		spoil func(d openAPIDoc)
		want  string
	}{
		{"OperationWithoutDescription", func(d openAPIDoc) { d.op("get-user").Description = "" }, "get-user: no description"},
		{"DescriptionIsTheSummary", func(d openAPIDoc) { o := d.op("get-user"); o.Description = o.Summary }, "get-user: no description"},
		{"PropertyWithoutDescription", func(d openAPIDoc) { d.prop("User", "id").Description = "" }, "User.id: no description"},
		{"ScalarWithoutExample", func(d openAPIDoc) { d.prop("User", "id").Examples = nil }, "User.id: no example"},
		{"NestedScalarWithoutExample", func(d openAPIDoc) { d.prop("Org", "name").Examples = nil }, "Org.name: no example"},
		{"ArrayOfScalarsWithoutExample", func(d openAPIDoc) { d.prop("User", "roles").Examples = nil }, "User.roles: no example"},
		{"MapOfScalarsWithoutExample", func(d openAPIDoc) { d.prop("User", "by_kind").Examples = nil }, "User.by_kind: no example"},
		{"ExampleOutsideEnum", func(d openAPIDoc) { d.prop("User", "state").Examples = []any{"asleep"} }, "User.state: example"},
		{"ExampleNotATime", func(d openAPIDoc) { d.prop("User", "created_at").Examples = []any{"yesterday"} }, "User.created_at: example"},
		{"MapExampleOfWrongType", func(d openAPIDoc) { d.prop("User", "by_kind").Examples = []any{map[string]any{"a": "x"}} }, "User.by_kind: example"},
		{"ParameterWithoutDescription", func(d openAPIDoc) {
			p := d.op("get-user").Parameters[0]
			p.Description, p.Schema.Description = "", ""
		}, "get-user: path parameter id: no description"},
		{"ParameterWithoutExample", func(d openAPIDoc) { d.op("get-user").Parameters[0].Schema.Examples = nil }, "get-user: path parameter id: no example"},
		{"ParameterExampleOutOfRange", func(d openAPIDoc) { d.op("get-user").Parameters[1].Example = json.RawMessage("500") }, "get-user: query parameter limit: example"},
		{"HeaderWithoutDescription", func(d openAPIDoc) { d.op("get-user").Responses["200"].Headers["Cache-Control"].Schema.Description = "" }, "get-user: 200 header Cache-Control: no description"},
		{"BodyWithoutExample", func(d openAPIDoc) {
			d.op("get-user").Responses["200"].Content["text/csv"] = &mediaType{Schema: &jsonSchema{Type: json.RawMessage(`"string"`)}}
		}, "get-user: 200 text/csv has no example"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := good()
			c.spoil(d)
			gaps := d.gaps()
			if !slices.ContainsFunc(gaps, func(g string) bool { return strings.Contains(g, c.want) }) {
				t.Fatalf("gaps %q do not name %q", gaps, c.want)
			}
		})
	}
}

func mustDoc(t *testing.T, s string) openAPIDoc {
	t.Helper()
	var d openAPIDoc
	if err := json.Unmarshal([]byte(s), &d); err != nil {
		t.Fatal(err)
	}
	return d
}

func (d openAPIDoc) op(id string) *openAPIOp {
	for _, item := range d.Paths {
		for _, o := range item {
			if o.OperationID == id {
				return o
			}
		}
	}
	return nil
}

func (d openAPIDoc) prop(schema, name string) *jsonSchema {
	return d.Components.Schemas[schema].Properties[name]
}

// openAPIDoc is the part of an OpenAPI 3.1 document the checks read.
type openAPIDoc struct {
	Paths      map[string]map[string]*openAPIOp `json:"paths"`
	Components struct {
		Schemas map[string]*jsonSchema `json:"schemas"`
	} `json:"components"`
}

type openAPIOp struct {
	OperationID string          `json:"operationId"`
	Summary     string          `json:"summary"`
	Description string          `json:"description"`
	Parameters  []*openAPIParam `json:"parameters"`
	RequestBody *struct {
		Content map[string]*mediaType `json:"content"`
	} `json:"requestBody"`
	Responses map[string]*struct {
		Content map[string]*mediaType    `json:"content"`
		Headers map[string]*openAPIParam `json:"headers"`
	} `json:"responses"`
}

// openAPIParam is a parameter or a response header.
type openAPIParam struct {
	Name        string          `json:"name"`
	In          string          `json:"in"`
	Description string          `json:"description"`
	Example     json.RawMessage `json:"example"`
	Schema      *jsonSchema     `json:"schema"`
}

type mediaType struct {
	Schema   *jsonSchema     `json:"schema"`
	Example  json.RawMessage `json:"example"`
	Examples map[string]any  `json:"examples"`
}

type jsonSchema struct {
	Ref                  string                 `json:"$ref"`
	Type                 json.RawMessage        `json:"type"` // a name, or a list of names
	Description          string                 `json:"description"`
	Examples             []any                  `json:"examples"`
	Enum                 []any                  `json:"enum"`
	Format               string                 `json:"format"`
	Pattern              string                 `json:"pattern"`
	ContentEncoding      string                 `json:"contentEncoding"`
	MinLength            *int                   `json:"minLength"`
	MaxLength            *int                   `json:"maxLength"`
	Minimum              *float64               `json:"minimum"`
	Maximum              *float64               `json:"maximum"`
	MinItems             *int                   `json:"minItems"`
	MaxItems             *int                   `json:"maxItems"`
	Properties           map[string]*jsonSchema `json:"properties"`
	Items                *jsonSchema            `json:"items"`
	AdditionalProperties json.RawMessage        `json:"additionalProperties"` // false, or a schema
}

// types lists the schema's type names; none means any value.
func (s *jsonSchema) types() []string {
	var one string
	if json.Unmarshal(s.Type, &one) == nil {
		return []string{one}
	}
	var many []string
	_ = json.Unmarshal(s.Type, &many)
	return many
}

// values is the schema of a map's values, or nil.
func (s *jsonSchema) values() *jsonSchema {
	if len(s.AdditionalProperties) == 0 || s.AdditionalProperties[0] != '{' {
		return nil
	}
	var v jsonSchema
	if json.Unmarshal(s.AdditionalProperties, &v) != nil {
		return nil
	}
	return &v
}

func (s *jsonSchema) is(typ string) bool { return slices.Contains(s.types(), typ) }

// resolve follows $ref into components/schemas; unknown refs resolve to
// nil.
func (d openAPIDoc) resolve(s *jsonSchema) *jsonSchema {
	for s != nil && s.Ref != "" {
		s = d.Components.Schemas[strings.TrimPrefix(s.Ref, "#/components/schemas/")]
	}
	return s
}

// gaps lists, sorted, every operation without a description (one that
// says more than its summary) or an example, and every body property
// without a description or, being a scalar, an example valid for its
// schema. A schema used by several operations is reported once, under
// the first operation in path order.
func (d openAPIDoc) gaps() []string {
	var gaps []string
	seen := map[string]bool{}
	paths := make([]string, 0, len(d.Paths))
	for p := range d.Paths {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, path := range paths {
		methods := make([]string, 0, len(d.Paths[path]))
		for m := range d.Paths[path] {
			methods = append(methods, m)
		}
		sort.Strings(methods)
		for _, m := range methods {
			o := d.Paths[path][m]
			id := o.OperationID
			if strings.TrimSpace(o.Description) == "" || o.Description == o.Summary {
				gaps = append(gaps, id+": no description (more than the summary)")
			}
			for _, p := range o.Parameters {
				gaps = d.param(gaps, id, p.In+" parameter "+p.Name, p)
			}
			if o.RequestBody != nil {
				for ct, mt := range o.RequestBody.Content {
					gaps = d.body(gaps, id, "request "+ct, mt, seen)
				}
			}
			for code, r := range o.Responses {
				for ct, mt := range r.Content {
					gaps = d.body(gaps, id, code+" "+ct, mt, seen)
				}
				for name, h := range r.Headers {
					gaps = d.param(gaps, id, code+" header "+name, h)
				}
			}
		}
	}
	sort.Strings(gaps)
	return gaps
}

// param checks a parameter or response header: a description, and an
// example its schema accepts.
func (d openAPIDoc) param(gaps []string, id, what string, p *openAPIParam) []string {
	var s jsonSchema
	if p.Schema != nil {
		s = *p.Schema
	}
	if p.Description == "" && s.Description == "" {
		gaps = append(gaps, fmt.Sprintf("%s: %s: no description", id, what))
	}
	examples := s.Examples
	if len(p.Example) > 0 {
		var v any
		if err := json.Unmarshal(p.Example, &v); err != nil {
			return append(gaps, fmt.Sprintf("%s: %s: example is not JSON: %v", id, what, err))
		}
		examples = append(slices.Clip(examples), v)
	}
	if len(examples) == 0 {
		gaps = append(gaps, fmt.Sprintf("%s: %s: no example", id, what))
	}
	for _, ex := range examples {
		if err := d.valid(ex, &s); err != nil {
			gaps = append(gaps, fmt.Sprintf("%s: %s: example %v: %v", id, what, ex, err))
		}
	}
	return gaps
}

// body checks one request or response body: a 2xx body needs an
// example, its own or its properties'; every body's properties are
// walked.
func (d openAPIDoc) body(gaps []string, id, what string, mt *mediaType, seen map[string]bool) []string {
	explicit := len(mt.Example) > 0 || len(mt.Examples) > 0
	if strings.HasPrefix(what, "2") && !explicit && !d.exampled(mt.Schema, map[string]bool{}) {
		gaps = append(gaps, fmt.Sprintf("%s: %s has no example", id, what))
	}
	if mt.Schema == nil {
		return gaps
	}
	return d.walk(gaps, id, what, mt.Schema, seen)
}

// exampled says whether s gives an example: its own, or one for each of
// its leaves.
func (d openAPIDoc) exampled(s *jsonSchema, seen map[string]bool) bool {
	if s == nil {
		return false
	}
	if len(s.Examples) > 0 {
		return true
	}
	if s.Ref != "" {
		if seen[s.Ref] {
			return true // a recursive schema is exampled where it is first met
		}
		seen[s.Ref] = true
	}
	r := d.resolve(s)
	switch {
	case r == nil:
		return false
	case len(r.Examples) > 0:
		return true
	case len(r.Properties) > 0:
		for _, p := range r.Properties {
			if !d.exampled(p, seen) {
				return false
			}
		}
		return true
	case r.Items != nil:
		return d.exampled(r.Items, seen)
	case r.values() != nil:
		return d.exampled(r.values(), seen)
	}
	return false
}

// walk checks the properties of s and of every object under them. A
// property is named by the component that holds it (User.email), or by
// the path from where when it is inline.
func (d openAPIDoc) walk(gaps []string, id, where string, s *jsonSchema, seen map[string]bool) []string {
	if s.Ref != "" {
		if seen[s.Ref] {
			return gaps
		}
		seen[s.Ref] = true
		where = strings.TrimPrefix(s.Ref, "#/components/schemas/")
	}
	r := d.resolve(s)
	if r == nil {
		return append(gaps, fmt.Sprintf("%s: %s refers to %q, which is not in components/schemas", id, where, s.Ref))
	}
	if r.Items != nil {
		return d.walk(gaps, id, where+"[]", r.Items, seen)
	}
	if v := r.values(); v != nil {
		return d.walk(gaps, id, where+"{}", v, seen)
	}
	names := make([]string, 0, len(r.Properties))
	for n := range r.Properties {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p := r.Properties[n]
		path := where + "." + n
		pr := d.resolve(p)
		if pr == nil {
			gaps = append(gaps, fmt.Sprintf("%s: %s refers to %q, which is not in components/schemas", id, path, p.Ref))
			continue
		}
		if p.Description == "" && pr.Description == "" {
			gaps = append(gaps, fmt.Sprintf("%s: %s: no description", id, path))
		}
		examples := p.Examples
		if p != pr {
			examples = append(slices.Clip(examples), pr.Examples...)
		}
		if len(examples) == 0 && d.leaf(pr) {
			gaps = append(gaps, fmt.Sprintf("%s: %s: no example", id, path))
		}
		for _, ex := range examples {
			if err := d.valid(ex, pr); err != nil {
				gaps = append(gaps, fmt.Sprintf("%s: %s: example %v: %v", id, path, ex, err))
			}
		}
		if len(pr.Properties) > 0 || pr.Items != nil || pr.values() != nil {
			gaps = d.walk(gaps, id, path, p, seen)
		}
	}
	return gaps
}

// leaf says whether a property of schema s needs an example of its own:
// a scalar (or a value of any type), or an array or map of them.
func (d openAPIDoc) leaf(s *jsonSchema) bool {
	if s.Items != nil {
		items := d.resolve(s.Items)
		return items != nil && len(items.Examples) == 0 && d.leaf(items)
	}
	if v := s.values(); v != nil {
		return d.leaf(d.resolve(v))
	}
	return len(s.Properties) == 0 && !s.is("object")
}

// valid says why v is not a value of schema s, or nil when it is.
func (d openAPIDoc) valid(v any, s *jsonSchema) error {
	s = d.resolve(s)
	if s == nil {
		return nil
	}
	if len(s.Enum) > 0 && !slices.ContainsFunc(s.Enum, func(e any) bool { return reflect.DeepEqual(e, v) }) {
		return fmt.Errorf("not one of %v", s.Enum)
	}
	if ts := s.types(); len(ts) > 0 && !slices.ContainsFunc(ts, func(t string) bool { return jsonType(v, t) }) {
		return fmt.Errorf("not of type %v", ts)
	}
	switch v := v.(type) {
	case string:
		return validString(v, s)
	case float64:
		if s.Minimum != nil && v < *s.Minimum || s.Maximum != nil && v > *s.Maximum {
			return fmt.Errorf("out of range")
		}
	case []any:
		if s.MinItems != nil && len(v) < *s.MinItems || s.MaxItems != nil && len(v) > *s.MaxItems {
			return fmt.Errorf("%d items", len(v))
		}
		for _, x := range v {
			if err := d.valid(x, s.Items); err != nil {
				return fmt.Errorf("item %v: %w", x, err)
			}
		}
	case map[string]any:
		for k, x := range v {
			ps := s.Properties[k]
			if ps == nil {
				ps = s.values()
			}
			if ps == nil {
				continue
			}
			if err := d.valid(x, ps); err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
		}
	}
	return nil
}

func validString(v string, s *jsonSchema) error {
	n := utf8.RuneCountInString(v)
	if s.MinLength != nil && n < *s.MinLength || s.MaxLength != nil && n > *s.MaxLength {
		return fmt.Errorf("%d characters", n)
	}
	if s.Pattern != "" {
		if ok, err := regexp.MatchString(s.Pattern, v); err != nil || !ok {
			return fmt.Errorf("does not match %s", s.Pattern)
		}
	}
	var err error
	switch s.Format {
	case "date-time":
		_, err = time.Parse(time.RFC3339, v)
	case "date":
		_, err = time.Parse(time.DateOnly, v)
	case "email":
		var a *mail.Address
		if a, err = mail.ParseAddress(v); err == nil && a.Address != v {
			err = fmt.Errorf("not a bare address")
		}
	case "uri":
		var u *url.URL
		if u, err = url.Parse(v); err == nil && u.Scheme == "" {
			err = fmt.Errorf("no scheme")
		}
	}
	if err == nil && s.ContentEncoding == "base64" {
		_, err = base64.StdEncoding.DecodeString(v)
	}
	return err
}

// jsonType says whether v, decoded from JSON, is of the named type.
func jsonType(v any, typ string) bool {
	switch v := v.(type) {
	case nil:
		return typ == "null"
	case bool:
		return typ == "boolean"
	case string:
		return typ == "string"
	case float64:
		return typ == "number" || typ == "integer" && v == math.Trunc(v)
	case []any:
		return typ == "array"
	case map[string]any:
		return typ == "object"
	}
	return false
}
