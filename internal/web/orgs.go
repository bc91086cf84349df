package web

import (
	"net/http"
	"strings"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
)

type orgsData struct {
	Orgs         []*domain.Org
	Pager        pager
	Partners     []*domain.Org
	LinkRequests []app.PartnerLinkView // customers asking this partner to be linked
	Names        map[string]string     // partners' names by id
}

// orgs lists the organisations the person can see: operators see partners
// and customers, partners their linked customers (R-ORG-1).
func (h *Handler) orgs(w http.ResponseWriter, r *http.Request, act app.Actor) {
	l, err := h.app.Orgs(r.Context(), act, domain.OrgFilter{Search: search(r), Page: listPage(r)})
	if err != nil {
		h.fail(w, r, act, err)
		return
	}
	d := orgsData{Orgs: l.Items, Pager: pagerFor(r, l, "organisations")}
	var partners []string
	for _, o := range l.Items {
		if o.PartnerID != "" {
			partners = append(partners, o.PartnerID)
		}
	}
	if act.Can().CreateOrgs {
		kind := domain.OrgPartner
		if d.Partners, err = list(h.app.Orgs(r.Context(), act, domain.OrgFilter{Kind: &kind, Page: domain.Page{Limit: domain.MaxPageSize}})); err != nil {
			h.fail(w, r, act, err)
			return
		}
	}
	if d.Names, err = h.app.Names(r.Context(), act, partners); err != nil {
		h.fail(w, r, act, err)
		return
	}
	if act.Can().AnswerPartnerLinks {
		if d.LinkRequests, err = h.app.PartnerLinkRequests(r.Context(), act); err != nil {
			h.fail(w, r, act, err)
			return
		}
	}
	h.render(w, r, "orgs", page{Title: "Organisations", Nav: "orgs", Actor: act, Data: d})
}

// answerLink accepts or declines a customer's request to be linked.
func (h *Handler) answerLink(accept bool) func(http.ResponseWriter, *http.Request, app.Actor) {
	return func(w http.ResponseWriter, r *http.Request, act app.Actor) {
		c, err := h.app.AnswerPartnerLink(r.Context(), act, r.PathValue("customer"), accept)
		msg := "Declined; the customer's administrators were told."
		if err == nil && accept {
			msg = "You are now the partner of record of " + c.Name + "; its administrators were told."
		}
		h.back(w, r, "/orgs", "link-requests", err, msg)
	}
}

func (h *Handler) createOrg(w http.ResponseWriter, r *http.Request, act app.Actor) {
	o, err := h.app.CreateOrg(r.Context(), act, app.NewOrg{Kind: domain.OrgKind(r.PostFormValue("kind")),
		Name: r.PostFormValue("name"), PartnerID: r.PostFormValue("partner_id"), Demo: r.PostFormValue("demo") == "on"})
	if err != nil {
		h.back(w, r, "/orgs", "create-org", err, "")
		return
	}
	h.back(w, r, "/orgs/"+o.ID, "", nil, "Created "+string(o.Kind)+" "+o.Name+". Invite its first administrator below.")
}

type orgData struct {
	app.OrgView
	Users []*domain.User
	Sites []*domain.Site
	// The identity provider's SCIM tokens and group-to-role mapping
	// (R-APP-4), and a token's secret just made, shown this once.
	SCIMTokens []*domain.SCIMToken
	GroupRoles []domain.GroupRole
	NewToken   *newToken
	// The organisation's webhooks with their latest deliveries (R-PLUS-2),
	// and a new one's signing secret, shown this once.
	Webhooks []webhookRow
	NewHook  *domain.Webhook
	// Sign-in through the organisation's own identity provider, and the
	// domains it claims with how to prove them.
	SSO     *domain.OIDCProvider
	Domains []*domain.SSODomain
}

type webhookRow struct {
	*domain.Webhook
	Deliveries []*domain.WebhookDelivery
}

// newToken is a SCIM token whose secret is shown once, on the page that
// answers its creation or rotation.
type newToken struct {
	Name, Secret, URL string
}

// org shows one organisation with its users and sites, as far as the
// person may see them.
func (h *Handler) org(w http.ResponseWriter, r *http.Request, act app.Actor) {
	h.orgPage(w, r, act, r.PathValue("id"), nil)
}

func (h *Handler) orgPage(w http.ResponseWriter, r *http.Request, act app.Actor, id string, nt *newToken) {
	h.orgPageWith(w, r, act, id, nt, nil)
}

