package api

import (
	"html/template"
	"net/http"
	"sort"
	"strings"

	"github.com/danielgtaylor/huma/v2"
)

// The API reference page, rendered here from the OpenAPI document: it
// needs nothing from elsewhere, so it works offline and under the
// portal's content policy (no outside scripts).

type docsOp struct {
	Method, Path, ID, Summary, Description string
	Params                                 []*huma.Param
	Body                                   string // the request body's schema, by name
	Responses                              []string
	Public                                 bool
}

type docsTag struct {
	Name string
	Ops  []docsOp
}

var docsPage = template.Must(template.New("docs").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} reference</title>
<style>body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
code{background:#f3f4f6;padding:0 .25rem;border-radius:3px}.op{border-top:1px solid #ddd;padding:.5rem 0}
.m{font-weight:bold;display:inline-block;min-width:4.5rem}table{border-collapse:collapse}td,th{text-align:left;padding:.1rem .6rem .1rem 0;vertical-align:top}
nav a{margin-right:.8rem}</style></head><body>
<h1>{{.Title}} reference</h1>
<p>{{.Description}}</p>
<p>The machine-readable description: <a href="/api/v1/openapi.json">openapi.json</a> · <a href="/api/v1/openapi.yaml">openapi.yaml</a>.
Authenticate with <code>Authorization: Bearer &lt;token&gt;</code> (a personal API token from <code>POST /api/v1/tokens</code>).</p>
<nav>{{range .Tags}}<a href="#{{.Name}}">{{.Name}}</a>{{end}}</nav>
{{range .Tags}}<h2 id="{{.Name}}">{{.Name}}</h2>
{{range .Ops}}<div class="op" id="{{.ID}}"><p><span class="m">{{.Method}}</span> <code>{{.Path}}</code>{{if .Public}} <em>(no token)</em>{{end}}<br>{{.Summary}}</p>
{{with .Description}}<p>{{.}}</p>{{end}}
{{if .Params}}<table><tr><th>Parameter</th><th>In</th><th></th><th>Meaning</th></tr>{{range .Params}}<tr><td><code>{{.Name}}</code></td><td>{{.In}}</td><td>{{if .Required}}required{{end}}</td><td>{{.Description}}</td></tr>{{end}}</table>{{end}}
{{with .Body}}<p>Body: <code>{{.}}</code> (JSON; see the schema in openapi.json)</p>{{end}}
<p>Answers: {{range $i, $r := .Responses}}{{if $i}}, {{end}}{{$r}}{{end}}</p></div>{{end}}{{end}}
</body></html>`))

// docs serves the reference page.
func (s *Server) docs(w http.ResponseWriter, _ *http.Request) {
	doc := s.api.OpenAPI()
	byTag := map[string][]docsOp{}
	for path, item := range doc.Paths {
		for method, op := range map[string]*huma.Operation{"GET": item.Get, "POST": item.Post, "PUT": item.Put, "PATCH": item.Patch, "DELETE": item.Delete} {
			if op == nil {
				continue
			}
			d := docsOp{Method: method, Path: path, ID: op.OperationID, Summary: op.Summary, Description: op.Description,
				Params: op.Parameters, Public: len(op.Security) == 0}
			if op.RequestBody != nil {
				for _, mt := range op.RequestBody.Content {
					if mt.Schema != nil && mt.Schema.Ref != "" {
						d.Body = strings.TrimPrefix(mt.Schema.Ref, "#/components/schemas/")
					}
				}
			}
			for code, r := range op.Responses {
				d.Responses = append(d.Responses, code+" "+strings.TrimSpace(r.Description))
			}
			sort.Strings(d.Responses)
			tag := "other"
			if len(op.Tags) > 0 {
				tag = op.Tags[0]
			}
			byTag[tag] = append(byTag[tag], d)
		}
	}
	var tags []docsTag
	for name, ops := range byTag {
		sort.Slice(ops, func(i, j int) bool { return ops[i].Path+ops[i].Method < ops[j].Path+ops[j].Method })
		tags = append(tags, docsTag{Name: name, Ops: ops})
	}
	sort.Slice(tags, func(i, j int) bool { return tags[i].Name < tags[j].Name })
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = docsPage.Execute(w, struct {
		Title, Description string
		Tags               []docsTag
	}{doc.Info.Title, doc.Info.Description, tags})
}
