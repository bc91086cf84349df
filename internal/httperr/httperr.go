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

// Status maps an error code to its HTTP status. It is the only such map.
func Status(code string) int {
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

// Code is the error code for a status that arose outside the app (a
// router's 404, a validator's 422).
func Code(status int) string {
	switch status {
	case http.StatusNotFound:
		return domain.ENotFound
	case http.StatusConflict:
		return domain.EConflict
	case http.StatusForbidden:
		return domain.EForbidden
	case http.StatusUnauthorized:
		return domain.EUnauthorized
	case http.StatusTooManyRequests:
		return domain.EThrottled
	}
	if status >= 500 {
		return domain.EInternal
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
