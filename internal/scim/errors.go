package scim

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/httperr"
)

// SCIM errors (RFC 7644 section 3.12): the status as a string, a scimType
// where one applies, and a detail that says what is wrong and which rule
// refused it.

func invalid(field, msg string) error {
	return &domain.Error{Code: domain.EInvalid, Field: field, Message: msg}
}

// scimError is a SCIM error body.
type scimError struct {
	Schemas  []string `json:"schemas"`
	Status   string   `json:"status"`
	ScimType string   `json:"scimType,omitempty"`
	Detail   string   `json:"detail"`
}

// fail answers err as a SCIM error. Internal errors are logged with their
// cause and answered without detail.
func fail(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	var te *scimTypeErr
	if errors.As(err, &te) {
		write(w, http.StatusBadRequest, scimError{Schemas: []string{schemaError}, Status: "400", ScimType: te.typ, Detail: te.msg})
		return
	}
	var de *domain.Error
	if !errors.As(err, &de) {
		httperr.Report(r.Context(), log, err)
		write(w, http.StatusInternalServerError, scimError{Schemas: []string{schemaError}, Status: "500",
			Detail: "something went wrong on our side; it has been logged"})
		return
	}
	status, typ := httperr.Status(de.Code), ""
	switch de.Code {
	case domain.EInvalid:
		typ = "invalidValue"
		if de.Field == "filter" {
			typ = "invalidFilter"
		}
	case domain.ERule:
		status, typ = http.StatusBadRequest, "invalidValue"
	case domain.EConflict:
		typ = "uniqueness"
	case domain.EForbidden:
		if de.Field == "externalId" { // a site token writing more than the link
			status, typ = http.StatusBadRequest, "mutability"
		}
	}
	detail := de.Message
	if de.Rule != "" {
		detail += " (" + de.Rule + ")"
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="scim"`)
	}
	write(w, status, scimError{Schemas: []string{schemaError}, Status: strconv.Itoa(status), ScimType: typ, Detail: detail})
}
