package api

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
)

// AuditQuery filters the activity log.
type AuditQuery struct {
	OrgID      string `query:"org_id" doc:"only entries about this organisation's data" example:"org_01kjyvahs0jdypew7da395kjeb"`
	ActorID    string `query:"actor_id" doc:"only changes made by this user or SCIM token" example:"usr_01kk2tbfx02cdjh3r9ahyb84pa"`
	Action     string `query:"action" doc:"only this action, e.g. user.create, assignment.create" example:"user.lock"`
	ObjectType string `query:"object_type" doc:"only changes to objects of this kind" example:"user"`
	ObjectID   string `query:"object_id" doc:"only changes to this object" example:"usr_01kk6sce10dyx9g1ercvp1yra5"`
	Since      string `query:"since" doc:"RFC 3339 time or YYYY-MM-DD, inclusive" example:"2026-03-01"`
	Until      string `query:"until" doc:"RFC 3339 time or YYYY-MM-DD, exclusive" example:"2026-04-01T00:00:00Z"`
	Cursor     string `query:"cursor" doc:"next_cursor of the previous page" example:"4182"`
	Limit      int    `query:"limit" minimum:"0" maximum:"1000" doc:"page size, 50 by default; the export reads every matching entry whatever it says" example:"100"`
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
	names, err := s.app.ActorNames(ctx, act, es)
	if err != nil {
		return nil, err
	}
	for _, e := range es {
		item := auditOut(e)
		item.ActorName = names[e.ActorID]
		out.Items = append(out.Items, item)
	}
	return reply(out), nil
}

type exportIn struct {
	AuditQuery
	Format string `query:"format" enum:"csv,json" default:"csv" doc:"csv: a header row and a row an entry; json: an array of entries" example:"json"`
}

type exportOut struct {
	ContentType        string `header:"Content-Type" doc:"text/csv or application/json, as format asks" example:"text/csv; charset=utf-8"`
	ContentDisposition string `header:"Content-Disposition" doc:"the file name to save the export as" example:"attachment; filename=\"audit.csv\""`
	Body               func(huma.Context)
}

// exportDoc documents the export's two formats, which huma cannot see in
// a streamed body.
func (s *Server) exportDoc(o huma.Operation) huma.Operation {
	entry := s.api.OpenAPI().Components.Schemas.Schema(reflect.TypeFor[AuditEntry](), true, "")
	o.Responses = map[string]*huma.Response{"200": {
		Description: "Every matching entry, oldest first: CSV with a header row (the default), or a JSON array",
		Content: map[string]*huma.MediaType{
			"text/csv":         {Schema: &huma.Schema{Type: huma.TypeString}, Example: auditCSVExample},
			"application/json": {Schema: &huma.Schema{Type: huma.TypeArray, Items: entry}},
		},
	}}
	return o
}

// exportPage is how many entries the export reads from the store at once.
var exportPage = 1000

// exportAudit streams every matching entry as CSV or JSON, reading the
// log a page at a time and flushing each page to the client, so that
// neither the server nor the client waits on the whole log. The first page
// is read before the answer starts, so that a refusal is still a problem
// document; a failure after that cuts the connection, so that a client
// cannot take a truncated export for a whole one.
func (s *Server) exportAudit(ctx context.Context, act app.Actor, in *exportIn) (*exportOut, error) {
	f, err := in.filter()
	if err != nil {
		return nil, err
	}
	f.Limit = exportPage
	es, err := s.app.Audit(ctx, act, f)
	if err != nil {
		return nil, err
	}
	out := &exportOut{ContentType: "text/csv; charset=utf-8", ContentDisposition: `attachment; filename="audit.csv"`}
	if in.Format == "json" {
		out.ContentType, out.ContentDisposition = "application/json", `attachment; filename="audit.json"`
	}
	out.Body = func(hctx huma.Context) {
		hctx.SetStatus(http.StatusOK)
		x := newAuditExport(hctx.BodyWriter(), in.Format == "json")
		if err := x.start(); err != nil {
			s.abortExport(ctx, err)
		}
		for {
			for _, e := range es {
				if err := x.entry(e); err != nil {
					s.abortExport(ctx, err)
				}
			}
			if err := x.flush(); err != nil {
				s.abortExport(ctx, err)
			}
			if len(es) < f.Limit {
				break
			}
			f.AfterSeq = es[len(es)-1].Seq
			if es, err = s.app.Audit(ctx, act, f); err != nil {
				s.abortExport(ctx, err)
			}
		}
		if err := x.end(); err != nil {
			s.abortExport(ctx, err)
		}
	}
	return out, nil
}

