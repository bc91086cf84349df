package app

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/provisio/provisio/internal/domain"
)

// The activity log as people read it (R-AUDIT-1): newest first, a page at
// a time both ways, each entry a sentence with names, and what changed on
// demand.

// idLike matches Provisio's ids (usr_…, site_…), which people never read.
var idLike = regexp.MustCompile(`^[a-z]+_[0-9a-z]{20,}$`)

// idKinds names what an id that has no name of its own stands for.
var idKinds = map[string]string{"tok": "an API token", "ses": "a session", "req": "a partner access request", "ntc": "a notice",
	"asg": "an assignment", "whk": "a webhook", "pcall": "a provisioner call", "dacct": "a directory account", "rev": "a review",
	"cmp": "a review campaign", "grp": "a SCIM group", "sct": "a SCIM token", "key": "a signing key", "usr": "a deleted person",
	"site": "a site", "org": "an organisation", "co": "a company", "app": "a site application"}

// ActivityRow is one entry of the log, readable.
type ActivityRow struct {
	Entry    *domain.AuditEntry
	Actor    string // who, by name ("Provisio" for the system)
	Sentence string // what happened, in plain words
	Changes  []FieldChange
}

// FieldChange is one field an entry changed.
type FieldChange struct{ Field, Before, After string }

// ActivityPage is a page of the log, newest first.
type ActivityPage struct {
	Rows  []ActivityRow
	Total int   // entries matching the filter, on every page
	Older int64 // pass as BeforeSeq for the next older page; 0: none
	Newer int64 // pass as AfterSeq for the next newer page; 0: none
}

// ActionKinds are the kinds of action the log can be filtered by, with
// their names for a menu.
var ActionKinds = []struct{ Prefix, Name string }{
	{"user.", "People"}, {"assignment.", "Site assignments"}, {"partner_access.", "Partner access"},
	{"access_request.", "Partner access requests"}, {"site.", "Sites"}, {"company", "Companies"}, {"org.", "Organisations"},
	{"review.", "User reviews"}, {"directory.", "Directory accounts"}, {"signin.", "Sign-ins"}, {"session.", "Sessions"},
	{"token.", "API tokens"}, {"scim", "SCIM"}, {"oidc", "Sign-in for applications"}, {"app_client.", "Site applications"},
	{"webhook.", "Webhooks"}, {"provisioner.", "Provisioner"},
}

// Activity returns a page of the log the actor may read, newest first:
// pageSize entries before f.BeforeSeq, or after f.AfterSeq, or the newest.
// Codes: forbidden, not_found.
func (a *App) Activity(ctx context.Context, act Actor, f domain.AuditFilter, pageSize int) (p ActivityPage, err error) {
	if pageSize <= 0 || pageSize > 500 {
		pageSize = 50
	}
	err = a.read(ctx, act, func(u *unit) error {
		if err := u.auditScope(ctx, &f); err != nil {
			return err
		}
		var err error
		if p.Total, err = u.tx.CountAudit(ctx, f); err != nil {
			return err
		}
		newer := f.AfterSeq > 0
		f.Newest, f.Limit = !newer, pageSize+1
		es, err := u.tx.Audit(ctx, f)
		if err != nil {
			return err
		}
		more := len(es) > pageSize
		if more {
			es = es[:pageSize]
		}
		if newer {
			slices.Reverse(es)
		}
		if len(es) > 0 {
			newest, oldest := es[0].Seq, es[len(es)-1].Seq
			if newer && more || !newer && f.BeforeSeq > 0 {
				p.Newer = newest
			}
			// Going older, one more row than the page says an older page
			// exists; going newer, the page came from an older one.
			if !newer && more || newer {
				p.Older = oldest
			}
		}
		p.Rows, err = u.readable(ctx, es)
		return err
	})
	return p, err
}

// readable turns entries into rows with names and sentences.
func (u *unit) readable(ctx context.Context, es []*domain.AuditEntry) ([]ActivityRow, error) {
	var ids []string
	note := func(id string) {
		if id != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	for _, e := range es {
		note(e.ActorID)
		note(e.ObjectID)
		note(e.OrgID)
		if as := assignmentIn(e); as != nil {
			note(as.UserID)
			note(as.SiteID)
		}
		for _, raw := range []json.RawMessage{e.Before, e.After} { // ids in the changed fields
			var m map[string]any
			_ = json.Unmarshal(raw, &m)
			for _, v := range m {
				if s, ok := v.(string); ok && idLike.MatchString(s) {
					note(s)
				}
			}
		}
	}
	names, err := u.tx.ObjectNames(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]ActivityRow, 0, len(es))
	for _, e := range es {
		r := ActivityRow{Entry: e, Actor: "Provisio"}
		if e.ActorID != "" {
			r.Actor = nameOr(names, e.ActorID, "someone no longer known")
		}
		r.Sentence = sentence(e, r.Actor, names)
		r.Changes = changes(e.Before, e.After, names)
		out = append(out, r)
	}
	return out, nil
}

