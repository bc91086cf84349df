// Package httperr is the one error path of Provisio's HTTP surfaces (the
// REST API, the pages, the emailed-link pages): the one table from error
// codes to HTTP statuses, the message a person may see, and the log line,
// with its cause and request id, for everything unexpected.
package httperr

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/provisio/provisio/internal/domain"
)

// StatusClientClosed is the status logged when the client went away
// before the answer was ready (nginx's 499).
const StatusClientClosed = 499

// statuses is the one table from error codes to HTTP statuses.
var statuses = map[string]int{
	domain.ENotFound:     http.StatusNotFound,
	domain.EConflict:     http.StatusConflict,
	domain.EInvalid:      http.StatusBadRequest,
	domain.EForbidden:    http.StatusForbidden,
	domain.ERule:         http.StatusUnprocessableEntity,
	domain.EUnauthorized: http.StatusUnauthorized,
	domain.EMFARequired:  http.StatusUnauthorized,
	domain.EThrottled:    http.StatusTooManyRequests,
	domain.EPrecondition: http.StatusPreconditionFailed,
}

// Status maps an error code to its HTTP status; anything unknown is 500.
func Status(code string) int {
	if s, ok := statuses[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// Code is the error code for a status that arose outside the app (a
// router's 404, a validator's 422): the table read backwards, "invalid"
// for any other 4xx and "internal" for 5xx.
func Code(status int) string {
	switch {
	case status >= 500:
		return domain.EInternal
	case status == http.StatusUnauthorized:
		return domain.EUnauthorized // not mfa_required: a router knows of no second factor
	case status == http.StatusUnprocessableEntity:
		return domain.EInvalid // huma's validation failures are malformed input, not a product rule
	}
	for code, s := range statuses {
		if s == status {
			return code
		}
	}
	return domain.EInvalid
}

// InternalMessage is all a person learns of an unexpected error.
const InternalMessage = "something went wrong on our side; please try again"

// Answer is what an HTTP surface tells the client about err.
type Answer struct {
	Status  int
	Code    string
	Rule    string
	Field   string
	Message string // safe to show: the rule's message, or InternalMessage
}

// Report turns err into the answer to send. Errors without a code are
// logged with their cause and the request id, and answered only with
// InternalMessage and the request id, so that support can find the log
// line; a cancelled request is answered 499 and not logged as an error.
func Report(ctx context.Context, log *slog.Logger, err error) Answer {
	var de *domain.Error
	if errors.As(err, &de) && de.Code != domain.EInternal {
		return Answer{Status: Status(de.Code), Code: de.Code, Rule: de.Rule, Field: de.Field, Message: de.Error()}
	}
	if errors.Is(err, context.Canceled) {
		return Answer{Status: StatusClientClosed, Code: domain.EInternal, Message: "request cancelled"}
	}
	id := RequestID(ctx)
	log.ErrorContext(ctx, "internal error", "err", err, "request_id", id)
	msg := InternalMessage
	if id != "" {
		msg += " (request " + id + ")"
	}
	return Answer{Status: http.StatusInternalServerError, Code: domain.EInternal, Message: msg}
}
