package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/provisio/provisio/internal/domain"
)

// listSize is how many rows a list page shows.
const listSize = 50

// pager is the line under a list: how many match, and the links to the
// next page and back to the first, keeping the search and filters.
type pager struct {
	Total  int
	Shown  int
	Noun   string // plural, e.g. "sites"
	Next   string // the next page's URL, "" on the last page
	First  string // the first page's URL, "" on the first page
	Search string // what the list was searched for, "" when it was not
}

// Summary says how many match, in words.
func (p pager) Summary() string {
	noun := p.Noun
	if p.Total == 1 {
		noun = strings.TrimSuffix(noun, "s")
	}
	if p.Total <= p.Shown && p.First == "" {
		return fmt.Sprintf("%d %s", p.Total, noun)
	}
	return fmt.Sprintf("%d shown of %d %s", p.Shown, p.Total, noun)
}

// listPage is the page of a list that the request asks for (its cursor),
// counted.
func listPage(r *http.Request) domain.Page {
	return domain.Page{Cursor: r.URL.Query().Get("cursor"), Limit: listSize, Count: true}
}

// search is the text a list is searched for (the q parameter), or nil.
func search(r *http.Request) *string {
	if q := strings.TrimSpace(r.URL.Query().Get("q")); q != "" {
		return &q
	}
	return nil
}

// pagerFor is the pager of a list page answered by l.
func pagerFor[T any](r *http.Request, l domain.List[T], noun string) pager {
	p := pager{Total: l.Total, Shown: len(l.Items), Noun: noun, Search: r.URL.Query().Get("q")}
	q := r.URL.Query()
	if l.NextCursor != "" {
		q.Set("cursor", l.NextCursor)
		p.Next = r.URL.Path + "?" + q.Encode()
	}
	if r.URL.Query().Get("cursor") != "" {
		q.Del("cursor")
		p.First = r.URL.Path
		if len(q) > 0 {
			p.First += "?" + q.Encode()
		}
	}
	return p
}
