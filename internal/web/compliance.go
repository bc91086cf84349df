package web

import (
	"net/http"
	"sort"

	"github.com/provisio/provisio/internal/app"
)

type complianceData struct {
	app.ComplianceReport
	OrgID string
	Orgs  []orgCount // findings per organisation, most first
}

type orgCount struct {
	Name  string
	Count int
}

// compliance is the compliance report (R-AUDIT-2): counts per kind and per
// organisation, then every finding with its fix; the CSV comes from the
// API.
func (h *Handler) compliance(w http.ResponseWriter, r *http.Request, act app.Actor) {
	orgID := r.URL.Query().Get("org")
	rep, err := h.app.Compliance(r.Context(), act, orgID)
	if err != nil {
		h.fail(w, r, act, err)
		return
	}
	d := complianceData{ComplianceReport: rep, OrgID: orgID}
	for name, n := range rep.ByOrg {
		d.Orgs = append(d.Orgs, orgCount{name, n})
	}
	sort.Slice(d.Orgs, func(i, j int) bool {
		if d.Orgs[i].Count != d.Orgs[j].Count {
			return d.Orgs[i].Count > d.Orgs[j].Count
		}
		return d.Orgs[i].Name < d.Orgs[j].Name
	})
	h.render(w, r, "compliance", page{Title: "Compliance", Nav: "compliance", Actor: act, Data: d})
}
