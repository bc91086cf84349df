package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/provisio/provisio/internal/domain"
)

const requestCols = `r.id, r.site_id, r.user_id, r.role, r.kind, r.state, r.requested_by, r.expires_at, r.decided_by,
	r.decided_at, r.granted_until, r.created_at`

func scanRequest(s scanner) (*domain.AccessRequest, error) {
	var r domain.AccessRequest
	err := s.Scan(&r.ID, &r.SiteID, &r.UserID, &r.Role, &r.Kind, &r.State, &r.RequestedBy, nullTime{&r.ExpiresAt},
		&r.DecidedBy, nullTime{&r.DecidedAt}, nullTime{&r.GrantedUntil}, nullTime{&r.CreatedAt})
	if err != nil {
		return nil, translate(err)
	}
	return &r, nil
}

// CreateAccessRequest inserts r; a pending request for the same user and
// site gives ErrUnique.
func (tx *Tx) CreateAccessRequest(ctx context.Context, r *domain.AccessRequest) error {
	_, err := tx.exec(ctx, `INSERT INTO access_requests (id, site_id, user_id, role, kind, state, requested_by, expires_at,
			decided_by, decided_at, granted_until, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		r.ID, r.SiteID, r.UserID, r.Role, r.Kind, r.State, r.RequestedBy, ts(r.ExpiresAt), r.DecidedBy,
		ts(r.DecidedAt), ts(r.GrantedUntil), ts(r.CreatedAt))
	return err
}

// AccessRequest returns the request with id on a site in scope, or ErrNotFound.
func (tx *Tx) AccessRequest(ctx context.Context, sc domain.Scope, id string) (*domain.AccessRequest, error) {
	a := &scopeArgs{args: []any{id}}
	return scanRequest(tx.q.QueryRowContext(ctx, `SELECT `+requestCols+` FROM access_requests r WHERE r.id = $1 AND `+
		siteInScope("r.site_id", sc, a), a.args...))
}

// PendingRequest returns the user's pending request for the site, or
// ErrNotFound.
func (tx *Tx) PendingRequest(ctx context.Context, siteID, userID string) (*domain.AccessRequest, error) {
	return scanRequest(tx.q.QueryRowContext(ctx, `SELECT `+requestCols+` FROM access_requests r
		WHERE r.site_id = $1 AND r.user_id = $2 AND r.state = 'pending'`, siteID, userID))
}

// DecideRequest moves a pending request to state. It returns ErrNotFound
// when the request is no longer pending, so two answers cannot both win.
func (tx *Tx) DecideRequest(ctx context.Context, r *domain.AccessRequest) error {
	n, err := tx.exec(ctx, `UPDATE access_requests SET state = $2, decided_by = $3, decided_at = $4, granted_until = $5
		WHERE id = $1 AND state = 'pending'`, r.ID, r.State, r.DecidedBy, ts(r.DecidedAt), ts(r.GrantedUntil))
	if err == nil && n == 0 {
		err = ErrNotFound
	}
	return err
}

// AccessRequests lists requests matching f, ordered by id. The state
// filter matches the state at now (domain.AccessRequest.EffectiveState): a
// lapsed request counts as expired, swept or not, and no longer as pending.
func (tx *Tx) AccessRequests(ctx context.Context, f domain.AccessRequestFilter, now time.Time) (domain.List[*domain.AccessRequest], error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.SiteID != nil {
		add("r.site_id = $%d", *f.SiteID)
	}
	if f.UserID != nil {
		add("r.user_id = $%d", *f.UserID)
	}
	if f.CustomerID != nil {
		add("r.site_id IN (SELECT id FROM sites WHERE customer_id = $%d)", *f.CustomerID)
	}
	if f.PartnerID != nil {
		add("r.user_id IN (SELECT id FROM users WHERE org_id = $%d)", *f.PartnerID)
	}
	nowArg := func() int {
		args = append(args, ts(now))
		return len(args)
	}
	switch {
	case f.State != nil && *f.State == domain.RequestPending:
		where = append(where, "r.state = 'pending' AND NOT "+requestLapsedSQL("r", nowArg()))
	case f.State != nil && *f.State == domain.RequestExpired:
		where = append(where, "(r.state = 'expired' OR "+requestLapsedSQL("r", nowArg())+")")
	case f.State != nil:
		add("r.state = $%d", *f.State)
	}
	return listPage(ctx, tx, requestCols, "access_requests r", where, args, "r.id", f.Page, scanRequest,
		func(r *domain.AccessRequest) string { return r.ID })
}

// DueRequests lists pending requests whose answer time ended by now
// (domain.AccessRequest.Lapsed), soonest due first.
func (tx *Tx) DueRequests(ctx context.Context, now time.Time, limit int) ([]*domain.AccessRequest, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT `+requestCols+` FROM access_requests r
		WHERE `+requestLapsedSQL("r", 1)+` ORDER BY r.expires_at LIMIT $2`, ts(now), limit)
	if err != nil {
		return nil, translate(err)
	}
	return collect(rows, scanRequest)
}

