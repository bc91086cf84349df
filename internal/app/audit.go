package app

import (
	"context"
	"fmt"
	"slices"

	"github.com/provisio/provisio/internal/domain"
)

// Audit lists activity-log entries (R-AUDIT-1). Operators see everything;
// an organisation's administrators see its entries, and a partner's also
// those of its linked customers. Codes: forbidden.
func (a *App) Audit(ctx context.Context, act Actor, f domain.AuditFilter) (out []*domain.AuditEntry, err error) {
	err = a.read(ctx, act, func(u *unit) error {
		if err := u.auditScope(ctx, &f); err != nil {
			return err
		}
		if f.Limit <= 0 || f.Limit > 1000 {
			f.Limit = 1000
		}
		out, err = u.tx.Audit(ctx, f)
		return err
	})
	return out, err
}

func (u *unit) auditScope(ctx context.Context, f *domain.AuditFilter) error {
	if err := u.auditFilterIDs(ctx, *f); err != nil {
		return err
	}
	return u.scopeAudit(ctx, f)
}

// scopeAudit narrows f to the organisations whose entries the actor may
// read: its own, and a partner's customers'. Codes: forbidden.
func (u *unit) scopeAudit(ctx context.Context, f *domain.AuditFilter) error {
	act := u.act
	if act.User == nil || act.IsOperator() {
		return nil
	}
	if !act.Can().SeeAudit {
		return forbidden("R-AUDIT-1", "only administrators read the activity log")
	}
	// Its own organisation's entries, and for a partner, what it may read
	// of its customers elsewhere too: their sites and its access to them,
	// not their people (the users list refuses a partner those).
	own, shared := []string{act.Org.ID}, []string(nil)
	if act.Org.Kind == domain.OrgPartner {
		ids, err := u.tx.CustomerIDs(ctx, act.Org.ID)
		if err != nil {
			return fmt.Errorf("customers of %s: %w", act.Org.ID, err)
		}
		shared = ids
	}
	if f.OrgIDs != nil {
		own, shared = slices.DeleteFunc(own, func(id string) bool { return !slices.Contains(f.OrgIDs, id) }),
			slices.DeleteFunc(shared, func(id string) bool { return !slices.Contains(f.OrgIDs, id) })
	}
	f.OrgIDs, f.SharedOrgIDs = append([]string{}, own...), shared
	return nil
}

// VerifyAudit checks the whole hash chain of the activity log and reports
// the first entry that was edited or removed. Operators only. Codes:
// forbidden.
func (a *App) VerifyAudit(ctx context.Context, act Actor) (v domain.AuditVerdict, err error) {
	if !act.Can().VerifyAudit {
		return v, forbidden("R-AUDIT-1", "only operators verify the whole activity log")
	}
	err = a.read(ctx, act, func(u *unit) error {
		v, err = u.tx.VerifyAudit(ctx)
		return err
	})
	return v, err
}

// Mailbox lists the notices of the local mailbox (R-NOTE-2). Operators
// only. Codes: forbidden.
func (a *App) Mailbox(ctx context.Context, act Actor, f domain.NoticeFilter) (out domain.List[*domain.Notice], err error) {
	if !act.Can().SeeMailbox {
		return out, forbidden("R-NOTE-2", "only operators read the local mailbox")
	}
	err = a.read(ctx, act, func(u *unit) error {
		out, err = u.tx.Notices(ctx, f)
		return err
	})
	a.renderNotices(ctx, out.Items...)
	return out, err
}

// Notice returns one notice of the mailbox. Codes: forbidden, not_found.
func (a *App) Notice(ctx context.Context, act Actor, id string) (n *domain.Notice, err error) {
	if !act.Can().SeeMailbox {
		// Notices belong to no tenant a non-operator sees (R-ORG-1).
		return nil, domain.NotFound("notice")
	}
	err = a.read(ctx, act, func(u *unit) error {
		n, err = u.tx.Notice(ctx, id)
		return storeErr(err, "notice", id)
	})
	if err != nil {
		return nil, err
	}
	a.renderNotices(ctx, n)
	return n, nil
}

// auditFilterIDs answers "not found" for a filter that names an
// organisation, a person or an object the actor cannot see, like any
// other id of another tenant (R-ORG-1). A person or object the actor
// cannot load is still known to it when the actor's own part of the log
// names it (an operator who acted on the customer, a deleted user).
func (u *unit) auditFilterIDs(ctx context.Context, f domain.AuditFilter) error {
	if u.act.User == nil || u.act.IsOperator() {
		return nil
	}
	for _, id := range f.OrgIDs {
		if _, err := u.loadOrg(ctx, id); err != nil {
			return err
		}
	}
	known := func(kind, id string, probe domain.AuditFilter) error {
		if u.seesObject(ctx, id) {
			return nil
		}
		if !u.act.Can().SeeAudit {
			return domain.NotFound(kind)
		}
		probe.Limit = 1
		scoped := probe
		if err := u.scopeAudit(ctx, &scoped); err != nil {
			return err
		}
		es, err := u.tx.Audit(ctx, scoped)
		if err != nil {
			return fmt.Errorf("audit entries of %s: %w", id, err)
		}
		if len(es) == 0 {
			return domain.NotFound(kind)
		}
		return nil
	}
	if f.ActorID != nil {
		if err := known("user", *f.ActorID, domain.AuditFilter{ActorID: f.ActorID}); err != nil {
			return err
		}
	}
	if f.ObjectID != nil {
		if err := known("object", *f.ObjectID, domain.AuditFilter{ObjectID: f.ObjectID}); err != nil {
			return err
		}
	}
	return nil
}

// ActorNames returns the names of the actors of entries (people and SCIM
// tokens), so that the log reads as names rather than ids.
func (a *App) ActorNames(ctx context.Context, act Actor, entries []*domain.AuditEntry) (out map[string]string, err error) {
	ids := make([]string, 0, len(entries))
	for _, e := range entries {
		if e.ActorID != "" && !slices.Contains(ids, e.ActorID) {
			ids = append(ids, e.ActorID)
		}
	}
	err = a.read(ctx, act, func(u *unit) error {
		out, err = u.tx.ObjectNames(ctx, ids)
		return err
	})
	return out, err
}
