package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/provisio/provisio/internal/domain"
)

// Problem is an RFC 9457 problem document. Detail names the rule that
// refused the request, when one did.
type Problem struct {
	Type   string          `json:"type" doc:"URI naming the kind of problem"`
	Title  string          `json:"title"`
	Status int             `json:"status"`
	Detail string          `json:"detail,omitempty"`
	Code   string          `json:"code" enum:"not_found,conflict,invalid,forbidden,rule,unauthorized,mfa_required,throttled,internal" doc:"Provisio error code"`
	Rule   string          `json:"rule,omitempty" doc:"SPEC rule id that refused the request"`
	Field  string          `json:"field,omitempty" doc:"input field that caused the problem"`
	Errors []ProblemDetail `json:"errors,omitempty"`
}

// ProblemDetail is one input error found by validation.
type ProblemDetail struct {
	Message  string `json:"message"`
	Location string `json:"location,omitempty"`
	Value    any    `json:"value,omitempty"`
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

// statusOf maps an error code to its HTTP status, in one place.
func statusOf(code string) int {
	switch code {
	case domain.ENotFound:
		return http.StatusNotFound
	case domain.EConflict:
		return http.StatusConflict
	case domain.EInvalid:
		return http.StatusBadRequest
	case domain.EForbidden:
		return http.StatusForbidden
	case domain.ERule:
		return http.StatusUnprocessableEntity
	case domain.EUnauthorized, domain.EMFARequired:
		return http.StatusUnauthorized
	case domain.EThrottled:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

func codeOf(status int) string {
	switch status {
	case http.StatusNotFound:
		return domain.ENotFound
	case http.StatusConflict:
		return domain.EConflict
	case http.StatusForbidden:
		return domain.EForbidden
	case http.StatusUnauthorized:
		return domain.EUnauthorized
	}
	if status >= 500 {
		return domain.EInternal
	}
	return domain.EInvalid
}

func init() {
	// Huma's own errors (validation, unknown routes, bad bodies) become
	// Provisio problems too.
	huma.NewError = func(status int, msg string, errs ...error) huma.StatusError {
		p := &Problem{Type: "urn:provisio:problem:" + codeOf(status), Title: http.StatusText(status), Status: status,
			Detail: msg, Code: codeOf(status)}
		for _, e := range errs {
			if e == nil {
				continue
			}
			d := ProblemDetail{Message: e.Error()}
			var hd *huma.ErrorDetail
			if errors.As(e, &hd) {
				d = ProblemDetail{Message: hd.Message, Location: hd.Location, Value: hd.Value}
			}
			p.Errors = append(p.Errors, d)
		}
		return p
	}
}

// problemOf turns any error from the app into a problem. Errors without a
// code are logged in full and shown only as "internal error".
func problemOf(ctx context.Context, log *slog.Logger, err error) error {
	var de *domain.Error
	if !errors.As(err, &de) {
		if errors.Is(err, context.Canceled) {
			return &Problem{Type: "urn:provisio:problem:internal", Title: "Request cancelled", Status: 499, Code: domain.EInternal}
		}
		log.ErrorContext(ctx, "internal error", "err", err)
		return &Problem{Type: "urn:provisio:problem:internal", Title: http.StatusText(500), Status: 500,
			Detail: "internal error", Code: domain.EInternal}
	}
	status := statusOf(de.Code)
	return &Problem{Type: "urn:provisio:problem:" + de.Code, Title: http.StatusText(status), Status: status,
		Detail: de.Error(), Code: de.Code, Rule: de.Rule, Field: de.Field}
}