// CreateAccessLink stores a link by the hash of its token.
func (tx *Tx) CreateAccessLink(ctx context.Context, tokenHash string, l *domain.AccessLink, now time.Time) error {
	_, err := tx.exec(ctx, `INSERT INTO access_links (token_hash, action, request_id, assignment_id, user_id, expires_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, tokenHash, l.Action, l.RequestID, l.AssignmentID, l.UserID, ts(l.ExpiresAt), ts(now))
	return err
}

// AccessLinkByHash returns an unused, unexpired link, or ErrNotFound.
func (tx *Tx) AccessLinkByHash(ctx context.Context, tokenHash string, now time.Time) (*domain.AccessLink, error) {
	var l domain.AccessLink
	err := tx.q.QueryRowContext(ctx, `SELECT action, request_id, assignment_id, user_id, expires_at FROM access_links
		WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2`, tokenHash, ts(now)).
		Scan(&l.Action, &l.RequestID, &l.AssignmentID, &l.UserID, nullTime{&l.ExpiresAt})
	if err != nil {
		return nil, translate(err)
	}
	return &l, nil
}

// UseAccessLink marks a link used; ErrNotFound if it already was.
func (tx *Tx) UseAccessLink(ctx context.Context, tokenHash string, now time.Time) error {
	n, err := tx.exec(ctx, `UPDATE access_links SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL`, tokenHash, ts(now))
	if err == nil && n == 0 {
		err = ErrNotFound
	}
	return err
}

// ExpireRequestLinks makes every link of a request unusable once it is
// answered, so other administrators' links stop working too.
func (tx *Tx) ExpireRequestLinks(ctx context.Context, requestID string, now time.Time) error {
	_, err := tx.exec(ctx, `UPDATE access_links SET used_at = $2 WHERE request_id = $1 AND used_at IS NULL`, requestID, ts(now))
	return err
}

// AssignmentByID returns an assignment, or ErrNotFound.
func (tx *Tx) AssignmentByID(ctx context.Context, id string) (*domain.Assignment, error) {
	return scanAssignment(tx.q.QueryRowContext(ctx, `SELECT `+assignCols+` FROM site_assignments a WHERE a.id = $1`, id))
}

// SetAssignmentExpiry changes when an assignment ends and clears its
// reminder, for an extension.
func (tx *Tx) SetAssignmentExpiry(ctx context.Context, id string, expires time.Time) error {
	return tx.updateAssignment(ctx, `UPDATE site_assignments SET expires_at = $2, reminded_at = NULL WHERE id = $1 RETURNING user_id`,
		id, ts(expires))
}

// updateAssignment runs an UPDATE of one assignment by its id that
// returns the assignment's user_id, and names that user as changed. An
// id that matches nothing is no error.
func (tx *Tx) updateAssignment(ctx context.Context, query string, args ...any) (err error) {
	defer tx.writingAssignments()(&err)
	var userID string
	switch err := tx.q.QueryRowContext(ctx, query, args...).Scan(&userID); {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return translate(err)
	}
	tx.changedAssignmentsOf(userID)
	return nil
}

// ExpiredAssignments lists assignments whose access ended by now
// (domain.GrantExpired), soonest ended first.
func (tx *Tx) ExpiredAssignments(ctx context.Context, now time.Time, limit int) ([]*domain.Assignment, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT `+assignCols+` FROM site_assignments a
		WHERE `+grantExpiredSQL("a.expires_at", 1)+` ORDER BY a.expires_at LIMIT $2`, ts(now), limit)
	if err != nil {
		return nil, translate(err)
	}
	return collect(rows, func(s scanner) (*domain.Assignment, error) { return scanAssignment(s) })
}

