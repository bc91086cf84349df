package app

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/provisio/provisio/internal/domain"
)

// Access history (point in time): who could reach a site at a moment,
// through what, and who let them in, answered from the activity log
// (R-AUDIT-1), so it holds for any moment the log covers.

// AccessAt is one person's access to a site at a moment.
type AccessAt struct {
	UserID, UserName, UserEmail string
	Role                        domain.Role
	Via                         domain.AccessVia
	Since                       time.Time // when the assignment or grant was made
	ExpiresAt                   time.Time // a grant's end, zero: none
	GrantedBy                   string    // who assigned or approved, by name
	Reachable                   bool      // the access decision at that moment
	Why                         string    // why not, when not reachable
}

// SiteAccessAt answers "who could reach the site at that moment, through
// what, approved by whom?" for operators and the site's customer
// administrators. Codes: not_found, forbidden.
func (a *App) SiteAccessAt(ctx context.Context, act Actor, siteID string, at time.Time) (out []AccessAt, err error) {
	err = a.read(ctx, act, func(u *unit) error {
		v, err := u.siteView(ctx, siteID)
		if err != nil {
			return err
		}
		if !v.Can.ManageAppTokens {
			return forbidden("R-AUDIT-1", "only the customer's administrators and operators read a site's access history")
		}
		entries, err := u.tx.SiteHistory(ctx, v.Site.ID, at)
		if err != nil {
			return err
		}
		// Replay: the assignments alive at the moment, and the site's state.
		live := map[string]domain.Assignment{}
		grantedBy := map[string]string{}
		siteState := domain.SiteProvisioning
		for _, e := range entries {
			switch e.ObjectType {
			case "site":
				var s domain.Site
				if json.Unmarshal(e.After, &s) == nil && s.State != "" {
					siteState = s.State
				}
			case "assignment":
				var as domain.Assignment
				if len(e.After) > 0 && string(e.After) != "null" && json.Unmarshal(e.After, &as) == nil && as.SiteID == v.Site.ID {
					if _, ok := live[e.ObjectID]; !ok {
						grantedBy[e.ObjectID] = e.ActorID
					}
					live[e.ObjectID] = as
				} else {
					delete(live, e.ObjectID)
				}
			}
		}
		var users []string
		for _, as := range live {
			users = append(users, as.UserID)
		}
		slices.Sort(users)
		// Each person's state at the moment, from the log too.
		states := map[string]domain.User{}
		hist, err := u.tx.UsersHistory(ctx, slices.Compact(users), at)
		if err != nil {
			return err
		}
		for _, e := range hist {
			var usr domain.User
			if len(e.After) > 0 && json.Unmarshal(e.After, &usr) == nil && usr.ID != "" {
				states[usr.ID] = usr
			}
		}
		var actors []*domain.AuditEntry
		for _, id := range grantedBy {
			actors = append(actors, &domain.AuditEntry{ActorID: id})
		}
		names, err := u.tx.ObjectNames(ctx, actorIDs(actors))
		if err != nil {
			return err
		}
		for id, as := range live {
			usr := states[as.UserID]
			r := AccessAt{UserID: as.UserID, UserName: usr.Name, UserEmail: usr.Email, Role: as.Role, Via: as.Via,
				Since: as.CreatedAt, ExpiresAt: as.ExpiresAt, GrantedBy: names[grantedBy[id]]}
			if r.GrantedBy == "" && grantedBy[id] == "" {
				r.GrantedBy = "Provisio"
			}
			switch {
			case usr.State != domain.UserActive:
				r.Why = "the user was " + string(usr.State)
			case siteState != domain.SiteReady:
				r.Why = "the site was " + string(siteState)
			case domain.GrantExpired(as.ExpiresAt, at):
				r.Why = "the access had expired"
			default:
				r.Reachable = true
			}
			out = append(out, r)
		}
		slices.SortFunc(out, func(x, y AccessAt) int {
			if x.UserName != y.UserName {
				if x.UserName < y.UserName {
					return -1
				}
				return 1
			}
			return x.Since.Compare(y.Since)
		})
		return nil
	})
	return out, err
}

func actorIDs(es []*domain.AuditEntry) []string {
	var ids []string
	for _, e := range es {
		if e.ActorID != "" && !slices.Contains(ids, e.ActorID) {
			ids = append(ids, e.ActorID)
		}
	}
	return ids
}