func nameOr(names map[string]string, id, unknown string) string {
	if n, ok := names[id]; ok && n != "" {
		return n
	}
	return unknown
}

// field reads one top-level field of an entry's after (or before) state.
func field(e *domain.AuditEntry, key string) string {
	for _, raw := range []json.RawMessage{e.After, e.Before} {
		var m map[string]any
		if json.Unmarshal(raw, &m) == nil {
			if v, ok := m[key]; ok && v != nil {
				return fmt.Sprint(v)
			}
		}
	}
	return ""
}

// sentence says what an entry records, in plain words with names.
func sentence(e *domain.AuditEntry, actor string, names map[string]string) string {
	obj := nameOr(names, e.ObjectID, "")
	org := nameOr(names, e.OrgID, "")
	site, user := "", ""
	var until time.Time
	if as := assignmentIn(e); as != nil {
		site, user, until = nameOr(names, as.SiteID, "a site"), nameOr(names, as.UserID, "a person"), as.ExpiresAt
	}
	forUntil := ""
	if !until.IsZero() {
		forUntil = " until " + until.UTC().Format("2 Jan 2006 15:04 UTC")
	}
	if obj == "" {
		obj = strings.ReplaceAll(e.ObjectType, "_", " ")
	}
	named := func(key, unknown string) string { return nameOr(names, field(e, key), unknown) }
	switch e.Action {
	case "user.create", "scim_user.create":
		return fmt.Sprintf("%s added %s to %s", actor, obj, org)
	case "user.register":
		return fmt.Sprintf("%s accepted the invitation and registered", obj)
	case "user.update", "scim_user.update":
		return fmt.Sprintf("%s changed the details of %s", actor, obj)
	case "user.lock":
		return fmt.Sprintf("%s locked %s", actor, obj)
	case "user.lock_dormant":
		return fmt.Sprintf("Provisio locked %s, who had not signed in for the dormancy period", obj)
	case "user.unlock":
		return fmt.Sprintf("%s unlocked %s", actor, obj)
	case "user.delete", "scim_user.delete":
		return fmt.Sprintf("%s deleted %s", actor, obj)
	case "assignment.create":
		return fmt.Sprintf("%s assigned %s to %s as %s", actor, user, site, strings.ReplaceAll(field(e, "role"), "_", " "))
	case "assignment.delete":
		return fmt.Sprintf("%s removed %s from %s", actor, user, site)
	case "partner_access.grant":
		return fmt.Sprintf("%s gave %s partner access to %s%s", actor, user, site, forUntil)
	case "partner_access.extend":
		return fmt.Sprintf("%s extended %s's partner access to %s%s", actor, user, site, forUntil)
	case "partner_access.revoke":
		return fmt.Sprintf("%s revoked %s's partner access to %s", actor, user, site)
	case "partner_access.unassign":
		return fmt.Sprintf("%s ended %s's partner access to %s", actor, user, site)
	case "partner_access.expire":
		return fmt.Sprintf("%s's partner access to %s ended at its expiry", user, site)
	case "access_request.create":
		return fmt.Sprintf("%s asked for partner access to %s", actor, nameOr(names, field(e, "site_id"), "a site"))
	case "access_request.approve":
		return fmt.Sprintf("%s approved %s's request for access to %s", actor, named("user_id", "a partner user"), named("site_id", "a site"))
	case "access_request.deny":
		return fmt.Sprintf("%s denied %s's request for access to %s", actor, named("user_id", "a partner user"), named("site_id", "a site"))
	case "access_request.withdraw":
		return fmt.Sprintf("%s's request for access to %s was withdrawn", named("user_id", "A partner user"), named("site_id", "a site"))
	case "access_request.expire":
		return fmt.Sprintf("%s's request for access to %s lapsed unanswered", named("user_id", "A partner user"), named("site_id", "a site"))
	case "company_assignment.create":
		return fmt.Sprintf("%s assigned %s to the company %s", actor, named("user_id", "a person"), obj)
	case "company_assignment.delete":
		return fmt.Sprintf("%s took %s off the company %s", actor, named("user_id", "a person"), obj)
	case "org.link_partner":
		return fmt.Sprintf("%s made %s the partner of record of %s", actor, named("partner_id", "a partner"), obj)
	case "org.unlink_partner":
		return fmt.Sprintf("%s ended the partner link of %s", actor, obj)
	case "org.partner_link_requested":
		return fmt.Sprintf("%s asked %s to become the partner of record of %s", actor, named("partner_id", "a partner"), obj)
	case "org.partner_link_declined":
		return fmt.Sprintf("%s declined to become the partner of record of %s", actor, obj)
	case "token.create":
		return fmt.Sprintf("%s created an API token", actor)
	case "token.revoke":
		return fmt.Sprintf("%s revoked an API token", actor)
	case "mfa.recovery_codes":
		return fmt.Sprintf("%s made new recovery codes", actor)
	case "mfa.remove":
		return fmt.Sprintf("%s removed their authenticator app", actor)
	case "webhook.create":
		return fmt.Sprintf("%s added a webhook to %s", actor, org)
	case "webhook.delete":
		return fmt.Sprintf("%s removed a webhook of %s", actor, org)
	case "user.time_zone":
		return fmt.Sprintf("%s chose the time zone %s", actor, field(e, "time_zone"))
	case "site.create":
		return fmt.Sprintf("%s created the site %s for %s", actor, obj, org)
	case "site.ready":
		return fmt.Sprintf("The site %s is ready", obj)
	case "site.suspend":
		return fmt.Sprintf("%s suspended the site %s: %s", actor, obj, field(e, "suspend_reason"))
	case "site.resume":
		return fmt.Sprintf("%s ended the suspension of %s", actor, obj)
	case "site.cancel":
		return fmt.Sprintf("%s cancelled the site %s (in stasis until it is deleted)", actor, obj)
	case "site.restore":
		return fmt.Sprintf("%s restored the site %s", actor, obj)
	case "site.delete":
		return fmt.Sprintf("The site %s was deleted after its stasis", obj)
	case "site.provision_failed":
		return fmt.Sprintf("Provisioning of %s failed: %s", obj, field(e, "provision_error"))
	case "org.create":
		return fmt.Sprintf("%s created the organisation %s", actor, obj)
	case "org.update":
		return fmt.Sprintf("%s changed the settings of %s", actor, obj)
	case "company.create":
		return fmt.Sprintf("%s created the company %s", actor, obj)
	case "company.rename":
		return fmt.Sprintf("%s renamed a company to %s", actor, obj)
	case "review.decide":
		return fmt.Sprintf("%s decided %s for %s in the user review of %s", actor, field(e, "decision"), field(e, "user"), org)
	case "review.complete":
		return fmt.Sprintf("%s completed the user review of %s", actor, org)
	case "review.escalate":
		return fmt.Sprintf("The user review of %s was not done in time and went to the operators", org)
	case "review.auto_close":
		return fmt.Sprintf("The user review of %s closed at its due date, removing unconfirmed access", org)
	case "review.campaign_open":
		return fmt.Sprintf("%s opened the review campaign %s", actor, field(e, "name"))
	case "signin.success":
		return fmt.Sprintf("%s signed in", obj)
	case "signin.failure":
		return fmt.Sprintf("A sign-in as %s failed", obj)
	case "session.create":
		return fmt.Sprintf("%s started a session", actor)
	case "session.delete":
		return fmt.Sprintf("%s ended a session", actor)
	case "password.change":
		return fmt.Sprintf("%s changed their password", obj)
	case "password.reset":
		return fmt.Sprintf("%s set a new password from a reset link", obj)
	case "mfa.enrol":
		return fmt.Sprintf("%s enrolled an authenticator app", obj)
	}
	words := strings.ReplaceAll(strings.ReplaceAll(e.Action, "_", " "), ".", ": ")
	return fmt.Sprintf("%s — %s %s", actor, words, obj)
}

