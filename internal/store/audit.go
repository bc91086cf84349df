package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/provisio/provisio/internal/domain"
)

// AppendAudits appends es to the activity log in order, each chained to
// the one before (R-AUDIT-1), setting their Seq, PrevHash and Hash. The
// head moves once for all of them (insertRows writes the rows). The
// update of the head takes a row lock, so concurrent transactions append
// one after another.
func (tx *Tx) AppendAudits(ctx context.Context, es []*domain.AuditEntry) error {
	if len(es) == 0 {
		return nil
	}
	var last int64
	var prev string
	if err := tx.q.QueryRowContext(ctx,
		`UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash`, len(es)).Scan(&last, &prev); err != nil {
		return fmt.Errorf("audit head: %w", translate(err))
	}
	for i, e := range es {
		e.Seq, e.PrevHash = last-int64(len(es)-1-i), prev
		if len(e.Before) == 0 {
			e.Before = []byte("null")
		}
		if len(e.After) == 0 {
			e.After = []byte("null")
		}
		e.Hash = e.ComputeHash()
		prev = e.Hash
	}
	err := tx.insertRows(ctx, `INSERT INTO audit_log (seq, at, actor_id, actor_org_id, org_id, action, object_type,
			object_id, before_json, after_json, remote_addr, prev_hash, hash) VALUES `, "", 13, len(es), func(i int) ([]any, error) {
		e := es[i]
		return []any{e.Seq, ts(e.At), e.ActorID, e.ActorOrgID, e.OrgID, e.Action, e.ObjectType, e.ObjectID,
			string(e.Before), string(e.After), e.RemoteAddr, e.PrevHash, e.Hash}, nil
	})
	if err != nil {
		return fmt.Errorf("audit append: %w", err)
	}
	_, err = tx.exec(ctx, `UPDATE audit_head SET hash = $1 WHERE id = 1`, prev)
	return err
}

const auditCols = `seq, at, actor_id, actor_org_id, org_id, action, object_type, object_id, before_json, after_json,
	remote_addr, prev_hash, hash`

func scanAudit(s scanner) (*domain.AuditEntry, error) {
	var e domain.AuditEntry
	var before, after string
	err := s.Scan(&e.Seq, nullTime{&e.At}, &e.ActorID, &e.ActorOrgID, &e.OrgID, &e.Action, &e.ObjectType,
		&e.ObjectID, &before, &after, &e.RemoteAddr, &e.PrevHash, &e.Hash)
	if err != nil {
		return nil, translate(err)
	}
	e.Before, e.After = []byte(before), []byte(after)
	return &e, nil
}

// sharedActions are the entries of a customer that its partner may read:
// about its sites and about partner access, not about its people.
const sharedActions = `(action LIKE 'site.%' OR action LIKE 'access\_request.%' ESCAPE '\' OR action LIKE 'partner\_access.%' ESCAPE '\'
	OR action IN ('org.link_partner', 'org.unlink_partner'))`

