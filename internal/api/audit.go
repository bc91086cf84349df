package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"strconv"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
)

// AuditQuery filters the activity log.
type AuditQuery struct {
	OrgID      string `query:"org_id"`
	ActorID    string `query:"actor_id"`
	Action     string `query:"action" doc:"e.g. user.create, assignment.create"`
	ObjectType string `query:"object_type"`
	ObjectID   string `query:"object_id"`
	Since      string `query:"since" doc:"RFC 3339 time or YYYY-MM-DD, inclusive"`
	Until      string `query:"until" doc:"RFC 3339 time or YYYY-MM-DD, exclusive"`
	Cursor     string `query:"cursor" doc:"next_cursor of the previous page"`
	Limit      int    `query:"limit" minimum:"0" maximum:"1000"`
}

func (in *AuditQuery) filter() (domain.AuditFilter, error) {
	f := domain.AuditFilter{Limit: in.Limit}
	if f.Limit == 0 {
		f.Limit = 50
	}
	set := func(dst **string, v string) {
		if v != "" {
			*dst = &v
		}
	}
	set(&f.ActorID, in.ActorID)
	set(&f.Action, in.Action)
	set(&f.ObjectType, in.ObjectType)
	set(&f.ObjectID, in.ObjectID)
	if in.OrgID != "" {
		f.OrgIDs = []string{in.OrgID}
	}
	for _, t := range []struct {
		v   string
		dst **time.Time
		f   string
	}{{in.Since, &f.Since, "since"}, {in.Until, &f.Until, "until"}} {
		if t.v == "" {
			continue
		}
		tm, err := parseTime(t.v)
		if err != nil {
			return f, &domain.Error{Code: domain.EInvalid, Field: t.f, Message: t.f + " must be a date or an RFC 3339 time"}
		}
		*t.dst = &tm
	}
	if in.Cursor != "" {
		seq, err := strconv.ParseInt(in.Cursor, 10, 64)
		if err != nil {
			return f, &domain.Error{Code: domain.EInvalid, Field: "cursor", Message: "cursor is not one this API gave"}
		}
		f.AfterSeq = seq
	}
	return f, nil
}

func (s *Server) listAudit(ctx context.Context, act app.Actor, in *AuditQuery) (*body[Page[AuditEntry]], error) {
	f, err := in.filter()
	if err != nil {
		return nil, err
	}
	f.Limit++
	es, err := s.app.Audit(ctx, act, f)
	if err != nil {
		return nil, err
	}
	out := Page[AuditEntry]{Items: []AuditEntry{}}
	if len(es) == f.Limit {
		es = es[:f.Limit-1]
		out.NextCursor = strconv.FormatInt(es[len(es)-1].Seq, 10)
	}
	for _, e := range es {
		out.Items = append(out.Items, auditOut(e))
	}
	return reply(out), nil
}

type exportIn struct {
	AuditQuery
	Format string `query:"format" enum:"csv,json" default:"csv"`
}

type exportOut struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

// exportAudit writes every matching entry, reading the log page by page.
func (s *Server) exportAudit(ctx context.Context, act app.Actor, in *exportIn) (*exportOut, error) {
	f, err := in.filter()
	if err != nil {
		return nil, err
	}
	f.Limit = 1000
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	if in.Format != "json" {
		_ = cw.Write([]string{"seq", "at", "actor_id", "actor_org_id", "org_id", "action", "object_type", "object_id",
			"before", "after", "remote_addr", "prev_hash", "hash"})
	} else {
		buf.WriteString("[")
	}
	n := 0
	for {
		es, err := s.app.Audit(ctx, act, f)
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			if in.Format == "json" {
				if n > 0 {
					buf.WriteString(",\n")
				}
				b, _ := json.Marshal(auditOut(e))
				buf.Write(b)
			} else {
				_ = cw.Write([]string{strconv.FormatInt(e.Seq, 10), e.At.Format(time.RFC3339Nano), e.ActorID, e.ActorOrgID,
					e.OrgID, e.Action, e.ObjectType, e.ObjectID, string(e.Before), string(e.After), e.RemoteAddr, e.PrevHash, e.Hash})
			}
			n++
		}
		if len(es) < f.Limit {
			break
		}
		f.AfterSeq = es[len(es)-1].Seq
	}
	if in.Format == "json" {
		buf.WriteString("]\n")
		return &exportOut{ContentType: "application/json", ContentDisposition: `attachment; filename="audit.json"`, Body: buf.Bytes()}, nil
	}
	cw.Flush()
	return &exportOut{ContentType: "text/csv; charset=utf-8", ContentDisposition: `attachment; filename="audit.csv"`, Body: buf.Bytes()}, nil
}

// Verdict is the result of checking the log's hash chain.
type Verdict struct {
	Intact   bool   `json:"intact"`
	Entries  int64  `json:"entries"`
	BrokenAt int64  `json:"broken_at,omitempty" doc:"first entry that fails the check"`
	Problem  string `json:"problem,omitempty"`
}

func (s *Server) verifyAudit(ctx context.Context, act app.Actor, _ *struct{}) (*body[Verdict], error) {
	v, err := s.app.VerifyAudit(ctx, act)
	if err != nil {
		return nil, err
	}
	return reply(Verdict{Intact: v.Intact, Entries: v.Entries, BrokenAt: v.BrokenAt, Problem: v.Problem}), nil
}

type mailIn struct {
	To   string `query:"to" doc:"only notices to this address"`
	Kind string `query:"kind"`
	PageParams
}

func (s *Server) listMail(ctx context.Context, act app.Actor, in *mailIn) (*body[Page[Notice]], error) {
	f := domain.NoticeFilter{Page: in.page()}
	if in.To != "" {
		to := domain.NormalizeEmail(in.To)
		f.ToEmail = &to
	}
	if in.Kind != "" {
		f.Kind = &in.Kind
	}
	l, err := s.app.Mailbox(ctx, act, f)
	if err != nil {
		return nil, err
	}
	return reply(pageOut(l, noticeOut)), nil
}

func (s *Server) getMail(ctx context.Context, act app.Actor, in *idIn) (*body[Notice], error) {
	n, err := s.app.Notice(ctx, act, in.ID)
	if err != nil {
		return nil, err
	}
	return reply(noticeOut(n)), nil
}