// abortExport gives up on an export whose answer has started: it logs err
// and cuts the connection, the only way left to tell the client.
func (s *Server) abortExport(ctx context.Context, err error) {
	s.log.ErrorContext(ctx, "audit export cut short", "err", err)
	panic(http.ErrAbortHandler)
}

// auditExport writes the activity log entry by entry: CSV with a header
// row, or one JSON array with an entry per line.
type auditExport struct {
	w   io.Writer
	csv *csv.Writer // nil for JSON
	n   int
}

var auditHeader = []string{"seq", "at", "actor_id", "actor_org_id", "org_id", "action", "object_type", "object_id",
	"before", "after", "remote_addr", "prev_hash", "hash"}

// auditCSVExample is the CSV export's example in the OpenAPI document.
var auditCSVExample = csvExample(auditHeader, "4182", "2026-03-02T09:15:00Z", "usr_01kk2tbfx02cdjh3r9ahyb84pa",
	"org_01kjyvahs0jdypew7da395kjeb", "org_01kjyvahs0jdypew7da395kjeb", "user.lock", "user", "usr_01kk6sce10dyx9g1ercvp1yra5",
	`{"state":"active"}`, `{"state":"locked"}`, "203.0.113.24",
	"9f2c4e1a7b3d5f60182a4c6e8b0d2f4a6c8e0b2d4f6a8c0e2b4d6f8a0c2e4b6d", "3b7e1f9a2c4d6e8f0a1b3c5d7e9f1a2b4c6d8e0f2a3b5c7d9e1f3a5b7c9d1e3f")

func newAuditExport(w io.Writer, asJSON bool) *auditExport {
	x := &auditExport{w: w}
	if !asJSON {
		x.csv = csv.NewWriter(w)
	}
	return x
}

// start writes what comes before the first entry.
func (x *auditExport) start() error {
	if x.csv != nil {
		return x.csv.Write(auditHeader)
	}
	_, err := io.WriteString(x.w, "[")
	return err
}

func (x *auditExport) entry(e *domain.AuditEntry) error {
	x.n++
	if x.csv != nil {
		return x.csv.Write([]string{strconv.FormatInt(e.Seq, 10), e.At.Format(time.RFC3339Nano), e.ActorID, e.ActorOrgID,
			e.OrgID, e.Action, e.ObjectType, e.ObjectID, string(e.Before), string(e.After), e.RemoteAddr, e.PrevHash, e.Hash})
	}
	b, err := json.Marshal(auditOut(e))
	if err != nil {
		return fmt.Errorf("export entry %d: %w", e.Seq, err)
	}
	if x.n > 1 {
		b = append([]byte(",\n"), b...)
	}
	_, err = x.w.Write(b)
	return err
}

// flush sends what has been written so far to the client.
func (x *auditExport) flush() error {
	if x.csv != nil {
		x.csv.Flush()
		if err := x.csv.Error(); err != nil {
			return err
		}
	}
	if w, ok := x.w.(http.ResponseWriter); ok {
		if err := http.NewResponseController(w).Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
			return err
		}
	}
	return nil
}

// end finishes the document and flushes it.
func (x *auditExport) end() error {
	if x.csv == nil {
		if _, err := io.WriteString(x.w, "]\n"); err != nil {
			return err
		}
	}
	return x.flush()
}

// Verdict is the result of checking the log's hash chain.
type Verdict struct {
	Intact   bool   `json:"intact" doc:"every entry's hash matches, and each seals the one before (R-AUDIT-1)" example:"false"`
	Entries  int64  `json:"entries" doc:"how many entries were checked" example:"4182"`
	BrokenAt int64  `json:"broken_at,omitempty" doc:"first entry that fails the check" example:"3977"`
	Problem  string `json:"problem,omitempty" doc:"what is wrong at broken_at, in plain words" example:"the entry was changed after it was written"`
}

func (s *Server) verifyAudit(ctx context.Context, act app.Actor, _ *struct{}) (*body[Verdict], error) {
	v, err := s.app.VerifyAudit(ctx, act)
	if err != nil {
		return nil, err
	}
	return reply(Verdict{Intact: v.Intact, Entries: v.Entries, BrokenAt: v.BrokenAt, Problem: v.Problem}), nil
}

type mailIn struct {
	To   string `query:"to" doc:"only notices to this address" example:"maria.lopez@harbour-dental.example"`
	Kind string `query:"kind" doc:"only notices of this kind" example:"invitation"`
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
