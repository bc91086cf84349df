package web

import (
	"net/http"
	"strings"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
)

// reviewsData is the list of reviews, with the campaigns.
type reviewsData struct {
	Reviews   []*domain.Review
	Campaigns []*domain.Campaign
	State     string
}

// reviews lists the person's organisation's reviews (operators: every
// one, or the overdue ones) (R-AUDIT-3).
func (h *Handler) reviews(w http.ResponseWriter, r *http.Request, act app.Actor) {
	state := r.URL.Query().Get("state")
	rs, err := h.app.Reviews(r.Context(), act, state)
	if err != nil {
		h.fail(w, r, act, err)
		return
	}
	cs, err := h.app.Campaigns(r.Context(), act)
	if err != nil {
		h.fail(w, r, act, err)
		return
	}
	h.render(w, r, "reviews", page{Title: "User reviews", Nav: "reviews", Actor: act, Data: reviewsData{Reviews: rs, Campaigns: cs, State: state}})
}

// openCampaign opens a campaign for every partner and customer now
// (operators).
func (h *Handler) openCampaign(w http.ResponseWriter, r *http.Request, act app.Actor) {
	c, err := h.app.OpenCampaign(r.Context(), act, r.PostFormValue("name"), nil)
	msg := ""
	if err == nil {
		msg = "Opened " + c.Name + "; every organisation's administrators were emailed a link to their review."
	}
	h.back(w, r, "/reviews", "campaign", err, msg)
}

// reviewData is one review's page.
type reviewData struct {
	*app.ReviewView
	Filter string // "", "undecided" or "findings"
	Shown  []app.ReviewUser
}

// review shows a review: every user of the organisation with roles,
// sites, last sign-in, findings and the decision so far, and the forms
// to decide (R-AUDIT-3).
func (h *Handler) review(w http.ResponseWriter, r *http.Request, act app.Actor) {
	v, err := h.app.Review(r.Context(), act, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, act, err)
		return
	}
	d := reviewData{ReviewView: v, Filter: r.URL.Query().Get("filter")}
	for _, u := range v.Users {
		switch {
		case d.Filter == "undecided" && u.Decision != nil, d.Filter == "findings" && len(u.Findings) == 0:
			continue
		}
		d.Shown = append(d.Shown, u)
	}
	h.render(w, r, "review", page{Title: "Review of " + v.Review.OrgName, Nav: "reviews", Actor: act, Data: d})
}

// decideReview applies the form's decision to the users ticked (or, from
// a row's own button, to one user and site), or confirms everyone not yet
// decided.
func (h *Handler) decideReview(w http.ResponseWriter, r *http.Request, act app.Actor) {
	id := r.PathValue("id")
	if err := r.ParseForm(); err != nil {
		h.back(w, r, "/reviews/"+id, "decide", &domain.Error{Code: domain.EInvalid, Message: "the form could not be read"}, "")
		return
	}
	rest := r.PostFormValue("confirm_rest") != ""
	var cs []app.ReviewChoice
	if one := r.PostFormValue("one"); one != "" { // a row's "take off" button: one user, one site
		user, site, _ := strings.Cut(one, " ")
		cs = []app.ReviewChoice{{UserID: user, Decision: domain.DecideUnassign, SiteIDs: []string{site}, Comment: r.PostFormValue("comment")}}
	} else if !rest {
		var sites []string
		if s := r.PostFormValue("site_id"); s != "" {
			sites = []string{s}
		}
		for _, u := range r.PostForm["user"] {
			cs = append(cs, app.ReviewChoice{UserID: u, Decision: r.PostFormValue("decision"), SiteIDs: sites, Comment: r.PostFormValue("comment")})
		}
		if len(cs) == 0 {
			h.back(w, r, "/reviews/"+id, "decide", &domain.Error{Code: domain.EInvalid, Rule: "R-AUDIT-3",
				Message: "tick the users the decision is for"}, "")
			return
		}
	}
	rv, err := h.app.DecideReview(r.Context(), act, id, cs, rest)
	msg := ""
	if err == nil {
		msg = "Saved."
		if rv.State == domain.ReviewCompleted {
			msg = "Saved. The review is complete: every user is confirmed or removed."
		}
	}
	h.back(w, r, "/reviews/"+id, "decide", err, msg)
}
