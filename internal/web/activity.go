package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
)

// activityData is a page of the activity log with its filters.
type activityData struct {
	app.ActivityPage
	Kinds        []struct{ Prefix, Name string }
	Orgs         []*domain.Org
	Sites        []*domain.Site
	OlderURL     string
	NewerURL     string
	Filtered     bool
	ExportFilter string // the filter as API query parameters
}

// audit shows the activity log newest first, a page at a time both ways,
// each entry a sentence with names and its changes on demand, filtered
// by kind, dates, person, organisation and site (R-AUDIT-1).
func (h *Handler) audit(w http.ResponseWriter, r *http.Request, act app.Actor) {
	ctx := r.Context()
	q := r.URL.Query()
	f := domain.AuditFilter{}
	bad := func(field, msg string) {
		h.fail(w, r, act, &domain.Error{Code: domain.EInvalid, Rule: "R-AUDIT-1", Field: field, Message: msg})
	}
	for key, dst := range map[string]**string{"action": &f.Action, "object": &f.ObjectID, "actor": &f.ActorID, "kind": &f.ActionPrefix,
		"site": &f.SiteID} {
		if v := q.Get(key); v != "" {
			*dst = &v
		}
	}
	if org := q.Get("org"); org != "" {
		f.OrgIDs = []string{org}
	}
	for key, dst := range map[string]**time.Time{"from": &f.Since, "to": &f.Until} {
		if v := q.Get(key); v != "" {
			t, err := time.Parse(time.DateOnly, v)
			if err != nil {
				bad(key, "give "+key+" as a date, e.g. 2026-11-30")
				return
			}
			if key == "to" {
				t = t.Add(24 * time.Hour) // the whole day
			}
			*dst = &t
		}
	}
	if email := q.Get("person"); email != "" {
		l, err := h.app.Users(ctx, act, domain.UserFilter{Search: &email, Page: domain.Page{Limit: 2}})
		if err != nil {
			h.fail(w, r, act, err)
			return
		}
		if len(l.Items) != 1 {
			bad("person", "no single person you can see matches "+email+"; give their email address")
			return
		}
		f.ActorID = &l.Items[0].ID
	}
	for key, dst := range map[string]*int64{"before": &f.BeforeSeq, "after": &f.AfterSeq} {
		if v := q.Get(key); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				bad(key, "that page of the log does not exist")
				return
			}
			*dst = n
		}
	}
	p, err := h.app.Activity(ctx, act, f, 50)
	if err != nil {
		h.fail(w, r, act, err)
		return
	}
	d := activityData{ActivityPage: p, Kinds: app.ActionKinds}
	keep := url.Values{}
	for _, k := range []string{"kind", "from", "to", "person", "org", "site", "action", "object", "actor"} {
		if v := q.Get(k); v != "" {
			keep.Set(k, v)
			d.Filtered = true
		}
	}
	pageURL := func(k string, seq int64) string {
		v := url.Values{}
		for key, vals := range keep {
			v[key] = vals
		}
		v.Set(k, strconv.FormatInt(seq, 10))
		return "/audit?" + v.Encode()
	}
	if p.Older > 0 {
		d.OlderURL = pageURL("before", p.Older)
	}
	if p.Newer > 0 {
		d.NewerURL = pageURL("after", p.Newer)
	}
	export := url.Values{}
	for web, api := range map[string]string{"action": "action", "object": "object_id", "actor": "actor_id", "org": "org_id"} {
		if v := q.Get(web); v != "" {
			export.Set(api, v)
		}
	}
	if f.ActorID != nil {
		export.Set("actor_id", *f.ActorID)
	}
	d.ExportFilter = export.Encode()
	if act.Can().SeeOrgs {
		if d.Orgs, err = list(h.app.Orgs(ctx, act, domain.OrgFilter{Page: domain.Page{Limit: domain.MaxPageSize}})); err != nil {
			h.fail(w, r, act, err)
			return
		}
	}
	if d.Sites, err = list(h.app.Sites(ctx, act, domain.SiteFilter{Page: domain.Page{Limit: domain.MaxPageSize}})); err != nil {
		h.fail(w, r, act, err)
		return
	}
	h.render(w, r, "audit", page{Title: "Activity log", Nav: "audit", Actor: act, Data: d})
}
