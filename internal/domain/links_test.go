package domain_test

import (
	"testing"

	"github.com/provisio/provisio/internal/domain"
)

func TestRedactLinkSecrets(t *testing.T) {
	for in, want := range map[string]string{
		"Register at https://p.example/invitations/inv_AbC-12_x today":   "Register at https://p.example/invitations/… today",
		"/password-resets/rst_x9":                                        "/password-resets/…",
		`<a href="https://p.example/access/acc_Q?action=approve">`:       `<a href="https://p.example/access/…?action=approve">`,
		"/email-changes/eml_1 and /invitations/inv_2":                    "/email-changes/… and /invitations/…",
		"https://p.example/sites/site_01 stays; /api/v1/users/usr_1 too": "https://p.example/sites/site_01 stays; /api/v1/users/usr_1 too",
	} {
		if got := domain.RedactLinkSecrets(in); got != want {
			t.Errorf("RedactLinkSecrets(%q) = %q, want %q", in, got, want)
		}
	}
}