// changes lists the top-level fields that differ between before and after.
func changes(before, after json.RawMessage, names map[string]string) []FieldChange {
	var b, a map[string]any
	_ = json.Unmarshal(before, &b)
	_ = json.Unmarshal(after, &a)
	keys := map[string]bool{}
	for k := range b {
		keys[k] = true
	}
	for k := range a {
		keys[k] = true
	}
	var out []FieldChange
	for _, k := range sortedKeys(keys) {
		bv, av := show(b[k], names), show(a[k], names)
		if bv != av && !strings.HasSuffix(k, "hash") {
			out = append(out, FieldChange{Field: strings.ReplaceAll(strings.TrimSuffix(k, "_id"), "_", " "), Before: bv, After: av})
		}
	}
	return out
}

// show is a field's value as people read it: a name for an id.
func show(v any, names map[string]string) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		if idLike.MatchString(x) {
			prefix, _, _ := strings.Cut(x, "_")
			return nameOr(names, x, "("+nameOr(idKinds, prefix, "an object")+")")
		}
		return x
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Names returns the names of the organisations, sites, people and
// companies with the given ids, for a page that shows objects the actor
// already sees by their ids (a customer's partner, a site's customer).
func (a *App) Names(ctx context.Context, act Actor, ids []string) (out map[string]string, err error) {
	err = a.read(ctx, act, func(u *unit) error {
		out, err = u.tx.ObjectNames(ctx, slices.Compact(slices.Sorted(slices.Values(ids))))
		return err
	})
	return out, err
}