// DueReminders lists unreminded assignments that are current at now and
// end by until (domain.GrantExpired at until).
func (tx *Tx) DueReminders(ctx context.Context, now, until time.Time, limit int) ([]*domain.Assignment, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT `+assignCols+` FROM site_assignments a
		WHERE `+grantCurrentSQL("a.expires_at", 1)+` AND `+grantExpiredSQL("a.expires_at", 2)+` AND a.reminded_at IS NULL
		ORDER BY a.expires_at LIMIT $3`, ts(now), ts(until), limit)
	if err != nil {
		return nil, translate(err)
	}
	return collect(rows, func(s scanner) (*domain.Assignment, error) { return scanAssignment(s) })
}

// MarkReminded records that the reminder for an assignment went out.
func (tx *Tx) MarkReminded(ctx context.Context, id string, now time.Time) error {
	return tx.updateAssignment(ctx, `UPDATE site_assignments SET reminded_at = $2 WHERE id = $1 RETURNING user_id`, id, ts(now))
}

// DeleteExpiredAssignment removes a if its time is still up; see
// DeleteExpiredAssignments. It returns ErrNotFound when a was extended
// or is gone.
func (tx *Tx) DeleteExpiredAssignment(ctx context.Context, a *domain.Assignment, now time.Time) error {
	gone, err := tx.DeleteExpiredAssignments(ctx, []*domain.Assignment{a}, now)
	if err == nil && len(gone) == 0 {
		err = ErrNotFound
	}
	return err
}

// DeleteExpiredAssignments removes those of as whose time is still up at
// now (an assignment extended or gone meanwhile is left alone), with
// their users' company assignments on those sites, and records the
// departures. It returns the ones it removed, in the order of as, in a
// few statements whatever their number.
func (tx *Tx) DeleteExpiredAssignments(ctx context.Context, as []*domain.Assignment, now time.Time) (_ []*domain.Assignment, err error) {
	if len(as) == 0 {
		return nil, nil
	}
	ids := make([]string, len(as))
	for i, a := range as {
		ids[i] = a.ID
	}
	defer tx.writingAssignments()(&err)
	args := []any{ts(now)}
	rows, err := tx.q.QueryContext(ctx, `DELETE FROM site_assignments WHERE `+grantExpiredSQL("expires_at", 1)+
		` AND `+inScope("id", ids, &args)+` RETURNING id`, args...)
	if err != nil {
		return nil, translate(err)
	}
	deleted := map[string]bool{}
	if _, err := collect(rows, func(s scanner) (struct{}, error) {
		var id string
		err := s.Scan(&id)
		deleted[id] = true
		return struct{}{}, err
	}); err != nil {
		return nil, err
	}
	var gone []*domain.Assignment
	for _, a := range as {
		if deleted[a.ID] {
			gone = append(gone, a)
			tx.touch("", a.UserID)
			tx.changedAssignmentsOf(a.UserID)
		}
	}
	if len(gone) == 0 {
		return nil, nil
	}
	if err := tx.insertRows(ctx, `INSERT INTO site_departures (site_id, user_id, left_at) VALUES `,
		` ON CONFLICT (site_id, user_id) DO UPDATE SET left_at = excluded.left_at`, 3, len(gone), func(i int) ([]any, error) {
			return []any{gone[i].SiteID, gone[i].UserID, ts(now)}, nil
		}); err != nil {
		return nil, err
	}
	var pairs []string
	args = nil
	for _, a := range gone {
		args = append(args, a.SiteID, a.UserID)
		pairs = append(pairs, fmt.Sprintf("($%d, $%d)", len(args)-1, len(args)))
	}
	if _, err := tx.exec(ctx, `DELETE FROM company_assignments WHERE (site_id, user_id) IN (VALUES `+
		strings.Join(pairs, ", ")+`)`, args...); err != nil {
		return nil, err
	}
	return gone, nil
}

// CreateAccountantInvite remembers to assign an invited accountant to a
// site once it registers (R-ACCT-2); a repeat is ignored.
func (tx *Tx) CreateAccountantInvite(ctx context.Context, siteID, userID, by string, now time.Time) error {
	_, err := tx.exec(ctx, `INSERT INTO accountant_invites (site_id, user_id, invited_by, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (site_id, user_id) DO NOTHING`, siteID, userID, by, ts(now))
	return err
}

// TakeAccountantInvites returns and removes the sites waiting for the
// accountant, with who invited it to each.
func (tx *Tx) TakeAccountantInvites(ctx context.Context, userID string) (map[string]string, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT site_id, invited_by FROM accountant_invites WHERE user_id = $1 ORDER BY site_id`, userID)
	if err != nil {
		return nil, translate(err)
	}
	out := map[string]string{}
	defer rows.Close()
	for rows.Next() {
		var site, by string
		if err := rows.Scan(&site, &by); err != nil {
			return nil, translate(err)
		}
		out[site] = by
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err)
	}
	_, err = tx.exec(ctx, `DELETE FROM accountant_invites WHERE user_id = $1`, userID)
	return out, err
}

