package web

import (
	"net/http"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
)

// setPartner links a customer to a partner of record: operators choose
// one from the list and it is done; the customer's administrators name
// one, which is asked and decides.
func (h *Handler) setPartner(w http.ResponseWriter, r *http.Request, act app.Actor) {
	id := r.PathValue("id")
	v, err := h.app.OrgView(r.Context(), act, id)
	msg := ""
	switch {
	case err != nil:
	case v.Can.ChoosePartner:
		var c *domain.Org
		if c, err = h.app.SetPartner(r.Context(), act, id, r.PostFormValue("partner_id")); err == nil {
			msg = c.Name + " has no partner of record now."
			if p := partnerName(v.Partners, c.PartnerID); p != "" {
				msg = p + " is now the partner of record of " + c.Name + "."
			}
		}
	default:
		name := r.PostFormValue("partner_name")
		if err = h.app.AskPartner(r.Context(), act, id, name); err == nil {
			msg = "If " + name + " is one of our partners, its administrators were asked; " +
				"it becomes your partner of record when they accept, and you will be told."
		}
	}
	h.back(w, r, "/orgs/"+id, "partner", err, msg)
}

func partnerName(ps []*domain.Org, id string) string {
	for _, p := range ps {
		if p.ID == id {
			return p.Name
		}
	}
	return ""
}

// confirmDropPartner asks before ending a customer's link to its partner.
func (h *Handler) confirmDropPartner(w http.ResponseWriter, r *http.Request, act app.Actor) {
	v, err := h.app.OrgView(r.Context(), act, r.PathValue("id"))
	if err == nil && !v.Can.DropPartner {
		err = domain.RuleError(domain.EForbidden, "R-ORG-1", "you may not end %s's link to its partner", v.Org.Name)
	}
	if err != nil {
		h.fail(w, r, act, err)
		return
	}
	h.confirm(w, r, act, "End the partner link of "+v.Org.Name, confirmData{
		Question: "End " + v.Partner.Name + "'s role as partner of record of " + v.Org.Name + "?",
		Consequence: "Its people lose their access to " + v.Org.Name + "'s sites at once, and its requests there end. " +
			"A partner can be linked again later.",
		Action: "/orgs/" + v.Org.ID + "/partner/drop", Button: "End the link", Back: "/orgs/" + v.Org.ID + "#partner"})
}

// dropPartner ends a customer's link to its partner of record.
func (h *Handler) dropPartner(w http.ResponseWriter, r *http.Request, act app.Actor) {
	id := r.PathValue("id")
	c, err := h.app.DropPartner(r.Context(), act, id, r.PostFormValue("reason"))
	if err != nil {
		h.back(w, r, "/orgs/"+id, "partner", err, "")
		return
	}
	msg := c.Name + " has no partner of record now."
	if _, err := h.app.OrgView(r.Context(), act, id); err != nil {
		h.back(w, r, "/orgs", "", nil, msg) // the partner that let go no longer sees the customer
		return
	}
	h.back(w, r, "/orgs/"+id, "partner", nil, msg)
}