// Audit lists log entries matching f in sequence order, at most f.Limit.
func (tx *Tx) Audit(ctx context.Context, f domain.AuditFilter) ([]*domain.AuditEntry, error) {
	where, args, none := auditWhere(f)
	if none {
		return nil, nil
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	order := "seq"
	if f.Newest {
		order = "seq DESC"
	}
	args = append(args, limit)
	rows, err := tx.q.QueryContext(ctx, `SELECT `+auditCols+` FROM audit_log`+whereSQL(where)+
		fmt.Sprintf(" ORDER BY %s LIMIT $%d", order, len(args)), args...)
	if err != nil {
		return nil, translate(err)
	}
	return collect(rows, scanAudit)
}

// CountAudit counts the entries f matches, whatever its page.
func (tx *Tx) CountAudit(ctx context.Context, f domain.AuditFilter) (int, error) {
	f.AfterSeq, f.BeforeSeq = 0, 0
	where, args, none := auditWhere(f)
	if none {
		return 0, nil
	}
	var n int
	err := tx.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log`+whereSQL(where), args...).Scan(&n)
	return n, translate(err)
}

// auditWhere is the condition of f; none reports that nothing can match.
func auditWhere(f domain.AuditFilter) (where []string, args []any, none bool) {
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.OrgIDs != nil {
		if len(f.OrgIDs)+len(f.SharedOrgIDs) == 0 {
			return nil, nil, true
		}
		in := func(ids []string) string {
			ph := make([]string, len(ids))
			for i, id := range ids {
				args = append(args, id)
				ph[i] = fmt.Sprintf("$%d", len(args))
			}
			return "org_id IN (" + strings.Join(ph, ", ") + ")"
		}
		var or []string
		if len(f.OrgIDs) > 0 {
			or = append(or, in(f.OrgIDs))
		}
		if len(f.SharedOrgIDs) > 0 {
			or = append(or, "("+in(f.SharedOrgIDs)+" AND "+sharedActions+")")
		}
		where = append(where, "("+strings.Join(or, " OR ")+")")
	}
	if f.ActorID != nil {
		add("actor_id = $%d", *f.ActorID)
	}
	if f.Action != nil {
		add("action = $%d", *f.Action)
	}
	if f.ActionPrefix != nil {
		add(`action LIKE $%d ESCAPE '\'`, likeLiteral(*f.ActionPrefix)+"%")
	}
	if f.ObjectType != nil {
		add("object_type = $%d", *f.ObjectType)
	}
	if f.ObjectID != nil {
		add("object_id = $%d", *f.ObjectID)
	}
	if f.SiteID != nil {
		args = append(args, *f.SiteID, `%"site_id":"`+likeLiteral(*f.SiteID)+`"%`)
		n := len(args)
		where = append(where, fmt.Sprintf(`(object_id = $%d OR (object_type IN ('assignment', 'company') AND (after_json LIKE $%d ESCAPE '\'
			OR before_json LIKE $%d ESCAPE '\')))`, n-1, n, n))
	}
	if f.Since != nil {
		add("at >= $%d", ts(*f.Since))
	}
	if f.Until != nil {
		add("at < $%d", ts(*f.Until))
	}
	if f.AfterSeq > 0 {
		add("seq > $%d", f.AfterSeq)
	}
	if f.BeforeSeq > 0 {
		add("seq < $%d", f.BeforeSeq)
	}
	return where, args, false
}

// ObjectNames returns the names of the people, SCIM tokens, sites,
// organisations, companies and site applications with the given ids, so
// that the activity log reads as names.
func (tx *Tx) ObjectNames(ctx context.Context, ids []string) (map[string]string, error) {
	out := map[string]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var args []any
	in := inScope("id", ids, &args)
	rows, err := tx.q.QueryContext(ctx, `SELECT id, name FROM users WHERE `+in+`
		UNION ALL SELECT id, name || ' (SCIM token)' FROM scim_tokens WHERE `+in+`
		UNION ALL SELECT id, name FROM sites WHERE `+in+`
		UNION ALL SELECT id, name FROM orgs WHERE `+in+`
		UNION ALL SELECT id, name FROM companies WHERE `+in+`
		UNION ALL SELECT id, name FROM oidc_clients WHERE `+in, args...)
	if err != nil {
		return nil, translate(err)
	}
	_, err = collect(rows, func(s scanner) (struct{}, error) {
		var id, name string
		if err := s.Scan(&id, &name); err != nil {
			return struct{}{}, translate(err)
		}
		out[id] = name
		return struct{}{}, nil
	})
	return out, err
}

