package mail

import (
	"html/template"
	"strings"
	"unicode"
)

// nameMark stands for the recipient's name while a notice is rendered
// once for several recipients: invisible separators, which no template
// changes and no escaper touches.
const nameMark = "\u2063recipient\u2063"

// greeting escapes a name as the HTML layout's greeting does.
var greeting = template.Must(template.New("greeting").Parse(`{{.}}`))

// maxRendered bounds a Renderer's memory of what it rendered.
const maxRendered = 64

// Renderer renders notices like Render, but renders each notice only once
// for all its recipients: a change told to several people (a customer's
// administrators, the partner user) differs only by the name it greets,
// which the Renderer puts in afterwards. Recipients in different time
// zones still get their own rendering. The zero Renderer is ready; it is
// not safe for concurrent use.
type Renderer struct {
	done map[renderKey]Message
}

type renderKey struct {
	kind string
	d    Data
}

// Render is Render(kind, d), from memory when only d's RecipientName
// differs from a notice rendered before.
func (r *Renderer) Render(kind string, d Data) (Message, error) {
	name, whole := d.RecipientName, d
	if !plainName(name) {
		return Render(kind, d)
	}
	d.RecipientName = nameMark
	k := renderKey{kind, d}
	m, ok := r.done[k]
	if !ok {
		var err error
		if m, err = Render(kind, d); err != nil {
			return m, err
		}
		if r.done == nil || len(r.done) >= maxRendered {
			r.done = map[renderKey]Message{}
		}
		r.done[k] = m
	}
	var b strings.Builder
	if err := greeting.Execute(&b, name); err != nil {
		return Render(kind, whole)
	}
	return Message{
		Subject: strings.ReplaceAll(m.Subject, nameMark, name),
		Text:    strings.ReplaceAll(m.Text, nameMark, name),
		HTML:    strings.ReplaceAll(m.HTML, nameMark, b.String()),
	}, nil
}

// plainName reports whether name is put in as it is by the templates: not
// empty, no space at either end (the text is tidied line by line), and
// no control character or mark.
func plainName(name string) bool {
	if name == "" || strings.TrimSpace(name) != name || strings.Contains(name, nameMark) {
		return false
	}
	return !strings.ContainsFunc(name, unicode.IsControl)
}
