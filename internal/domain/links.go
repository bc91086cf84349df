package domain

import "regexp"

// linkSecretRE finds the secret part of the portal's emailed links:
// invitations, password resets, email changes and partner access answers.
var linkSecretRE = regexp.MustCompile(`(/(?:invitations|password-resets|email-changes|access)/)[A-Za-z0-9_-]+`)

// RedactLinkSecrets replaces the secret part of every emailed link in s
// with "…", for text kept after the link was sent, and for logs.
func RedactLinkSecrets(s string) string { return linkSecretRE.ReplaceAllString(s, "${1}…") }