// PartnerGrants lists current partner access: given to the users of
// partnerID, on the sites of customerID, or (neither set) all of it.
func (tx *Tx) PartnerGrants(ctx context.Context, partnerID, customerID string, now time.Time) ([]*domain.SiteUser, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT `+assignCols+`, u.name, u.email, u.state
		FROM site_assignments a JOIN users u ON u.id = a.user_id JOIN sites s ON s.id = a.site_id
		WHERE a.via = 'partner' AND `+grantCurrentSQL("a.expires_at", 3)+`
			AND (($1 <> '' AND u.org_id = $1) OR ($2 <> '' AND s.customer_id = $2) OR ($1 = '' AND $2 = ''))
		ORDER BY a.expires_at, a.id LIMIT 200`, partnerID, customerID, ts(now))
	if err != nil {
		return nil, translate(err)
	}
	return collect(rows, func(s scanner) (*domain.SiteUser, error) {
		var su domain.SiteUser
		a, err := scanAssignment(s, &su.UserName, &su.UserEmail, &su.UserState)
		if err != nil {
			return nil, err
		}
		su.Assignment = *a
		return &su, nil
	})
}

// PartnerAccessOn lists current partner assignments of the partner's users
// on the customer's sites, and the partner's pending requests there.
func (tx *Tx) PartnerAccessOn(ctx context.Context, customerID, partnerID string) ([]*domain.Assignment, []*domain.AccessRequest, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT `+assignCols+` FROM site_assignments a
		JOIN sites s ON s.id = a.site_id JOIN users u ON u.id = a.user_id
		WHERE s.customer_id = $1 AND u.org_id = $2 AND a.via = 'partner' ORDER BY a.id`, customerID, partnerID)
	if err != nil {
		return nil, nil, translate(err)
	}
	as, err := collect(rows, func(s scanner) (*domain.Assignment, error) { return scanAssignment(s) })
	if err != nil {
		return nil, nil, err
	}
	rows, err = tx.q.QueryContext(ctx, `SELECT `+requestCols+` FROM access_requests r
		JOIN sites s ON s.id = r.site_id JOIN users u ON u.id = r.user_id
		WHERE s.customer_id = $1 AND u.org_id = $2 AND r.state = 'pending' ORDER BY r.id`, customerID, partnerID)
	if err != nil {
		return nil, nil, translate(err)
	}
	reqs, err := collect(rows, scanRequest)
	return as, reqs, err
}

// RequestGrants returns, by request id, what the user of each of the
// requests ids has on the request's site: the assignment it has now, and
// when it last left the site, as far as the departures kept tell. A
// request whose user has neither is left out. One query for a page.
func (tx *Tx) RequestGrants(ctx context.Context, ids []string) (map[string]domain.GrantFate, error) {
	out := map[string]domain.GrantFate{}
	if len(ids) == 0 {
		return out, nil
	}
	var args []any
	rows, err := tx.q.QueryContext(ctx, `SELECT r.id, a.id, a.via, a.expires_at, d.left_at FROM access_requests r
		LEFT JOIN site_assignments a ON a.site_id = r.site_id AND a.user_id = r.user_id
		LEFT JOIN site_departures d ON d.site_id = r.site_id AND d.user_id = r.user_id
		WHERE (a.id IS NOT NULL OR d.left_at IS NOT NULL) AND `+inScope("r.id", ids, &args), args...)
	if err != nil {
		return nil, translate(err)
	}
	_, err = collect(rows, func(s scanner) (struct{}, error) {
		var id string
		var asID, via sql.NullString
		var g domain.GrantFate
		var as domain.Assignment
		if err := s.Scan(&id, &asID, &via, nullTime{&as.ExpiresAt}, nullTime{&g.LeftAt}); err != nil {
			return struct{}{}, translate(err)
		}
		if asID.Valid {
			as.ID, as.Via = asID.String, domain.AccessVia(via.String)
			g.Assignment = &as
		}
		out[id] = g
		return struct{}{}, nil
	})
	return out, err
}