// VerifyAudit walks the whole log and checks every link of the chain, the
// sequence numbers (a gap means a deleted entry) and the head (a missing
// tail means deleted entries at the end).
func (tx *Tx) VerifyAudit(ctx context.Context) (domain.AuditVerdict, error) {
	var headSeq int64
	var headHash string
	if err := tx.q.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&headSeq, &headHash); err != nil {
		return domain.AuditVerdict{}, translate(err)
	}
	rows, err := tx.q.QueryContext(ctx, `SELECT `+auditCols+` FROM audit_log ORDER BY seq`)
	if err != nil {
		return domain.AuditVerdict{}, translate(err)
	}
	defer rows.Close()
	v := domain.AuditVerdict{Intact: true}
	prev, want := "", int64(1)
	fail := func(seq int64, problem string) {
		if v.Intact {
			v.Intact, v.BrokenAt, v.Problem = false, seq, problem
		}
	}
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return domain.AuditVerdict{}, err
		}
		v.Entries++
		switch {
		case e.Seq != want:
			fail(want, fmt.Sprintf("entries %d to %d are missing", want, e.Seq-1))
		case e.PrevHash != prev:
			fail(e.Seq, "the link to the previous entry is broken")
		case e.ComputeHash() != e.Hash:
			fail(e.Seq, "the entry was changed after it was written")
		}
		prev, want = e.Hash, e.Seq+1
	}
	if err := rows.Err(); err != nil {
		return domain.AuditVerdict{}, translate(err)
	}
	if headSeq != want-1 {
		fail(want, fmt.Sprintf("the log ends at entry %d but %d were written", want-1, headSeq))
	} else if headHash != prev {
		fail(headSeq, "the last entry does not match the chain head")
	}
	return v, nil
}

// SiteHistory returns the activity-log entries that shaped who could
// reach the site until until: those about its assignments (their recorded
// state names the site) and about the site itself, oldest first.
func (tx *Tx) SiteHistory(ctx context.Context, siteID string, until time.Time) ([]*domain.AuditEntry, error) {
	return tx.assignmentHistory(ctx, "site", siteID, until)
}

// UserSiteHistory returns, oldest first until until, the entries of a
// user's assignments and of the user's own record.
func (tx *Tx) UserSiteHistory(ctx context.Context, userID string, until time.Time) ([]*domain.AuditEntry, error) {
	return tx.assignmentHistory(ctx, "user", userID, until)
}

// assignmentHistory is the entries of the assignments whose recorded
// state names the site or user id (kind), and of that object itself.
func (tx *Tx) assignmentHistory(ctx context.Context, kind, id string, until time.Time) ([]*domain.AuditEntry, error) {
	pat := `%"` + kind + `_id":"` + likeLiteral(id) + `"%`
	rows, err := tx.q.QueryContext(ctx, `SELECT `+auditCols+` FROM audit_log WHERE at <= $2 AND (
			(object_type = 'assignment' AND (after_json LIKE $3 ESCAPE '\' OR before_json LIKE $3 ESCAPE '\'))
			OR (object_type = $4 AND object_id = $1)) ORDER BY seq`, id, ts(until), pat, kind)
	if err != nil {
		return nil, translate(err)
	}
	return collect(rows, scanAudit)
}

// UsersHistory returns the entries about the users until until, oldest
// first: their states over time.
func (tx *Tx) UsersHistory(ctx context.Context, userIDs []string, until time.Time) ([]*domain.AuditEntry, error) {
	return tx.recordsHistory(ctx, "user", userIDs, until)
}

// SitesHistory returns the entries of the sites' own records until
// until, oldest first: their states over time.
func (tx *Tx) SitesHistory(ctx context.Context, siteIDs []string, until time.Time) ([]*domain.AuditEntry, error) {
	return tx.recordsHistory(ctx, "site", siteIDs, until)
}

func (tx *Tx) recordsHistory(ctx context.Context, objType string, ids []string, until time.Time) ([]*domain.AuditEntry, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := []any{ts(until), objType}
	rows, err := tx.q.QueryContext(ctx, `SELECT `+auditCols+` FROM audit_log WHERE at <= $1 AND object_type = $2
		AND `+inScope("object_id", ids, &args)+` ORDER BY seq`, args...)
	if err != nil {
		return nil, translate(err)
	}
	return collect(rows, scanAudit)
}
