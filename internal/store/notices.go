package store

import (
	"context"
	"fmt"
	"time"

	"github.com/provisio/provisio/internal/domain"
)

const noticeCols = `id, kind, org_id, to_user_id, to_email, subject, body, body_html, template_data, state, attempts, last_error, created_at, sent_at`

// scanNotice reads a notice, opening its sealed bodies and template data.
func (tx *Tx) scanNotice(s scanner) (*domain.Notice, error) {
	var n domain.Notice
	err := s.Scan(&n.ID, &n.Kind, &n.OrgID, &n.ToUserID, &n.ToEmail, &n.Subject, &n.Body, &n.BodyHTML, &n.TemplateData, &n.State,
		&n.Attempts, &n.LastError, nullTime{&n.CreatedAt}, nullTime{&n.SentAt})
	if err != nil {
		return nil, translate(err)
	}
	for _, f := range []*string{&n.Body, &n.BodyHTML, &n.TemplateData} {
		if *f, err = tx.open(*f); err != nil {
			return nil, fmt.Errorf("notice %s: %w", n.ID, err)
		}
	}
	return &n, nil
}

// sealedNotice is what is stored of n's bodies and template data: each
// sealed (they hold the secrets of emailed links), empty ones left empty.
func (tx *Tx) sealedNotice(n *domain.Notice) (body, html, data string, err error) {
	out := []*string{&body, &html, &data}
	for i, plain := range []string{n.Body, n.BodyHTML, n.TemplateData} {
		if plain == "" {
			continue
		}
		if *out[i], err = tx.seal(plain); err != nil {
			return "", "", "", err
		}
	}
	return body, html, data, nil
}

// CreateNotices writes ns to the outbox, sealed; insertRows writes the
// rows.
func (tx *Tx) CreateNotices(ctx context.Context, ns []*domain.Notice) error {
	return tx.insertRows(ctx, `INSERT INTO notices (`+noticeCols+`) VALUES `, "", 14, len(ns), func(i int) ([]any, error) {
		n := ns[i]
		body, html, data, err := tx.sealedNotice(n)
		if err != nil {
			return nil, err
		}
		return []any{n.ID, n.Kind, n.OrgID, n.ToUserID, n.ToEmail, n.Subject, body, html, data, n.State, n.Attempts,
			n.LastError, ts(n.CreatedAt), ts(n.SentAt)}, nil
	})
}

// ForgetLinkSecrets keeps a delivered notice without the secrets of its
// links: the recipient has them by mail, and nobody else needs them. (The
// secrets are letters, digits, "-" and "_", which JSON keeps as they are,
// so they are found in the template data as in the bodies.)
func (tx *Tx) ForgetLinkSecrets(ctx context.Context, n *domain.Notice) error {
	kept := domain.Notice{Body: domain.RedactLinkSecrets(n.Body), BodyHTML: domain.RedactLinkSecrets(n.BodyHTML),
		TemplateData: domain.RedactLinkSecrets(n.TemplateData)}
	body, html, data, err := tx.sealedNotice(&kept)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `UPDATE notices SET body = $2, body_html = $3, template_data = $4 WHERE id = $1`, n.ID, body, html, data)
	return err
}

// Notice returns the notice with id, or ErrNotFound.
func (tx *Tx) Notice(ctx context.Context, id string) (*domain.Notice, error) {
	return tx.scanNotice(tx.q.QueryRowContext(ctx, `SELECT `+noticeCols+` FROM notices WHERE id = $1`, id))
}

// Notices lists notices matching f, ordered by id.
func (tx *Tx) Notices(ctx context.Context, f domain.NoticeFilter) (domain.List[*domain.Notice], error) {
	var where []string
	var args []any
	if f.ToEmail != nil {
		args = append(args, *f.ToEmail)
		where = append(where, fmt.Sprintf("to_email = $%d", len(args)))
	}
	if f.Kind != nil {
		args = append(args, *f.Kind)
		where = append(where, fmt.Sprintf("kind = $%d", len(args)))
	}
	return listPage(ctx, tx, noticeCols, "notices", where, args, "id", f.Page, tx.scanNotice, func(n *domain.Notice) string { return n.ID })
}

// PendingNotices lists up to limit notices waiting for delivery, oldest
// first.
func (tx *Tx) PendingNotices(ctx context.Context, limit int) ([]*domain.Notice, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT `+noticeCols+` FROM notices WHERE state = 'pending' ORDER BY id LIMIT $1`, limit)
	if err != nil {
		return nil, translate(err)
	}
	return collect(rows, tx.scanNotice)
}

// MarkNotice records a delivery attempt: sent, or failed with its error
// (state stays pending while retries remain).
func (tx *Tx) MarkNotice(ctx context.Context, id, state, lastError string, now time.Time) error {
	sent := time.Time{}
	if state == domain.NoticeSent {
		sent = now
	}
	_, err := tx.exec(ctx, `UPDATE notices SET state = $2, attempts = attempts + 1, last_error = $3, sent_at = $4 WHERE id = $1`,
		id, state, lastError, ts(sent))
	return err
}

// UserNotices lists the notices addressed to the user, newest first, at
// most limit.
func (tx *Tx) UserNotices(ctx context.Context, userID string, limit int) ([]*domain.Notice, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT `+noticeCols+` FROM notices WHERE to_user_id = $1 ORDER BY id DESC LIMIT $2`, userID, limit)
	if err != nil {
		return nil, translate(err)
	}
	return collect(rows, tx.scanNotice)
}
