// Package domain holds Provisio's entities, states, roles and pure rules.
// It imports nothing else from the project.
package domain

import (
	"errors"
	"fmt"
)

// Error codes. Every layer that speaks to people maps these codes, and only
// these, to its own notion of status (HTTP status, CLI exit code).
const (
	ENotFound     = "not_found"    // the object does not exist or is outside the actor's tenancy
	EConflict     = "conflict"     // the change clashes with existing state (duplicate email, …)
	EInvalid      = "invalid"      // the input is malformed
	EForbidden    = "forbidden"    // the actor may see the object but not do this
	ERule         = "rule"         // a product rule refuses the change
	EUnauthorized = "unauthorized" // no or bad credentials
	EMFARequired  = "mfa_required" // the password was right; a second factor is needed
	EThrottled    = "throttled"    // too many failed sign-ins; try later
	EPrecondition = "precondition" // the object changed since the caller read it (If-Match)
	EInternal     = "internal"     // anything unexpected; never shown in detail
)

// Errors a store answers with, through the interface app reads it by; the
// store wraps its driver's error in them, for the logs.
var (
	ErrNotFound   = errors.New("not found")
	ErrUnique     = errors.New("unique constraint violated")
	ErrForeignKey = errors.New("foreign key constraint violated")
)

// Error is the one error type that crosses layers. Message is safe to show to
// the user and, where a rule refused the change, starts with the rule id.
type Error struct {
	Code    string
	Rule    string // e.g. "R-USER-2"; empty when no rule applies
	Message string
	Field   string // the input field that caused it, when there is one
	cause   error  // what went wrong underneath, for logs; never shown
}

// WithCause returns a copy of e that carries cause, so that logs and
// errors.Is still find it (a store's not-found sentinel, say).
func (e *Error) WithCause(cause error) *Error {
	c := *e
	c.cause = cause
	return &c
}

// Unwrap returns the cause e carries, if any.
func (e *Error) Unwrap() error { return e.cause }

func (e *Error) Error() string {
	if e.Rule != "" {
		return e.Rule + ": " + e.Message
	}
	return e.Message
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// RuleError returns an *Error that names the rule that refused the change.
func RuleError(code, rule, format string, args ...any) *Error {
	return &Error{Code: code, Rule: rule, Message: fmt.Sprintf(format, args...)}
}

// NotFound returns the uniform not-found error for an object of kind. It
// never says whether the object exists in another tenant (R-ORG-1), nor
// echoes the id asked for.
func NotFound(kind string) *Error {
	return &Error{Code: ENotFound, Rule: "R-ORG-1", Message: kind + " not found: it does not exist, or is not yours to see"}
}

// ErrorCode returns the code of err, or EInternal when err is not an *Error.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorRule returns the rule id carried by err, if any.
func ErrorRule(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Rule
	}
	return ""
}