func (h *Handler) orgPageWith(w http.ResponseWriter, r *http.Request, act app.Actor, id string, nt *newToken, hook *domain.Webhook) {
	ctx := r.Context()
	v, err := h.app.OrgView(ctx, act, id)
	if err != nil {
		h.fail(w, r, act, err)
		return
	}
	d := orgData{OrgView: v, NewToken: nt, NewHook: hook}
	if v.Can.ConfigureSignIn {
		if d.SSO, err = h.app.OIDCProvider(ctx, act, v.Org.ID); domain.ErrorCode(err) == domain.ENotFound {
			d.SSO, err = nil, nil
		}
		if err == nil {
			d.Domains, err = h.app.SSODomains(ctx, act, v.Org.ID)
		}
		if err != nil {
			h.fail(w, r, act, err)
			return
		}
	}
	if v.Can.ManageWebhooks {
		hooks, err := h.app.Webhooks(ctx, act, v.Org.ID)
		for _, wh := range hooks {
			if err != nil {
				break
			}
			var ds domain.List[*domain.WebhookDelivery]
			ds, err = h.app.Deliveries(ctx, act, wh.ID, domain.Page{Limit: 10})
			d.Webhooks = append(d.Webhooks, webhookRow{Webhook: wh, Deliveries: ds.Items})
		}
		if err != nil {
			h.fail(w, r, act, err)
			return
		}
	}
	if v.Can.ManageProvisioning {
		if d.SCIMTokens, err = h.app.SCIMTokens(ctx, act, v.Org.ID, ""); err == nil {
			d.GroupRoles, err = h.app.GroupRoles(ctx, act, v.Org.ID)
		}
		if err != nil {
			h.fail(w, r, act, err)
			return
		}
	}
	pg := domain.Page{Limit: domain.MaxPageSize}
	if v.Can.SeeUsers {
		if d.Users, err = list(h.app.Users(ctx, act, domain.UserFilter{OrgID: &v.Org.ID, Page: pg})); err != nil {
			h.fail(w, r, act, err)
			return
		}
	}
	if v.Can.SeeSites {
		if d.Sites, err = list(h.app.Sites(ctx, act, domain.SiteFilter{CustomerID: &v.Org.ID, Page: pg})); err != nil {
			h.fail(w, r, act, err)
			return
		}
	}
	h.render(w, r, "org", page{Title: v.Org.Name, Nav: "orgs", Actor: act, Data: d})
}

// setSSO sets up sign-in through the organisation's own identity
// provider; an empty client secret keeps the one stored.
func (h *Handler) setSSO(w http.ResponseWriter, r *http.Request, act app.Actor) {
	id := r.PathValue("id")
	doms := strings.FieldsFunc(r.PostFormValue("allowed_domains"), func(c rune) bool { return c == ',' || c == ' ' || c == '\n' })
	_, err := h.app.SetOIDCProvider(r.Context(), act, id, domain.OIDCProvider{Issuer: r.PostFormValue("issuer"),
		ClientID: r.PostFormValue("client_id"), ClientSecret: r.PostFormValue("client_secret"), AllowedDomains: doms})
	h.back(w, r, "/orgs/"+id, "sso", err, "Sign-in set up. Prove each domain (below) before its people can use it.")
}

// verifySSODomain proves a claimed domain by its DNS record (or an
// operator's approval).
func (h *Handler) verifySSODomain(w http.ResponseWriter, r *http.Request, act app.Actor) {
	id := r.PathValue("id")
	d, err := h.app.VerifySSODomain(r.Context(), act, id, r.PathValue("domain"))
	msg := ""
	if err == nil {
		msg = d.Domain + " is proven."
	}
	h.back(w, r, "/orgs/"+id, "sso", err, msg)
}

// createWebhook adds a webhook and shows its signing secret, this once.
func (h *Handler) createWebhook(w http.ResponseWriter, r *http.Request, act app.Actor) {
	id := r.PathValue("id")
	wh, err := h.app.CreateWebhook(r.Context(), act, id, r.PostFormValue("url"))
	if err != nil {
		h.back(w, r, "/orgs/"+id, "webhooks", err, "")
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	h.orgPageWith(w, r, act, id, nil, wh)
}

// deleteWebhook removes a webhook; its events stop at once.
func (h *Handler) deleteWebhook(w http.ResponseWriter, r *http.Request, act app.Actor) {
	err := h.app.DeleteWebhook(r.Context(), act, r.PathValue("hook"))
	h.back(w, r, "/orgs/"+r.PathValue("id"), "webhooks", err, "Webhook removed; no more events go to it.")
}

// orgSettings saves what the organisation's administrators decide: a
// second factor for everyone (R-PLUS-3) and the dormancy lock (R-PLUS-4).
func (h *Handler) orgSettings(w http.ResponseWriter, r *http.Request, act app.Actor) {
	id := r.PathValue("id")
	mfa, dormant := r.PostFormValue("require_mfa") == "on", r.PostFormValue("lock_dormant") == "on"
	remove := r.PostFormValue("review_auto_remove")
	upd := domain.OrgUpdate{RequireMFA: &mfa, LockDormant: &dormant, ReviewAutoRemove: &remove}
	if r.Form.Has("name") {
		name := r.PostFormValue("name")
		upd.Name = &name
	}
	if c := r.PostFormValue("main_contact_id"); c != "" {
		upd.MainContactID = &c
	}
	if v, err := h.app.OrgView(r.Context(), act, id); err == nil && v.Can.FlagDemo {
		demo := r.PostFormValue("demo") == "on"
		upd.Demo = &demo
	}
	_, err := h.app.UpdateOrg(r.Context(), act, id, upd)
	h.back(w, r, "/orgs/"+id, "settings", err, "Settings saved.")
}
