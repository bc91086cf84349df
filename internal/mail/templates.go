package mail

import (
	"embed"
	"fmt"
	htmltemplate "html/template"
	texttemplate "text/template"
	"time"
)

//go:embed templates
var templateFiles embed.FS

// Names of the template parts. Each kind's .txt file defines partSubject and
// partText; its .html file defines partHTML. The layouts wrap the bodies in
// the greeting and the footer every notice shares.
const (
	partSubject = "subject"
	partText    = "text"
	partHTML    = "html"
	textLayout  = "message"
	htmlLayout  = "page"
)

// noticeTemplates holds the parsed parts of one kind.
type noticeTemplates struct {
	text *texttemplate.Template // partSubject, partText and textLayout
	html *htmltemplate.Template // partHTML and htmlLayout
}

// notices is parsed once at start-up: the templates are compiled into the
// binary, so a broken one is a programming error and must not wait for the
// first notice of its kind to show.
var notices = mustParseNotices()

func mustParseNotices() map[string]noticeTemplates {
	n, err := parseNotices()
	if err != nil {
		panic(err)
	}
	return n
}

// actionLink is what the HTML "action" template shows: a button and, under
// it, the same address as text for mail clients that hide links.
type actionLink struct{ Label, URL string }

func templateFuncs() map[string]any {
	return map[string]any{
		"date":   formatTime,
		"set":    func(t time.Time) bool { return !t.IsZero() },
		"action": func(label, url string) actionLink { return actionLink{Label: label, URL: url} },
	}
}

// parseNotices parses the templates of every kind and checks that each has
// all three parts.
func parseNotices() (map[string]noticeTemplates, error) {
	funcs := templateFuncs()
	out := make(map[string]noticeTemplates, len(kinds))
	for _, kind := range kinds {
		txt, err := texttemplate.New(kind).Funcs(funcs).
			ParseFS(templateFiles, "templates/layout.txt", "templates/"+kind+".txt")
		if err != nil {
			return nil, fmt.Errorf("parse notice %s: %w", kind, err)
		}
		htm, err := htmltemplate.New(kind).Funcs(funcs).
			ParseFS(templateFiles, "templates/layout.html", "templates/"+kind+".html")
		if err != nil {
			return nil, fmt.Errorf("parse notice %s: %w", kind, err)
		}
		for _, part := range []string{partSubject, partText, textLayout} {
			if txt.Lookup(part) == nil {
				return nil, fmt.Errorf("parse notice %s: no %q template", kind, part)
			}
		}
		for _, part := range []string{partHTML, htmlLayout} {
			if htm.Lookup(part) == nil {
				return nil, fmt.Errorf("parse notice %s: no %q template", kind, part)
			}
		}
		out[kind] = noticeTemplates{text: txt, html: htm}
	}
	return out, nil
}
