package domain

import "time"

// Session is a browser or CLI sign-in kept in the database, so it survives
// a restart and every replica sees it. Its token is a secret the holder
// keeps: only the token's hash is stored, and it is not a field here.
type Session struct {
	ID         string    `json:"id"`
	UserID     string    `json:"user_id"`
	MFAOK      bool      `json:"mfa_ok"` // the second factor was given (or none is needed)
	Via        string    `json:"via"`    // password, oidc
	RemoteAddr string    `json:"remote_addr"`
	UserAgent  string    `json:"user_agent"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"` // absolute end
}

// APIToken is a personal API token. The secret itself is shown once when
// the token is issued and never kept: only its hash is stored, and it is
// not a field here.
type APIToken struct {
	ID         string    `json:"id"`
	UserID     string    `json:"user_id"`
	Name       string    `json:"name"`
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
	RevokedAt  time.Time `json:"revoked_at,omitzero"` // zero while the token works
}

// Throttle is the failure count of one sign-in key (an account or a
// client address).
type Throttle struct {
	Failures    int
	WindowStart time.Time
	LockedUntil time.Time
}

// TOTP is a user's authenticator enrolment.
type TOTP struct {
	Secret      string
	ConfirmedAt time.Time // zero while enrolment is not confirmed
	LastStep    int64     // the last time step used, so a code works once
}
