package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/provisio/provisio/internal/httperr"
)

// Problem is an RFC 9457 problem document. Detail names the rule that
// refused the request, when one did.
type Problem struct {
	Type   string          `json:"type" doc:"URI naming the kind of problem" example:"urn:provisio:problem:rule"`
	Title  string          `json:"title" doc:"the HTTP status in words" example:"Unprocessable Entity"`
	Status int             `json:"status" doc:"the HTTP status" example:"422"`
	Detail string          `json:"detail,omitempty" doc:"what went wrong, in plain words, starting with the rule's id when a rule refused" example:"R-ASSIGN-1: tom.reed@harbour-dental.example has not registered yet (Inactive); only active users can be assigned"`
	Code   string          `json:"code" enum:"not_found,conflict,invalid,forbidden,rule,unauthorized,mfa_required,throttled,internal" doc:"Provisio error code" example:"rule"`
	Rule   string          `json:"rule,omitempty" doc:"SPEC rule id that refused the request" example:"R-ASSIGN-1"`
	Field  string          `json:"field,omitempty" doc:"input field that caused the problem" example:"user_id"`
	Errors []ProblemDetail `json:"errors,omitempty" doc:"the input errors found by validation, at most ten"`
}

// ProblemDetail is one input error found by validation.
type ProblemDetail struct {
	Message  string `json:"message" doc:"what is wrong with the input" example:"expected string to be RFC 5322 email: mail: missing @ in addr-spec"`
	Location string `json:"location,omitempty" doc:"where in the request, such as body.email or query.limit" example:"body.email"`
}

func (p *Problem) Error() string { return p.Detail }

// GetStatus is the HTTP status of the problem.
func (p *Problem) GetStatus() int { return p.Status }

// ContentType makes problems application/problem+json.
func (p *Problem) ContentType(ct string) string {
	if ct == "application/json" {
		return "application/problem+json"
	}
	return ct
}

// maxProblemDetails bounds the input errors one answer lists: a request
// with thousands of bad fields gets a short answer, not a long one.
const maxProblemDetails = 10

func init() {
	// Huma's own errors (validation, unknown routes, bad bodies) become
	// Provisio problems too. They say where and what is wrong, never echo
	// the value sent, and list at most maxProblemDetails items.
	huma.NewError = func(status int, msg string, errs ...error) huma.StatusError {
		code := httperr.Code(status)
		p := &Problem{Type: "urn:provisio:problem:" + code, Title: http.StatusText(status), Status: status,
			Detail: msg, Code: code}
		for _, e := range errs {
			if e == nil {
				continue
			}
			if len(p.Errors) == maxProblemDetails {
				p.Detail = fmt.Sprintf("%s (the first %d problems are listed)", msg, maxProblemDetails)
				break
			}
			d := ProblemDetail{Message: e.Error()}
			var hd *huma.ErrorDetail
			if errors.As(e, &hd) {
				d = ProblemDetail{Message: hd.Message, Location: hd.Location}
			}
			p.Errors = append(p.Errors, d)
		}
		return p
	}
}

// problemOf turns any error from the app into a problem, through the one
// error path of every HTTP surface (httperr.Report): errors without a code
// are logged in full and shown only as "internal error".
func problemOf(ctx context.Context, log *slog.Logger, err error) error {
	a := httperr.Report(ctx, log, err)
	title := http.StatusText(a.Status)
	if a.Status == httperr.StatusClientClosed {
		title = "Request cancelled"
	}
	return &Problem{Type: "urn:provisio:problem:" + a.Code, Title: title, Status: a.Status,
		Detail: a.Message, Code: a.Code, Rule: a.Rule, Field: a.Field}
}
