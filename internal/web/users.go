package web

import (
	"net/http"
	"net/url"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
)

type usersData struct {
	States []string
	Org    *domain.Org
	Users  []*domain.User
	Roles  []domain.Role
	Pager  pager
}

// users lists an organisation's users with search and filters by state
// and role.
func (h *Handler) users(w http.ResponseWriter, r *http.Request, act app.Actor) {
	q := r.URL.Query()
	orgID := q.Get("org")
	if orgID == "" {
		orgID = act.Org.ID
	}
	o, err := h.app.Org(r.Context(), act, orgID)
	if err != nil {
		h.fail(w, r, act, err)
		return
	}
	f := domain.UserFilter{OrgID: &o.ID, Search: search(r), Page: listPage(r)}
	if s := q.Get("state"); s != "" {
		st := domain.UserState(s)
		f.State = &st
	}
	if s := q.Get("role"); s != "" {
		role := domain.Role(s)
		f.Role = &role
	}
	l, err := h.app.Users(r.Context(), act, f)
	if err != nil {
		h.fail(w, r, act, err)
		return
	}
	h.render(w, r, "users", page{Title: "Users of " + o.Name, Nav: "users", Actor: act,
		Data: usersData{States: []string{"invited", "active", "locked", "deleted"}, Org: o, Users: l.Items, Roles: domain.RolesFor(domain.TypeForOrg(o.Kind)), Pager: pagerFor(r, l, "users")}})
}

func roleValues(r *http.Request) []domain.Role {
	_ = r.ParseForm()
	var out []domain.Role
	for _, v := range r.PostForm["role"] {
		out = append(out, domain.Role(v))
	}
	return out
}

// inviteUser creates an invited user; the invitation goes out at once.
func (h *Handler) inviteUser(w http.ResponseWriter, r *http.Request, act app.Actor) {
	orgID := r.PostFormValue("org_id")
	to := "/users?org=" + url.QueryEscape(orgID)
	if back := r.PostFormValue("back"); back != "" {
		to = safeNext(back)
	}
	u, warns, err := h.app.CreateUser(r.Context(), act, app.NewUser{OrgID: orgID, Email: r.PostFormValue("email"),
		Name: r.PostFormValue("name"), Roles: roleValues(r)})
	if err != nil {
		h.back(w, r, to, "invite", err, "")
		return
	}
	msg := "Invited " + u.Email + "; the invitation link was emailed to them."
	if h.app.Config().MailLocal {
		msg = "Invited " + u.Email + ". No mail server is set up, so pass them the invitation link yourself: it is on your Notifications page."
	}
	for _, wn := range warns {
		msg += " Warning: " + wn.Rule + ": " + wn.Message
	}
	h.back(w, r, to, "", nil, msg)
}

type userData struct {
	User        *domain.User
	Managed     app.Managed // what the identity provider owns (R-APP-4)
	BreakGlass  string      // why it is never locked for dormancy (R-PLUS-4)
	Roles       []domain.Role
	Assignments []*domain.Assignment
}

func (h *Handler) user(w http.ResponseWriter, r *http.Request, act app.Actor) {
	v, err := h.app.UserView(r.Context(), act, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, act, err)
		return
	}
	u := v.User
	h.render(w, r, "user", page{Title: u.Name, Nav: "users", Actor: act,
		Data: userData{User: u, Managed: v.Managed, BreakGlass: v.BreakGlass, Roles: domain.RolesFor(u.Type)}})
}

// updateUser changes name, email (confirmed by the person) and roles.
func (h *Handler) updateUser(w http.ResponseWriter, r *http.Request, act app.Actor) {
	id := r.PathValue("id")
	name, email := r.PostFormValue("name"), r.PostFormValue("email")
	u, pending, err := h.app.UpdateUser(r.Context(), act, id, domain.UserUpdate{Name: &name, Email: &email, Roles: roleValues(r)})
	if err != nil {
		h.back(w, r, "/users/"+id, "edit", err, "")
		return
	}
	msg := "Saved " + u.Name + "."
	if pending != "" {
		msg += " The new address " + pending + " takes effect once confirmed from the link sent to it."
	}
	h.back(w, r, "/users/"+id, "", nil, msg)
}

// userAction locks, unlocks, deletes or re-invites a user.
func (h *Handler) userAction(action string) func(http.ResponseWriter, *http.Request, app.Actor) {
	return func(w http.ResponseWriter, r *http.Request, act app.Actor) {
		id := r.PathValue("id")
		do := map[string]func() (*domain.User, error){
			"lock":   func() (*domain.User, error) { return h.app.LockUser(r.Context(), act, id) },
			"unlock": func() (*domain.User, error) { return h.app.UnlockUser(r.Context(), act, id) },
			"delete": func() (*domain.User, error) { return h.app.DeleteUser(r.Context(), act, id, r.PostFormValue("reason")) },
			"resend": func() (*domain.User, error) { return h.app.ResendInvitation(r.Context(), act, id) },
		}[action]
		u, err := do()
		if err != nil {
			h.back(w, r, "/users/"+id, action, err, "")
			return
		}
		if action == "delete" {
			h.back(w, r, "/users?org="+u.OrgID, "", nil, u.Email+" was deleted and removed from every site.")
			return
		}
		resent := "A fresh invitation went to " + u.Email + "."
		if h.app.Config().MailLocal {
			resent = "A fresh invitation link for " + u.Email + " is on your Notifications page: no mail server is set up, so pass it on yourself."
		}
		h.back(w, r, "/users/"+id, "", nil, map[string]string{"lock": u.Email + " is locked: its sessions ended and it can reach no site.",
			"unlock": u.Email + " is active again, with the sites it had.", "resend": resent}[action])
	}
}

// breakGlass exempts a user from the dormancy lock, or ends it (R-PLUS-4).
func (h *Handler) breakGlass(w http.ResponseWriter, r *http.Request, act app.Actor) {
	id := r.PathValue("id")
	exempt := r.PostFormValue("exempt") == "on"
	err := h.app.SetBreakGlass(r.Context(), act, id, exempt, r.PostFormValue("reason"))
	msg := "No longer exempt from the dormancy lock."
	if exempt {
		msg = "Never locked for dormancy: a break-glass account."
	}
	h.back(w, r, "/users/"+id, "break-glass", err, msg)
}
