package httperr_test

import (
	"net/http"
	"testing"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/httperr"
)

// TestStatus_OneTable: every code has one status on every HTTP surface,
// and a status read back gives the code (a rule refusal is 422 in the API
// and on pages alike).
func TestStatus_OneTable(t *testing.T) {
	for code, want := range map[string]int{
		domain.ENotFound: 404, domain.EConflict: 409, domain.EInvalid: 400, domain.EForbidden: 403,
		domain.ERule: 422, domain.EUnauthorized: 401, domain.EMFARequired: 401, domain.EThrottled: 429,
		domain.EInternal: 500, "unknown": 500,
	} {
		if got := httperr.Status(code); got != want {
			t.Errorf("Status(%s) = %d, want %d", code, got, want)
		}
	}
	for status, want := range map[int]string{404: domain.ENotFound, 409: domain.EConflict, 403: domain.EForbidden,
		401: domain.EUnauthorized, 429: domain.EThrottled, 400: domain.EInvalid, 422: domain.EInvalid, 405: domain.EInvalid,
		http.StatusBadGateway: domain.EInternal} {
		if got := httperr.Code(status); got != want {
			t.Errorf("Code(%d) = %s, want %s", status, got, want)
		}
	}
}
