package app

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/provisio/provisio/internal/domain"
)

// AccessSpan is a stretch of time during which a user could reach a site.
type AccessSpan struct {
	SiteID, SiteName string
	Role             domain.Role
	Via              domain.AccessVia
	From             time.Time
	To               time.Time // zero: still at the end of the range asked
	GrantedBy        string    // who assigned or approved, by name
}

// UserAccessBetween answers "which sites could this user reach between
// from and to, when, through what, let in by whom?", replayed from the
// activity log (R-AUDIT-1): assignments and grants (with their expiry),
// locks and unlocks, and the sites' suspensions and cancellations.
// Operators and the user's organisation's administrators read it.
// Codes: not_found, forbidden, invalid.
func (a *App) UserAccessBetween(ctx context.Context, act Actor, userID string, from, to time.Time) (out []AccessSpan, err error) {
	if !to.After(from) {
		return nil, &domain.Error{Code: domain.EInvalid, Rule: "R-AUDIT-1", Field: "to", Message: "the end of the range must come after its start"}
	}
	err = a.read(ctx, act, func(u *unit) error {
		usr, _, err := u.loadUser(ctx, userID)
		if err != nil {
			return err
		}
		if !act.Can().SeeAudit {
			return forbidden("R-AUDIT-1", "only administrators read a user's access history")
		}
		entries, err := u.tx.UserSiteHistory(ctx, usr.ID, to)
		if err != nil {
			return err
		}
		var siteIDs []string
		for _, e := range entries {
			if e.ObjectType != "assignment" {
				continue
			}
			if as := assignmentIn(e); as != nil && !slices.Contains(siteIDs, as.SiteID) {
				siteIDs = append(siteIDs, as.SiteID)
			}
		}
		sites, err := u.tx.SitesHistory(ctx, siteIDs, to)
		if err != nil {
			return err
		}
		entries = append(entries, sites...)
		slices.SortFunc(entries, func(x, y *domain.AuditEntry) int { return int(x.Seq - y.Seq) })
		out, err = u.spans(ctx, usr.ID, entries, from, to)
		return err
	})
	return out, err
}

// assignmentIn reads the assignment an entry is about, before or after.
func assignmentIn(e *domain.AuditEntry) *domain.Assignment {
	for _, raw := range []json.RawMessage{e.After, e.Before} {
		var as domain.Assignment
		if len(raw) > 0 && string(raw) != "null" && json.Unmarshal(raw, &as) == nil && as.SiteID != "" {
			return &as
		}
	}
	return nil
}

// spans replays entries (oldest first) and cuts the user's reachable
// stretches per site, clipped to [from, to].
func (u *unit) spans(ctx context.Context, userID string, entries []*domain.AuditEntry, from, to time.Time) ([]AccessSpan, error) {
	live := map[string]domain.Assignment{} // by site
	grantedBy := map[string]string{}       // by site: who made the live assignment
	siteState := map[string]domain.SiteState{}
	userState := domain.UserInvited
	// Change points: every entry's time, every grant's end, and the range's ends.
	points := []time.Time{from, to}
	for _, e := range entries {
		points = append(points, e.At)
		if as := assignmentIn(e); as != nil && !as.ExpiresAt.IsZero() {
			points = append(points, as.ExpiresAt)
		}
	}
	slices.SortFunc(points, func(x, y time.Time) int { return x.Compare(y) })
	points = slices.CompactFunc(points, func(x, y time.Time) bool { return x.Equal(y) })

	open := map[string]*AccessSpan{}
	var out []AccessSpan
	next := 0
	for _, p := range points {
		for ; next < len(entries) && !entries[next].At.After(p); next++ {
			e := entries[next]
			switch e.ObjectType {
			case "user":
				var usr domain.User
				if json.Unmarshal(e.After, &usr) == nil && usr.ID == userID {
					userState = usr.State
				}
			case "site":
				var s domain.Site
				if json.Unmarshal(e.After, &s) == nil && s.State != "" {
					siteState[e.ObjectID] = s.State
				}
			case "assignment":
				as := assignmentIn(e)
				if as == nil || as.UserID != userID {
					continue
				}
				var after domain.Assignment
				if len(e.After) > 0 && string(e.After) != "null" && json.Unmarshal(e.After, &after) == nil && after.SiteID != "" {
					if _, ok := live[after.SiteID]; !ok {
						grantedBy[after.SiteID] = e.ActorID
					}
					live[after.SiteID] = after
				} else {
					delete(live, as.SiteID)
				}
			}
		}
		if p.After(to) {
			break
		}
		for _, site := range slices.Sorted(mapKeys(live, open)) {
			as, ok := live[site]
			reach := ok && userState == domain.UserActive && siteState[site] == domain.SiteReady && !domain.GrantExpired(as.ExpiresAt, p)
			cur := open[site]
			switch {
			case reach && cur == nil:
				open[site] = &AccessSpan{SiteID: site, Role: as.Role, Via: as.Via, From: p, GrantedBy: grantedBy[site]}
			case !reach && cur != nil:
				cur.To = p
				out = append(out, *cur)
				delete(open, site)
			}
		}
	}
	for _, s := range open {
		out = append(out, *s)
	}
	// Clip to the range and drop what ended before it.
	kept := out[:0]
	for _, s := range out {
		if !s.To.IsZero() && !s.To.After(from) {
			continue
		}
		if s.From.Before(from) {
			s.From = from
		}
		if !s.To.IsZero() && s.To.After(to) {
			s.To = time.Time{}
		}
		kept = append(kept, s)
	}
	// Names, for people.
	var actors []*domain.AuditEntry
	for _, s := range kept {
		actors = append(actors, &domain.AuditEntry{ActorID: s.GrantedBy})
	}
	names, err := u.tx.ObjectNames(ctx, actorIDs(actors))
	if err != nil {
		return nil, err
	}
	for i := range kept {
		if kept[i].GrantedBy == "" {
			kept[i].GrantedBy = "Provisio"
		} else {
			kept[i].GrantedBy = names[kept[i].GrantedBy]
		}
		if s, err := u.tx.Site(ctx, domain.Everything, kept[i].SiteID); err == nil {
			kept[i].SiteName = s.Name
		}
	}
	slices.SortFunc(kept, func(x, y AccessSpan) int { return x.From.Compare(y.From) })
	return kept, nil
}

// mapKeys is the union of the keys of two maps.
func mapKeys[V, W any](a map[string]V, b map[string]W) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range a {
			if !yield(k) {
				return
			}
		}
		for k := range b {
			if _, dup := a[k]; !dup && !yield(k) {
				return
			}
		}
	}
}
